/**
 * Consensus by vote among n replicas. Each round asks every replica once, in parallel; an answer
 * votes for its projected, normalised key (see projection.ts). A replica that throws, times out,
 * or answers something the schema rejects or that lacks an agreed field counts as crashed.
 *
 * A round decides the moment one key has q votes — at most one key can, since q > n/2 and each
 * replica votes once per round — and the remaining calls are aborted. It ends undecided as soon as
 * no key can reach q any more (the leading key's votes + replicas still out < q), and the next round asks
 * everyone again: a model's answer is a sample, a fresh one may agree. After the last round the
 * tie-break applies: `reject`/`none` fails with `NoDecisionError`; `first` takes the most-voted key
 * of the last round, ties going to the key whose first vote arrived first, and marks the decision
 * `byQuorum: false` — the fault-tolerance guarantee covers quorum decisions only.
 *
 * A run returns exactly one decision or throws; with at most f faulty replicas (of the declared
 * model, see parameters.ts) and agreeing correct replicas, the first round decides their value.
 *
 * Unsafe mode (`allowUnsafe`, for simulation only) runs what parameters.ts would refuse, and shows
 * what goes wrong instead of preventing it:
 * - when two values could each gather a quorum in one round (see `quorumsMayConflict`), a round
 *   that decides still hears every replica out before it ends, so the trace holds the votes a
 *   second learner could have counted for another value (with safe parameters no other value can
 *   reach q, so the stragglers are aborted);
 * - with no `rounds` bound (`rounds: Infinity`), rounds go on until one decides: only the signal
 *   (the run's deadline, budget or end) stops the vote. A round that took no time at all (every
 *   replica refused at once) is followed by a pause, so such a vote cannot spin in place.
 */
import { z } from 'zod';
import { childController, neverAborted } from '../policies/operation.js';
import { withTimeout } from '../policies/timeout.js';
import { describeError } from '../policies/errors.js';
import type { ConsensusOptionsBase, Decision } from './decision.js';
import { NoDecisionError } from './errors.js';
import { consensusEmitter } from './events.js';
import { quorumsMayConflict, resolveParameters, roundBound, type ResolvedParameters } from './parameters.js';
import { MISSING, projector, type Projector } from './projection.js';

export type TieBreak = 'first' | 'reject' | 'none';

export interface VoteOptions<T> extends ConsensusOptionsBase<T> {
  /** Rounds at most (≥ 1); `Infinity` is no bound, refused unless `allowUnsafe`. */
  rounds: number;
  tieBreak: TieBreak;
  /** One replica's answer for one round (replicas are numbered 0..n−1). */
  ask: (replica: number, round: number, signal: AbortSignal) => Promise<T>;
}

interface Ballot<T> {
  key: string;
  agreed: unknown;
  firstValue: T;
  supporters: number[];
  /** Arrival order of its first vote, for the `first` tie-break. */
  firstArrival: number;
}

interface RoundResult<T> {
  ballots: Map<string, Ballot<T>>;
  crashed: number;
  winner?: Ballot<T>;
}

/** An unbounded vote waits this long after a round that took no time, so it cannot spin (virtual ms). */
export const IDLE_ROUND_PAUSE_MS = 1000;

export async function runVote<T>(options: VoteOptions<T>): Promise<Decision<T>> {
  const parameters = resolveParameters(options.name, options);
  const rounds = roundBound(options.name, options.rounds, options.allowUnsafe);
  const hearAll = quorumsMayConflict(parameters);
  const signal = options.signal ?? neverAborted();
  const emit = consensusEmitter(options.onEvent, () => options.clock.now(), options.name);
  const project = projector(options.agreeOn, options.normalize);

  let last: RoundResult<T> | undefined;
  for (let round = 1; round <= rounds; round++) {
    if (signal.aborted) throw signal.reason;
    const started = options.clock.now();
    last = await runRound(options, parameters, project, round, signal, emit, hearAll);
    emit({ type: 'round-end', round, tally: tallyOf(last), crashed: last.crashed, decided: last.winner !== undefined });
    if (last.winner) return decide(options, parameters, last.winner, round, true, emit);
    if (rounds === Number.POSITIVE_INFINITY && options.clock.now() === started) await options.clock.sleep(IDLE_ROUND_PAUSE_MS, signal);
  }
  const result = last!;
  if (options.tieBreak === 'first') {
    const ranked = [...result.ballots.values()].sort((a, b) => b.supporters.length - a.supporters.length || a.firstArrival - b.firstArrival);
    if (ranked[0]) return decide(options, parameters, ranked[0], rounds, false, emit);
  }
  const reason =
    result.ballots.size === 0
      ? `every replica crashed in the last round (quorum ${parameters.q})`
      : `no value reached the quorum of ${parameters.q}; tie-break ${options.tieBreak}`;
  emit({ type: 'no-decision', rounds, reason });
  throw new NoDecisionError(options.name, rounds, reason, tallyOf(result));
}

