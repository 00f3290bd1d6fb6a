/**
 * The longest one run of a team can take (T504), read off the `TeamDefinition` the runtime runs
 * and counted by the runtime's own rules: the time side of worst-case.ts, on its activation counts.
 *
 * - One call runs the agent's policy stack (runtime/policies/compose.ts): each attempt up to its
 *   `timeout` — which bounds the whole attempt, every tool round included (runtime/agent.ts runs
 *   the tool loop inside the timed call) — then, outside the timeout, its validator's own stack;
 *   every back-off at its ceiling (jitter only shortens it); with a hedge, another copy of the whole
 *   retry loop started `after` later, while the first still runs; then each fallback's stack in turn
 *   (a stand-in's own fallbacks never run).
 * - One activation is one call on every instance at once (replicas run in parallel); a vote asks
 *   every replica once a round, round after round; a leader's term asks the leader, then the
 *   followers (two calls a term, for max(rounds, f + 1) terms); a work graph runs its tasks on its
 *   workers (see `workTime`).
 * - An instance handles one activation at a time (its mailbox), so an agent's activations follow
 *   one another: its time in a run is its activations × one activation, the activations counted as
 *   the spend counts them (worst-case.ts: a loop's writer once more than its channel's `max
 *   rounds`, every handling of an at-least-once message).
 * - A message of an `at_least_once` channel whose handling failed comes back only when its sender
 *   redelivers it, and stays in flight — holding up joins and the run's end — until its sender gives
 *   up: up to `REDELIVERY_WINDOW_MS` after it was sent.
 * - The team's time is the longest path over the components of the flow graph (a loop's agents
 *   add up), with an edge for every take, joins included — a join waits until nothing upstream can
 *   send, so also for every handling of an at-least-once message upstream.
 *
 * Why a path bounds a run: follow the run back from its last event. An activation started when
 * its instance finished the one before (the same agent, an earlier activation) or when the message
 * that fired it arrived (an activation of a producer, earlier — or a redelivery, up to the window
 * later); a join when the last thing upstream finished. Each step goes to an earlier activation of
 * an agent upstream or in the same loop, none twice, so the chain is at most the path's figure.
 *
 * Not counted, because no declaration bounds them: message transit and store round trips (the
 * network's time, redeliveries of copies it drops included), a server's Retry-After longer than
 * the back-off, a publish `block`ed on a full channel, and an output `T[]` sent as several
 * messages (counted as one, as the spend counts it).
 */
import type { AgentDefinition, ConsensusDefinition, RetryDefinition, TeamDefinition, WorkDefinition } from '../../runtime/definition.js';
import { defaultRetryPolicy } from '../../runtime/delivery/retry.js';
import { DEFAULT_MAX_HEDGES } from '../../runtime/policies/hedge.js';
import { backoffCeiling } from '../../runtime/policies/retry.js';
import { preassign } from '../../runtime/work.js';
import { formatDuration } from '../diagnostics/registry.js';
import { createDigraph, stronglyConnected } from './graph.js';
import { activationsOf, executionsPerTask, leadDecisionsAtMost, standIns, worstCaseActivations, type WorstCaseSpend } from './worst-case.js';

/** What the latency needs of the activation counts (worst-case.ts; `WorstCaseSpend` carries them too). */
export type Activations = Pick<WorstCaseSpend, 'activations' | 'messages' | 'unbounded'>;

/** Waits of the sender of an at-least-once message for its acknowledgement, each at its ceiling (runtime/delivery/retry.ts). */
const redeliveryWaits = Array.from({ length: defaultRetryPolicy.maxAttempts }, (_, i) => Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.initialDelayMs * 2 ** i));

/**
 * How long after it was first sent an at-least-once message can still be in flight: its sender
 * transmits it up to `maxAttempts` times, waiting a back-off for the acknowledgement after each,
 * and gives up after the last wait (runtime/delivery/link.ts).
 */
export const REDELIVERY_WINDOW_MS = redeliveryWaits.reduce((sum, ms) => sum + ms, 0);
/** …and when its last transmission can leave: before the last wait. */
export const LAST_REDELIVERY_MS = REDELIVERY_WINDOW_MS - redeliveryWaits.at(-1)!;

