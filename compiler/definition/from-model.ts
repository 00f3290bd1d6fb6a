/**
 * Checked team → the runtime's `TeamDefinition`, in memory, for `teamc run` and `teamc simulate`.
 *
 * Two steps, so a code generator can share the first: `definitionData(team)` decides every value
 * of the contract (guarantees, policies with their defaults, consensus, work graphs, prompt text,
 * model prices) as plain data whose schemas are still model `Type`s; `toTeamDefinition(team)`
 * then turns each `Type` into a zod schema (`zod.ts`). The defaults for what a build forced past
 * checker errors may lack are the emitter's (compiler/emit/from-model.ts), so both paths run the
 * same team.
 */
import type {
  AgentDefinition,
  ChannelDefinition,
  ConsensusDefinition,
  InputDefinition,
  ModelDefinition,
  OutputDefinition,
  PolicyDefinition,
  Schema,
  StoreDefinition,
  TeamDefinition,
  ToolDefinition,
  WorkDefinition,
} from '../../runtime/definition.js';
import type { AgentModel, ConsensusModel, ModelModel, TeamModel, ToolModel, Type, WorkModel } from '../model.js';
import { SchemaBuilder } from './zod.js';

/** `T` with every zod schema replaced by the checked model's `Type` it comes from. */
export type WithTypes<T> = T extends Schema
  ? Type
  : T extends readonly (infer E)[]
    ? WithTypes<E>[]
    : T extends object
      ? { [K in keyof T]: WithTypes<T[K]> }
      : T;

export type InputData = WithTypes<InputDefinition>;
export type OutputData = WithTypes<OutputDefinition>;
export type ChannelData = WithTypes<ChannelDefinition>;
export type StoreData = WithTypes<StoreDefinition>;
export type ToolData = WithTypes<ToolDefinition>;
export type AgentData = WithTypes<AgentDefinition>;

/** A team definition as plain data: what `toTeamDefinition` builds, before schemas. */
export interface DefinitionData {
  name: string;
  doc?: string;
  inputs: InputData[];
  outputs: OutputData[];
  deadlineMs?: number;
  budget?: { tokens?: number; dollars?: number };
  models: ModelDefinition[];
  channels: ChannelData[];
  stores: StoreData[];
  tools: ToolData[];
  agents: AgentData[];
  consensus: ConsensusDefinition[];
  work: WorkDefinition[];
}

