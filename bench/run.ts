/**
 * `npm run bench`: every benchmark, printed as markdown tables to paste into bench/RESULTS.md.
 * `npm run bench -- frontend` runs one group.
 */
import * as os from 'node:os';
import { analyzeBenchmark } from './analyze.js';
import { buildBenchmark } from './build.js';
import { editorBenchmark } from './editor.js';
import { coldCheckBenchmark, frontendBenchmark } from './frontend.js';
import { rulesBenchmark } from './rules.js';
import { simulateBenchmark } from './simulate.js';

const groups: Record<string, () => unknown> = {
  frontend: frontendBenchmark,
  rules: rulesBenchmark,
  cold: coldCheckBenchmark,
  build: buildBenchmark,
  editor: editorBenchmark,
  analyze: analyzeBenchmark,
  simulate: () => simulateBenchmark(),
};

const wanted = process.argv.slice(2);
console.log(`# teamc benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
for (const [name, run] of Object.entries(groups)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
