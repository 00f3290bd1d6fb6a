/**
 * Consensus checkers, on the consensus events of the trace (`vote`, `round`, `election`,
 * `decision`, and the `no-decision` error), each tagged with the activation (the consensus
 * instance) it belongs to.
 *
 * Safety:
 * - one decision per consensus instance (per activation of the agent under the consensus; in a
 *   trace without activation ids, no more decisions than activations);
 * - a quorum decision really had a quorum: at least q distinct supporters, each of whom voted
 *   (vote protocol) or accepted (leader protocol) that value in that round;
 * - agreement: in no round can two different values each gather q votes. The votes of a round are
 *   the replicas' answers (a leader's proposal, a follower's own answer under a leader); a
 *   replica the fault plan made Byzantine (`run-start.faults`) is counted for every value, since it
 *   can tell each learner something else (equivocation). Two such quorums mean two learners, each
 *   reading one quorum, decide differently — what quorum intersection (q > n/2; 2q > n + f for
 *   Byzantine faults) rules out, so only a design the checker rejects can show it.
 *
 * Liveness, within the declared faults: the faulty replicas of a round are the crashed ones plus
 * those whose answer differs from the round's largest agreeing group. A vote round with at most f
 * faulty replicas has at least n − f ≥ q agreeing answers, so it must decide; a leader instance
 * whose replicas had at most f distinct faulty members among its terms must decide.
 */
