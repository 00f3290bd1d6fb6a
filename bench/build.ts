/**
 * `teamc build` benchmark (issue 5): the time to generate TypeScript from generated specs of 1k to
 * 10k lines (target: 10k lines in under a second, growing linearly), split into check, view
 * model, rendering and writing; and for each example, the build time and the generated size per
 * agent.
 *
 *   npx tsx bench/build.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderModules, viewsFromModel, writeOutputs, type OutputFile } from '../compiler/emit/index.js';
import { checkFiles, type CheckedProgram } from '../compiler/program.js';
import { countLines, generateSpec } from './generate.js';
import { printTable, time, type Row } from './measure.js';

const options = (cwd: string) => ({ cwd, version: 'bench', unsafeProblems: null });

function checkSpec(file: string, text: string): CheckedProgram {
  const checked = checkFiles([file], { readFile: (p) => (p === file ? text : undefined) });
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`generated spec is not clean: ${errors[0]!.message}`);
  return checked;
}

const sizeOf = (files: OutputFile[]) => files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
const linesOf = (files: OutputFile[]) => files.reduce((sum, f) => sum + countLines(f.text) - 1, 0);

export function buildBenchmark(): Row[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-bench-build-'));
  const rows: Row[] = [];
  try {
    for (const target of [1_000, 2_000, 5_000, 10_000]) {
      const text = generateSpec(target);
      const lines = countLines(text);
      const file = path.join(scratch, 'spec.team');
      const runs = 7;
      const checkMs = time(runs, () => checkSpec(file, text));
      const checked = checkSpec(file, text);
      const viewsMs = time(runs, () => viewsFromModel(checked.model, checked.program.roots, options(scratch)));
      const views = viewsFromModel(checked.model, checked.program.roots, options(scratch));
      const renderMs = time(runs, () => renderModules(views));
      const files = renderModules(views);
      let round = 0;
      // A fresh directory each time, so every file is really written (not skipped as unchanged).
      const writeMs = time(runs, () => writeOutputs(path.join(scratch, `out-${target}-${round++}`), files));
      const agents = views.reduce((sum, v) => sum + (v.team?.agents.length ?? 0), 0);
      const emitMs = viewsMs + renderMs + writeMs;
      rows.push({
        spec: `${lines} lines`,
        'check ms': checkMs.toFixed(1),
        'view model ms': viewsMs.toFixed(1),
        'render ms': renderMs.toFixed(1),
        'write ms': writeMs.toFixed(1),
        'build ms (all)': (checkMs + emitMs).toFixed(1),
        'emit ms per 1k lines': ((emitMs / lines) * 1000).toFixed(2),
        modules: files.length,
        'generated lines': linesOf(files),
        'bytes per agent': Math.round(sizeOf(files) / agents),
      });
    }
    printTable('`teamc build`: check, then view model → templates → files', rows);

    const examples = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples');
    const exampleRows: Row[] = [];
    for (const name of fs.readdirSync(examples).filter((f) => f.endsWith('.team')).sort()) {
      const file = path.join(examples, name);
      const host = { readFile: (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) };
      const build = () => {
        const checked = checkFiles([file], host);
        const errors = checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
        return renderModules(viewsFromModel(checked.model, checked.program.roots, { ...options(examples), unsafeProblems: errors.length > 0 ? errors : null }));
      };
      const files = build();
      const checked = checkFiles([file], host);
      const teamModules = viewsFromModel(checked.model, checked.program.roots, options(examples)).filter((v) => v.team);
      const agents = teamModules.reduce((sum, v) => sum + v.team!.agents.length, 0);
      const teamBytes = sizeOf(files.filter((f) => teamModules.some((v) => v.path === f.path)));
      exampleRows.push({
        example: name,
        'check + emit ms': time(15, build).toFixed(1),
        modules: files.length,
        'generated lines': linesOf(files),
        agents,
        'bytes per agent': agents > 0 ? Math.round(teamBytes / agents) : '–',
        errors: checked.diagnostics.filter((d) => d.severity === 'error').length,
      });
    }
    printTable('`teamc build` on the examples (a file with errors is built as with --allow-unsafe)', exampleRows);
    return [...rows, ...exampleRows];
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildBenchmark();
