/**
 * Consensus through a leader (Raft-like, for replicas that are model calls). Terms are numbered
 * 1, 2, 3…; the leader of term t is replica (t − 1) mod n, so every re-election moves to the next
 * replica. In each term:
 *
 * 1. Election: every follower learns the new term (`FollowerState.observe`); a follower never goes
 *    back to an older term. A leader that is unavailable (`isAvailable`, e.g. its circuit breaker is
 *    open) is skipped at once: next term, next replica.
 * 2. Proposal: the leader answers. If it fails — throws, times out, answers invalid output or an
 *    answer without the agreed fields — the term ends: next term, next replica.
 * 3. Acceptance: each follower judges the proposal. By default (`agree`) a follower answers the
 *    question itself and accepts iff its projected, normalised answer equals the proposal's; a
 *    custom `judge` can stand for a follower agent reviewing the proposal. A follower that fails to
 *    judge does not accept. Every reply is tagged with its term and counted only in that term: a
 *    late reply from an earlier term (a judge that ignored its abort) is dropped as stale.
 * 4. The leader's own proposal counts as one accept; q accepts in one term decide it. As soon as
 *    q can no longer be reached, the term ends.
 *
 * Safety: one decision per run, and only with q accepts from a single term. With Byzantine
 * replicas (n ≥ 3f + 1, q ≥ 2f + 1) and `agree` judging, a lying leader gathers at most f accepts,
 * so only a value the correct replicas agree on can be decided. Liveness: with at most f faulty
 * replicas, one of any f + 1 consecutive terms has a correct leader and n − f ≥ q correct
 * accepts, so `terms` defaults to max(rounds, f + 1) and may not be set lower than f + 1.
 *
 * Unsafe mode (`allowUnsafe`) mirrors the vote's (see vote.ts): a term whose parameters let two
 * values each gather a quorum hears every follower out before it decides, so the trace holds the
 * followers that hold another value; with no bound (`rounds: Infinity` and no `terms`), terms go
 * on until one decides or the signal stops them.
 */
import { z } from 'zod';
import { childController, neverAborted } from '../policies/operation.js';
import { withTimeout } from '../policies/timeout.js';
import { describeError } from '../policies/errors.js';
import type { ConsensusOptionsBase, Decision } from './decision.js';
import { NoDecisionError } from './errors.js';
import { consensusEmitter } from './events.js';
import { ConsensusConfigError, quorumsMayConflict, resolveParameters, roundBound, type ResolvedParameters } from './parameters.js';
import { IDLE_ROUND_PAUSE_MS } from './vote.js';
import { MISSING, projector, type Projector } from './projection.js';

export type Judge<T> = (follower: number, proposal: T, term: number, signal: AbortSignal) => Promise<boolean>;

export interface LeaderOptions<T> extends ConsensusOptionsBase<T> {
  /** Terms at most; default max(rounds, f + 1). */
  terms?: number;
  /** As declared (default 1); `Infinity` with no `terms` is no bound, refused unless `allowUnsafe`. */
  rounds?: number;
  /** A replica's own answer in a term: the leader's proposal, and a follower's check under `agree`. */
  ask: (replica: number, term: number, signal: AbortSignal) => Promise<T>;
  judge?: 'agree' | Judge<T>;
  /** False skips the replica as leader (e.g. `() => breaker.state !== 'open'`). */
  isAvailable?: (replica: number) => boolean;
}

/** A follower's term: it only ever moves forward, and proposals from older terms are refused. */
export class FollowerState {
  private term = 0;

  get currentTerm(): number {
    return this.term;
  }

  /** Adopts `term` when it is current or newer; false (stale) when it is older. */
  observe(term: number): boolean {
    if (term < this.term) return false;
    this.term = term;
    return true;
  }
}

interface Reply {
  term: number;
  replica: number;
  outcome: 'accept' | 'reject' | 'crashed';
  /** The follower's own key, when it answered the question itself (`agree` judging). */
  key?: string;
  reason?: string;
}

