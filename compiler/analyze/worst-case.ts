/**
 * The most one run of a team can spend (T701, T702), read off the `TeamDefinition` the runtime
 * runs, counting what the runtime really does — not the analyser's expected figures. The longest
 * it can take (T504) is counted on the same activations, in worst-latency.ts:
 *
 * - Activations are upper bounds per run, taken from the runtime's activation rules (runtime/team.ts
 *   `AgentGroup`): an agent with per-message takes activates once per message (pairing several, so
 *   the fewest); one without activates once at the start and once per message of an optional take;
 *   `max rounds` on an agent caps its activations, on a channel the messages it accepts. In a loop
 *   this is where the count is not "rounds": a writer and a critic over `drafts { max rounds 4 }`
 *   run the writer five times — its fifth draft answers the fourth review and is dropped at the
 *   channel, but the call was paid.
 * - A message of an `at_least_once` channel taken one at a time comes back when its handling
 *   failed (it is acknowledged only once its activation succeeded), and an unordered one also when
 *   an acknowledgement was lost: each transmission of the sender can be handled once, so such a
 *   message counts `defaultRetryPolicy.maxAttempts` handlings.
 * - An activation calls the model on each instance (replicas, each vote round of a consensus,
 *   each task of a work graph, and with a `lease` each task may run on every worker); each call
 *   runs every attempt, twice over with a hedge; an agent that `calls` tools asks its model once
 *   per tool round plus the answer (`MAX_TOOL_ROUNDS + 1`); a validator runs after every attempt,
 *   the fallbacks after every call that used up its attempts.
 * - A model call bills its prompt and its answer: the answer at the agent's `max_tokens` (else its
 *   model's, else the runtime's default), the prompt as the provider estimates it on the template's
 *   fixed text — what every rendering contains whatever the inputs; the values filled in add to it,
 *   and their size is only known at run time. Dollars use each model's input and output prices.
 *
 * The counts are the greatest solution of these bounds, found per strongly connected component
 * by iterating down from infinity: any pass leaves a sound bound, and a loop that nothing bounds
 * (T700) stays infinite and is counted as one trip round, as the analyser counts it.
 */
import Handlebars from 'handlebars';
import type { AgentDefinition, ModelDefinition, TeamDefinition, WorkDefinition } from '../../runtime/definition.js';
import { DEFAULT_MAX_TOKENS, MAX_TOOL_ROUNDS } from '../../runtime/agent.js';
import { defaultRetryPolicy } from '../../runtime/delivery/retry.js';
import { DEFAULT_MAX_HEDGES } from '../../runtime/policies/hedge.js';
import { estimatePromptTokens } from '../../runtime/providers/output.js';
import { formatCount } from '../diagnostics/registry.js';
import { createDigraph, stronglyConnected, type Digraph } from './graph.js';

/** Handlings of one message of an `at_least_once` channel by one consumer: one per transmission of its sender. */
export const AT_LEAST_ONCE_HANDLINGS = defaultRetryPolicy.maxAttempts;
/** Model calls of one attempt of an agent that calls tools: one per tool round, then the answer. */
export const CALLS_PER_TOOL_ATTEMPT = MAX_TOOL_ROUNDS + 1;
/** Copies of a hedged call: the first and its hedges, each a whole retry loop. */
export const HEDGED_COPIES = 1 + DEFAULT_MAX_HEDGES;

export interface SpendTerm {
  agent: string;
  /** `reviewer 3 replicas × 3 attempts × (2k + 16 prompt)`. */
  description: string;
  tokens: number;
}

export interface WorstCaseSpend {
  tokens: number;
  /** Undefined when a model that spends has no `price`. */
  dollars: number | undefined;
  terms: SpendTerm[];
  /** Agents whose model is unknown and that declare no `max_tokens` (counted as 0). */
  uncounted: string[];
  /** Agents with no `max_tokens` anywhere: counted at the runtime's default (`DEFAULT_MAX_TOKENS`). */
  defaulted: string[];
  /** Activations of each agent at most (0 for a stand-in), and messages of each channel. */
  activations: ReadonlyMap<string, number>;
  /** Model calls of each agent's own activations (and of a work lead's decisions); stand-ins' calls are in their terms. */
  calls: ReadonlyMap<string, number>;
  messages: ReadonlyMap<string, number>;
  /** Agents in a loop with no bound, counted as one trip round. */
  unbounded: string[];
  /** Those loops (T700), including a cycle inside a bounded loop that avoids its bound. */
  unboundedLoops: UnboundedLoop[];
}

