import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { ConsensusConfigError } from '../../../runtime/consensus/parameters.js';
import { NoDecisionError } from '../../../runtime/consensus/errors.js';
import type { ConsensusEvent } from '../../../runtime/consensus/events.js';
import { runVote, type VoteOptions } from '../../../runtime/consensus/vote.js';
import { answer, faultyBehaviour, pickFaulty, SPELLINGS, Verdict, type Behaviour } from './replicas.js';

function harness(replicas: Behaviour[] | ((replica: number, round: number) => Behaviour), overrides: Partial<VoteOptions<Verdict>> = {}) {
  const clock = new VirtualClock();
  const events: ConsensusEvent[] = [];
  const signals: AbortSignal[][] = [];
  const behaviourOf = typeof replicas === 'function' ? replicas : (r: number) => replicas[r]!;
  const n = typeof replicas === 'function' ? (overrides.replicas ?? 3) : replicas.length;
  const options: VoteOptions<Verdict> = {
    name: 'decide',
    replicas: n,
    faults: 1,
    faultModel: 'crash',
    agreeOn: ['decision'],
    normalize: 'trim_lower',
    rounds: 1,
    tieBreak: 'reject',
    schema: Verdict,
    replicaTimeoutMs: 1000,
    clock,
    onEvent: (e) => void events.push(e),
    ask: (replica, round, signal) => {
      (signals[round] ??= [])[replica] = signal;
      return answer(clock, behaviourOf(replica, round), signal) as Promise<Verdict>;
    },
    ...overrides,
  };
  return { clock, events, signals, run: () => clock.run(runVote(options)) };
}

const honest = (latency: number, decision = 'approve'): Behaviour => ({ kind: 'honest', latency, decision });

