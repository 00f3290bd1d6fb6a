/**
 * Termination, time and money (T700–T702): does every run end, and what can it spend?
 *
 * Both questions are asked of the team's flow graph: agents and channels as nodes, an edge from
 * an agent to each channel it emits on and from a channel to each agent that takes it. Channels
 * are nodes (not producer × consumer edges) so the graph stays linear in the declarations however
 * many agents share a channel. Its strongly connected components (Tarjan) are the team's loops;
 * a loop ends when any agent or channel in it has `max rounds`.
 *
 * The flow graph, the loops and the worst-case spend are exported: the latency rule (T504) and
 * the design advice (T900) read the same loops.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { createDiagnostic, formatCount, formatMoney } from '../../diagnostics/registry.js';
import type { AgentModel, TeamModel } from '../../model.js';
import { analyzeWorkGraph } from '../../analyze/report.js';
import { analysisInputsFromModel } from '../../analyze/from-model.js';
import { createDigraph, stronglyConnected, type Components, type Digraph } from '../../analyze/graph.js';
import type { RuleContext } from './context.js';

// ---------------------------------------------------------------------------------------------
// The flow graph and its loops

export interface AgentLoop {
  /** Members in declaration order. */
  agents: string[];
  channels: string[];
  /** One shortest cycle, from the first-declared member: `cycle[i]` emits on `via[i]`, which `cycle[i + 1]` takes (wrapping round). */
  cycle: string[];
  via: string[];
  /** The tightest `max rounds` among the loop's agents and channels; absent: the loop has none. */
  bound?: { rounds: number; kind: 'agent' | 'channel'; name: string };
}

export interface FlowGraph {
  /** Nodes: the agents in declaration order, then the channels. */
  graph: Digraph;
  agentCount: number;
  components: Components;
  loops: AgentLoop[];
  loopOf: ReadonlyMap<string, AgentLoop>;
}

const flowGraphs = new WeakMap<TeamModel, FlowGraph>();

export function flowGraph(team: TeamModel): FlowGraph {
  const cached = flowGraphs.get(team);
  if (cached) return cached;
  const agents = [...team.agents.values()];
  const channels = [...team.channels.values()];
  const index = new Map<string, number>();
  agents.forEach((a, i) => index.set(`agent:${a.name}`, i));
  channels.forEach((c, i) => index.set(`channel:${c.name}`, agents.length + i));
  const from: number[] = [];
  const to: number[] = [];
  for (const agent of agents) {
    const self = index.get(`agent:${agent.name}`)!;
    for (const emit of agent.emits) {
      const channel = index.get(`channel:${emit.channel}`);
      if (channel !== undefined) (from.push(self), to.push(channel));
    }
    for (const take of agent.takes) {
      if (take.from !== 'channel') continue;
      const channel = index.get(`channel:${take.source}`);
      if (channel !== undefined) (from.push(channel), to.push(self));
    }
  }
  const graph = createDigraph([...agents.map((a) => a.name), ...channels.map((c) => c.name)], from, to);
  const components = stronglyConnected(graph);
  const loops: AgentLoop[] = [];
  const loopOf = new Map<string, AgentLoop>();
  components.members.forEach((members, id) => {
    if (!components.cyclic[id]) return;
    const loopAgents = members.filter((v) => v < agents.length).map((v) => agents[v]!);
    const loopChannels = members.filter((v) => v >= agents.length).map((v) => channels[v - agents.length]!);
    const nodes = shortestCycle(graph, components, id, members[0]!);
    const loop: AgentLoop = {
      agents: loopAgents.map((a) => a.name),
      channels: loopChannels.map((c) => c.name),
      cycle: nodes.filter((v) => v < agents.length).map((v) => graph.names[v]!),
      via: nodes.filter((v) => v >= agents.length).map((v) => graph.names[v]!),
    };
    const bounds = [
      ...loopAgents.flatMap((a) => (a.maxRounds !== undefined ? [{ rounds: a.maxRounds, kind: 'agent' as const, name: a.name }] : [])),
      ...loopChannels.flatMap((c) => (c.maxRounds !== undefined ? [{ rounds: c.maxRounds, kind: 'channel' as const, name: c.name }] : [])),
    ];
    // The tightest bound ends the loop first; on a tie, the channel (where the doc advises it).
    const bound = bounds.reduce<AgentLoop['bound']>((best, b) => (best === undefined || b.rounds < best.rounds || (b.rounds === best.rounds && b.kind === 'channel' && best.kind === 'agent') ? b : best), undefined);
    if (bound) loop.bound = bound;
    loops.push(loop);
    for (const name of loop.agents) loopOf.set(name, loop);
  });
  // Components come out of Tarjan consumers first; report loops in declaration order.
  loops.sort((a, b) => index.get(`agent:${a.agents[0]}`)! - index.get(`agent:${b.agents[0]}`)!);
  const result = { graph, agentCount: agents.length, components, loops, loopOf };
  flowGraphs.set(team, result);
  return result;
}