function runRound<T>(
  options: VoteOptions<T>,
  parameters: ResolvedParameters,
  project: Projector,
  round: number,
  signal: AbortSignal,
  emit: ReturnType<typeof consensusEmitter>,
  hearAll: boolean,
): Promise<RoundResult<T>> {
  const { n, q } = parameters;
  const { controller, dispose } = childController(signal);
  const ask = options.replicaTimeoutMs !== undefined ? withTimeout<T>(options.replicaTimeoutMs, { clock: options.clock }) : undefined;
  const result: RoundResult<T> = { ballots: new Map(), crashed: 0 };
  let outstanding = n;
  let arrivals = 0;

  return new Promise<RoundResult<T>>((resolve, reject) => {
    let done = false;
    const finish = () => {
      done = true;
      dispose();
      signal.removeEventListener('abort', onAbort);
      // Stragglers of a finished round are not needed: stop them spending.
      controller.abort(new Error(`round ${round} of consensus ${options.name} is over`));
    };
    const onAbort = () => {
      if (done) return;
      finish();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const settleIfOver = () => {
      if (done) return;
      const leading = Math.max(0, ...[...result.ballots.values()].map((b) => b.supporters.length));
      if ((result.winner && !hearAll) || outstanding === 0 || leading + outstanding < q) {
        finish();
        resolve(result);
      }
    };

    const crashed = (replica: number, reason: string) => {
      result.crashed++;
      emit({ type: 'vote', round, replica, outcome: 'crashed', reason });
    };

    const onAnswer = (replica: number, answer: unknown) => {
      const checked = options.schema ? options.schema.safeParse(answer) : ({ success: true, data: answer } as const);
      if (!checked.success) return crashed(replica, `invalid answer: ${z.prettifyError(checked.error).split('\n')[0]}`);
      const agreed = project.project(checked.data);
      if (agreed === MISSING) return crashed(replica, `answer lacks an agreed field (${(options.agreeOn ?? []).join(', ')})`);
      const key = project.key(agreed);
      let ballot = result.ballots.get(key);
      if (!ballot) {
        ballot = { key, agreed, firstValue: checked.data as T, supporters: [], firstArrival: arrivals };
        result.ballots.set(key, ballot);
      }
      arrivals++;
      ballot.supporters.push(replica);
      emit({ type: 'vote', round, replica, outcome: 'answer', key });
      if (ballot.supporters.length >= q && !result.winner) result.winner = ballot;
    };

    for (let replica = 0; replica < n; replica++) {
      const call = (s: AbortSignal) => options.ask(replica, round, s);
      let pending: Promise<T>;
      try {
        pending = ask ? ask((s) => call(s))(controller.signal, round) : call(controller.signal);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (answer) => {
          if (done) return;
          outstanding--;
          onAnswer(replica, answer);
          settleIfOver();
        },
        (error: unknown) => {
          if (done) return;
          outstanding--;
          crashed(replica, describeError(error));
          settleIfOver();
        },
      );
    }
  });
}

function decide<T>(
  options: VoteOptions<T>,
  parameters: ResolvedParameters,
  ballot: Ballot<T>,
  round: number,
  byQuorum: boolean,
  emit: ReturnType<typeof consensusEmitter>,
): Decision<T> {
  const decision: Decision<T> = {
    consensus: options.name,
    value: ballot.firstValue,
    agreed: ballot.agreed,
    key: ballot.key,
    round,
    votes: ballot.supporters.length,
    quorum: parameters.q,
    supporters: [...ballot.supporters],
    byQuorum,
  };
  emit({ type: 'decision', round, key: decision.key, value: decision.value, votes: decision.votes, quorum: decision.quorum, supporters: decision.supporters, byQuorum });
  return decision;
}

function tallyOf<T>(result: RoundResult<T>): Record<string, number> {
  return Object.fromEntries([...result.ballots.entries()].map(([key, ballot]) => [key, ballot.supporters.length]));
}
