/**
 * Effects, proven through the real runtime: the rejected designs of T400 (an at-least-once channel
 * feeding an un-keyed effect) and T401 (retry on an agent with an un-keyed effect) repeat their
 * effect under simulation — the sim model really calls the tools, the simulated tools really run —
 * and the exactly-once checker catches it, reproducibly from the seed, with the two executions as
 * evidence. The accepted designs (the same with an idempotency key) survive in survive-1/2.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { simulateRun } from '../../../../runtime/simulate/index.js';
import type { TeamTraceEvent } from '../../../../runtime/team.js';
import { drawInputs, findViolation, fixture, survive } from './harness.js';

const ALL = 'model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

const cases = [
  // The publisher posts, then its answer fails: the unacknowledged comment comes back and is posted again.
  { code: 'T400', tool: 'post_comment', cause: /ran in activations publisher:\d+ and publisher:\d+ of publisher, both handling message / },
  // The notifier pages, then its answer fails: the retry pages again.
  { code: 'T401', tool: 'send_page', cause: /ran in attempts 1 and 2 of one activation notifier:1 of notifier/ },
];

type ToolCallEvent = Extract<TeamTraceEvent, { kind: 'tool' }>;
type StartEvent = Extract<TeamTraceEvent, { kind: 'activation' }>;

describe('repeated effects are caught (rejected fixtures, allowUnsafe)', () => {
  for (const { code, tool, cause } of cases) {
    it(`${code}: the effect runs twice for one logical request within 200 seeds, and the seed reproduces it`, async () => {
      const { definition, errors } = fixture(code, 'reject');
      expect(errors).toContain(code);
      const found = await findViolation(definition, 'exactly-once', { faults: ALL, seeds: 200, allowUnsafe: true });
      expect(found, `no exactly-once violation in 200 seeds of ${ALL}`).toBeDefined();
      const { run, violation } = found!;
      expect(violation.subject).toBe(`tool:${tool}`);
      expect(violation.message).toMatch(cause);

      // The evidence is real: two executions of the effect, for one request.
      const calls = violation.evidence.map((i) => run.trace[i]!).filter((e): e is ToolCallEvent => e.kind === 'tool' && e.action === 'call');
      expect(calls).toHaveLength(2);
      expect(calls.every((c) => c.tool === tool && c.key === undefined)).toBe(true);
      if (code === 'T401') {
        expect(calls[0]!.activation).toBe(calls[1]!.activation);
        expect(calls[0]!.attempt).not.toBe(calls[1]!.attempt);
      } else {
        const starts = violation.evidence.map((i) => run.trace[i]!).filter((e): e is StartEvent => e.kind === 'activation' && e.action === 'start');
        expect(starts).toHaveLength(2);
        expect(starts[0]!.activation).not.toBe(starts[1]!.activation);
        expect(starts[0]!.consumed).toEqual(starts[1]!.consumed);
      }

      const again = await simulateRun(definition, { seed: run.seed, faults: ALL, input: drawInputs(definition, 'proof'), allowUnsafe: true });
      expect(again.violations).toContainEqual(violation);
      expect(again.trace).toEqual(run.trace);
    }, 60_000);
  }
});

describe('a hedge is a repeat too (T401 with `hedge` instead of `retry`)', () => {
  /** The fixture's notifier, hedged after 500 ms instead of retried: both copies ask for the page. */
  const hedged = (side: 'reject' | 'accept') => {
    const { definition } = fixture('T401', side);
    const notifier = definition.agents.find((a) => a.name === 'notifier')!;
    const { retry: _, ...policy } = notifier.policy;
    notifier.policy = { ...policy, hedge: { afterMs: 500 } };
    return definition;
  };

  it('without a key, the two copies of one call both page: caught, in attempts 1 and 2', async () => {
    const found = await findViolation(hedged('reject'), 'exactly-once', { faults: ALL, seeds: 200, allowUnsafe: true });
    expect(found?.violation.subject).toBe('tool:send_page');
    expect(found!.violation.message).toMatch(/ran in attempts \d and \d of one activation notifier:1/);
    expect(found!.run.trace.some((e) => e.kind === 'hedge' && e.action === 'fired')).toBe(true);
  }, 60_000);

  it('with the key, the second copy is de-duplicated: 300 seeds of every fault, no violation', async () => {
    const survival = await survive(hedged('accept'), { faults: ALL, seeds: 300 });
    expect(survival.violations.slice(0, 3)).toEqual([]);
    expect(survival.successes).toBeGreaterThan(150);
  }, 60_000);
});
