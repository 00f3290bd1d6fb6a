/**
 * Termination: every run ends by its own bounds — with its output, or with a typed failure of its
 * declared policies — and never because the budget, the deadline or the simulator's cap cut it off
 * while a loop was still going round. Two parts, both judged from the trace and the definition:
 *
 * 1. Declared bounds hold. An agent with `max rounds N` starts at most N activations; a channel
 *    with `max rounds N` carries at most N publishes; a consensus with `rounds R` votes at most R
 *    rounds per instance (a leader protocol, max(R, f + 1) terms). The runtime enforces these, so
 *    any excess is a broken promise, whatever else happened in the run.
 *
 * 2. Nothing unbounded was still going when the run was cut off. A run is cut off when it ends
 *    with the typed `budget` or `deadline` failure, or is stopped by the simulator (`stuck`). The
 *    cut-off point is the first refused reservation (budget), the first event at or past the
 *    deadline (deadline), or the run's end. At that point:
 *
 *    - a loop (a cycle of agents and channels in the flow graph, as the checker's T700 finds it)
 *      that declares no `max rounds` on any of its agents or channels was still going round: it had
 *      gone round at least once (an agent of it activated again, on a message a member had sent on
 *      one of the loop's channels), and one of its agents was still working (an activation started
 *      and not finished) or about to (a message on a loop channel not yet handed to a member that
 *      takes it, or handed over and not yet consumed by an activation of that member). Which
 *      messages an activation consumed is on its `start` event (`consumed`); a trace without it
 *      (hand-written, or older) is read by order instead: a second activation after a loop
 *      message, a message handed over after the member's last activation started;
 *    - a consensus that declares no `rounds` bound (T604) was still voting past its first round: a
 *      replica's call of round 2 or later (`judge:1/r3`) was still open.
 *
 *    An accepted design bounds every loop and every vote, so part 2 never applies to it: for it,
 *    a budget or deadline that cuts a run short is the business of the budget and deadline checkers.
 *    For a rejected one, the evidence is what T700 and T604 predict: the loop, or the vote, going
 *    round after round until something from outside stopped it.
 *
 * 3. No work graph deadlocks. A run that ended with tasks of a work graph it had reached (a task
 *    event of the graph, or the runner's error naming it) never started, none of them running, and
 *    each waiting (`after`) on another of them, did not end by its own bounds: those tasks wait on
 *    each other and nothing can ever start them — what T703 predicts of a cycle of `after`s. However
 *    the run was then ended (the runner's typed deadlock, the simulator's `stuck`), the graph was
 *    stuck. In an acyclic graph the first unfinished task in topological order always has its
 *    dependencies done, so this never applies to an accepted design.
 */
import type { AgentDefinition, ConsensusDefinition, WorkDefinition } from '../../definition.js';
import type { TeamTraceEvent } from '../../team.js';
import { helperAgents, runOutcome, runStart, type AnyDefinition, type Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

/** A cycle of the flow graph: a strongly connected set of agents and the channels between them. */
export interface Loop {
  agents: string[];
  channels: string[];
  /** The tightest declared `max rounds` among its agents and channels; absent: nothing bounds it. */
  bound?: { kind: 'agent' | 'channel'; name: string; rounds: number };
}

/**
 * The loops of a definition's flow graph (agent → each channel it emits on → each agent that takes
 * it; agents that only stand in for others consume nothing, as in the runner). Two agents share a
 * loop when each reaches the other; an agent that takes a channel it emits on is a loop alone.
 */
export function loopsOf(definition: AnyDefinition): Loop[] {
  const helpers = helperAgents(definition);
  const agents = definition.agents.filter((a) => !helpers.has(a.name));
  const next = new Map<string, string[]>(agents.map((a) => [a.name, []]));
  for (const from of agents) {
    for (const emit of from.emits) {
      for (const to of agents) if (to.takes.some((t) => t.from === 'channel' && t.source === emit.channel)) next.get(from.name)!.push(to.name);
    }
  }
  const reach = new Map(agents.map((a) => [a.name, reachable(a.name, next)]));
  const loops: Loop[] = [];
  const placed = new Set<string>();
  for (const agent of agents) {
    if (placed.has(agent.name) || !reach.get(agent.name)!.has(agent.name)) continue;
    const members = agents.filter((b) => reach.get(agent.name)!.has(b.name) && reach.get(b.name)!.has(agent.name));
    for (const member of members) placed.add(member.name);
    const names = new Set(members.map((m) => m.name));
    const channels = definition.channels
      .filter((c) => members.some((m) => m.emits.some((e) => e.channel === c.name)) && members.some((m) => takesChannel(m, c.name)))
      .map((c) => c.name);
    const bounds = [
      ...members.flatMap((m) => (m.maxRounds !== undefined ? [{ kind: 'agent' as const, name: m.name, rounds: m.maxRounds }] : [])),
      ...definition.channels.flatMap((c) => (channels.includes(c.name) && c.maxRounds !== undefined ? [{ kind: 'channel' as const, name: c.name, rounds: c.maxRounds }] : [])),
    ].sort((a, b) => a.rounds - b.rounds);
    loops.push({ agents: [...names], channels, ...(bounds[0] ? { bound: bounds[0] } : {}) });
  }
  return loops;
}

function reachable(from: string, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(next.get(from) ?? [])];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(next.get(name) ?? []));
  }
  return seen;
}