/** Something the model lacks that no definition can stand in for (only after checker errors). */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  constructor(
    readonly team: string,
    readonly problems: string[],
  ) {
    super(`cannot run team ${team}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The whole definition the runtime runs, schemas included. Throws `DefinitionError` when the model is incomplete. */
export function toTeamDefinition(team: TeamModel): TeamDefinition<Record<string, unknown>, Record<string, unknown>> {
  const data = definitionData(team);
  const schemas = new SchemaBuilder();
  const s = (type: Type) => schemas.schemaOf(type);
  return {
    ...data,
    inputs: data.inputs.map((i) => ({ ...i, schema: s(i.schema) })),
    outputs: data.outputs.map((o) => ({ ...o, schema: s(o.schema) })),
    channels: data.channels.map((c) => ({ ...c, schema: s(c.schema) })),
    stores: data.stores.map((st) => ({ ...st, schema: s(st.schema) })),
    tools: data.tools.map(({ input, output, ...rest }) => ({ ...rest, input: s(input), ...(output !== undefined ? { output: s(output) } : {}) })),
    agents: data.agents.map((a) => ({ ...a, output: s(a.output) })),
  };
}

/** Every value of the definition, schemas as model types. Throws `DefinitionError` when the model is incomplete. */
export function definitionData(team: TeamModel): DefinitionData {
  const problems: string[] = [];
  const agents = [...team.agents.values()].map((agent) => agentData(agent, problems));
  if (problems.length > 0) throw new DefinitionError(team.name, problems);
  const budget = team.budget && (team.budget.tokens !== undefined || team.budget.dollars !== undefined) ? team.budget : undefined;
  return {
    name: team.name,
    ...optional('doc', team.doc),
    inputs: [...team.inputs.values()].map((input) => ({ name: input.name, schema: input.type })),
    outputs: [...team.outputs.values()].map((output) => ({ name: output.name, schema: output.type, from: output.from })),
    ...optional('deadlineMs', team.deadlineMs),
    ...(budget ? { budget: { ...optional('tokens', budget.tokens), ...optional('dollars', budget.dollars) } } : {}),
    models: [...team.models.values()].map(modelData),
    channels: [...team.channels.values()].map((c) => ({
      name: c.name,
      schema: c.type,
      ordering: c.ordering,
      delivery: c.delivery,
      ...optional('capacity', c.capacity),
      ...optional('backpressure', c.backpressure),
      ...optional('maxRounds', c.maxRounds),
      ...optional('doc', c.doc),
    })),
    stores: [...team.stores.values()].map((st) => ({
      name: st.name,
      schema: st.type,
      consistency: st.consistency,
      ...optional('merge', st.merge),
      ...optional('doc', st.doc),
    })),
    tools: [...team.tools.values()].map(toolData),
    agents,
    consensus: [...team.consensus.values()].map(consensusData),
    work: [...team.work.values()].map(workData),
  };
}

function modelData(model: ModelModel): ModelDefinition {
  return {
    name: model.name,
    provider: model.provider,
    model: model.modelName,
    ...optional('temperature', model.temperature),
    ...optional('latencyMs', model.latencyMs),
    ...optional('maxTokens', model.maxTokens),
    ...(model.price ? { price: { inputPerMillion: model.price.inputPerMillion, outputPerMillion: model.price.outputPerMillion } } : {}),
    ...optional('doc', model.doc),
  };
}

function toolData(tool: ToolModel): ToolData {
  return {
    name: tool.name,
    kind: tool.kind,
    input: tool.input,
    ...optional('output', tool.returns),
    ...(tool.key && tool.key.length > 0 ? { idempotencyKey: tool.key.map((segments) => segments.join('.')) } : {}),
    ...optional('timeoutMs', tool.timeoutMs),
    ...optional('doc', tool.doc),
  };
}

function agentData(agent: AgentModel, problems: string[]): AgentData {
  if (agent.model === undefined) problems.push(`agent ${agent.name} has no model`);
  if (agent.prompt === undefined) problems.push(`agent ${agent.name} has no prompt`);
  return {
    name: agent.name,
    ...optional('doc', agent.doc),
    model: agent.model ?? '',
    replicas: agent.replicas,
    prompt: agent.prompt?.text ?? '',
    output: agent.output,
    takes: agent.takes.map((t) => ({ source: t.source, from: t.from, all: t.all, optional: t.optional, ...optional('requires', t.requires) })),
    reads: agent.reads.map((r) => ({ store: r.store, ...optional('requires', r.requires) })),
    writes: agent.writes.map((w) => w.store),
    emits: agent.emits.map((e) => ({
      channel: e.channel,
      ...(e.when ? { when: e.when.join('.') } : {}),
      ...(e.unless ? { unless: e.unless.join('.') } : {}),
    })),
    calls: agent.calls.map((c) => c.tool),
    policy: policyData(agent),
    ...optional('maxRounds', agent.maxRounds),
    optional: agent.optional,
    ...optional('maxTokens', agent.maxTokens),
  };
}

function policyData(agent: AgentModel): PolicyDefinition {
  const { policy } = agent;
  const retry = policy.retry;
  return {
    ...optional('timeoutMs', policy.timeoutMs),
    // Without a back-off, retries follow one another with no pause: a constant zero delay.
    ...(retry
      ? {
          retry: {
            attempts: retry.attempts,
            backoff: retry.backoff?.strategy ?? 'constant',
            minMs: retry.backoff?.minMs ?? 0,
            maxMs: retry.backoff?.maxMs ?? 0,
            jitter: retry.jitter,
          },
        }
      : {}),
    ...(policy.breaker ? { breaker: { failures: policy.breaker.failures, windowMs: policy.breaker.windowMs, cooldownMs: policy.breaker.cooldownMs } } : {}),
    ...(policy.hedge ? { hedge: { afterMs: policy.hedge.afterMs } } : {}),
    ...(policy.fallback.length > 0 ? { fallback: [...policy.fallback] } : {}),
    ...optional('validator', policy.validator),
  };
}

function consensusData(consensus: ConsensusModel): ConsensusDefinition {
  return {
    name: consensus.name,
    ...optional('doc', consensus.doc),
    over: consensus.over,
    replicas: consensus.replicas,
    quorum: consensus.quorum,
    faults: { count: consensus.faults.count, model: consensus.faults.model },
    agreeOn: consensus.agreeOn.map((segments) => segments.join('.')),
    ...optional('normalize', consensus.normalize),
    // The checker requires a bound: `rounds`, or a `tie_break` (then one round). With neither (T604)
    // the definition has no `rounds`: the runtime refuses it unless allowUnsafe, which votes until
    // a quorum decides. Absent, the tie-break is the safe one: no decision without a quorum.
    ...optional('rounds', consensus.rounds ?? (consensus.tieBreak !== undefined ? 1 : undefined)),
    tieBreak: consensus.tieBreak ?? 'reject',
    protocol: consensus.protocol,
  };
}

function workData(work: WorkModel): WorkDefinition {
  return {
    name: work.name,
    ...optional('doc', work.doc),
    by: work.by,
    assign: { policy: work.assign.policy, ...optional('lead', work.assign.lead) },
    ...optional('leaseMs', work.leaseMs),
    tasks: [...work.tasks.values()].map((task) => ({
      name: task.name,
      after: [...task.after],
      weight: task.weight,
      writes: [...task.writes],
      ...optional('doc', task.doc),
    })),
  };
}

/** `{ key: value }` when the value is present, `{}` otherwise (exactOptionalPropertyTypes leaves no `undefined` fields). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
