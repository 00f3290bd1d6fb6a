/**
 * Termination, time and money (T700, T701, T604) proven through the real runtime. Each rejected
 * fixture, run with allowUnsafe under the faults that make its danger real, shows the violation
 * the rule predicts within 200 seeds, and that seed replays it:
 *
 * - T700 (a loop with no `max rounds`): a stubborn critic (`stubborn`: it never approves) keeps the
 *   writer and the critic going round until the budget stops the run — `termination`;
 * - T701 (worst-case spend over the budget): answers that run to their `max_tokens` (`verbose`)
 *   and failed attempts that need their retries (`malformed`: a cut-off answer is billed its whole
 *   `max_tokens`) reach the worst case, and the budget refuses a call — `budget`;
 * - T604 (a vote with no `rounds` bound and no tie-break): a crashed judge and two that honestly
 *   disagree (`disagreement`) vote round after round until the budget stops it — `termination`.
 *
 * The accepted twin of each, under the same faults, never does; every accepted design survives
 * every fault at once in survive-1/2.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { simulateRun, type ViolationKind } from '../../../../runtime/simulate/index.js';
import { drawInputs, findViolation, fixture, survive } from './harness.js';

const proofs: Array<{ code: string; kind: ViolationKind; faults: string; says: RegExp }> = [
  { code: 'T700', kind: 'termination', faults: 'stubborn=0.5', says: /the loop writer → critic \(over drafts, reviews\) declares no `max rounds` and was still going round when the budget stopped the run/ },
  { code: 'T701', kind: 'budget', faults: 'malformed=0.5,verbose=1', says: /was refused \d+ tokens with \d+ of the budget of 20000 left/ },
  { code: 'T604', kind: 'termination', faults: 'crashes=1,disagreement=0.3', says: /decide declares no `rounds` bound and was still voting \(round \d+ of judge:1\) when the budget stopped the run/ },
];

describe.each(proofs)('$code: the rejected design yields a $kind violation', ({ code, kind, faults, says }) => {
  it(`within 200 seeds of ${faults}, and its seed replays it`, async () => {
    const { definition, errors } = fixture(code, 'reject');
    expect(errors).toContain(code);
    const found = await findViolation(definition, kind, { faults, seeds: 200, allowUnsafe: true });
    expect(found, `no ${kind} violation in 200 seeds`).toBeDefined();
    expect(found!.violation.message).toMatch(says);
    // Cut off by the budget: a typed failure, but not one of the design's own bounds.
    expect(found!.run.error?.kind).toBe('budget');
    const replay = await simulateRun(definition, { seed: found!.run.seed, faults, input: drawInputs(definition, 'proof'), allowUnsafe: true });
    expect(replay.violations).toContainEqual(found!.violation);
    expect(replay.trace.length).toBe(found!.run.trace.length);
  }, 60_000);

  it(`the accepted design never does under the same faults (100 seeds)`, async () => {
    const { definition, errors } = fixture(code, 'accept');
    expect(errors).toEqual([]);
    const survival = await survive(definition, { faults, seeds: 100, prefix: `${code}-limits` });
    expect(survival.violations.slice(0, 3)).toEqual([]);
  }, 60_000);
});

describe('what makes the dangers real', () => {
  it('T700: without a stubborn critic the loop always ends (the sim approves at random)', async () => {
    const { definition } = fixture('T700', 'reject');
    const survival = await survive(definition, { faults: 'model-errors=0.1', seeds: 50, prefix: 'T700-free' });
    expect(survival.violations).toEqual([]);
    expect(survival.successes).toBeGreaterThan(40);
  });

  it('T701: answers billed by their text never reach the worst case; a cut-off one is billed its max_tokens', async () => {
    const { definition } = fixture('T701', 'reject');
    const short = await survive(definition, { faults: 'malformed=0.5', seeds: 100, prefix: 'proof' });
    expect(short.violations).toEqual([]);
    // The same runs, with answers run to max_tokens: the budget does not cover them.
    const found = await findViolation(definition, 'budget', { faults: 'malformed=0.5,verbose=1', seeds: 100, allowUnsafe: true });
    expect(found).toBeDefined();
    const truncated = found!.run.trace.filter((e) => e.kind === 'call-end' && e.error?.name === 'MalformedOutputError' && e.error.reason === 'truncated');
    expect(truncated.length).toBeGreaterThan(0);
    for (const e of truncated) expect(e.kind === 'call-end' && e.usage?.tokens).toBeGreaterThan(2_000);
  });
});
