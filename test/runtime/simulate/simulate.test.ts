import { describe, expect, it } from 'vitest';
import { formatSummary, percentiles, simulate, simulateRun, type SimulatedRun } from '../../../runtime/simulate/index.js';
import { codeReviewTeam } from '../team/teams.js';
import { collectorTeam, ledgerTeam } from './teams.js';

const FAULTS = 'model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

describe('simulate', () => {
  it('is deterministic: the same seed gives the same summary, another seed another one', async () => {
    const options = { runs: 25, seed: 11, faults: FAULTS, input: { diff: '+ a' } };
    const first = await simulate(codeReviewTeam(), options);
    const second = await simulate(codeReviewTeam(), options);
    expect(second).toEqual(first);
    const other = await simulate(codeReviewTeam(), { ...options, seed: 12 });
    expect(other.latencyMs).not.toEqual(first.latencyMs);
  });

  it('runs run i on seed `S/i`, each on its own virtual clock, and reports every run', async () => {
    const runs: SimulatedRun[] = [];
    const summary = await simulate(codeReviewTeam(), { runs: 6, seed: 'alpha', faults: FAULTS, input: { diff: 'x' }, onRun: (run) => runs.push(run) });
    expect(runs.map((r) => r.seed)).toEqual(['alpha/0', 'alpha/1', 'alpha/2', 'alpha/3', 'alpha/4', 'alpha/5']);
    for (const run of runs) {
      expect(run.trace[0]).toMatchObject({ kind: 'run-start', time: 0, clock: 'virtual', seed: run.seed });
      expect(run.trace.at(-1)).toMatchObject({ kind: 'run-end' });
    }
    // A single run replays from its seed alone.
    const replayed = await simulateRun(codeReviewTeam(), { seed: 'alpha/3', faults: FAULTS, input: { diff: 'x' } }, 3);
    expect(replayed).toEqual(runs[3]);
    expect(summary.runs).toBe(6);
  });

  it('sums the runs up: successes, typed failures, latency percentiles, speed-up, tokens and cost', async () => {
    const runs: SimulatedRun[] = [];
    const summary = await simulate(codeReviewTeam(), { runs: 40, seed: 5, faults: FAULTS, input: { diff: '+ x' }, onRun: (r) => runs.push(r) });
    const ok = runs.filter((r) => r.ok);
    expect(summary.successes).toBe(ok.length);
    expect(summary.successRate).toBe(ok.length / 40);
    expect(Object.values(summary.failures).reduce((a, b) => a + b, 0)).toBe(40 - ok.length);
    expect(summary.latencyMs).toEqual(percentiles(ok.map((r) => r.makespanMs)));
    expect(summary.latencyMs!.p50).toBeLessThanOrEqual(summary.latencyMs!.p90);
    expect(summary.latencyMs!.p90).toBeLessThanOrEqual(summary.latencyMs!.p99);
    // Three reviewers and three judges overlap: more model time than wall (virtual) time.
    expect(summary.speedup!.p50).toBeGreaterThan(1.2);
    for (const run of ok) expect(run.speedup).toBeCloseTo(run.callMs / run.makespanMs, 9);
    expect(summary.tokens.total).toBe(runs.reduce((a, r) => a + r.usage.tokens, 0));
    expect(summary.dollars.total).toBeGreaterThan(0);
    expect(summary.injected.crashedReplicas).toBe(40); // one judge per run
    expect(summary.network.reordered).toBeGreaterThan(0);
    expect(summary.notes).toEqual(['consensus decide declares crash faults only: its replicas (agent judge) never answer wrong']);
    const text = formatSummary(summary);
    expect(text).toContain(`simulated CodeReview: 40 runs, seed 5, faults ${FAULTS.replace('stragglers=0.1,wrong-answers=0.1', 'wrong-answers=0.1,stragglers=0.1')}`);
    expect(text).toContain('guarantees  no violation in 40 runs');
  });

  it('groups violations by kind, with the seeds that reproduce them and a shrunk counterexample', async () => {
    const summary = await simulate(collectorTeam('at_most_once'), { runs: 20, seed: 2, faults: 'drops=0.3', input: { topic: 't' }, counterexamples: 2 });
    const [group, ...others] = summary.violations;
    expect(others).toEqual([]);
    expect(group).toMatchObject({ kind: 'at-least-once' });
    expect(group!.runs).toBe(summary.runs - summary.clean);
    expect(group!.seeds.every((s) => s.startsWith('2/'))).toBe(true);
    expect(group!.examples).toHaveLength(2);
    expect(group!.examples[0]!.seed).toBe(group!.seeds[0]);
    expect(formatSummary(summary)).toContain(`at-least-once: ${group!.count} violation`);
  });

  it('reports a run that cannot finish on virtual time as stuck, not as a hang', async () => {
    const slow = ledgerTeam('causal');
    delete slow.deadlineMs;
    const run = await simulateRun(slow, { seed: 1, input: { topic: 't' }, maxVirtualMs: 100 });
    expect(run).toMatchObject({ ok: false, error: { kind: 'stuck' }, violations: [] });
    expect(run.error!.message).toContain('still running at t=100ms');
  });

  it('refuses a bad run count and a bad fault spec before running anything', async () => {
    await expect(simulate(ledgerTeam('causal'), { runs: 0, seed: 1, input: { topic: 't' } })).rejects.toThrow(/runs must be a positive whole number/);
    await expect(simulate(ledgerTeam('causal'), { runs: 1, seed: 1, input: { topic: 't' }, faults: 'drops=2' })).rejects.toThrow(/drops must be a probability/);
    await expect(simulate(ledgerTeam('causal'), { runs: 1, seed: 1, input: { topic: 't' }, faults: { drops: -1 } })).rejects.toThrow(/drops must be a probability/);
  });
});

describe('percentiles', () => {
  it('are nearest-rank: each one a value some run had', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentiles(values)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(percentiles([7])).toEqual({ p50: 7, p90: 7, p99: 7, max: 7, mean: 7 });
    expect(percentiles([])).toBeUndefined();
  });
});
