/**
 * Simulation throughput: 1,000 simulated runs of the code-review team under every fault, checked
 * by every checker. Reports simulated runs per second of wall time, and how much faster than real
 * time the virtual clock runs (the sum of the runs' virtual makespans over the wall time spent).
 *
 * `npx tsx bench/simulate.ts [runs]`, or import `simulateBenchmark` into bench/run.ts.
 */
import { pathToFileURL } from 'node:url';
import { simulate, type SimulatedRun } from '../runtime/simulate/index.js';
import { codeReviewTeam } from '../test/runtime/team/teams.js';
import { printTable, type Row } from './measure.js';

const FAULTS = 'model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

export async function simulateBenchmark(runs = 1_000): Promise<void> {
  const rows: Row[] = [];
  for (const [label, faults] of [
    ['no faults', ''],
    ['every fault', FAULTS],
  ] as const) {
    // Warm up the JIT on a few runs first, so the figure is the steady state.
    await simulate(codeReviewTeam(), { runs: 20, seed: 'warm-up', faults, input: { diff: '+ x' } });
    let virtualMs = 0;
    let events = 0;
    const started = performance.now();
    const summary = await simulate(codeReviewTeam(), {
      runs,
      seed: 'bench',
      faults,
      input: { diff: '+ if (a < b && c) return;' },
      onRun: (run: SimulatedRun) => {
        virtualMs += run.makespanMs;
        events += run.trace.length;
      },
    });
    const wallMs = performance.now() - started;
    rows.push({
      faults: label,
      runs,
      'wall s': (wallMs / 1000).toFixed(2),
      'runs/s': Math.round(runs / (wallMs / 1000)),
      'trace events/run': Math.round(events / runs),
      'virtual h': (virtualMs / 3_600_000).toFixed(2),
      'virtual/wall': `${Math.round(virtualMs / wallMs)}×`,
      'success %': (summary.successRate * 100).toFixed(1),
      'p50 / p99 makespan s': `${((summary.latencyMs?.p50 ?? 0) / 1000).toFixed(1)} / ${((summary.latencyMs?.p99 ?? 0) / 1000).toFixed(1)}`,
      'speed-up p50': `${(summary.speedup?.p50 ?? 0).toFixed(2)}×`,
      violations: summary.violations.reduce((n, g) => n + g.count, 0),
    });
  }
  printTable('Simulation: code review, simulated runs checked by every checker', rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await simulateBenchmark(process.argv[2] ? Number(process.argv[2]) : undefined);
}
