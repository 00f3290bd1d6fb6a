/**
 * From a `TeamDefinition` (the plain-data contract the runtime runs, `runtime/definition.ts`) to
 * the analyser's inputs, and the whole team's reports in one call. The definition is what the
 * checked model becomes for `teamc run` and for generated code, so analysing it analyses exactly
 * what runs.
 *
 * What a definition does not say is estimated, and each estimate is stated here once:
 * - an agent's expected activations: 1 for one that takes only team inputs and joins; one per
 *   message of its per-message takes (the fewest, when it pairs several); plus one per message of
 *   its optional takes; at most its `max rounds`; one per round inside a loop; 0 for an agent
 *   that only stands in (a fallback or a validator) or that leads a work graph (counted there);
 * - messages per activation on a channel: 1, or `elementsPerArray` for an output of type `T[]`
 *   (one message per element; the count is only known at run time);
 * - the cost of one activation: its `max_tokens` (the agent's, else the model's), priced as output
 *   tokens — an expected figure, since no prompt is known before a run (the worst case a budget
 *   must cover, prompts, retries and redeliveries included, is worst-case.ts's);
 * - a work graph's agent is one node whose activation lasts the work graph's predicted makespan
 *   and costs its tasks (and its lead's decisions); the work graph has its own, exact report.
 */
import type { AgentDefinition, ModelDefinition, Schema, TeamDefinition, WorkDefinition } from '../../runtime/definition.js';
import { createDigraph, stronglyConnected, type AgentEdge, type AgentGraph, type AgentNode, type Cost, type WorkGraph } from './graph.js';
import { analyzeAgentGraph, analyzeWorkGraph, type AgentAnalysisOptions, type AgentReport, type WorkAnalysisOptions, type WorkReport } from './report.js';

export interface DefinitionAnalysisOptions {
  /** Messages an output `T[]` sends per activation on a channel of `T`. Default 1. */
  readonly elementsPerArray?: number;
  /** Sizes tabulated for each work graph (see `WorkAnalysisOptions.maxWorkers`). */
  readonly maxWorkers?: number;
}

export interface WorkInput {
  readonly name: string;
  readonly graph: WorkGraph;
  readonly options: WorkAnalysisOptions;
}

export interface TeamAnalysisInputs {
  readonly agents: AgentGraph;
  readonly agentOptions: AgentAnalysisOptions;
  readonly work: WorkInput[];
}

export interface TeamReports {
  readonly team: string;
  readonly agents: AgentReport;
  readonly work: { readonly name: string; readonly report: WorkReport }[];
}

/** Every report of a team: its agent graph, and each work graph on its own. */
export function analyzeTeam(definition: TeamDefinition<unknown, unknown>, options: DefinitionAnalysisOptions = {}): TeamReports {
  const inputs = analysisInputs(definition, options);
  return {
    team: definition.name,
    agents: analyzeAgentGraph(inputs.agents, inputs.agentOptions),
    work: inputs.work.map((w) => ({ name: w.name, report: analyzeWorkGraph(w.graph, w.options) })),
  };
}

export function analysisInputs(definition: TeamDefinition<unknown, unknown>, options: DefinitionAnalysisOptions = {}): TeamAnalysisInputs {
  const models = new Map(definition.models.map((m) => [m.name, m]));
  const agents = new Map(definition.agents.map((a) => [a.name, a]));
  const modelOf = (agent: AgentDefinition | undefined): ModelDefinition | undefined => (agent ? models.get(agent.model) : undefined);
  const latencyOf = (agent: AgentDefinition | undefined) => modelOf(agent)?.latencyMs ?? 0;
  const costOf = (agent: AgentDefinition | undefined): Cost => {
    const tokens = agent?.maxTokens ?? modelOf(agent)?.maxTokens ?? 0;
    return { tokens, dollars: (tokens * (modelOf(agent)?.price?.outputPerMillion ?? 0)) / 1e6 };
  };

  const work = definition.work.map((graph) => workInput(graph, agents.get(graph.by), agents.get(graph.assign.lead ?? ''), latencyOf, costOf, options));
  const workBy = new Map(definition.work.map((graph, i) => [graph.by, { definition: graph, input: work[i]! }]));
  const leads = new Set(definition.work.flatMap((graph) => (graph.assign.lead ? [graph.assign.lead] : [])));
  const standIns = new Set(definition.agents.flatMap((a) => [...(a.policy.fallback ?? []), ...(a.policy.validator ? [a.policy.validator] : [])]));
  const voters = new Map(definition.consensus.map((c) => [c.over, c.replicas]));

  // Edges: producer × consumer for every channel, writer × reader for every store.
  const elements = options.elementsPerArray ?? 1;
  const edges: AgentEdge[] = [];
  for (const channel of definition.channels) {
    const producers = definition.agents.filter((a) => a.emits.some((e) => e.channel === channel.name));
    for (const consumer of definition.agents) {
      for (const take of consumer.takes) {
        if (take.from !== 'channel' || take.source !== channel.name) continue;
        for (const producer of producers) {
          edges.push({
            from: producer.name,
            to: consumer.name,
            kind: take.all ? 'join' : 'channel',
            messagesPerActivation: isArray(producer.output) ? elements : 1,
            channel: channel.name,
            optional: take.optional,
            ...(channel.maxRounds !== undefined ? { maxRounds: channel.maxRounds } : {}),
          });
        }
      }
    }
  }
  for (const store of definition.stores) {
    const readers = definition.agents.filter((a) => a.reads.some((r) => r.store === store.name));
    for (const writer of definition.agents.filter((a) => a.writes.includes(store.name))) {
      for (const reader of readers) edges.push({ from: writer.name, to: reader.name, kind: 'store', messagesPerActivation: 1, channel: store.name });
    }
  }

  const replicasOf = (agent: AgentDefinition) => (workBy.has(agent.name) ? 1 : (voters.get(agent.name) ?? agent.replicas));
  const activations = expectedActivations(definition.agents, edges, replicasOf, (agent) => (leads.has(agent.name) || standIns.has(agent.name) ? 0 : undefined));

  const nodes: AgentNode[] = definition.agents.map((agent) => {
    const graph = workBy.get(agent.name);
    if (!graph) {
      return {
        name: agent.name,
        latencyMs: latencyOf(agent),
        replicas: replicasOf(agent),
        activations: activations.get(agent.name)!,
        costPerActivation: costOf(agent),
        ...(agent.maxRounds !== undefined ? { maxRounds: agent.maxRounds } : {}),
      };
    }
    // One activation of a work agent runs its whole graph.
    const report = analyzeWorkGraph(graph.input.graph, graph.input.options);
    return {
      name: agent.name,
      latencyMs: report.predicted.makespanMs ?? 0,
      replicas: 1,
      activations: activations.get(agent.name)!,
      costPerActivation: report.cost ?? { tokens: 0, dollars: 0 },
    };
  });

  // T304: the writers of a strong store, and the producers of a total channel, take turns.
  const serialise: string[][] = [];
  const instances = (names: string[]) => names.reduce((sum, name) => sum + replicasOf(agents.get(name)!), 0);
  for (const store of definition.stores) {
    if (store.consistency !== 'strong') continue;
    const writers = definition.agents.filter((a) => a.writes.includes(store.name)).map((a) => a.name);
    if (instances(writers) > 1) serialise.push(writers);
  }
  for (const channel of definition.channels) {
    if (channel.ordering !== 'total') continue;
    const producers = definition.agents.filter((a) => a.emits.some((e) => e.channel === channel.name)).map((a) => a.name);
    if (instances(producers) > 1) serialise.push(producers);
  }

  return { agents: { nodes, edges }, agentOptions: serialise.length > 0 ? { serialise } : {}, work };
}