function takesChannel(agent: AgentDefinition, channel: string): boolean {
  return agent.takes.some((t) => t.from === 'channel' && t.source === channel);
}

/** Rounds a consensus may vote per instance, or undefined when it declares no bound. */
export function declaredRounds(consensus: ConsensusDefinition): number | undefined {
  const rounds = consensus.rounds as number | undefined;
  if (rounds === undefined || !Number.isFinite(rounds)) return undefined;
  // A leader protocol runs at least f + 1 terms, so that one of them has a correct leader (leader.ts).
  return consensus.protocol === 'leader' ? Math.max(rounds, consensus.faults.count + 1) : rounds;
}

// ---------------------------------------------------------------------------------------------
// The trace, read for activations and cut-offs

/** `writer:3` for `writer:3`, `judge:2` for `judge:2/r1`, `fix:1` for `fix:1/task-a`. */
const instanceOf = (activation: string) => activation.split('/')[0]!;

/** The round (`/r3`) or term (`/t3`) of a consensus replica's activation, if it is one. */
function roundOf(activation: string): number | undefined {
  const match = /\/[rt](\d+)$/.exec(activation);
  return match ? Number(match[1]) : undefined;
}

type ActivationEvent = Extract<TeamTraceEvent, { kind: 'activation' }>;

export interface CutOff {
  /** Index of the first event at or after which the run was no longer its own: nothing from there on counts as progress. */
  index: number;
  /** Index of the event that shows the cut (the refusal, the first late event, the run's end). */
  shownBy: number;
  by: 'budget' | 'deadline' | 'stuck';
}

/** Where the budget, the deadline or the simulator cut the run short; undefined for a run that ended on its own. */
export function cutOff(trace: Trace, definition: AnyDefinition): CutOff | undefined {
  const refused = trace.findIndex((e) => e.kind === 'budget' && e.action === 'refused');
  // A refusal ends the run (team.ts), so it marks the cut even in a trace cut short before the end.
  if (refused >= 0) return { index: refused, shownBy: refused, by: 'budget' };
  const end = runOutcome(trace);
  if (!end) return undefined;
  if (end.outcome === 'budget') return { index: end.index, shownBy: end.index, by: 'budget' };
  if (end.outcome === 'stuck') return { index: end.index, shownBy: end.index, by: 'stuck' };
  if (end.outcome !== 'deadline') return undefined;
  const start = runStart(trace);
  const deadline = definition.deadlineMs;
  if (start && deadline !== undefined) {
    const late = trace.findIndex((e, i) => i > start.index && e.time >= start.event.time + deadline);
    if (late >= 0 && late < end.index) return { index: late, shownBy: end.index, by: 'deadline' };
  }
  return { index: end.index, shownBy: end.index, by: 'deadline' };
}

/** Activations (per agent, instance and id) started before `before` and not finished before it. */
function openActivations(trace: Trace, before: number): Map<string, { index: number; event: ActivationEvent }> {
  const open = new Map<string, { index: number; event: ActivationEvent }>();
  for (let index = 0; index < before; index++) {
    const event = trace[index]!;
    if (event.kind !== 'activation') continue;
    const key = `${event.agent}\u0000${event.instance ?? ''}\u0000${event.activation}`;
    if (event.action === 'start') open.set(key, { index, event });
    else if (event.action === 'end' || event.action === 'failed') open.delete(key);
  }
  return open;
}

// ---------------------------------------------------------------------------------------------
// The checker

export const terminationChecker: Checker = {
  kind: 'termination',
  guarantee: 'declared bounds hold, no run is cut off by its budget, its deadline or the simulator while an unbounded loop or vote is still going round, and no work graph ends with tasks waiting on each other',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    return [...boundsExceeded(trace, definition), ...cutOffWhileGoing(trace, definition), ...definition.work.flatMap((work) => deadlocked(trace, work))];
  },
};