describe('vote consensus', () => {
  it('decides when a quorum agrees (after normalising), without waiting for stragglers, and aborts them', async () => {
    const { clock, events, signals, run } = harness([honest(100, ' Approve'), honest(200, 'APPROVE'), honest(900, 'reject')]);
    const decision = await run();
    expect(decision).toMatchObject({ agreed: 'approve', round: 1, votes: 2, quorum: 2, supporters: [0, 1], byQuorum: true });
    expect(decision.value.decision).toBe(' Approve');
    expect(clock.now()).toBe(200);
    expect(signals[1]![2]!.aborted).toBe(true);
    expect(events.filter((e) => e.type === 'decision')).toHaveLength(1);
  });

  it('counts timeouts, errors and invalid answers as crashes and still decides with ≤ f of them', async () => {
    const { events, run } = harness(
      [{ kind: 'hang' }, honest(300), { kind: 'invalid', latency: 10 }, honest(500), { kind: 'throw', latency: 5 }, honest(600), honest(700)],
      { faults: 3 },
    );
    const decision = await run();
    expect(decision).toMatchObject({ supporters: [1, 3, 5, 6], quorum: 4 });
    const crashes = events.flatMap((e) => (e.type === 'vote' && e.outcome === 'crashed' ? [[e.replica, e.reason]] : []));
    expect(crashes).toEqual([
      [4, expect.stringContaining('HTTP 503')],
      [2, expect.stringContaining('invalid answer')],
    ]);

    // A replica that never answers is a crash once its timeout passes: here round 1 cannot decide
    // without it (approve 1, reject 1), so the round waits for the timeout, ends, and round 2 decides.
    const slow = harness((replica, round) => (round === 1 ? [{ kind: 'hang' } as Behaviour, honest(100), honest(200, 'reject')][replica]! : honest(50)), {
      rounds: 2,
    });
    const second = await slow.run();
    expect(second.round).toBe(2);
    expect(slow.clock.now()).toBe(1050);
    expect(slow.events.find((e) => e.type === 'vote' && e.outcome === 'crashed')).toMatchObject({ replica: 0, round: 1, reason: expect.stringContaining('timed out after 1000ms') });
  });

  it('ends a round as soon as no value can reach the quorum, and re-asks in the next round', async () => {
    const { clock, events, run } = harness(
      (replica, round) => (round === 1 ? [honest(10, 'approve'), honest(20, 'reject'), honest(5000, 'approve')][replica]! : honest(100)),
      { rounds: 2, replicas: 3, replicaTimeoutMs: 10_000 },
    );
    // Round 1: approve 1, reject 1, one out — 1 + 1 ≥ 2, so it must wait for the third (approve, at 5 s).
    const decision = await run();
    expect(decision.round).toBe(1);
    expect(clock.now()).toBe(5000);

    const split = harness(
      (replica, round) => (round === 1 ? [honest(10, 'a'), honest(20, 'b'), { kind: 'throw', latency: 30 } as Behaviour][replica]! : honest(100)),
      { rounds: 3, replicas: 3 },
    );
    const second = await split.run();
    expect(second.round).toBe(2);
    expect(split.clock.now()).toBe(130);
    expect(split.events.filter((e) => e.type === 'round-end').map((e) => (e.type === 'round-end' ? e.decided : null))).toEqual([false, true]);
  });

  it('after the last round: `reject` fails with the tally, `first` picks the plurality (earliest on ties) without claiming a quorum', async () => {
    // n = 5, f = 2, q = 3: after two crashes, `a` and `c`, one replica is left — no value can reach 3.
    const behaviours: Behaviour[] = [honest(30, 'b'), honest(10, 'a'), { kind: 'throw', latency: 5 }, honest(20, 'c'), { kind: 'throw', latency: 5 }];
    const rejecting = harness(behaviours, { faults: 2 });
    const error = await rejecting.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDecisionError);
    expect((error as NoDecisionError).tally).toEqual({ '"a"': 1, '"c"': 1 });
    expect(rejecting.clock.now()).toBe(20);
    expect(rejecting.events.filter((e) => e.type === 'decision')).toHaveLength(0);
    expect(rejecting.events.at(-1)).toMatchObject({ type: 'no-decision' });

    const first = harness([...behaviours.slice(0, 3), honest(10, 'c'), behaviours[4]!], { faults: 2, tieBreak: 'first' });
    const decision = await first.run();
    // `a` and `c` tie at one vote each and arrive together; `a` was asked first, so its vote came first.
    expect(decision).toMatchObject({ agreed: 'a', byQuorum: false, votes: 1 });
    const plurality = harness([honest(10, 'b'), honest(20, 'b'), honest(30, 'a'), honest(40, 'c'), { kind: 'throw', latency: 5 }], { faults: 2, tieBreak: 'first' });
    expect(await plurality.run()).toMatchObject({ agreed: 'b', byQuorum: false, votes: 2 });
  });

  it('validates its parameters before asking anyone', async () => {
    let asked = 0;
    const clock = new VirtualClock();
    const attempt = runVote({
      name: 'decide',
      replicas: 3,
      faults: 1,
      faultModel: 'byzantine',
      rounds: 1,
      tieBreak: 'reject',
      clock,
      ask: async () => {
        asked++;
        return 'x';
      },
    });
    await expect(attempt).rejects.toThrow(ConsensusConfigError);
    await expect(attempt).rejects.toThrow(/3 replicas cannot tolerate 1 Byzantine faults: need n ≥ 3f \+ 1 = 4/);
    expect(asked).toBe(0);
  });

  it("stops every replica when the caller aborts", async () => {
    const controller = new AbortController();
    const { clock, signals, run } = harness([honest(5000), honest(5000), honest(5000)], { signal: controller.signal, replicaTimeoutMs: 10_000 });
    clock.schedule(100, () => controller.abort(new Error('deadline')));
    await expect(run()).rejects.toThrow('deadline');
    expect(signals[1]!.every((s) => s.aborted)).toBe(true);
  });

  it('decides the correct value whenever at most f replicas fail — crash and Byzantine (property)', async () => {
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
          const behaviours = Array.from({ length: n }, (_, r): Behaviour =>
            faulty.has(r) ? faultyBehaviour(random, model, 'reject') : honest(random.int(0, 900), random.pick(SPELLINGS)),
          );
          const { clock, events, run } = harness(behaviours, { faults: f, faultModel: model, rounds: 2 });
          const decision = await run();
          expect(decision.agreed).toBe('approve');
          expect(decision.byQuorum).toBe(true);
          expect(decision.round).toBe(1);
          expect(new Set(decision.supporters).size).toBe(decision.supporters.length);
          expect(decision.supporters.length).toBeGreaterThanOrEqual(decision.quorum);
          expect(decision.supporters.filter((s) => faulty.has(s))).toEqual([]);
          expect(events.filter((e) => e.type === 'decision')).toHaveLength(1);
          expect(clock.now()).toBeLessThanOrEqual(1000);
        },
      ),
      { numRuns: 1000, seed: 424242 },
    );
  });

  it('never decides two values, and every quorum decision is backed by a quorum of votes in its round — whatever the replicas do (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('first' as const, 'reject' as const), fc.integer(), async (n, rounds, tieBreak, seed) => {
        const random = seededRandom(seed);
        // Any mix, far beyond the fault model: split honest answers, liars, crashes, hangs — re-drawn each round.
        const behaviourOf = (): Behaviour => {
          const roll = random.next();
          if (roll < 0.5) return honest(random.int(0, 1200), random.pick(['approve', 'reject', ' APPROVE']));
          return faultyBehaviour(random, 'byzantine', 'reject');
        };
        const table = new Map<string, Behaviour>();
        const { events, run } = harness(
          (replica, round) => {
            const key = `${round}/${replica}`;
            if (!table.has(key)) table.set(key, behaviourOf());
            return table.get(key)!;
          },
          { replicas: n, faults: 0, rounds, tieBreak },
        );
        const outcome = await run().catch((e: unknown) => e);
        const decisions = events.filter((e) => e.type === 'decision');
        expect(decisions.length).toBeLessThanOrEqual(1);
        if (outcome instanceof NoDecisionError) {
          expect(decisions).toHaveLength(0);
          return;
        }
        if (!('key' in (outcome as object))) throw outcome;
        const decision = outcome as Awaited<ReturnType<typeof run>>;
        expect(decisions).toHaveLength(1);
        const votes = events.filter((e) => e.type === 'vote' && e.round === decision.round && e.outcome === 'answer');
        const forIt = votes.filter((e) => e.type === 'vote' && e.key === decision.key).map((e) => (e.type === 'vote' ? e.replica : -1));
        expect(new Set(forIt).size).toBe(forIt.length);
        expect(forIt).toEqual(decision.supporters);
        if (decision.byQuorum) {
          expect(forIt.length).toBeGreaterThanOrEqual(decision.quorum);
          // No other value had a quorum in that round.
          const others = new Map<string, number>();
          for (const v of votes) if (v.type === 'vote' && v.key !== decision.key) others.set(v.key!, (others.get(v.key!) ?? 0) + 1);
          for (const count of others.values()) expect(count).toBeLessThan(decision.quorum);
        } else {
          expect(tieBreak).toBe('first');
          expect(decision.round).toBe(rounds);
        }
      }),
      { numRuns: 1000, seed: 99 },
    );
  });
});

