import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { CircuitBreaker } from '../../../runtime/policies/breaker.js';
import { ConsensusConfigError } from '../../../runtime/consensus/parameters.js';
import { NoDecisionError } from '../../../runtime/consensus/errors.js';
import type { ConsensusEvent } from '../../../runtime/consensus/events.js';
import { FollowerState, runLeaderConsensus, type LeaderOptions } from '../../../runtime/consensus/leader.js';
import { answer, faultyBehaviour, pickFaulty, SPELLINGS, Verdict, type Behaviour } from './replicas.js';

const honest = (latency: number, decision = 'approve'): Behaviour => ({ kind: 'honest', latency, decision });

function harness(behaviours: Behaviour[], overrides: Partial<LeaderOptions<Verdict>> = {}) {
  const clock = new VirtualClock();
  const events: ConsensusEvent[] = [];
  const asked: Array<[number, number]> = [];
  const options: LeaderOptions<Verdict> = {
    name: 'decide',
    replicas: behaviours.length,
    faults: 1,
    faultModel: 'crash',
    agreeOn: ['decision'],
    normalize: 'trim_lower',
    schema: Verdict,
    replicaTimeoutMs: 1000,
    clock,
    onEvent: (e) => void events.push(e),
    ask: (replica, term, signal) => {
      asked.push([replica, term]);
      return answer(clock, behaviours[replica]!, signal) as Promise<Verdict>;
    },
    ...overrides,
  };
  const of = <K extends ConsensusEvent['type']>(type: K) => events.filter((e): e is Extract<ConsensusEvent, { type: K }> => e.type === type);
  return { clock, events, asked, of, run: () => clock.run(runLeaderConsensus(options)) };
}

describe('leader consensus', () => {
  it("decides the leader's proposal once a quorum of followers accepts it", async () => {
    const { of, run } = harness([honest(100, ' Approve'), honest(50), honest(70, 'reject')]);
    const decision = await run();
    expect(decision).toMatchObject({ round: 1, agreed: 'approve', supporters: [0, 1], quorum: 2, byQuorum: true });
    expect(decision.value.decision).toBe(' Approve');
    expect(of('decision')).toMatchObject([{ term: 1, supporters: [0, 1] }]);
    expect(of('election').map((e) => [e.term, e.leader])).toEqual([[1, 0]]);
  });

  it('re-elects the next replica in the next term when the leader fails', async () => {
    const { of, run } = harness([{ kind: 'hang' }, honest(50), honest(70)]);
    const decision = await run();
    expect(decision).toMatchObject({ round: 2, supporters: [1, 2] });
    expect(of('election').map((e) => [e.term, e.leader])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(of('proposal')[0]).toMatchObject({ term: 1, outcome: 'failed', reason: expect.stringContaining('timed out') });
    expect(of('election')[1]!.reason).toMatch(/leader 0 failed/);
  });

  it('skips a leader whose circuit breaker is open', async () => {
    const clock = new VirtualClock();
    const breakers = [0, 1, 2].map((i) => new CircuitBreaker({ name: `judge#${i}`, failures: 1, windowMs: 60_000, cooldownMs: 60_000, clock }));
    await breakers[0]!.execute(new AbortController().signal, () => Promise.reject(new Error('down'))).catch(() => {});
    const { of, asked, run } = harness([honest(10), honest(10), honest(10)], { isAvailable: (r) => breakers[r]!.state !== 'open' });
    const decision = await run();
    expect(decision.round).toBe(2);
    expect(of('proposal')[0]).toMatchObject({ term: 1, leader: 0, outcome: 'skipped' });
    expect(asked.filter(([, term]) => term === 1)).toEqual([]);
  });

  it('with Byzantine replicas, followers reject a lying leader and the next term decides the truth', async () => {
    const { of, run } = harness([{ kind: 'liar', latency: 10, decision: 'reject' }, honest(20), honest(30), honest(40)], { faultModel: 'byzantine' });
    const decision = await run();
    expect(decision).toMatchObject({ round: 2, agreed: 'approve', quorum: 3 });
    // Term 1 ends as soon as two honest followers have rejected: 1 + 1 outstanding < q = 3.
    expect(of('accept').filter((e) => e.term === 1 && e.outcome === 'reject')).toHaveLength(2);
  });

  it('drops a reply from an earlier term instead of counting it in the current one', async () => {
    // n = 5, q = 3. Term 1 (leader 0): follower 2 will accept only at t = 5000 and ignores aborts;
    // 1, 3, 4 reject at once, so term 1 ends immediately. Term 2 (leader 1): follower 0 accepts at
    // 100, follower 2 at 10 000, the rest reject. At 5000 follower 2's stale term-1 accept arrives;
    // counted, it would decide term 2 at 5000 on follower 2's behalf before follower 2 judged term 2.
    const clock = new VirtualClock();
    const plan: Record<number, Record<number, [number, boolean]>> = {
      1: { 1: [0, false], 2: [5000, true], 3: [0, false], 4: [0, false] },
      2: { 0: [100, true], 2: [10_000, true], 3: [0, false], 4: [0, false] },
    };
    const events: ConsensusEvent[] = [];
    const decision = await clock.run(
      runLeaderConsensus<string>({
        name: 'decide',
        replicas: 5,
        faults: 2,
        faultModel: 'crash',
        clock,
        onEvent: (e) => void events.push(e),
        ask: async () => 'proposal',
        judge: (follower, _proposal, term) => {
          const [after, verdict] = plan[term]![follower]!;
          return clock.sleep(after).then(() => verdict); // deliberately deaf to its abort signal
        },
      }),
    );
    expect(decision.round).toBe(2);
    expect(clock.now()).toBe(10_000);
    expect(decision.supporters).toEqual([1, 0, 2]);
    expect(events.find((e) => e.type === 'accept' && e.outcome === 'stale')).toMatchObject({ term: 1, replica: 2 });
  });

  it('follower terms only move forward', () => {
    const follower = new FollowerState();
    expect(follower.observe(3)).toBe(true);
    expect(follower.observe(2)).toBe(false);
    expect(follower.currentTerm).toBe(3);
    expect(follower.observe(3)).toBe(true);
  });

  it('fails with NoDecisionError after its terms, and refuses fewer terms than f + 1', async () => {
    const { of, run } = harness([{ kind: 'throw', latency: 5 }, { kind: 'throw', latency: 5 }, honest(5)], { terms: 2 });
    await expect(run()).rejects.toBeInstanceOf(NoDecisionError);
    expect(of('decision')).toHaveLength(0);
    const tooFew = harness([honest(5), honest(5), honest(5)], { terms: 1 });
    await expect(tooFew.run()).rejects.toThrow(ConsensusConfigError);
  });

  it('re-elects and still decides the correct value whenever at most f replicas fail (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('crash' as const, 'byzantine' as const),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer(),
        async (model, f, extra, seed) => {
          const n = (model === 'crash' ? 2 * f + 1 : 3 * f + 1) + extra;
          const random = seededRandom(seed);
          const faulty = pickFaulty(random, n, random.int(0, f));
          const unavailable = new Set([...faulty].filter(() => random.chance(0.25)));
          const behaviours = Array.from({ length: n }, (_, r): Behaviour =>
            faulty.has(r) ? faultyBehaviour(random, model, 'reject') : honest(random.int(0, 900), random.pick(SPELLINGS)),
          );
          const { of, run } = harness(behaviours, { faults: f, faultModel: model, isAvailable: (r) => !unavailable.has(r) });
          const decision = await run();
          expect(decision.agreed).toBe('approve');
          const decisions = of('decision');
          expect(decisions).toHaveLength(1);
          const term = decision.round;
          expect(term).toBeLessThanOrEqual(f + 1);
          expect(faulty.has((term - 1) % n)).toBe(false);
          expect(new Set(decision.supporters).size).toBe(decision.supporters.length);
          expect(decision.supporters.length).toBeGreaterThanOrEqual(decision.quorum);
          const accepted = of('accept')
            .filter((e) => e.term === term && e.outcome === 'accept')
            .map((e) => e.replica);
          expect([(term - 1) % n, ...accepted]).toEqual(decision.supporters);
          // Every earlier term had a faulty leader: correct leaders are never passed over.
          for (let t = 1; t < term; t++) expect(faulty.has((t - 1) % n)).toBe(true);
        },
      ),
      { numRuns: 1000, seed: 31337 },
    );
  });
});