export interface AgentTime {
  agent: string;
  /** As worst-case.ts counts them (0 for a stand-in: its time is in its principal's calls). */
  activations: number;
  /** One activation at its worst. */
  activationMs: number;
  /** activations × activationMs. */
  ms: number;
  /** `writer 5 activations × (2 attempts × 1m timeout + 1s back-off)`. */
  description: string;
  /** One activation's. */
  oneDescription: string;
}

/** A component of the flow graph on the longest path: one agent, or a loop. */
export interface LatencyStep {
  /** Agents that take time, in declaration order. */
  agents: string[];
  cyclic: boolean;
  ms: number;
  /** What the step adds besides its agents' activations (a loop's waits for redeliveries). */
  notes: string[];
}

export interface WorstCaseLatency {
  /** The longest path's figure: no run within the declared policies lasts longer (see the module comment). */
  ms: number;
  /** Its components, first to last; those that take no time are left out. */
  path: LatencyStep[];
  agents: ReadonlyMap<string, AgentTime>;
  /** Agents with a model and no `timeout` (T500) whose calls the figure needs: counted as taking no time. */
  untimed: string[];
  activations: Activations;
}

export function worstCaseLatency(definition: TeamDefinition<unknown, unknown>, activations: Activations = worstCaseActivations(definition)): WorstCaseLatency {
  const calls = callTimes(definition);
  const consensusOver = new Map(definition.consensus.map((c) => [c.over, c]));
  const workBy = new Map(definition.work.map((w) => [w.by, w]));
  const agents = definition.agents;

  const times = new Map<string, AgentTime>();
  for (const agent of agents) {
    const count = activations.activations.get(agent.name) ?? 0;
    const one = count === 0 ? { ms: 0, description: '' } : activationTime(agent, calls, consensusOver.get(agent.name), workBy.get(agent.name));
    const factors = count > 1 ? `${count} activations × ` : '';
    times.set(agent.name, {
      agent: agent.name,
      activations: count,
      activationMs: one.ms,
      ms: count * one.ms,
      description: `${agent.name} ${factors ? `${factors}(${one.description})` : one.description}`,
      oneDescription: one.description,
    });
  }

  // The flow graph of what runs: agents (stand-ins have no edges) and channels, an edge for every
  // emit and every take, and from each per-message consumer of an at-least-once channel upstream
  // of a join to the joining agent (the join waits for those handlings).
  const helpers = standIns(definition);
  const channels = definition.channels;
  const channelIndex = new Map(channels.map((c, i) => [c.name, agents.length + i]));
  const from: number[] = [];
  const to: number[] = [];
  const perMessage: Array<{ agent: number; channel: number }> = [];
  agents.forEach((agent, i) => {
    if (helpers.has(agent.name)) return;
    for (const emit of agent.emits) {
      const c = channelIndex.get(emit.channel);
      if (c !== undefined) from.push(i), to.push(c);
    }
    for (const take of agent.takes) {
      const c = take.from === 'channel' ? channelIndex.get(take.source) : undefined;
      if (c === undefined) continue;
      from.push(c), to.push(i);
      if (!take.all) perMessage.push({ agent: i, channel: c });
    }
  });
  const base = createDigraph([...agents.map((a) => a.name), ...channels.map((c) => c.name)], from, to);
  const atLeastOnce = (c: number) => c >= agents.length && channels[c - agents.length]!.delivery === 'at_least_once';
  agents.forEach((agent, a) => {
    if (helpers.has(agent.name)) return;
    for (const take of agent.takes) {
      const c = take.from === 'channel' && take.all ? channelIndex.get(take.source) : undefined;
      if (c === undefined) continue;
      const upstream = ancestors(base, c);
      for (const { agent: b, channel } of perMessage) if (b !== a && atLeastOnce(channel) && upstream.has(channel)) from.push(b), to.push(a);
    }
  });
  const graph = createDigraph(base.names, from, to);
  const components = stronglyConnected(graph);
  const count = components.members.length;

  const steps: LatencyStep[] = components.members.map((members, id) => {
    const names = members.filter((v) => v < agents.length).map((v) => agents[v]!.name);
    const reliable = perMessage.filter((p) => components.component[p.agent] === id && atLeastOnce(p.channel) && times.get(agents[p.agent]!.name)!.activations > 0);
    const notes: string[] = [];
    let waits = 0;
    if (reliable.length > 0 && !components.cyclic[id]) {
      redeliveredTime(agents[reliable[0]!.agent]!, times.get(names[0]!)!, reliable.map((p) => graph.names[p.channel]!), activations);
    } else if (reliable.length > 0) {
      // Round a loop, every at-least-once message of its own may make the next step wait for its
      // redelivery, and one from outside may make the first.
      const internal = new Set(reliable.filter((p) => components.component[p.channel] === id).map((p) => p.channel));
      waits = [...internal].reduce((sum, c) => sum + (activations.messages.get(graph.names[c]!) ?? 0), reliable.some((p) => components.component[p.channel] !== id) ? 1 : 0);
      const on = [...new Set(reliable.map((p) => `\`${graph.names[p.channel]}\``))].join(', ');
      notes.push(`${formatDuration(waits * REDELIVERY_WINDOW_MS)} for ${waits === 1 ? 'a message' : `${waits} messages`} of ${on} to come back or be given up (an at-least-once message whose handling failed is redelivered for up to ${formatDuration(REDELIVERY_WINDOW_MS)})`);
    }
    return {
      agents: names.filter((n) => times.get(n)!.ms > 0),
      cyclic: components.cyclic[id]!,
      ms: names.reduce((sum, n) => sum + times.get(n)!.ms, 0) + waits * REDELIVERY_WINDOW_MS,
      notes,
    };
  });

  // Longest path over the condensation. Tarjan lists components consumers first, so walking the
  // ids downwards visits every producer before its consumers.
  const best = new Float64Array(count);
  const previous = new Int32Array(count).fill(-1);
  for (let id = count - 1; id >= 0; id--) {
    let into = 0;
    for (const v of components.members[id]!) {
      for (let i = graph.inStart[v]!; i < graph.inStart[v + 1]!; i++) {
        const source = components.component[graph.from[graph.inEdges[i]!]!]!;
        if (source !== id && best[source]! > into) (into = best[source]!), (previous[id] = source);
      }
    }
    best[id] = into + steps[id]!.ms;
  }
  let end = 0;
  for (let id = 1; id < count; id++) if (best[id]! > best[end]!) end = id;
  const path: LatencyStep[] = [];
  for (let id = count === 0 ? -1 : end; id !== -1; id = previous[id]!) if (steps[id]!.ms > 0) path.push(steps[id]!);
  path.reverse();
  return { ms: count === 0 ? 0 : best[end]!, path, agents: times, untimed: [...calls.untimed], activations };
}

