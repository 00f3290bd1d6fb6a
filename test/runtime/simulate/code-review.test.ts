/**
 * The code-review fixture (causal exactly-once join, causal store, a vote of three judges that
 * tolerates one crash) under every fault at once: no declared guarantee may break in any seed.
 * A 1,000-run version lives in bench/simulate.ts.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../runtime/simulate/index.js';
import { codeReviewTeam } from '../team/teams.js';

const FAULTS = 'model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

describe('the code review under simulation', () => {
  it('survives 300 seeds of every fault with no guarantee violated', async () => {
    const summary = await simulate(codeReviewTeam(), { runs: 300, seed: 'review', faults: FAULTS, input: { diff: '+ if (a < b && c) return;' } });
    expect(summary.violations).toEqual([]);
    expect(summary.clean).toBe(300);
    // Faults were really dealt: every kind, a crashed judge in every run, a hostile network.
    expect(summary.injected).toMatchObject({ crashedReplicas: 300 });
    for (const fault of ['timeout', 'rateLimit', 'serverError', 'wrongAnswer'] as const) expect(summary.injected[fault]).toBeGreaterThan(20);
    expect(summary.network.dropped).toBeGreaterThan(100);
    expect(summary.network.reordered).toBeGreaterThan(300);
    // Failures are typed and rare: a run fails only when faults exceed what the design tolerates.
    expect(summary.successRate).toBeGreaterThan(0.8);
    expect(Object.keys(summary.failures).every((k) => ['no_consensus', 'agent_failed', 'deadline'].includes(k))).toBe(true);
    expect(summary.speedup!.p50).toBeGreaterThan(1.2);
  });

  it('the leader-based variant survives 100 seeds too', async () => {
    const definition = codeReviewTeam();
    definition.consensus[0] = { ...definition.consensus[0]!, protocol: 'leader' };
    const summary = await simulate(definition, { runs: 100, seed: 'review-leader', faults: FAULTS, input: { diff: 'x' } });
    expect(summary.violations).toEqual([]);
    expect(summary.successRate).toBeGreaterThan(0.8);
  });

  it('with a tight deadline, runs fail typed and the deadline holds; a budget short of the worst case is a violation', async () => {
    const hurried = codeReviewTeam();
    hurried.deadlineMs = 20_000;
    const deadline = await simulate(hurried, { runs: 100, seed: 'review-deadline', faults: FAULTS, input: { diff: 'x' } });
    expect(deadline.failures.deadline).toBeGreaterThan(20);
    expect(deadline.violations).toEqual([]);

    // 9k tokens is below what the declared replicas × attempts × max_tokens can spend (the T701
    // rule's worst case): a run stopped by the budget shows the design short, so it is a violation.
    const frugal = codeReviewTeam();
    frugal.budget = { tokens: 9_000 };
    const budget = await simulate(frugal, { runs: 100, seed: 'review-budget', faults: FAULTS, input: { diff: 'x' } });
    expect(budget.failures.budget).toBeGreaterThan(20);
    expect(budget.violations.map((v) => v.kind)).toEqual(['budget']);
    // One per run stopped, and nothing else: reservations still keep the spending itself within the budget.
    expect(budget.violations[0]).toMatchObject({ runs: budget.failures.budget, count: budget.failures.budget });
    expect(budget.violations[0]!.examples[0]!.violation.message).toContain('was refused');
  });
});
