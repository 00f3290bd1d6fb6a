/**
 * A simulation summary as text, for `teamc simulate`: the figures, then each violated guarantee
 * with the seeds that reproduce it and its shrunk counterexample.
 */
import { formatCounterexample } from './shrink.js';
import type { Percentiles, SimulationSummary } from './simulate.js';

export function formatSummary(summary: SimulationSummary): string {
  const lines: string[] = [];
  lines.push(`simulated ${summary.team}: ${summary.runs} runs, seed ${summary.seed}, faults ${summary.faults || 'none'}`);
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  const failures = Object.entries(summary.failures).map(([kind, n]) => `${kind} ${n}`);
  lines.push(`  succeeded   ${summary.successes}/${summary.runs} (${percent(summary.successRate)})${failures.length ? `; failed typed: ${failures.join(', ')}` : ''}`);
  lines.push(`  makespan    ${spread(summary.latencyMs, (v) => `${round(v / 1000, 2)}s`)}`);
  lines.push(`  speed-up    ${spread(summary.speedup, (v) => `${round(v, 2)}×`)} (sum of call durations / makespan)`);
  lines.push(`  spent       ${summary.tokens.total} tokens, $${round(summary.dollars.total, 4)} (per run ${round(summary.tokens.mean, 1)} tokens, $${round(summary.dollars.mean, 6)})`);
  const injected = Object.entries(summary.injected).map(([kind, n]) => `${kind} ${n}`);
  lines.push(`  injected    ${injected.length ? injected.join(', ') : 'no model faults'}`);
  const net = summary.network;
  lines.push(`  network     ${net.delivered} delivered, ${net.dropped} dropped, ${net.duplicated} duplicated, ${net.reordered} reordered, ${net.acksDropped} acks dropped`);
  if (summary.violations.length === 0) {
    lines.push(`  guarantees  no violation in ${summary.runs} runs`);
    return lines.join('\n');
  }
  lines.push(`  guarantees  VIOLATED in ${summary.runs - summary.clean} of ${summary.runs} runs`);
  for (const group of summary.violations) {
    lines.push('');
    lines.push(`${group.kind}: ${group.count} violation${group.count === 1 ? '' : 's'} in ${group.runs} run${group.runs === 1 ? '' : 's'} (seeds ${group.seeds.join(', ')})`);
    for (const example of group.examples) lines.push(formatCounterexample(example));
  }
  return lines.join('\n');
}

function spread(p: Percentiles | undefined, unit: (v: number) => string): string {
  if (!p) return 'no successful run';
  return `p50 ${unit(p.p50)}, p90 ${unit(p.p90)}, p99 ${unit(p.p99)}, max ${unit(p.max)}`;
}

function percent(x: number): string {
  return `${round(x * 100, 1)}%`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
