/**
 * Negative and positive controls through the real runtime: a design that relies on a guarantee
 * its declaration does not give must be broken by simulation within a bounded number of seeds,
 * with a counterexample that its seed reproduces; the same design declaring the guarantee must
 * survive many seeds under the same faults — and those faults must really have been dealt, or
 * the survival would prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { createTeam } from '../../../runtime/team.js';
import { simulate, simulateRun } from '../../../runtime/simulate/index.js';
import { collectorTeam, ledgerTeam, votingTeam } from './teams.js';

const NETWORK = 'duplicates=0.2,reorder=0.3,drops=0.1';

describe('causal order: a consumer that requires it, on a channel that does not provide it', () => {
  it('an unordered channel is caught reordering within 200 seeds, and the seed reproduces it', async () => {
    const summary = await simulate(ledgerTeam('unordered'), { runs: 200, seed: 'causal-neg', faults: NETWORK, input: { topic: 'x' } });
    const causal = summary.violations.find((g) => g.kind === 'causal');
    expect(causal).toBeDefined();
    const [example] = causal!.examples;
    // The counterexample is the two deliveries out of order and their two publishes.
    expect(example!.events.map((e) => e.event.kind)).toEqual(['send', 'send', 'deliver', 'deliver']);
    const replay = await simulateRun(ledgerTeam('unordered'), { seed: example!.seed!, faults: NETWORK, input: { topic: 'x' } });
    expect(replay.violations).toContainEqual(example!.violation);
  });

  it('the same design on a causal channel survives 300 seeds of the same network', async () => {
    const summary = await simulate(ledgerTeam('causal'), { runs: 300, seed: 'causal-pos', faults: NETWORK, input: { topic: 'x' } });
    expect(summary.violations).toEqual([]);
    expect(summary.successes).toBe(300);
    expect(summary.network.reordered).toBeGreaterThan(300);
    expect(summary.network.dropped).toBeGreaterThan(50);
    expect(summary.network.duplicated).toBeGreaterThan(100);
  });
});

describe('total order: two consumers that require one order', () => {
  const twoReaders = (ordering: 'unordered' | 'total') => {
    const team = ledgerTeam(ordering);
    team.agents[1]!.takes[0]!.requires = 'total';
    team.agents.push({ ...team.agents[1]!, name: 'auditor' });
    return team;
  };

  it('an unordered channel hands them different orders within 200 seeds', async () => {
    const summary = await simulate(twoReaders('unordered'), { runs: 200, seed: 'total-neg', faults: NETWORK, input: { topic: 'x' } });
    const total = summary.violations.find((g) => g.kind === 'total');
    expect(total).toBeDefined();
    expect(total!.examples[0]!.events.map((e) => e.event.agent).sort()).toEqual(['auditor', 'auditor', 'reader', 'reader']);
  });

  it('a total channel (through its sequencer) survives 300 seeds', async () => {
    const summary = await simulate(twoReaders('total'), { runs: 300, seed: 'total-pos', faults: NETWORK, input: { topic: 'x' } });
    expect(summary.violations).toEqual([]);
    expect(summary.successes).toBe(300);
    expect(summary.network.reordered).toBeGreaterThan(300);
  });
});

describe('delivery: a join that needs every message, over a channel that may lose one', () => {
  it('at_most_once with drops loses a needed message within 200 seeds', async () => {
    const summary = await simulate(collectorTeam('at_most_once'), { runs: 200, seed: 'loss-neg', faults: NETWORK, input: { topic: 'x' } });
    const lost = summary.violations.find((g) => g.kind === 'at-least-once');
    expect(lost).toBeDefined();
    const [example] = lost!.examples;
    // The run succeeded — the loss is silent, which is the danger — and the counterexample says so.
    expect(example!.events.map((e) => e.event.kind)).toEqual(['send', 'run-end']);
    expect(example!.events[1]!.event).toMatchObject({ outcome: 'ok' });
    expect(example!.violation.message).toContain('at_most_once and may lose it');
  });

  it('the same design with exactly_once survives 300 seeds: nothing lost, nothing handled twice', async () => {
    const summary = await simulate(collectorTeam('exactly_once'), { runs: 300, seed: 'loss-pos', faults: NETWORK, input: { topic: 'x' } });
    expect(summary.violations).toEqual([]);
    expect(summary.successes).toBe(300);
    expect(summary.network.dropped).toBeGreaterThan(100);
    expect(summary.network.acksDropped).toBeGreaterThan(100);
  });
});

describe('consensus whose quorums cannot intersect', () => {
  const unsafe = () => votingTeam({ replicas: 4, quorum: 2, faults: { count: 1, model: 'crash' } });

  it('createTeam accepts it, but the runtime refuses to run the vote: every run fails typed, never deciding', async () => {
    // The refusal comes when the consensus first runs, not at createTeam (see docs/runtime/simulation.md).
    const clock = new VirtualClock();
    const result = await clock.run(createTeam(unsafe(), { provider: 'sim', clock, seed: 1 }).run({ question: 'q' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'no_consensus', agent: 'decide' });
    expect(result.error.message).toContain('quorum 2 of 4 is not a majority');
    expect(result.trace.filter((e) => e.kind === 'decision')).toEqual([]);

    const summary = await simulate(unsafe(), { runs: 50, seed: 'quorum', faults: `${NETWORK},crashes=1,wrong-answers=0.3`, input: { question: 'q' } });
    expect(summary.failures).toEqual({ no_consensus: 50 });
    expect(summary.violations).toEqual([]);
  });

  it('a quorum that f crashes could block (q > n − f) is refused the same way', async () => {
    const clock = new VirtualClock();
    const result = await clock.run(createTeam(votingTeam({ replicas: 3, quorum: 'all', faults: { count: 1, model: 'crash' } }), { provider: 'sim', clock }).run({ question: 'q' }));
    expect(!result.ok && result.error.message).toContain('cannot be reached with 1 of 3 replicas failed');
  });

  it('a safe configuration decides once per run, within its declared faults, over 200 seeds', async () => {
    const summary = await simulate(votingTeam({ replicas: 5, quorum: 'majority', faults: { count: 2, model: 'crash' } }), {
      runs: 200,
      seed: 'quorum-pos',
      faults: `${NETWORK},crashes=2,model-errors=0.1`,
      input: { question: 'q' },
    });
    expect(summary.violations).toEqual([]);
    expect(summary.injected.crashedReplicas).toBe(400);
    expect(summary.successRate).toBeGreaterThan(0.9);
  });

  it('byzantine: 4 replicas tolerating 1 liar decide the honest value despite it', async () => {
    const team = () => votingTeam({ replicas: 4, quorum: 3, faults: { count: 1, model: 'byzantine' } });
    const decided = new Map<string, unknown>();
    const summary = await simulate(team(), {
      runs: 60,
      seed: 'byzantine',
      faults: 'wrong-answers=1',
      input: { question: 'q' },
      onRun: (run) => decided.set(run.seed, run.trace.find((e) => e.kind === 'decision')),
    });
    expect(summary.injected.lyingReplicas).toBe(60);
    expect(summary.violations).toEqual([]);
    expect(summary.successes).toBe(60);
    // The honest value: the same run seed without the liar.
    for (const seed of [...decided.keys()].slice(0, 15)) {
      const honest = await simulateRun(team(), { seed, input: { question: 'q' } });
      expect((decided.get(seed) as { value: unknown }).value).toEqual(honest.trace.find((e) => e.kind === 'decision')!.value);
    }
  });
});
