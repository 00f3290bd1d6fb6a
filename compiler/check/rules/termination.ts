/**
 * Termination, time and money (T700–T702): does every run end, and what can it spend?
 *
 * Both questions are asked of the team's flow graph: agents and channels as nodes, an edge from
 * an agent to each channel it emits on and from a channel to each agent that takes it. Channels
 * are nodes (not producer × consumer edges) so the graph stays linear in the declarations however
 * many agents share a channel. Its strongly connected components (Tarjan) are the team's loops;
 * a loop ends when any agent or channel in it has `max rounds` — and when every cycle inside it
 * passes that bound: the worst-case count (which runs out of numbers on a cycle nothing bounds)
 * finds a cycle that avoids it.
 *
 * The flow graph and the loops are exported: the latency rule (T504) and the design advice (T900)
 * read the same loops. The worst-case spend is counted in compiler/analyze/worst-case.ts.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { createDiagnostic, formatCount, formatMoney } from '../../diagnostics/registry.js';
import type { AgentModel, TeamModel } from '../../model.js';
import { worstCaseSpendOfModel } from '../../analyze/from-model.js';
import type { WorstCaseSpend } from '../../analyze/worst-case.js';
import { DEFAULT_MAX_TOKENS } from '../../../runtime/agent.js';
import { createDigraph, shortestCycle, stronglyConnected, type Components, type Digraph } from '../../analyze/graph.js';
import type { RuleContext } from './context.js';

export type { SpendTerm, UnboundedLoop, WorstCaseSpend } from '../../analyze/worst-case.js';

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
    const nodes = shortestCycle(graph, (w) => components.component[w] === id, members[0]!);
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

/**
 * The most one run can spend, counted on the definition that runs (compiler/analyze/worst-case.ts):
 * activations by the runtime's rules (a loop's agents may run once more than its channel's
 * `max rounds`), at-least-once redeliveries, replicas, vote rounds, tasks, attempts, hedges, tool
 * rounds, validators and fallbacks, each call at its `max_tokens` plus its prompt's fixed text.
 */
export function worstCaseSpend(team: TeamModel): WorstCaseSpend {
  return worstCaseSpendOfModel(team);
}

// ---------------------------------------------------------------------------------------------
// The rules

export function checkTermination(team: TeamModel, _ctx: RuleContext): Diagnostic[] {
  return [...unboundedLoops(team), ...overBudget(team), ...missingBudget(team)];
}

/**
 * T700: a loop that nothing bounds — one with no `max rounds` at all, or a cycle inside a bounded
 * loop that never passes its bound (the worst-case count finds it: its activations have no limit).
 */
function unboundedLoops(team: TeamModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const flow = flowGraph(team);
  const hidden = flow.loops.some((l) => l.bound) ? worstCaseSpend(team).unboundedLoops : [];
  for (const loop of flow.loops) {
    if (!loop.bound) {
      diagnostics.push(unboundedLoop(team, loop));
      continue;
    }
    // A cycle that avoids the bound: reported on its own, with the bound that does not reach it.
    const members = new Set(loop.agents);
    for (const inner of hidden.filter((h) => h.agents.length > 0 && h.agents.every((a) => members.has(a)))) {
      const nodes = new Set([...inner.agents, ...inner.channels].map((name) => flow.graph.names.indexOf(name)));
      const start = flow.graph.names.indexOf(inner.agents[0]!);
      const cycle = shortestCycle(flow.graph, (w) => nodes.has(w), start);
      const bound = loop.bound;
      diagnostics.push(
        unboundedLoop(team, {
          ...loop,
          cycle: cycle.filter((v) => v < flow.agentCount).map((v) => flow.graph.names[v]!),
          via: cycle.filter((v) => v >= flow.agentCount).map((v) => flow.graph.names[v]!),
        }, `\`max rounds ${bound.rounds}\` on \`${bound.name}\` bounds the loop it closes, not this cycle: nothing on it counts down`),
      );
    }
  }
  return diagnostics;
}

function unboundedLoop(team: TeamModel, loop: AgentLoop, why?: string): Diagnostic {
  const first = team.channels.get(loop.via[0]!);
  const primary = first ?? team.agents.get(loop.cycle[0]!)!;
  const related = loop.via.slice(1).flatMap((name, i) => {
    const channel = team.channels.get(name);
    return channel ? [{ file: channel.file, span: channel.nameSpan, message: `\`${loop.cycle[i + 1]}\` answers on \`${name}\`, closing the loop` }] : [];
  });
  return createDiagnostic({
    code: 'T700',
    args: { cycle: [...loop.cycle, loop.cycle[0]!] },
    at: { file: primary.file, span: primary.nameSpan },
    label: first ? `\`${loop.cycle[0]}\` → \`${loop.cycle[1 % loop.cycle.length]}\` here, with no bound` : 'this agent feeds itself',
    related,
    notes: [...(why ? [why] : []), 'termination needs a variant: a count that every trip round the loop decreases, such as `max rounds`'],
    help: [first ? `add \`max rounds 4\` to \`channel ${first.name}\`` : `add \`max rounds 4\` to \`agent ${loop.cycle[0]}\``],
  });
}

/** What the worst case cannot know: the prompts' inputs (their size is only known at run time). */
export const PROMPT_NOTE = "the worst case counts each prompt's fixed text; the inputs filled into it add to that";

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
  const names = (agents: string[]) => `${agents.map((a) => `\`${a}\``).join(', ')} ${agents.length === 1 ? 'has' : 'have'} no \`max_tokens\``;
  const caveats = [
    PROMPT_NOTE,
    ...(spend.uncounted.length > 0 ? [`${names(spend.uncounted)}: not counted`] : []),
    ...(spend.defaulted.length > 0 ? [`${names(spend.defaulted)}: counted at the runtime's default of ${DEFAULT_MAX_TOKENS} tokens an answer`] : []),
  ];
  if (budget.tokens !== undefined && spend.tokens > budget.tokens) {
    diagnostics.push(
      createDiagnostic({
        code: 'T701',
        args: { unit: 'tokens', worstCase: spend.tokens, budget: budget.tokens },
        at: { file: team.file, span: budget.span },
        label: `${formatCount(spend.tokens - budget.tokens)} tokens short of the worst case`,
        related,
        notes: [breakdown, ...caveats],
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
        notes: [`${breakdown}, priced at each model's input and output prices`, ...caveats],
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
      notes: ['retries and loops multiply the calls of a run; a budget is the bound that holds when a model misbehaves', ...(spend.tokens > 0 ? [PROMPT_NOTE] : [])],
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