describe('vote consensus, unsafe (allowUnsafe)', () => {
  it('runs quorums that need not intersect, and hears every replica out so both quorums show', async () => {
    const split = [honest(10, 'a'), honest(20, 'a'), honest(30, 'b'), honest(40, 'b')];
    const refused = harness(split, { replicas: 4, quorum: 2 });
    await expect(refused.run()).rejects.toThrow(/quorum 2 of 4 is not a majority/);
    expect(refused.events).toEqual([]);

    const { clock, events, run } = harness(split, { replicas: 4, quorum: 2, allowUnsafe: true });
    // `a` reached the quorum first and is decided — but only after `b` reached it too.
    expect(await run()).toMatchObject({ agreed: 'a', supporters: [0, 1], quorum: 2 });
    expect(clock.now()).toBe(40);
    expect(events.filter((e) => e.type === 'vote').map((e) => e.type === 'vote' && [e.replica, e.key])).toEqual([
      [0, '"a"'],
      [1, '"a"'],
      [2, '"b"'],
      [3, '"b"'],
    ]);
    expect(events.find((e) => e.type === 'round-end')).toMatchObject({ tally: { '"a"': 2, '"b"': 2 }, decided: true });
  });

  it('with safe parameters still stops at the quorum, allowUnsafe or not', async () => {
    const { clock, signals, run } = harness([honest(10), honest(20), honest(900, 'b')], { allowUnsafe: true });
    await run();
    expect(clock.now()).toBe(20);
    expect(signals[1]![2]!.aborted).toBe(true);
  });

  it('with no rounds bound votes round after round until one decides; refused without allowUnsafe', async () => {
    // Replica 2 changes its mind in round 5: the first round with a majority.
    const behaviour = (replica: number, round: number): Behaviour => (replica === 0 ? honest(10, 'a') : replica === 1 ? honest(10, 'b') : honest(10, round < 5 ? 'c' : 'a'));
    await expect(harness(behaviour, { rounds: Number.POSITIVE_INFINITY }).run()).rejects.toThrow(/no `rounds` bound and no `tie_break`/);
    const { events, run } = harness(behaviour, { rounds: Number.POSITIVE_INFINITY, allowUnsafe: true });
    expect(await run()).toMatchObject({ round: 5, agreed: 'a', supporters: [0, 2] });
    expect(events.filter((e) => e.type === 'round-end').map((e) => e.type === 'round-end' && e.decided)).toEqual([false, false, false, false, true]);
  });

  it('an unbounded vote that never decides runs until its signal stops it, pausing after rounds that take no time', async () => {
    const controller = new AbortController();
    const { clock, events, run } = harness([{ kind: 'throw', latency: 0 }, { kind: 'throw', latency: 0 }, { kind: 'throw', latency: 0 }], {
      rounds: Number.POSITIVE_INFINITY,
      allowUnsafe: true,
      signal: controller.signal,
    });
    clock.schedule(10_000, () => controller.abort(new Error('deadline')));
    await expect(run()).rejects.toThrow('deadline');
    expect(clock.now()).toBe(10_000);
    // Rounds at 0, 1000, …, 9000 ms: one per pause, none spinning in place.
    expect(events.filter((e) => e.type === 'round-end')).toHaveLength(10);
    expect(events.some((e) => e.type === 'no-decision' || e.type === 'decision')).toBe(false);
  });
});