describe('leader consensus, unsafe (allowUnsafe)', () => {
  it('runs quorums that need not intersect, and hears every follower out so the other side shows', async () => {
    const split = [honest(10, 'a'), honest(20, 'a'), honest(30, 'b'), honest(40, 'b')];
    await expect(harness(split, { quorum: 2 }).run()).rejects.toThrow(ConsensusConfigError);
    const { clock, of, run } = harness(split, { quorum: 2, allowUnsafe: true });
    expect(await run()).toMatchObject({ agreed: 'a', supporters: [0, 1], round: 1 });
    // Followers answer after the leader's 10 ms; the term ends with the last of them.
    expect(clock.now()).toBe(50);
    expect(of('accept').map((e) => [e.replica, e.outcome, e.key])).toEqual([
      [1, 'accept', '"a"'],
      [2, 'reject', '"b"'],
      [3, 'reject', '"b"'],
    ]);
  });

  it('with no rounds bound elects term after term until one decides', async () => {
    // Replicas 0 and 1 are down; each term with a failed leader takes no time, so terms pause between them.
    const behaviours = [{ kind: 'throw', latency: 0 } as const, { kind: 'throw', latency: 0 } as const, honest(10), honest(10)];
    await expect(harness(behaviours, { rounds: Number.POSITIVE_INFINITY }).run()).rejects.toThrow(/no `rounds` bound/);
    const { clock, of, run } = harness(behaviours, { rounds: Number.POSITIVE_INFINITY, allowUnsafe: true, faults: 2, quorum: 2 });
    expect(await run()).toMatchObject({ round: 3, supporters: [2, 3] });
    expect(of('election').filter((e) => e.reason !== undefined).map((e) => e.term)).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(2_000 + 20);
  });
});