/** Tokens, and dollars when every model involved has a price. */
interface Cost {
  tokens: number;
  dollars: number | undefined;
}

/** What one model call of an agent can bill. */
interface CallCost extends Cost {
  prompt: number;
  maxTokens: number;
}

export function worstCaseSpend(definition: TeamDefinition<unknown, unknown>): WorstCaseSpend {
  const agents = new Map(definition.agents.map((a) => [a.name, a]));
  const models = new Map(definition.models.map((m) => [m.name, m]));
  const consensusOver = new Map(definition.consensus.map((c) => [c.over, c]));
  const workBy = new Map(definition.work.map((work) => [work.by, { work }]));
  const bounds = worstCaseActivations(definition);

  const terms: SpendTerm[] = [];
  const modelCalls = new Map<string, number>();
  const uncounted = new Set<string>();
  const defaulted = new Set<string>();
  let tokens = 0;
  let dollars: number | undefined = 0;

  const callCosts = new Map<string, CallCost>();
  const callCost = (agent: AgentDefinition): CallCost => {
    const known = callCosts.get(agent.name);
    if (known) return known;
    const model = models.get(agent.model);
    let maxTokens = agent.maxTokens ?? model?.maxTokens;
    if (maxTokens === undefined && model) (maxTokens = DEFAULT_MAX_TOKENS), defaulted.add(agent.name);
    if (maxTokens === undefined) (maxTokens = 0), uncounted.add(agent.name);
    const prompt = model ? promptTokens(agent.prompt) : 0;
    const cost = { tokens: prompt + maxTokens, dollars: dollarsFor(model, prompt, maxTokens), prompt, maxTokens };
    callCosts.set(agent.name, cost);
    return cost;
  };
  const add = (agent: string, cost: Cost, times: number, description: string) => {
    if (times === 0 || cost.tokens === 0) return;
    tokens += times * cost.tokens;
    dollars = dollars === undefined || cost.dollars === undefined ? undefined : dollars + times * cost.dollars;
    terms.push({ agent, description, tokens: times * cost.tokens });
  };
  // A stand-in's cost when it runs once: its own calls, a validation after each attempt, and its
  // own fallbacks after it. Memoised, so a long chain is walked once, not once per agent above it;
  // a chain that loops (T501) counts each member once.
  const standInCosts = new Map<string, Cost>();
  const standInCost = (agent: AgentDefinition): Cost => {
    const known = standInCosts.get(agent.name);
    if (known) return known;
    standInCosts.set(agent.name, { tokens: 0, dollars: 0 }); // in progress: a loop back here adds nothing
    const total = scale(callCost(agent), ownCalls(agent));
    const validator = agents.get(agent.policy.validator ?? '');
    if (validator) addInto(total, scale(standInCost(validator), attemptsOf(agent)));
    for (const name of agent.policy.fallback ?? []) {
      const fallback = agents.get(name);
      if (fallback) addInto(total, standInCost(fallback));
    }
    standInCosts.set(agent.name, total);
    return total;
  };
  /** `stacks` runs of the agent's policy stack: its own model calls, then its validator's and its fallbacks'. */
  const addStacks = (agent: AgentDefinition, stacks: number, factors: string[]) => {
    const cost = callCost(agent);
    const calls = stacks * ownCalls(agent);
    modelCalls.set(agent.name, (modelCalls.get(agent.name) ?? 0) + calls);
    add(agent.name, cost, calls, `${agent.name} ${[...factors, ...callFactors(agent), `(${formatCount(cost.maxTokens)} + ${formatCount(cost.prompt)} prompt)`].join(' × ')}`);
    const validator = agents.get(agent.policy.validator ?? '');
    const validations = stacks * attemptsOf(agent);
    if (validator) add(validator.name, standInCost(validator), validations, `${validator.name} (validating \`${agent.name}\`) ${validations} ${validations === 1 ? 'time' : 'times'}`);
    for (const name of agent.policy.fallback ?? []) {
      const fallback = agents.get(name);
      if (fallback) add(name, standInCost(fallback), stacks, `${name} (for \`${agent.name}\`) ${stacks} × ${plural(attemptsOf(fallback), 'attempt')}`);
    }
  };

  for (const agent of definition.agents) {
    const activations = bounds.activations.get(agent.name) ?? 0;
    if (activations === 0) continue; // a stand-in spends through the agents it stands in for
    const runs = activations > 1 ? [plural(activations, 'activation')] : [];
    const graph = workBy.get(agent.name);
    if (graph) {
      const { work } = graph;
      const executions = executionsPerTask(work, agent);
      addStacks(agent, activations * work.tasks.length * executions, [plural(work.tasks.length, 'task'), ...(executions > 1 ? [`${executions} runs each (lease)`] : []), ...runs]);
      const lead = agents.get(work.assign.lead ?? '');
      if (lead) {
        const decisions = leadDecisionsAtMost(work.tasks.length);
        addStacks(lead, activations * decisions, [plural(decisions, 'decision'), ...runs]);
      }
      continue;
    }
    const consensus = consensusOver.get(agent.name);
    if (consensus) {
      const rounds = consensus.rounds ?? 1;
      addStacks(agent, activations * consensus.replicas * rounds, [plural(consensus.replicas, 'replica'), ...runs, ...(rounds > 1 ? [plural(rounds, 'vote round')] : [])]);
      continue;
    }
    addStacks(agent, activations * agent.replicas, [plural(agent.replicas, 'replica'), ...runs]);
  }
  return {
    tokens,
    dollars,
    terms,
    uncounted: [...uncounted],
    defaulted: [...defaulted],
    activations: bounds.activations,
    calls: modelCalls,
    messages: bounds.messages,
    unbounded: bounds.unbounded,
    unboundedLoops: bounds.unboundedLoops,
  };
}