export async function runLeaderConsensus<T>(options: LeaderOptions<T>): Promise<Decision<T>> {
  const parameters = resolveParameters(options.name, options);
  const { n, f } = parameters;
  const terms = options.terms ?? Math.max(roundBound(options.name, options.rounds ?? 1, options.allowUnsafe), f + 1);
  if (terms !== Number.POSITIVE_INFINITY && (!Number.isInteger(terms) || terms < f + 1)) {
    throw new ConsensusConfigError(options.name, `${terms} terms cannot outlast ${f} failed leaders in a row (need at least f + 1 = ${f + 1})`);
  }
  const signal = options.signal ?? neverAborted();
  const emit = consensusEmitter(options.onEvent, () => options.clock.now(), options.name);
  const project = projector(options.agreeOn, options.normalize);
  const followers = Array.from({ length: n }, () => new FollowerState());
  // Replies arrive here whenever they arrive, like messages on a network; the running term listens.
  let listener: ((reply: Reply) => void) | undefined;
  const deliver = (reply: Reply) => listener?.(reply);

  let reason = 'first term';
  let lastTally: Record<string, number> = {};
  for (let term = 1; term <= terms; term++) {
    if (signal.aborted) throw signal.reason;
    const leader = (term - 1) % n;
    emit({ type: 'election', term, leader, reason });
    for (const follower of followers) follower.observe(term);

    const started = options.clock.now();
    if (options.isAvailable && !options.isAvailable(leader)) {
      reason = `leader ${leader} was unavailable`;
      emit({ type: 'proposal', term, leader, outcome: 'skipped', reason });
    } else {
      const outcome = await runTerm(options, parameters, project, followers, term, leader, signal, emit, (l) => (listener = l), deliver);
      listener = undefined;
      if (outcome.decision) return outcome.decision;
      reason = outcome.reason;
      lastTally = outcome.tally;
    }
    // Unbounded, a term that took no time (an unavailable leader, an instant failure) must not spin.
    if (terms === Number.POSITIVE_INFINITY && options.clock.now() === started) await options.clock.sleep(IDLE_ROUND_PAUSE_MS, signal);
  }
  const message = `no term gathered ${parameters.q} accepts (last: ${reason})`;
  emit({ type: 'no-decision', rounds: terms, reason: message });
  throw new NoDecisionError(options.name, terms, message, lastTally);
}

interface TermOutcome<T> {
  decision?: Decision<T>;
  reason: string;
  tally: Record<string, number>;
}