/** Part 1: more activations, publishes or vote rounds than declared. */
function boundsExceeded(trace: Trace, definition: AnyDefinition): Violation[] {
  const found: Violation[] = [];
  for (const agent of definition.agents) {
    if (agent.maxRounds === undefined) continue;
    const started: number[] = [];
    const seen = new Set<string>();
    trace.forEach((event, index) => {
      if (event.kind !== 'activation' || event.agent !== agent.name || event.action !== 'start') return;
      const id = instanceOf(event.activation);
      if (seen.has(id)) return;
      seen.add(id);
      started.push(index);
    });
    if (started.length > agent.maxRounds) {
      found.push(violation('termination', agent.name, `${agent.name} started ${started.length} activations, more than its \`max rounds ${agent.maxRounds}\``, [started[0]!, started[agent.maxRounds]!]));
    }
  }
  for (const channel of definition.channels) {
    if (channel.maxRounds === undefined) continue;
    const sent: number[] = [];
    const seen = new Set<string>();
    trace.forEach((event, index) => {
      // A publish names no target; a transport redelivery (with `to`) is not a new message.
      if (event.kind !== 'send' || event.channel !== channel.name || event.to !== undefined || seen.has(event.message)) return;
      seen.add(event.message);
      sent.push(index);
    });
    if (sent.length > channel.maxRounds) {
      found.push(violation('termination', channel.name, `${channel.name} carried ${sent.length} messages, more than its \`max rounds ${channel.maxRounds}\``, [sent[0]!, sent[channel.maxRounds]!]));
    }
  }
  for (const consensus of definition.consensus) {
    const bound = declaredRounds(consensus);
    if (bound === undefined) continue;
    const late = trace.findIndex((e) => (e.kind === 'vote' || e.kind === 'round') && e.consensus === consensus.name && e.round > bound);
    if (late >= 0) {
      const event = trace[late] as Extract<TeamTraceEvent, { kind: 'vote' | 'round' }>;
      found.push(violation('termination', consensus.name, `${consensus.name} voted in round ${event.round}, past its bound of ${bound}`, [late]));
    }
  }
  return found;
}

/** Part 2: cut off while an unbounded loop or vote was still going round. */
function cutOffWhileGoing(trace: Trace, definition: AnyDefinition): Violation[] {
  const cut = cutOff(trace, definition);
  if (!cut) return [];
  const open = openActivations(trace, cut.index);
  const why = cut.by === 'stuck' ? 'the simulator stopped the run' : `the ${cut.by} stopped the run`;
  const found: Violation[] = [];

  for (const loop of loopsOf(definition)) {
    if (loop.bound) continue;
    const going = loopStillGoing(trace, definition, loop, cut.index, open);
    if (!going) continue;
    const counts = loop.agents.map((a) => `${a} ${going.activations.get(a) ?? 0}`).join(', ');
    found.push(
      violation(
        'termination',
        loop.agents.join('↔'),
        `the loop ${loop.agents.join(' → ')} (over ${loop.channels.join(', ')}) declares no \`max rounds\` and was still going round when ${why} (activations: ${counts})`,
        [going.again, going.busy, cut.shownBy],
      ),
    );
  }

  for (const consensus of definition.consensus) {
    if (declaredRounds(consensus) !== undefined) continue;
    // The open replica call of the latest round: the vote was in it when the run was cut.
    let voting: { index: number; round: number; instance: string } | undefined;
    for (const { index, event } of open.values()) {
      if (event.agent !== consensus.over) continue;
      const round = roundOf(event.activation);
      if (round !== undefined && round >= 2 && (!voting || round > voting.round)) voting = { index, round, instance: instanceOf(event.activation) };
    }
    if (!voting) continue;
    const first = trace.findIndex((e) => e.kind === 'activation' && e.action === 'start' && e.agent === consensus.over && instanceOf(e.activation) === voting.instance);
    found.push(
      violation(
        'termination',
        consensus.name,
        `${consensus.name} declares no \`rounds\` bound and was still voting (round ${voting.round} of ${voting.instance}) when ${why}`,
        [first, voting.index, cut.shownBy],
      ),
    );
  }
  return found;
}

interface Going {
  /** A member's second (or later) activation, on a message a member sent on a loop channel: the loop went round. */
  again: number;
  /** What was still going at the cut: an open activation, or a loop message not yet acted on. */
  busy: number;
  activations: Map<string, number>;
}