// ---------------------------------------------------------------------------------------------
// Activations and messages

export interface ActivationBounds {
  /** Activations that run (not skipped by `max rounds`), per agent; 0 for a stand-in or a work lead. */
  activations: Map<string, number>;
  /** Messages each channel accepts. */
  messages: Map<string, number>;
  /** Agents in a loop with no bound, counted as one trip round. */
  unbounded: string[];
  /** Those loops: agents and channels that feed each other with nothing bounding them (T700). */
  unboundedLoops: UnboundedLoop[];
}

export interface UnboundedLoop {
  agents: string[];
  channels: string[];
}

/**
 * The most activations each agent and the most messages each channel can have in one run, by
 * the runtime's rules (see the module comment). Nodes are agents and channels, with an edge from
 * an agent to each channel it emits on and from a channel to each agent it activates (a join
 * activates nothing: its agent runs once).
 */
export function worstCaseActivations(definition: TeamDefinition<unknown, unknown>): ActivationBounds {
  const agents = definition.agents;
  const channels = definition.channels;
  const helpers = standIns(definition);
  const consensusOver = new Map(definition.consensus.map((c) => [c.over, c]));
  const workBy = new Map(definition.work.map((w) => [w.by, w]));
  const channelIndex = new Map(channels.map((c, i) => [c.name, agents.length + i]));

  const from: number[] = [];
  const to: number[] = [];
  const producers: number[][] = channels.map(() => []);
  agents.forEach((agent, i) => {
    for (const emit of agent.emits) {
      const c = channelIndex.get(emit.channel);
      if (c === undefined) continue;
      from.push(i), to.push(c);
      producers[c - agents.length]!.push(i);
    }
    for (const take of agent.takes) {
      const c = take.from === 'channel' && !take.all ? channelIndex.get(take.source) : undefined;
      if (c !== undefined) from.push(c), to.push(i);
    }
  });
  const graph = createDigraph([...agents.map((a) => a.name), ...channels.map((c) => c.name)], from, to);
  const components = stronglyConnected(graph);
  const value = new Float64Array(graph.names.length).fill(Infinity);

  /** Messages of a channel one consumer handles: each, or each up to once per transmission. */
  const handled = (channel: string) => {
    const c = channelIndex.get(channel);
    if (c === undefined) return 0;
    return times(value[c]!, channels[c - agents.length]!.delivery === 'at_least_once' ? AT_LEAST_ONCE_HANDLINGS : 1);
  };
  const evaluate = (v: number): number => {
    if (v >= agents.length) {
      const channel = channels[v - agents.length]!;
      const sent = producers[v - agents.length]!.reduce((sum, p) => sum + times(value[p]!, messagesPerActivation(agents[p]!)), 0);
      return Math.min(channel.maxRounds ?? Infinity, sent);
    }
    const agent = agents[v]!;
    return helpers.has(agent.name) ? 0 : activationsOf(agent, handled);
  };
  const messagesPerActivation = (agent: AgentDefinition): number => {
    // An output `T[]` sends one message per element; the length is only known at run time, so it counts as one.
    if (consensusOver.has(agent.name)) return 1; // only the decided value is emitted
    const work = workBy.get(agent.name);
    if (work) return work.tasks.length * executionsPerTask(work, agent); // each task's worker emits its output
    return agent.replicas;
  };

  const unbounded: string[] = [];
  const unboundedLoops: UnboundedLoop[] = [];
  // Tarjan lists components consumers first: walking the ids down visits producers first.
  for (let id = components.members.length - 1; id >= 0; id--) {
    const members = components.members[id]!;
    if (!components.cyclic[id]) {
      value[members[0]!] = evaluate(members[0]!);
      continue;
    }
    // Down from infinity: every pass keeps a sound bound, so a cap on passes costs precision only.
    for (let pass = 0, changed = true; changed && pass < members.length + 2; pass++) {
      changed = false;
      for (const v of members) {
        const next = evaluate(v);
        if (next !== value[v]) (value[v] = next), (changed = true);
      }
    }
    // Nothing bounds these (T700): each still infinite value depends on another, round a cycle
    // that no bound cuts — the whole loop, or a cycle inside it that avoids its bound. Count
    // one trip round, as the analyser does.
    const stuck = members.filter((v) => value[v] === Infinity);
    if (stuck.length === 0) continue;
    unboundedLoops.push(...cyclesAmong(graph, stuck, agents.length));
    for (const v of stuck) if (v < agents.length) (value[v] = 1), unbounded.push(agents[v]!.name);
    for (const v of stuck) if (v >= agents.length) value[v] = evaluate(v);
  }
  return {
    activations: new Map(agents.map((a, i) => [a.name, value[i]!])),
    messages: new Map(channels.map((c, i) => [c.name, value[agents.length + i]!])),
    unbounded,
    unboundedLoops,
  };
}