import { resolveQuorum, type ConsensusDefinition } from '../../definition.js';
import type { TraceEventOf } from '../../trace.js';
import { runStart, type AnyDefinition, type Indexed, type Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

type Decision = TraceEventOf<'decision'>;
type Vote = TraceEventOf<'vote'>;

function eventsOf(trace: Trace, consensus: string) {
  const decisions: Array<Indexed<Decision>> = [];
  const votes: Array<Indexed<Vote>> = [];
  const rounds: Array<Indexed<TraceEventOf<'round'>>> = [];
  const elections: Array<Indexed<TraceEventOf<'election'>>> = [];
  trace.forEach((event, index) => {
    if (event.kind === 'decision' && event.consensus === consensus) decisions.push({ index, event });
    else if (event.kind === 'vote' && event.consensus === consensus) votes.push({ index, event });
    else if (event.kind === 'round' && event.consensus === consensus) rounds.push({ index, event });
    else if (event.kind === 'election' && event.consensus === consensus) elections.push({ index, event });
  });
  return { decisions, votes, rounds, elections };
}

/** The first `start` of each activation of `agent` (`judge:2/r1` belongs to activation `judge:2`). */
function activations(trace: Trace, agent: string): Map<string, number> {
  const found = new Map<string, number>();
  trace.forEach((event, index) => {
    if (event.kind !== 'activation' || event.agent !== agent || event.action !== 'start') return;
    const id = event.activation.split('/')[0]!;
    if (!found.has(id)) found.set(id, index);
  });
  return found;
}

/** The replicas of `consensus` the simulation's fault plan made Byzantine, and where the trace says so. */
function liarsOf(trace: Trace, consensus: string): { liars: Set<number>; evidence: number[] } {
  const start = runStart(trace);
  const liars = start?.event.faults?.consensus[consensus]?.liars ?? [];
  return { liars: new Set(liars), evidence: start && liars.length > 0 ? [start.index] : [] };
}

/** Groups indexed events by the instance they belong to; events without an activation id form one group. */
function byInstance<E extends { activation?: string }>(items: Array<Indexed<E>>): Map<string, Array<Indexed<E>>> {
  const groups = new Map<string, Array<Indexed<E>>>();
  for (const item of items) {
    const id = item.event.activation ?? '';
    const group = groups.get(id);
    if (group) group.push(item);
    else groups.set(id, [item]);
  }
  return groups;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const instanceOf = (id: string) => (id === '' ? '' : ` (${id})`);

export const consensusSafetyChecker: Checker = {
  kind: 'consensus-safety',
  guarantee: 'a consensus decides once per instance, only with a quorum of votes for the decided value, and no two values can each gather a quorum in a round',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const found: Violation[] = [];
    for (const consensus of definition.consensus) {
      const events = eventsOf(trace, consensus.name);
      const quorum = resolveQuorum(consensus.quorum, consensus.replicas);
      const twice = repeatedDecision(trace, consensus, events.decisions);
      if (twice) found.push(twice);
      for (const decision of events.decisions) {
        if (!decision.event.byQuorum) continue; // a tie-break decision claims no quorum
        const problem = quorumProblem(consensus, quorum, decision, events.votes);
        if (problem) found.push(violation('consensus-safety', consensus.name, problem.message, [...problem.evidence, decision.index]));
      }
      const split = conflictingQuorums(trace, consensus, quorum, events);
      if (split) found.push(split);
    }
    return found;
  },
};

/** Two decisions in one instance: by activation id, or (ids absent) more decisions than activations. */
function repeatedDecision(trace: Trace, consensus: ConsensusDefinition, decisions: Array<Indexed<Decision>>): Violation | undefined {
  const what = (a: Decision, b: Decision) => (a.key === b.key ? `decided ${a.key} twice` : `decided ${a.key} (round ${a.round}) and then ${b.key} (round ${b.round})`);
  for (const [id, group] of byInstance(decisions)) {
    if (id === '' || group.length < 2) continue;
    const [a, b] = [group[0]!, group[1]!];
    return violation('consensus-safety', consensus.name, `consensus ${consensus.name} ${what(a.event, b.event)} in one instance (${id}): ${group.length} decisions`, group.map((d) => d.index));
  }
  const untagged = decisions.filter((d) => d.event.activation === undefined);
  if (untagged.length < 2) return undefined;
  const instances = activations(trace, consensus.over);
  if (untagged.length <= Math.max(1, instances.size)) return undefined;
  const [a, b] = [untagged[0]!, untagged[1]!];
  return violation(
    'consensus-safety',
    consensus.name,
    `consensus ${consensus.name} ${what(a.event, b.event)}: ${untagged.length} decisions for ${plural(Math.max(1, instances.size), 'activation')} of ${consensus.over}`,
    [...untagged.map((d) => d.index), ...instances.values()],
  );
}

function quorumProblem(consensus: ConsensusDefinition, quorum: number, decision: Indexed<Decision>, votes: Array<Indexed<Vote>>): { message: string; evidence: number[] } | undefined {
  const { event } = decision;
  const supporters = [...new Set(event.supporters)];
  if (supporters.length < quorum || event.votes < quorum) {
    return { message: `consensus ${consensus.name} decided ${event.key} with ${plural(supporters.length, 'supporter')} of a quorum of ${quorum}`, evidence: [] };
  }
  // Each supporter must have voted for (or, under a leader, accepted) this value in this round of
  // this instance, before the decision. The leader (the first supporter) proposed it.
  const leader = consensus.protocol === 'leader';
  const backing: number[] = [];
  for (const replica of leader ? supporters.slice(1) : supporters) {
    const vote = votes.find(
      ({ index, event: v }) =>
        index < decision.index &&
        v.activation === event.activation &&
        v.round === event.round &&
        v.replica === replica &&
        (leader ? v.outcome === 'accept' : v.outcome === 'answer' && v.key === event.key),
    );
    if (!vote) {
      return { message: `consensus ${consensus.name} counted replica ${replica} for ${event.key} in round ${event.round}, but it never ${leader ? 'accepted' : 'voted for'} it`, evidence: backing };
    }
    backing.push(vote.index);
  }
  return undefined;
}

/**
 * The agreement check: a round of one instance in which two values each had q votes, a Byzantine
 * replica counting for every value. Under a leader, a round is a term: the leader holds its
 * proposal, and a follower that answered the question itself holds its own answer's key.
 */
function conflictingQuorums(trace: Trace, consensus: ConsensusDefinition, quorum: number, events: ReturnType<typeof eventsOf>): Violation | undefined {
  const { liars, evidence: planEvidence } = liarsOf(trace, consensus.name);
  // instance → round → replica → the key it holds, with the event that shows it.
  const held = new Map<string, Map<number, Map<number, { key: string; index: number }>>>();
  const hold = (instance: string, round: number, replica: number, key: string, index: number) => {
    let rounds = held.get(instance);
    if (!rounds) held.set(instance, (rounds = new Map()));
    let replicas = rounds.get(round);
    if (!replicas) rounds.set(round, (replicas = new Map()));
    if (!replicas.has(replica)) replicas.set(replica, { key, index });
  };
  for (const { index, event } of events.votes) {
    if (event.key === undefined || event.outcome === 'crashed' || event.outcome === 'stale') continue;
    hold(event.activation ?? '', event.round, event.replica, event.key, index);
  }
  for (const { index, event } of events.elections) {
    if (event.proposal === 'proposed' && event.key !== undefined) hold(event.activation ?? '', event.term, event.leader, event.key, index);
  }

  for (const [instance, rounds] of held) {
    for (const [round, replicas] of rounds) {
      const voters = [...replicas.entries()];
      const equivocating = voters.filter(([replica]) => liars.has(replica));
      const keys = [...new Set(voters.map(([, v]) => v.key))];
      const quorums = keys
        .map((key) => ({ key, honest: voters.filter(([replica, v]) => v.key === key && !liars.has(replica)) }))
        .filter((k) => k.honest.length + equivocating.length >= quorum);
      if (quorums.length < 2) continue;
      const [a, b] = [quorums[0]!, quorums[1]!];
      const side = (k: (typeof quorums)[number]) => {
        const replicasOf = [...k.honest.map(([r]) => r), ...equivocating.map(([r]) => r)].sort((x, y) => x - y);
        return `${k.key} (replica${replicasOf.length === 1 ? '' : 's'} ${replicasOf.join(', ')})`;
      };
      const lying = equivocating.length > 0 ? `; Byzantine replica${equivocating.length === 1 ? '' : 's'} ${equivocating.map(([r]) => r).join(', ')} count${equivocating.length === 1 ? 's' : ''} for both` : '';
      const decided = events.decisions.find((d) => (d.event.activation ?? '') === instance && d.event.round === round);
      return violation(
        'consensus-safety',
        consensus.name,
        `consensus ${consensus.name} round ${round}${instanceOf(instance)}: both ${side(a)} and ${side(b)} gathered a quorum of ${quorum}${lying}: two learners reading different quorums decide differently`,
        [...[...a.honest, ...b.honest, ...equivocating].map(([, v]) => v.index), ...(equivocating.length > 0 ? planEvidence : []), ...(decided ? [decided.index] : [])],
      );
    }
  }
  return undefined;
}

export const consensusLivenessChecker: Checker = {
  kind: 'consensus-liveness',
  guarantee: 'a consensus decides whenever at most f of its replicas fail (its declared faults)',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const found: Violation[] = [];
    for (const consensus of definition.consensus) {
      const violationFound = consensus.protocol === 'leader' ? leaderLiveness(trace, consensus) : voteLiveness(trace, consensus);
      if (violationFound) found.push(violationFound);
    }
    return found;
  },
};