/** Breadth first from `start` back to itself inside its component: a shortest cycle through it. */
function shortestCycle(graph: Digraph, components: Components, id: number, start: number): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) {
      const w = graph.to[graph.outEdges[i]!]!;
      if (w === start) {
        const path = [v];
        for (let u = v; u !== start; ) path.push((u = previous.get(u)!));
        return path.reverse();
      }
      if (components.component[w] === id && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

// ---------------------------------------------------------------------------------------------
// Figures shared by several rules

/** Instances of an agent that run each activation: its replicas, or the replicas of a vote over it. */
export function instancesOf(team: TeamModel, agent: AgentModel): number {
  let instances = agent.replicas;
  for (const name of agent.roles.consensus) instances = Math.max(instances, team.consensus.get(name)?.replicas ?? 0);
  return instances;
}

export function attemptsOf(agent: AgentModel): number {
  return agent.policy.retry?.attempts ?? 1;
}

/** How many times an activation can repeat: its loop's bound, times the rounds of a vote over it. */
export function roundsOf(team: TeamModel, agent: AgentModel): { loop: number; vote: number } {
  const loop = flowGraph(team).loopOf.get(agent.name)?.bound?.rounds ?? 1;
  let vote = 1;
  for (const name of agent.roles.consensus) vote = Math.max(vote, team.consensus.get(name)?.rounds ?? 1);
  return { loop, vote };
}

export interface SpendTerm {
  agent: string;
  /** `3 replicas × 3 attempts × 2k × 4 rounds`. */
  description: string;
  tokens: number;
}

export interface WorstCaseSpend {
  tokens: number;
  /** Undefined when a model that spends has no `price`. */
  dollars: number | undefined;
  terms: SpendTerm[];
  /** Agents with no `max_tokens` known (counted as 0). */
  uncounted: string[];
}

/**
 * The most one run can spend: for every activation of every instance, every attempt at its
 * `max_tokens`, times the rounds of its loop and of a vote over it; a fallback runs after each
 * activation that used up its attempts, a validator after each attempt; a work graph's worker
 * spends per task. Activations are the analyser's expected counts (an output `T[]` counts as one
 * message, since the length is only known at run time). Tokens are priced as output tokens, as
 * the analyser does: an upper estimate.
 */
export function worstCaseSpend(team: TeamModel): WorstCaseSpend {
  const inputs = analysisInputsFromModel(team);
  const activations = new Map(inputs.agents.nodes.map((n) => [n.name, n.activations]));
  const workOf = new Map([...team.work.values()].map((w, i) => [w.by, { model: w, input: inputs.work[i]! }]));
  const terms: SpendTerm[] = [];
  const uncounted = new Set<string>();
  let tokens = 0;
  let dollars: number | undefined = 0;

  /** What one call of the agent costs: tokens, and dollars when its model has a price. */
  const callCost = (agent: AgentModel): Cost => {
    if (agent.maxTokens === undefined) uncounted.add(agent.name);
    const perCall = agent.maxTokens ?? 0;
    const price = agent.model === undefined ? undefined : team.models.get(agent.model)?.price;
    return { tokens: perCall, dollars: price === undefined ? undefined : (perCall * price.outputPerMillion) / 1e6 };
  };
  const add = (agent: string, cost: Cost, times: number, description: string) => {
    if (times === 0 || cost.tokens === 0) return;
    tokens += times * cost.tokens;
    dollars = dollars === undefined || cost.dollars === undefined ? undefined : dollars + times * cost.dollars;
    terms.push({ agent, description, tokens: times * cost.tokens });
  };
  // A stand-in's cost when it runs once: every attempt, a validation after each, and its own
  // fallbacks after it. Memoised, so a long chain is walked once, not once per agent above it;
  // a chain that loops (T501) counts each member once.
  const standInCosts = new Map<string, Cost>();
  const standInCost = (agent: AgentModel): Cost => {
    const known = standInCosts.get(agent.name);
    if (known) return known;
    standInCosts.set(agent.name, { tokens: 0, dollars: 0 }); // in progress: a loop back here adds nothing
    const attempts = attemptsOf(agent);
    const total = scale(callCost(agent), attempts);
    const validator = agent.policy.validator === undefined ? undefined : team.agents.get(agent.policy.validator);
    if (validator) addInto(total, scale(standInCost(validator), attempts));
    for (const name of agent.policy.fallback) {
      const fallback = team.agents.get(name);
      if (fallback) addInto(total, standInCost(fallback));
    }
    standInCosts.set(agent.name, total);
    return total;
  };
  /** After each attempt a validator runs; after each activation that used every attempt, the fallbacks do. */
  const addStandIns = (agent: AgentModel, failedActivations: number) => {
    const validator = agent.policy.validator === undefined ? undefined : team.agents.get(agent.policy.validator);
    const attempts = failedActivations * attemptsOf(agent);
    if (validator) add(validator.name, standInCost(validator), attempts, `${validator.name} (validating \`${agent.name}\`) ${attempts} ${attempts === 1 ? 'time' : 'times'}`);
    for (const name of agent.policy.fallback) {
      const fallback = team.agents.get(name);
      if (fallback) add(name, standInCost(fallback), failedActivations, `${name} (for \`${agent.name}\`) ${failedActivations} × ${attemptsOf(fallback)} ${attemptsOf(fallback) === 1 ? 'attempt' : 'attempts'}`);
    }
  };

  for (const agent of team.agents.values()) {
    if (agent.helperOnly) continue; // spends through the agents it stands in for
    const attempts = attemptsOf(agent);
    const work = workOf.get(agent.name);
    const { loop, vote } = roundsOf(team, agent);
    const perRound = activations.get(agent.name) ?? 0;
    const runs = perRound * loop * vote;
    const perCall = callCost(agent);
    if (work) {
      const tasks = work.model.tasks.size;
      add(agent.name, perCall, runs * tasks * attempts, `${agent.name} ${tasks} tasks × ${attempts} attempts${runs === 1 ? '' : ` × ${runs} runs`} × ${formatCount(perCall.tokens)}`);
      addStandIns(agent, runs * tasks);
      const lead = work.model.assign.lead === undefined ? undefined : team.agents.get(work.model.assign.lead);
      if (lead) {
        const decisions = analyzeWorkGraph(work.input.graph, work.input.options).schedule.leadDecisions;
        add(lead.name, callCost(lead), runs * decisions * attemptsOf(lead), `${lead.name} ${decisions} decisions × ${attemptsOf(lead)} attempts × ${formatCount(lead.maxTokens ?? 0)}`);
      }
      continue;
    }
    const instances = instancesOf(team, agent);
    const factors = [
      `${instances} ${instances === 1 ? 'replica' : 'replicas'}`,
      `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`,
      ...(perRound > 1 ? [`${perRound} activations`] : []),
      ...(loop * vote > 1 ? [`${loop * vote} rounds`] : []),
      formatCount(perCall.tokens),
    ];
    add(agent.name, perCall, instances * runs * attempts, `${agent.name} ${factors.join(' × ')}`);
    addStandIns(agent, instances * runs);
  }
  return { tokens, dollars, terms, uncounted: [...uncounted] };
}

/** Tokens, and dollars when every model involved has a price. */
interface Cost {
  tokens: number;
  dollars: number | undefined;
}

function scale(cost: Cost, times: number): Cost {
  return { tokens: cost.tokens * times, dollars: cost.dollars === undefined ? undefined : cost.dollars * times };
}

function addInto(total: Cost, more: Cost): void {
  total.tokens += more.tokens;
  total.dollars = total.dollars === undefined || more.dollars === undefined ? undefined : total.dollars + more.dollars;
}

// ---------------------------------------------------------------------------------------------
// The rules

export function checkTermination(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  return [...unboundedLoops(team), ...overBudget(team), ...missingBudget(team)];
}

/** T700: a loop that nothing bounds. */
function unboundedLoops(team: TeamModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const loop of flowGraph(team).loops) {
    if (loop.bound) continue;
    const first = team.channels.get(loop.via[0]!);
    const primary = first ?? team.agents.get(loop.cycle[0]!)!;
    const related = loop.via.slice(1).flatMap((name, i) => {
      const channel = team.channels.get(name);
      return channel ? [{ file: channel.file, span: channel.nameSpan, message: `\`${loop.cycle[i + 1]}\` answers on \`${name}\`, closing the loop` }] : [];
    });
    const cycle = [...loop.cycle, loop.cycle[0]!];
    diagnostics.push(
      createDiagnostic({
        code: 'T700',
        args: { cycle },
        at: { file: primary.file, span: primary.nameSpan },
        label: first ? `\`${loop.cycle[0]}\` → \`${loop.cycle[1 % loop.cycle.length]}\` here, with no bound` : 'this agent feeds itself',
        related,
        notes: ['termination needs a variant: a count that every trip round the loop decreases, such as `max rounds`'],
        help: [first ? `add \`max rounds 4\` to \`channel ${first.name}\`` : `add \`max rounds 4\` to \`agent ${loop.cycle[0]}\``],
      }),
    );
  }
  return diagnostics;
}

/** T701: the worst case against the budget, in tokens and in dollars. */
function overBudget(team: TeamModel): Diagnostic[] {
  const budget = team.budget;
  if (budget === undefined) return [];
  const spend = worstCaseSpend(team);
  const diagnostics: Diagnostic[] = [];
  const breakdown = `${spend.terms.map((t) => t.description).join(' + ')}`;
  const related = [...spend.terms]
    .sort((a, b) => b.tokens - a.tokens)
    .slice(0, 3)
    .map((t) => {
      const agent = team.agents.get(t.agent)!;
      return { file: agent.file, span: agent.nameSpan, message: `up to ${formatCount(t.tokens)} tokens here` };
    });
  const uncounted = spend.uncounted.length > 0 ? [`${spend.uncounted.map((a) => `\`${a}\``).join(', ')} ${spend.uncounted.length === 1 ? 'has' : 'have'} no \`max_tokens\`: not counted`] : [];
  if (budget.tokens !== undefined && spend.tokens > budget.tokens) {
    diagnostics.push(
      createDiagnostic({
        code: 'T701',
        args: { unit: 'tokens', worstCase: spend.tokens, budget: budget.tokens },
        at: { file: team.file, span: budget.span },
        label: `${formatCount(spend.tokens - budget.tokens)} tokens short of the worst case`,
        related,
        notes: [breakdown, ...uncounted],
        help: [`raise the budget to \`${niceCount(spend.tokens)} tokens\`, or lower \`max_tokens\`, attempts or replicas`],
      }),
    );
  }
  if (budget.dollars !== undefined && spend.dollars !== undefined && spend.dollars > budget.dollars) {
    diagnostics.push(
      createDiagnostic({
        code: 'T701',
        args: { unit: 'dollars', worstCase: spend.dollars, budget: budget.dollars },
        at: { file: team.file, span: budget.span },
        label: `${formatMoney(spend.dollars - budget.dollars)} short of the worst case`,
        related,
        notes: [`${breakdown}, priced at each model's output price`, ...uncounted],
        help: [`raise the budget to \`${formatMoney(Math.ceil(spend.dollars * 100) / 100)}\`, or lower \`max_tokens\`, attempts or replicas`],
      }),
    );
  }
  return diagnostics;
}