function loopStillGoing(
  trace: Trace,
  definition: AnyDefinition,
  loop: Loop,
  before: number,
  open: ReadonlyMap<string, { index: number; event: ActivationEvent }>,
): Going | undefined {
  const members = new Set(loop.agents);
  const channels = new Set(loop.channels);
  /** Loop members that activate on each message of a channel (not a join). */
  const takers = new Map(loop.channels.map((c) => [c, definition.agents.filter((a) => members.has(a.name) && a.takes.some((t) => t.from === 'channel' && t.source === c && !t.all)).map((a) => a.name)]));

  const activations = new Map<string, number>();
  const seen = new Set<string>();
  const lastStart = new Map<string, number>();
  /** Loop messages by id: their publish, and the members they were handed to (with when). */
  const messages = new Map<string, { index: number; channel: string; handed: Map<string, number> }>();
  /** `agent message` for every loop message an activation of a member consumed. */
  const consumed = new Set<string>();
  const tracesConsumption = trace.some((e) => e.kind === 'activation' && e.consumed !== undefined);
  let firstMessage = -1;
  let again = -1;
  for (let index = 0; index < before; index++) {
    const event = trace[index]!;
    if (event.kind === 'activation' && event.action === 'start' && members.has(event.agent)) {
      lastStart.set(event.agent, index);
      for (const message of event.consumed ?? []) consumed.add(`${event.agent} ${message}`);
      const id = `${event.agent}\u0000${instanceOf(event.activation)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const count = (activations.get(event.agent) ?? 0) + 1;
      activations.set(event.agent, count);
      const onLoopMessage = event.consumed !== undefined ? event.consumed.some((m) => messages.has(m)) : firstMessage >= 0 && firstMessage < index;
      if (again < 0 && count >= 2 && onLoopMessage) again = index;
    } else if (event.kind === 'send' && event.to === undefined && channels.has(event.channel) && members.has(event.agent)) {
      if (!messages.has(event.message)) messages.set(event.message, { index, channel: event.channel, handed: new Map() });
      if (firstMessage < 0) firstMessage = index;
    } else if (event.kind === 'deliver' && channels.has(event.channel) && members.has(event.agent)) {
      const message = messages.get(event.message);
      if (message && !message.handed.has(event.agent)) message.handed.set(event.agent, index);
    }
  }
  if (again < 0) return undefined;

  let busy = -1;
  for (const { index, event } of open.values()) if (members.has(event.agent)) busy = Math.max(busy, index);
  if (busy < 0) {
    for (const [id, message] of messages) {
      for (const taker of takers.get(message.channel) ?? []) {
        const handed = message.handed.get(taker);
        // On its way to a member, or handed to one that has not acted on it yet.
        if (handed === undefined) busy = Math.max(busy, message.index);
        else if (tracesConsumption ? !consumed.has(`${taker} ${id}`) : (lastStart.get(taker) ?? -1) < handed) busy = Math.max(busy, handed);
      }
    }
  }
  return busy < 0 ? undefined : { again, busy, activations };
}

/**
 * Part 3: the run ended with tasks of `work` that never started, each waiting on another of them
 * (so none was running, and none could ever become ready): a deadlock.
 */
function deadlocked(trace: Trace, work: WorkDefinition): Violation[] {
  const end = runOutcome(trace);
  if (!end) return [];
  const started = new Set<string>();
  const finished = new Set<string>();
  let reached = -1;
  let lastEnd = -1;
  for (let index = 0; index < end.index; index++) {
    const event = trace[index]!;
    if (event.kind === 'task' && event.work === work.name) {
      reached = Math.max(reached, index);
      if (event.action === 'start') started.add(event.task);
      else if (event.action === 'end') {
        finished.add(event.task);
        lastEnd = index;
      }
    } else if (event.kind === 'error' && event.where === `work:${work.name}`) {
      reached = Math.max(reached, index);
    }
  }
  if (reached < 0) return []; // the run ended before the graph began
  const left = work.tasks.filter((t) => !finished.has(t.name));
  if (left.length === 0) return [];
  const waiting = new Map(left.map((t) => [t.name, t.after.filter((dep) => !finished.has(dep))]));
  // A left task that started (was running when the run ended) or had its dependencies done (was ready): not stuck.
  if (left.some((t) => started.has(t.name) || waiting.get(t.name)!.length === 0)) return [];

  // Each left task waits on another left one: following the first such wait from the first closes a cycle.
  const path: string[] = [];
  let at = left[0]!.name;
  while (!path.includes(at)) {
    path.push(at);
    at = waiting.get(at)![0]!;
  }
  const cycle = [...path.slice(path.indexOf(at)), at];
  const waits = left.map((t) => `${t.name} after ${[...new Set(waiting.get(t.name))].join(', ')}`).join('; ');
  const done = finished.size > 0 ? `after ${[...finished].join(', ')} finished` : 'with none of its tasks run';
  return [
    violation(
      'termination',
      `work:${work.name}`,
      `work graph ${work.name} deadlocked: the run ended ${done}, and ${left.map((t) => t.name).join(', ')} never started, each waiting on another of them round the cycle ${cycle.join(' -> ')} (${waits})`,
      [lastEnd, reached, end.index],
    ),
  ];
}