/**
 * The runtime's activation rule (runtime/team.ts `AgentGroup`), given how many messages of each
 * channel the agent handles: paired per-message takes fire once per complete set; without a
 * required one, once at the start, then once per message of an optional take; `max rounds` on the
 * agent skips the activations past it.
 */
export function activationsOf(agent: AgentDefinition, handled: (channel: string) => number): number {
  const takes = agent.takes.filter((t) => t.from === 'channel' && !t.all);
  const required = takes.filter((t) => !t.optional);
  const count = required.length > 0 ? Math.min(...required.map((t) => handled(t.source))) : takes.reduce((sum, t) => sum + handled(t.source), 1);
  return Math.min(agent.maxRounds ?? Infinity, count);
}

/**
 * Agents that only stand in for others — fallbacks, validators, work leads — as the runtime
 * reads them (runtime/team.ts `compileTeam`): never activated on their own, their takes consume
 * nothing and their emits send nothing of theirs; their time and spend are their principal's.
 */
export function standIns(definition: TeamDefinition<unknown, unknown>): Set<string> {
  return new Set([
    ...definition.agents.flatMap((a) => [...(a.policy.fallback ?? []), ...(a.policy.validator ? [a.policy.validator] : [])]),
    ...definition.work.flatMap((w) => (w.assign.lead ? [w.assign.lead] : [])),
  ]);
}