async function runTerm<T>(
  options: LeaderOptions<T>,
  parameters: ResolvedParameters,
  project: Projector,
  followers: FollowerState[],
  term: number,
  leader: number,
  signal: AbortSignal,
  emit: ReturnType<typeof consensusEmitter>,
  listen: (listener: (reply: Reply) => void) => void,
  deliver: (reply: Reply) => void,
): Promise<TermOutcome<T>> {
  const { n, q } = parameters;
  const hearAll = quorumsMayConflict(parameters);
  const { controller, dispose } = childController(signal);
  const timed = <R>(fn: (s: AbortSignal) => Promise<R>): Promise<R> => {
    try {
      return options.replicaTimeoutMs !== undefined ? withTimeout<R>(options.replicaTimeoutMs, { clock: options.clock })((s) => fn(s))(controller.signal, term) : fn(controller.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const endTerm = () => {
    dispose();
    controller.abort(new Error(`term ${term} of consensus ${options.name} is over`));
  };

  // 2. Proposal.
  let proposal: T;
  let key: string;
  let agreed: unknown;
  try {
    const answer = await timed((s) => options.ask(leader, term, s));
    const checked = checkAnswer(options, project, answer);
    if (!checked.ok) throw new Error(checked.reason);
    ({ value: proposal, key, agreed } = checked);
  } catch (error) {
    endTerm();
    if (signal.aborted) throw signal.reason;
    const reason = `leader ${leader} failed: ${describeError(error)}`;
    emit({ type: 'proposal', term, leader, outcome: 'failed', reason });
    return { reason, tally: {} };
  }
  emit({ type: 'proposal', term, leader, outcome: 'proposed', key });

  // 3–4. Acceptance, counted only for this term.
  const supporters = [leader];
  const judge = options.judge ?? 'agree';
  const outcome = await new Promise<TermOutcome<T>>((resolve, reject) => {
    let outstanding = n - 1;
    let rejected = 0;
    let done = false;
    const answered = new Set<number>([leader]);
    const onAbort = () => {
      if (!done) {
        done = true;
        reject(signal.reason);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const check = () => {
      if (done) return;
      const tally = { [key]: supporters.length };
      // Decided; unsafe parameters first hear every follower out (see the header).
      if (supporters.length >= q && (!hearAll || outstanding === 0)) {
        done = true;
        const decision: Decision<T> = { consensus: options.name, value: proposal, agreed, key, round: term, votes: supporters.length, quorum: q, supporters: [...supporters], byQuorum: true };
        resolve({ decision, reason: 'decided', tally });
      } else if (supporters.length + outstanding < q) {
        done = true;
        resolve({ reason: `term ${term}: ${supporters.length} of ${q} accepts (${rejected} rejected or failed)`, tally });
      }
    };
    listen((reply) => {
      if (done) return;
      if (reply.term !== term) {
        emit({ type: 'accept', term: reply.term, replica: reply.replica, outcome: 'stale', reason: `reply for term ${reply.term} arrived in term ${term}` });
        return;
      }
      // A network may duplicate a reply; each follower counts once per term.
      if (answered.has(reply.replica)) return;
      answered.add(reply.replica);
      outstanding--;
      emit({ type: 'accept', term, replica: reply.replica, outcome: reply.outcome, ...(reply.key !== undefined ? { key: reply.key } : {}), ...(reply.reason !== undefined ? { reason: reply.reason } : {}) });
      if (reply.outcome === 'accept') supporters.push(reply.replica);
      else rejected++;
      check();
    });
    check();
    if (done) return;
    for (let follower = 0; follower < n; follower++) {
      if (follower === leader) continue;
      if (!followers[follower]!.observe(term)) {
        deliver({ term, replica: follower, outcome: 'reject', reason: `follower is in term ${followers[follower]!.currentTerm}` });
        continue;
      }
      judgeProposal(options, project, judge, follower, proposal, key, term, timed).then(
        (accepted) =>
          deliver({ term, replica: follower, outcome: accepted.ok ? 'accept' : 'reject', ...(accepted.own !== undefined ? { key: accepted.own } : {}), ...(accepted.ok ? {} : { reason: accepted.reason }) }),
        (error: unknown) => deliver({ term, replica: follower, outcome: 'crashed', reason: describeError(error) }),
      );
    }
  });
  endTerm();
  if (outcome.decision) {
    const d = outcome.decision;
    emit({ type: 'decision', round: term, term, key: d.key, value: d.value, votes: d.votes, quorum: d.quorum, supporters: d.supporters, byQuorum: true });
  }
  return outcome;
}

async function judgeProposal<T>(
  options: LeaderOptions<T>,
  project: Projector,
  judge: 'agree' | Judge<T>,
  follower: number,
  proposal: T,
  key: string,
  term: number,
  timed: <R>(fn: (s: AbortSignal) => Promise<R>) => Promise<R>,
): Promise<({ ok: true } | { ok: false; reason: string }) & { own?: string }> {
  if (judge !== 'agree') return (await timed((s) => judge(follower, proposal, term, s))) ? { ok: true } : { ok: false, reason: 'judged against' };
  const own = checkAnswer(options, project, await timed((s) => options.ask(follower, term, s)));
  if (!own.ok) throw new Error(own.reason);
  return own.key === key ? { ok: true, own: own.key } : { ok: false, reason: `disagrees: ${own.key}`, own: own.key };
}

function checkAnswer<T>(
  options: LeaderOptions<T>,
  project: Projector,
  answer: unknown,
): { ok: true; value: T; key: string; agreed: unknown } | { ok: false; reason: string } {
  const checked = options.schema ? options.schema.safeParse(answer) : ({ success: true, data: answer } as const);
  if (!checked.success) return { ok: false, reason: `invalid answer: ${z.prettifyError(checked.error).split('\n')[0]}` };
  const agreed = project.project(checked.data);
  if (agreed === MISSING) return { ok: false, reason: `answer lacks an agreed field (${(options.agreeOn ?? []).join(', ')})` };
  return { ok: true, value: checked.data as T, key: project.key(agreed), agreed };
}