/**
 * An agent outside any loop that handles at-least-once messages one at a time: it waits for
 * redeliveries, but only while they can still come. Its activations follow one another, and the
 * last transmission of a message leaves at most LAST_REDELIVERY_MS after its producers are done;
 * after that, only messages already held — one handling each, the link holds a message once — are
 * still to run; and a message nobody handled is in flight until its sender gives up. So the
 * smaller of: every activation plus the window, and the window's end or its last redelivery
 * plus one handling per message.
 */
function redeliveredTime(agent: AgentDefinition, time: AgentTime, channels: string[], activations: Activations): void {
  const on = [...new Set(channels)].map((c) => `\`${c}\``).join(', ');
  const every = time.ms + REDELIVERY_WINDOW_MS;
  const first = activationsOf(agent, (channel) => activations.messages.get(channel) ?? 0);
  const late = Math.max(REDELIVERY_WINDOW_MS, LAST_REDELIVERY_MS + first * time.activationMs);
  if (every <= late) {
    time.description += ` + ${formatDuration(REDELIVERY_WINDOW_MS)} until the redeliveries of ${on} end`;
    time.ms = every;
    return;
  }
  const handlings = `${first} ${first === 1 ? 'handling' : 'handlings'} × (${time.oneDescription})`;
  time.description =
    late === REDELIVERY_WINDOW_MS
      ? `${agent.name} ${formatDuration(REDELIVERY_WINDOW_MS)} until the sender of ${on} gives up (${handlings} after its last redelivery end sooner)`
      : `${agent.name} ${formatDuration(LAST_REDELIVERY_MS)} of redeliveries of ${on} + ${handlings}`;
  time.ms = late;
}