/** The cycles among `nodes` of `graph` (agents below `agentCount`, then channels): the cyclic components of the subgraph they induce. */
function cyclesAmong(graph: Digraph, nodes: readonly number[], agentCount: number): UnboundedLoop[] {
  const local = new Map(nodes.map((v, i) => [v, i]));
  const from: number[] = [];
  const to: number[] = [];
  for (const v of nodes) {
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) {
      const w = local.get(graph.to[graph.outEdges[i]!]!);
      if (w !== undefined) from.push(local.get(v)!), to.push(w);
    }
  }
  const sub = stronglyConnected(createDigraph(nodes.map((v) => graph.names[v]!), from, to));
  return sub.members
    .filter((_, id) => sub.cyclic[id])
    .map((members) => members.map((i) => nodes[i]!).sort((a, b) => a - b))
    .map((members) => ({
      agents: members.filter((v) => v < agentCount).map((v) => graph.names[v]!),
      channels: members.filter((v) => v >= agentCount).map((v) => graph.names[v]!),
    }));
}

/** With a lease, a task whose lease ran out is claimed again: it may run once on every worker. */
export function executionsPerTask(work: WorkDefinition, by: AgentDefinition): number {
  return work.assign.policy === 'claim' && work.leaseMs !== undefined ? Math.max(1, by.replicas) : 1;
}

// ---------------------------------------------------------------------------------------------
// One call

/** Model calls of one policy stack of the agent: every attempt of every hedged copy, every tool round. */
function ownCalls(agent: AgentDefinition): number {
  return attemptsOf(agent) * (agent.calls.length > 0 ? CALLS_PER_TOOL_ATTEMPT : 1);
}

/** Attempts of one policy stack: the retries, of each hedged copy. */
function attemptsOf(agent: AgentDefinition): number {
  return (agent.policy.retry?.attempts ?? 1) * (agent.policy.hedge ? HEDGED_COPIES : 1);
}

function callFactors(agent: AgentDefinition): string[] {
  return [
    ...(agent.policy.hedge ? [`${HEDGED_COPIES} hedged copies`] : []),
    plural(agent.policy.retry?.attempts ?? 1, 'attempt'),
    ...(agent.calls.length > 0 ? [`${CALLS_PER_TOOL_ATTEMPT} calls (tool rounds)`] : []),
  ];
}

/**
 * Prompt tokens every call of the template bills at least: the provider's estimate of a prompt
 * made of the template's fixed text (what renders whatever the variables hold).
 */
export function promptTokens(template: string): number {
  return estimatePromptTokens([{ role: 'user', content: fixedText(template) }]);
}

/**
 * The text of a template that every rendering contains: its text outside blocks, and of a block
 * with an `{{else}}` the shorter branch (an `{{#if}}` without one may render nothing, an
 * `{{#each}}` may loop no times). A template that does not parse (T206) has none.
 */
export function fixedText(template: string): string {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(template);
  } catch {
    return '';
  }
  return fixedOf(program);
}

function fixedOf(program: hbs.AST.Program | undefined): string {
  let text = '';
  for (const node of program?.body ?? []) {
    if (node.type === 'ContentStatement') text += (node as hbs.AST.ContentStatement).value;
    else if (node.type === 'BlockStatement') {
      const block = node as hbs.AST.BlockStatement;
      if (!block.inverse) continue;
      const [then, otherwise] = [fixedOf(block.program), fixedOf(block.inverse)];
      text += then.length <= otherwise.length ? then : otherwise;
    }
  }
  return text;
}

function dollarsFor(model: ModelDefinition | undefined, prompt: number, answer: number): number | undefined {
  if (!model?.price) return undefined;
  return (prompt * model.price.inputPerMillion + answer * model.price.outputPerMillion) / 1e6;
}

// ---------------------------------------------------------------------------------------------

/** a × b where 0 × ∞ is 0 (an agent that never runs sends nothing, however many it would). */
function times(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : a * b;
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${count === 1 ? noun : `${noun}s`}`;
}

function scale(cost: Cost, n: number): Cost {
  return { tokens: cost.tokens * n, dollars: cost.dollars === undefined ? undefined : cost.dollars * n };
}

function addInto(total: Cost, more: Cost): void {
  total.tokens += more.tokens;
  total.dollars = total.dollars === undefined || more.dollars === undefined ? undefined : total.dollars + more.dollars;
}

/**
 * The most decisions a work lead can make for n tasks: each decision assigns a task (n at most)
 * or waits for the graph to change, and each task's end changes it twice (the task finishes,
 * tasks after it become ready) — 3n + 2 in all. The analyser's schedule predicts fewer; a worst
 * case must not.
 */
export function leadDecisionsAtMost(tasks: number): number {
  return 3 * tasks + 2;
}
