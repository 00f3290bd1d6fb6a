/**
 * Consensus checkers, on the consensus events of the trace (`vote`, `round`, `election`,
 * `decision`, and the `no-decision` error).
 *
 * Safety: one decision per consensus instance, and a quorum decision really had a quorum — at
 * least q distinct supporters, each of whom voted (vote protocol) or accepted (leader protocol)
 * that value in that round. Consensus events carry no activation id, so "one instance" is counted
 * as one activation of the agent under the consensus: more decisions than activations is a
 * violation (the classic one: two different values decided in a run that asked once).
 *
 * Liveness, within the declared faults: the faulty replicas of a round are the crashed ones plus
 * those whose answer differs from the round's largest agreeing group. A vote round with at most f
 * faulty replicas has at least n − f ≥ q agreeing answers, so it must decide; a leader instance
 * whose replicas had at most f distinct faulty members among its terms must decide.
 */
import { resolveQuorum, type ConsensusDefinition } from '../../definition.js';
import type { TraceEventOf } from '../../trace.js';
import type { AnyDefinition, Indexed, Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

type Decision = TraceEventOf<'decision'>;

function eventsOf(trace: Trace, consensus: string) {
  const decisions: Array<Indexed<Decision>> = [];
  const votes: Array<Indexed<TraceEventOf<'vote'>>> = [];
  const rounds: Array<Indexed<TraceEventOf<'round'>>> = [];
  trace.forEach((event, index) => {
    if (event.kind === 'decision' && event.consensus === consensus) decisions.push({ index, event });
    else if (event.kind === 'vote' && event.consensus === consensus) votes.push({ index, event });
    else if (event.kind === 'round' && event.consensus === consensus) rounds.push({ index, event });
  });
  return { decisions, votes, rounds };
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

export const consensusSafetyChecker: Checker = {
  kind: 'consensus-safety',
  guarantee: 'a consensus decides once per instance, and only with a quorum of votes for the decided value',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const found: Violation[] = [];
    for (const consensus of definition.consensus) {
      const { decisions, votes } = eventsOf(trace, consensus.name);
      if (decisions.length === 0) continue;
      const instances = activations(trace, consensus.over);
      if (decisions.length > Math.max(1, instances.size)) {
        const [a, b] = [decisions[0]!, decisions[1]!];
        const what = a.event.key === b.event.key ? `decided ${a.event.key} twice` : `decided ${a.event.key} (round ${a.event.round}) and then ${b.event.key} (round ${b.event.round})`;
        found.push(
          violation(
            'consensus-safety',
            consensus.name,
            `consensus ${consensus.name} ${what}: ${decisions.length} decisions for ${Math.max(1, instances.size)} activation${instances.size > 1 ? 's' : ''} of ${consensus.over}`,
            [...decisions.map((d) => d.index), ...instances.values()],
          ),
        );
      }
      const quorum = resolveQuorum(consensus.quorum, consensus.replicas);
      for (const decision of decisions) {
        if (!decision.event.byQuorum) continue; // a tie-break decision claims no quorum
        const problem = quorumProblem(consensus, quorum, decision, votes);
        if (problem) found.push(violation('consensus-safety', consensus.name, problem.message, [...problem.evidence, decision.index]));
      }
    }
    return found;
  },
};

function quorumProblem(
  consensus: ConsensusDefinition,
  quorum: number,
  decision: Indexed<Decision>,
  votes: Array<Indexed<TraceEventOf<'vote'>>>,
): { message: string; evidence: number[] } | undefined {
  const { event } = decision;
  const supporters = [...new Set(event.supporters)];
  if (supporters.length < quorum || event.votes < quorum) {
    return { message: `consensus ${consensus.name} decided ${event.key} with ${supporters.length} supporter${supporters.length === 1 ? '' : 's'} of a quorum of ${quorum}`, evidence: [] };
  }
  // Each supporter must have voted for (or, under a leader, accepted) this value in this round,
  // before the decision. The leader (the first supporter) proposed it.
  const leader = consensus.protocol === 'leader';
  const backing: number[] = [];
  for (const replica of leader ? supporters.slice(1) : supporters) {
    const vote = votes.find(
      ({ index, event: v }) => index < decision.index && v.round === event.round && v.replica === replica && (leader ? v.outcome === 'accept' : v.outcome === 'answer' && v.key === event.key),
    );
    if (!vote) {
      return { message: `consensus ${consensus.name} counted replica ${replica} for ${event.key} in round ${event.round}, but it never ${leader ? 'accepted' : 'voted for'} it`, evidence: backing };
    }
    backing.push(vote.index);
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
      const ofRound = votes.filter((v) => v.index > previous && v.index < index && v.event.round === event.round).map((v) => v.index);
      return violation(
        'consensus-liveness',
        consensus.name,
        `consensus ${consensus.name} round ${event.round} ended undecided with ${faulty} faulty replica${faulty === 1 ? '' : 's'} (${event.crashed} crashed, ${answers - agreeing} outvoted), within the ${f} it tolerates: tally ${JSON.stringify(event.tally)}`,
        [...ofRound, index],
      );
    }
    previous = index;
  }
  return undefined;
}

function leaderLiveness(trace: Trace, consensus: ConsensusDefinition): Violation | undefined {
  const f = consensus.faults.count;
  let faulty = new Set<number>();
  let evidence: number[] = [];
  for (let index = 0; index < trace.length; index++) {
    const event = trace[index]!;
    if (event.kind === 'election' && event.consensus === consensus.name) {
      if (event.term === 1 && event.proposal === undefined) {
        faulty = new Set();
        evidence = [];
      }
      evidence.push(index);
      if (event.proposal === 'failed' || event.proposal === 'skipped') faulty.add(event.leader);
    } else if (event.kind === 'vote' && event.consensus === consensus.name) {
      if (event.outcome === 'crashed' || event.outcome === 'reject') {
        faulty.add(event.replica);
        evidence.push(index);
      }
    } else if (event.kind === 'error' && event.where === `consensus:${consensus.name}` && faulty.size <= f) {
      return violation(
        'consensus-liveness',
        consensus.name,
        `consensus ${consensus.name} ended without a decision though only ${faulty.size} replica${faulty.size === 1 ? '' : 's'} (${[...faulty].sort().join(', ') || 'none'}) failed, within the ${f} it tolerates`,
        [...evidence, index],
      );
    }
  }
  return undefined;
}