/** T702: what multiplies spending, with nothing to stop it. */
function missingBudget(team: TeamModel): Diagnostic[] {
  if (team.budget !== undefined) return [];
  const cycles = flowGraph(team).loops.length > 0;
  const retries = [...team.agents.values()].some((a) => attemptsOf(a) > 1);
  if (!cycles && !retries) return [];
  const spend = worstCaseSpend(team);
  const money = spend.dollars !== undefined && spend.dollars > 0 ? ` ${formatMoney(Math.ceil(spend.dollars * 100) / 100)}` : '';
  return [
    createDiagnostic({
      code: 'T702',
      args: { team: team.name, because: cycles && retries ? 'cycles and retries' : cycles ? 'cycles' : 'retries' },
      at: { file: team.file, span: team.nameSpan },
      label: 'no `budget`',
      notes: ['retries and loops multiply the calls of a run; a budget is the bound that holds when a model misbehaves'],
      help: spend.tokens > 0 ? [`add \`budget ${niceCount(spend.tokens)} tokens${money}\` to \`team ${team.name}\` (its worst case)`] : [`add a \`budget\` to \`team ${team.name}\``],
    }),
  ];
}

/** A count rounded up to two significant digits, as the language writes it (`24k`, `1.3M`). */
export function niceCount(count: number): string {
  if (count <= 0) return '0';
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(count)) - 1);
  return formatCount(Math.ceil(count / scale) * scale);
}