function voteLiveness(trace: Trace, consensus: ConsensusDefinition): Violation | undefined {
  const f = consensus.faults.count;
  const { votes, rounds } = eventsOf(trace, consensus.name);
  let previous = -1;
  for (const { index, event } of rounds) {
    const counts = Object.values(event.tally);
    const answers = counts.reduce((a, b) => a + b, 0);
    const agreeing = Math.max(0, ...counts);
    const faulty = event.crashed + (answers - agreeing);
    if (!event.decided && faulty <= f) {
      const ofRound = votes
        .filter((v) => v.index < index && v.event.round === event.round && (event.activation !== undefined ? v.event.activation === event.activation : v.index > previous))
        .map((v) => v.index);
      return violation(
        'consensus-liveness',
        consensus.name,
        `consensus ${consensus.name} round ${event.round}${instanceOf(event.activation ?? '')} ended undecided with ${plural(faulty, 'faulty replica')} (${event.crashed} crashed, ${answers - agreeing} outvoted), within the ${f} it tolerates: tally ${JSON.stringify(event.tally)}`,
        [...ofRound, index],
      );
    }
    previous = index;
  }
  return undefined;
}

/**
 * A leader instance that ended without a decision (`no-decision` error) though at most f distinct
 * replicas failed in its terms. Instances are told apart by activation id; in a trace without
 * them, a new instance starts at each term-1 election.
 */
function leaderLiveness(trace: Trace, consensus: ConsensusDefinition): Violation | undefined {
  const f = consensus.faults.count;
  const instances = new Map<string, { faulty: Set<number>; evidence: number[] }>();
  const instance = (id: string | undefined) => {
    let state = instances.get(id ?? '');
    if (!state) instances.set(id ?? '', (state = { faulty: new Set(), evidence: [] }));
    return state;
  };
  for (let index = 0; index < trace.length; index++) {
    const event = trace[index]!;
    if (event.kind === 'election' && event.consensus === consensus.name) {
      if (event.activation === undefined && event.term === 1 && event.proposal === undefined) instances.delete('');
      const state = instance(event.activation);
      state.evidence.push(index);
      if (event.proposal === 'failed' || event.proposal === 'skipped') state.faulty.add(event.leader);
    } else if (event.kind === 'vote' && event.consensus === consensus.name) {
      if (event.outcome === 'crashed' || event.outcome === 'reject') {
        const state = instance(event.activation);
        state.faulty.add(event.replica);
        state.evidence.push(index);
      }
    } else if (event.kind === 'error' && event.where === `consensus:${consensus.name}`) {
      const { faulty, evidence } = instance(event.activation);
      if (faulty.size > f) continue;
      return violation(
        'consensus-liveness',
        consensus.name,
        `consensus ${consensus.name}${instanceOf(event.activation ?? '')} ended without a decision though only ${faulty.size} replica${faulty.size === 1 ? '' : 's'} (${[...faulty].sort().join(', ') || 'none'}) failed, within the ${f} it tolerates`,
        [...evidence, index],
      );
    }
  }
  return undefined;
}