/** Nodes from which `target` can be reached (itself included). */
function ancestors(graph: ReturnType<typeof createDigraph>, target: number): Set<number> {
  const seen = new Set([target]);
  const stack = [target];
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let i = graph.inStart[v]!; i < graph.inStart[v + 1]!; i++) {
      const u = graph.from[graph.inEdges[i]!]!;
      if (!seen.has(u)) seen.add(u), stack.push(u);
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// One activation

interface Time {
  ms: number;
  description: string;
}

function activationTime(agent: AgentDefinition, calls: CallTimes, consensus: ConsensusDefinition | undefined, work: WorkDefinition | undefined): Time {
  const call = calls.call(agent);
  if (consensus) {
    const rounds = consensus.rounds ?? 1; // none at all (T604) is refused at run time: the vote fails at once
    if (consensus.protocol === 'leader') {
      const terms = Math.max(rounds, consensus.faults.count + 1);
      return { ms: terms * 2 * call.ms, description: `${terms} ${terms === 1 ? 'term' : 'terms'} × 2 calls (leader, then followers) × (${call.description})` };
    }
    return rounds > 1 ? { ms: rounds * call.ms, description: `${rounds} vote rounds × (${call.description})` } : call;
  }
  if (work) return workTime(work, agent, call, calls);
  return call;
}

/**
 * A work graph's run, each task run taking up to one call of its worker:
 *
 * - `preassigned`: each worker runs its list in order, waiting for dependencies, so every finish
 *   time only grows with the durations — the longest chain of dependencies and list order, at one
 *   call per task, is the worst case;
 * - `claim`: an idle worker claims any ready task, so (Graham's list-scheduling bound) the run is
 *   at most a dependency chain of c tasks plus the rest of the work shared by w workers:
 *   (c·(w − 1) + n·e)/w calls, with e runs of each task (a lease lets it run on every worker);
 * - `lead`: at every moment a lead decision or a task is running, so at most every decision and
 *   every task in a row: a decision that assigns something (n at most) or that waits for the
 *   graph to change (each task's end changes it twice), 3n + 2 decisions in all.
 */
function workTime(work: WorkDefinition, agent: AgentDefinition, call: Time, calls: CallTimes): Time {
  const n = work.tasks.length;
  const workers = Math.max(1, agent.replicas);
  const where = `\`${work.name}\`: ${n} tasks on ${workers} ${workers === 1 ? 'worker' : 'workers'}`;
  if (n === 0) return { ms: 0, description: `no tasks in ${where}` };
  const perTask = (runs: number, why: string): Time => ({ ms: runs * call.ms, description: `${formatRuns(runs)} task runs in a row (${why}) × (${call.description})` });
  switch (work.assign.policy) {
    case 'preassigned': {
      // Each task waits for its dependencies and for the task before it on its worker's list.
      let lists: ReturnType<typeof preassign>;
      try {
        lists = preassign(work.tasks, workers);
      } catch {
        return perTask(n, `${where}: a dependency cycle, so one after another`); // refused by the checker
      }
      const before = new Map<string, string>();
      for (const list of lists) list.forEach((task, i) => i > 0 && before.set(task.name, list[i - 1]!.name));
      const chain = longestChain(work, (task) => [...task.after, ...(before.has(task.name) ? [before.get(task.name)!] : [])]);
      return perTask(chain, `${where}, dealt in order`);
    }
    case 'claim': {
      const chain = longestChain(work);
      const runs = (chain * (workers - 1) + n * executionsPerTask(work, agent)) / workers;
      return perTask(runs, `${where}, a chain of ${chain}${work.leaseMs !== undefined ? ', each task up to once per worker (lease)' : ''}`);
    }
    case 'lead': {
      const lead = calls.lead(work);
      const decisions = leadDecisionsAtMost(n);
      const tasks = perTask(n, where);
      if (!lead) return tasks;
      return { ms: tasks.ms + decisions * lead.ms, description: `${tasks.description} + ${decisions} lead decisions × (\`${work.assign.lead}\` ${lead.description})` };
    }
  }
}

/**
 * Tasks on the longest chain of `prior` (by default, the dependencies), by Kahn's order. With a
 * cycle (the checker refuses one) there is no order: every task counts, one after another.
 */
function longestChain(work: WorkDefinition, prior: (task: WorkDefinition['tasks'][number]) => string[] = (task) => task.after): number {
  const names = new Set(work.tasks.map((t) => t.name));
  const before = new Map(work.tasks.map((t) => [t.name, prior(t).filter((p) => names.has(p))]));
  const after = new Map(work.tasks.map((t) => [t.name, [] as string[]]));
  const waiting = new Map<string, number>();
  for (const [name, priors] of before) {
    waiting.set(name, priors.length);
    for (const p of priors) after.get(p)!.push(name);
  }
  const depth = new Map<string, number>();
  const ready = work.tasks.filter((t) => waiting.get(t.name) === 0).map((t) => t.name);
  for (let head = 0; head < ready.length; head++) {
    const name = ready[head]!;
    depth.set(name, 1 + Math.max(0, ...before.get(name)!.map((p) => depth.get(p)!)));
    for (const next of after.get(name)!) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (depth.size < work.tasks.length) return work.tasks.length;
  return Math.max(0, ...depth.values());
}

function formatRuns(runs: number): string {
  return Number.isInteger(runs) ? String(runs) : runs.toFixed(2).replace(/0$/, '');
}

// ---------------------------------------------------------------------------------------------
// One call

interface CallTimes {
  /** One call of the agent's policy stack, then of each fallback's. */
  call(agent: AgentDefinition): Time;
  /** One decision of a work graph's lead, if it has one. */
  lead(work: WorkDefinition): Time | undefined;
  untimed: Set<string>;
}

function callTimes(definition: TeamDefinition<unknown, unknown>): CallTimes {
  const agents = new Map(definition.agents.map((a) => [a.name, a]));
  const untimed = new Set<string>();
  const stacks = new Map<string, Time>();
  // One policy stack: the retry loop (and a hedge's copy of it), each attempt validated.
  const stack = (agent: AgentDefinition): Time => {
    const known = stacks.get(agent.name);
    if (known) return known;
    stacks.set(agent.name, { ms: 0, description: '' }); // in progress: a validator that loops back adds nothing
    const timeoutMs = agent.policy.timeoutMs;
    if (timeoutMs === undefined) {
      if (agent.model !== '') untimed.add(agent.name);
      return stacks.get(agent.name)!;
    }
    const validator = agents.get(agent.policy.validator ?? '');
    const validation = validator ? stack(validator) : undefined;
    const loop = retryLoopMs(timeoutMs, agent.policy.retry, validation?.ms ?? 0);
    let description = `${loop.attempts} ${loop.attempts === 1 ? 'attempt' : 'attempts'} × `;
    description += validation ? `(${formatDuration(timeoutMs)} timeout + ${formatDuration(validation.ms)} validation by \`${validator!.name}\`)` : `${formatDuration(timeoutMs)} timeout`;
    if (loop.backoffMs > 0) description += ` + ${formatDuration(loop.backoffMs)} back-off`;
    // A hedge starts another copy of the whole retry loop `after` the first, if that one still runs.
    const afterMs = agent.policy.hedge?.afterMs;
    const hedgeMs = afterMs !== undefined && afterMs <= loop.totalMs ? DEFAULT_MAX_HEDGES * afterMs : 0;
    if (hedgeMs > 0) description += `, hedged ${formatDuration(afterMs!)} later`;
    const time = { ms: loop.totalMs + hedgeMs, description };
    stacks.set(agent.name, time);
    return time;
  };
  const call = (agent: AgentDefinition): Time => {
    const own = stack(agent);
    let { ms, description } = own;
    for (const name of agent.policy.fallback ?? []) {
      const fallback = agents.get(name);
      if (!fallback) continue;
      const alternative = stack(fallback);
      ms += alternative.ms;
      description += `${description ? ', ' : ''}then fallback \`${name}\` ${alternative.description}`;
    }
    return { ms, description };
  };
  return {
    call,
    lead: (work) => {
      const lead = agents.get(work.assign.lead ?? '');
      return lead ? call(lead) : undefined;
    },
    untimed,
  };
}

/**
 * One retry loop at its worst: every attempt runs to its timeout (and its validation), every
 * back-off to its ceiling. `retry N` is N attempts in all.
 */
export function retryLoopMs(timeoutMs: number, retry: RetryDefinition | undefined, validationMs = 0): { totalMs: number; backoffMs: number; attempts: number } {
  const attempts = retry?.attempts ?? 1;
  let backoffMs = 0;
  if (retry) for (let n = 0; n < attempts - 1; n++) backoffMs += backoffCeiling(retry, n);
  return { totalMs: attempts * (timeoutMs + validationMs) + backoffMs, backoffMs, attempts };
}