function workInput(
  graph: WorkDefinition,
  by: AgentDefinition | undefined,
  lead: AgentDefinition | undefined,
  latencyOf: (agent: AgentDefinition | undefined) => number,
  costOf: (agent: AgentDefinition | undefined) => Cost,
  options: DefinitionAnalysisOptions,
): WorkInput {
  const unitMs = latencyOf(by);
  const policy = graph.assign.policy;
  return {
    name: graph.name,
    graph: { tasks: graph.tasks.map((t) => ({ name: t.name, weight: t.weight, after: t.after })) },
    options: {
      workers: Math.max(1, by?.replicas ?? 1),
      policy,
      ...(unitMs > 0 ? { unitMs } : {}),
      costPerTask: costOf(by),
      ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
      // The lead's model call is its decision time, in task-weight units (a weight-1 task lasts one call of the worker's model).
      ...(policy === 'lead' ? { lead: { overhead: unitMs > 0 ? latencyOf(lead) / unitMs : 0, per: 'batch' as const }, costPerDecision: costOf(lead) } : {}),
    },
  };
}

/**
 * Expected activations per run (per round inside a loop), producers before consumers: the
 * strongly connected components come out of Tarjan's algorithm consumers first.
 */
function expectedActivations(
  agents: readonly AgentDefinition[],
  edges: readonly AgentEdge[],
  replicasOf: (agent: AgentDefinition) => number,
  fixed: (agent: AgentDefinition) => number | undefined,
): Map<string, number> {
  const index = new Map(agents.map((a, i) => [a.name, i]));
  const triggering = edges.filter((e) => e.kind !== 'store');
  const graph = createDigraph(
    agents.map((a) => a.name),
    triggering.map((e) => index.get(e.from)!),
    triggering.map((e) => index.get(e.to)!),
  );
  const components = stronglyConnected(graph);
  const result = new Map<string, number>();
  const into = new Map<string, AgentEdge[]>();
  for (const e of triggering) {
    const key = `${e.to}\u0000${e.channel}`;
    into.set(key, [...(into.get(key) ?? []), e]);
  }
  const incoming = (agent: AgentDefinition, channel: string) =>
    (into.get(`${agent.name}\u0000${channel}`) ?? []).reduce(
      (sum, e) => sum + (result.get(e.from) ?? 0) * replicasOf(agents[index.get(e.from)!]!) * e.messagesPerActivation,
      0,
    );
  for (let id = components.members.length - 1; id >= 0; id--) {
    for (const v of components.members[id]!) {
      const agent = agents[v]!;
      let count = fixed(agent);
      if (count === undefined && components.cyclic[id]) count = 1; // per round; the loop's bound multiplies it
      if (count === undefined) {
        const perMessage = agent.takes.filter((t) => t.from === 'channel' && !t.all && !t.optional).map((t) => incoming(agent, t.source));
        const optional = agent.takes.filter((t) => t.from === 'channel' && !t.all && t.optional).reduce((sum, t) => sum + incoming(agent, t.source), 0);
        count = (perMessage.length > 0 ? Math.min(...perMessage) : 1) + optional;
      }
      result.set(agent.name, agent.maxRounds !== undefined && !components.cyclic[id] ? Math.min(count, agent.maxRounds) : count);
    }
  }
  return result;
}

/** Whether values of the schema are arrays (through optional and nullable wrappers). */
function isArray(schema: Schema): boolean {
  let def = (schema as { def?: { type?: string; innerType?: Schema } }).def;
  while (def && (def.type === 'optional' || def.type === 'nullable') && def.innerType) def = (def.innerType as { def?: typeof def }).def;
  return def?.type === 'array';
}
