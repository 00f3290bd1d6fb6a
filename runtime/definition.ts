/**
 * The contract between the compiler and the runtime: a `TeamDefinition` is plain data (names,
 * guarantees, policies, the graph), zod schemas for every value that crosses a boundary, and
 * prompt template text. Generated code is mostly one such object; `teamc run` builds the same
 * object in memory, so interpreted and generated teams behave identically.
 *
 * Nothing here is a function: a definition can be printed, diffed and snapshotted. Behaviour that
 * needs code (tool implementations) is passed to `createTeam` in its options.
 */
import type { z } from 'zod';

/** Any zod schema; the runtime only parses with it. */
export type Schema<T = unknown> = z.ZodType<T>;

// ---------------------------------------------------------------------------------------------
// Guarantee lattices. Each list is ordered weakest first: a provision satisfies a requirement when
// it is at or above it.

export const orderings = ['unordered', 'fifo', 'causal', 'total'] as const;
export type Ordering = (typeof orderings)[number];

export const deliveries = ['at_most_once', 'at_least_once', 'exactly_once'] as const;
export type Delivery = (typeof deliveries)[number];

export const consistencies = ['eventual', 'causal', 'strong'] as const;
export type Consistency = (typeof consistencies)[number];

export const merges = ['lww', 'append', 'union'] as const;
export type Merge = (typeof merges)[number];

export const backpressures = ['block', 'drop_oldest', 'drop_newest', 'reject'] as const;
export type Backpressure = (typeof backpressures)[number];

export const backoffs = ['exponential', 'linear', 'constant'] as const;
export type Backoff = (typeof backoffs)[number];

export const assignPolicies = ['preassigned', 'claim', 'lead'] as const;
export type AssignPolicy = (typeof assignPolicies)[number];

export const faultModels = ['crash', 'byzantine'] as const;
export type FaultModel = (typeof faultModels)[number];

export const tieBreaks = ['first', 'reject'] as const;
export type TieBreak = (typeof tieBreaks)[number];

export const protocols = ['vote', 'leader'] as const;
export type Protocol = (typeof protocols)[number];

export function orderingSatisfies(provided: Ordering, required: Ordering): boolean {
  return orderings.indexOf(provided) >= orderings.indexOf(required);
}

export function consistencySatisfies(provided: Consistency, required: Consistency): boolean {
  return consistencies.indexOf(provided) >= consistencies.indexOf(required);
}

// ---------------------------------------------------------------------------------------------
// Declarations

export interface InputDefinition {
  name: string;
  schema: Schema;
  doc?: string;
}

export interface OutputDefinition {
  name: string;
  schema: Schema;
  /** An agent (its last value), a consensus (its decided value) or a work graph (per-task outputs, in task order). */
  from: string;
  doc?: string;
}

export interface BudgetDefinition {
  tokens?: number;
  dollars?: number;
}

export interface PriceDefinition {
  /** US dollars per million input (prompt) tokens. */
  inputPerMillion: number;
  /** US dollars per million output (completion) tokens. */
  outputPerMillion: number;
}

export interface ModelDefinition {
  name: string;
  /** `openai`, `sim`, `replay`: resolved against the provider given to `createTeam`. */
  provider: string;
  /** The provider's model identifier, e.g. `gpt-4o-mini`. */
  model: string;
  temperature?: number;
  /** Expected latency of one call: the analyser's weight and the simulator's mean. */
  latencyMs?: number;
  maxTokens?: number;
  price?: PriceDefinition;
  doc?: string;
}

export interface ChannelDefinition {
  name: string;
  schema: Schema;
  ordering: Ordering;
  delivery: Delivery;
  capacity?: number;
  backpressure?: Backpressure;
  /** At most this many messages per run; later sends are dropped and traced. */
  maxRounds?: number;
  doc?: string;
}

export interface StoreDefinition {
  name: string;
  schema: Schema;
  consistency: Consistency;
  merge?: Merge;
  doc?: string;
}

export interface ToolDefinition {
  name: string;
  kind: 'pure' | 'effect';
  input: Schema;
  output?: Schema;
  /** Field paths into the input (`comment.file`) whose values identify one effect. */
  idempotencyKey?: string[];
  timeoutMs?: number;
  doc?: string;
}

export interface TakeDefinition {
  /** A team input or a channel. */
  source: string;
  from: 'input' | 'channel';
  /** `takes all ch`: one activation after every producer of `ch` finished, with the list of messages. */
  all: boolean;
  /** `takes ch?`: the agent may activate without a message; `{{ch}}` is then empty. */
  optional: boolean;
  requires?: Ordering;
}

export interface ReadDefinition {
  store: string;
  requires?: Consistency;
}

export interface EmitDefinition {
  channel: string;
  /** Emit only when this boolean field (a dotted path into the output) is true. */
  when?: string;
  /** Emit only when this boolean field is false. */
  unless?: string;
}

export interface RetryDefinition {
  /** Total attempts, the first included. */
  attempts: number;
  backoff: Backoff;
  minMs: number;
  maxMs: number;
  jitter: boolean;
}

export interface BreakerDefinition {
  failures: number;
  windowMs: number;
  cooldownMs: number;
}

export interface PolicyDefinition {
  timeoutMs?: number;
  retry?: RetryDefinition;
  breaker?: BreakerDefinition;
  hedge?: { afterMs: number };
  /** Agents that stand in, in order, when this one still fails after its other policies. */
  fallback?: string[];
  /** An agent that judges each schema-valid output (see docs/runtime/README.md for its output shape). */
  validator?: string;
}

export interface AgentDefinition {
  name: string;
  doc?: string;
  /** A model name from `models`. */
  model: string;
  /** Instances: each handles every activation, shares the tasks of a work graph, or votes in a consensus. */
  replicas: number;
  /** Handlebars template text. */
  prompt: string;
  output: Schema;
  takes: TakeDefinition[];
  reads: ReadDefinition[];
  /** Store names. */
  writes: string[];
  emits: EmitDefinition[];
  /** Tool names. */
  calls: string[];
  policy: PolicyDefinition;
  /** At most this many activations per run; later ones are skipped and traced. */
  maxRounds?: number;
  /** A failure of this agent does not fail the run; its consumers see the gap. */
  optional: boolean;
  maxTokens?: number;
}

export interface ConsensusDefinition {
  name: string;
  doc?: string;
  /** The agent whose instances vote. */
  over: string;
  replicas: number;
  quorum: number | 'majority' | 'all';
  faults: { count: number; model: FaultModel };
  /** Field paths of the output that must agree; empty means the whole output. */
  agreeOn: string[];
  /** A normaliser name applied to agreed fields before comparison, e.g. `trim_lower`. */
  normalize?: string;
  /**
   * Rounds (terms, for a leader) at most. Absent only when the source declares neither `rounds`
   * nor `tie_break` (T604): no bound, which the runtime refuses unless `allowUnsafe`, and then
   * votes round after round until a quorum decides or the run's budget or deadline stops it.
   */
  rounds?: number;
  tieBreak: TieBreak;
  protocol: Protocol;
}

export interface TaskDefinition {
  name: string;
  after: string[];
  weight: number;
  /** Files or keys this task writes (for the checker's conflict rule and the prompt's `task.writes`). */
  writes: string[];
  doc?: string;
}

export interface WorkDefinition {
  name: string;
  doc?: string;
  /** The agent whose instances are the workers. */
  by: string;
  assign: { policy: AssignPolicy; lead?: string };
  /** A claimed task not finished within the lease may be claimed again. */
  leaseMs?: number;
  tasks: TaskDefinition[];
}

/**
 * A whole team. `In` and `Out` are the run's input and output records; they exist for typing
 * only (generated code states them; `defineTeam` keeps them).
 */
export interface TeamDefinition<In = Record<string, unknown>, Out = Record<string, unknown>> {
  name: string;
  doc?: string;
  inputs: InputDefinition[];
  outputs: OutputDefinition[];
  deadlineMs?: number;
  budget?: BudgetDefinition;
  models: ModelDefinition[];
  channels: ChannelDefinition[];
  stores: StoreDefinition[];
  tools: ToolDefinition[];
  agents: AgentDefinition[];
  consensus: ConsensusDefinition[];
  work: WorkDefinition[];
  /** Phantom: never set; carries the run's types. */
  readonly __types?: { input: In; output: Out };
}

/** Identity, for type inference and a single place generated code calls. */
export function defineTeam<In = Record<string, unknown>, Out = Record<string, unknown>>(
  definition: TeamDefinition<In, Out>,
): TeamDefinition<In, Out> {
  return definition;
}

export type TeamInput<D> = D extends TeamDefinition<infer In, infer _Out> ? In : never;
export type TeamOutput<D> = D extends TeamDefinition<infer _In, infer Out> ? Out : never;

// ---------------------------------------------------------------------------------------------
// Derived figures

/** The number of votes a consensus needs. */
export function resolveQuorum(quorum: ConsensusDefinition['quorum'], replicas: number): number {
  if (quorum === 'majority') return Math.floor(replicas / 2) + 1;
  if (quorum === 'all') return replicas;
  return quorum;
}

/** Reads a dotted field path (`comment.file`) from a value; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Structural validation. The checker proves much more before code is generated; this catches a
// hand-written or corrupted definition before a run starts, so the runner may rely on every name.

export interface DefinitionProblem {
  /** Where: `agents.judge.takes.findings`. */
  path: string;
  message: string;
}

export class TeamDefinitionError extends Error {
  override readonly name = 'TeamDefinitionError';
  constructor(
    readonly team: string,
    readonly problems: DefinitionProblem[],
  ) {
    super(`team ${team}: invalid definition:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

export interface DefinitionChecks {
  /**
   * Let a dependency cycle among a work graph's tasks (T703) through, for simulation only
   * (`TeamOptions.allowUnsafe`): the runner then runs what can run and ends the graph, typed, when
   * only tasks waiting on each other are left (see runtime/work.ts). Every other problem still counts.
   */
  allowTaskCycles?: boolean;
}

export function validateDefinition(definition: TeamDefinition<unknown, unknown>, options: DefinitionChecks = {}): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const names = (kind: string, items: ReadonlyArray<{ name: string }>): Set<string> => {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.name)) problem(`${kind}.${item.name}`, `duplicate ${kind} name`);
      seen.add(item.name);
    }
    return seen;
  };
  const inputs = names('inputs', definition.inputs);
  names('outputs', definition.outputs);
  const models = names('models', definition.models);
  const channels = names('channels', definition.channels);
  const stores = names('stores', definition.stores);
  const tools = names('tools', definition.tools);
  const agents = names('agents', definition.agents);
  const consensus = names('consensus', definition.consensus);
  const work = names('work', definition.work);

  const positiveInt = (path: string, value: number | undefined, what: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) problem(path, `${what} must be a positive integer, got ${value}`);
  };
  const nonNegative = (path: string, value: number | undefined, what: string) => {
    if (value !== undefined && !(value >= 0)) problem(path, `${what} must be non-negative, got ${value}`);
  };

  nonNegative('deadlineMs', definition.deadlineMs, 'deadline');
  nonNegative('budget.tokens', definition.budget?.tokens, 'token budget');
  nonNegative('budget.dollars', definition.budget?.dollars, 'dollar budget');

  for (const output of definition.outputs) {
    if (!agents.has(output.from) && !consensus.has(output.from) && !work.has(output.from)) {
      problem(`outputs.${output.name}.from`, `"${output.from}" is not an agent, consensus or work graph`);
    }
  }
  for (const channel of definition.channels) {
    positiveInt(`channels.${channel.name}.capacity`, channel.capacity, 'capacity');
    positiveInt(`channels.${channel.name}.maxRounds`, channel.maxRounds, 'max rounds');
  }
  for (const agent of definition.agents) {
    const at = `agents.${agent.name}`;
    if (!models.has(agent.model)) problem(`${at}.model`, `unknown model "${agent.model}"`);
    positiveInt(`${at}.replicas`, agent.replicas, 'replicas');
    positiveInt(`${at}.maxRounds`, agent.maxRounds, 'max rounds');
    for (const take of agent.takes) {
      const known = take.from === 'input' ? inputs : channels;
      if (!known.has(take.source)) problem(`${at}.takes.${take.source}`, `unknown ${take.from} "${take.source}"`);
      if (take.from === 'input' && (take.all || take.optional)) {
        problem(`${at}.takes.${take.source}`, 'a team input is always available: `all` and `?` apply to channels only');
      }
    }
    for (const read of agent.reads) if (!stores.has(read.store)) problem(`${at}.reads.${read.store}`, `unknown store "${read.store}"`);
    for (const store of agent.writes) if (!stores.has(store)) problem(`${at}.writes.${store}`, `unknown store "${store}"`);
    for (const emit of agent.emits) {
      if (!channels.has(emit.channel)) problem(`${at}.emits.${emit.channel}`, `unknown channel "${emit.channel}"`);
      if (emit.when !== undefined && emit.unless !== undefined) problem(`${at}.emits.${emit.channel}`, 'both `when` and `unless`');
    }
    for (const tool of agent.calls) if (!tools.has(tool)) problem(`${at}.calls.${tool}`, `unknown tool "${tool}"`);
    for (const stand of agent.policy.fallback ?? []) {
      if (!agents.has(stand)) problem(`${at}.policy.fallback`, `unknown agent "${stand}"`);
      if (stand === agent.name) problem(`${at}.policy.fallback`, 'an agent cannot be its own fallback');
    }
    const validator = agent.policy.validator;
    if (validator !== undefined && !agents.has(validator)) problem(`${at}.policy.validator`, `unknown agent "${validator}"`);
    const retry = agent.policy.retry;
    if (retry) {
      positiveInt(`${at}.policy.retry.attempts`, retry.attempts, 'attempts');
      if (retry.minMs > retry.maxMs) problem(`${at}.policy.retry`, `backoff range ${retry.minMs}..${retry.maxMs} is empty`);
    }
    nonNegative(`${at}.policy.timeoutMs`, agent.policy.timeoutMs, 'timeout');
  }
  const fallbackCycle = findFallbackCycle(definition.agents);
  if (fallbackCycle) problem(`agents.${fallbackCycle[0]}.policy.fallback`, `fallback chain loops: ${fallbackCycle.join(' -> ')}`);

  for (const tool of definition.tools) {
    if (tool.kind === 'pure' && tool.idempotencyKey?.length) {
      problem(`tools.${tool.name}.idempotencyKey`, 'a pure tool needs no idempotency key');
    }
  }
  const overs = new Set<string>();
  for (const vote of definition.consensus) {
    const at = `consensus.${vote.name}`;
    if (!agents.has(vote.over)) problem(`${at}.over`, `unknown agent "${vote.over}"`);
    if (overs.has(vote.over)) problem(`${at}.over`, `agent "${vote.over}" is already under another consensus`);
    overs.add(vote.over);
    positiveInt(`${at}.replicas`, vote.replicas, 'replicas');
    positiveInt(`${at}.rounds`, vote.rounds, 'rounds');
    const quorum = resolveQuorum(vote.quorum, vote.replicas);
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > vote.replicas) {
      problem(`${at}.quorum`, `quorum ${quorum} is not between 1 and ${vote.replicas} replicas`);
    }
  }
  for (const graph of definition.work) {
    const at = `work.${graph.name}`;
    if (!agents.has(graph.by)) problem(`${at}.by`, `unknown agent "${graph.by}"`);
    if (graph.assign.policy === 'lead') {
      if (graph.assign.lead === undefined) problem(`${at}.assign`, '`lead` assignment needs a lead agent');
      else if (!agents.has(graph.assign.lead)) problem(`${at}.assign.lead`, `unknown agent "${graph.assign.lead}"`);
    }
    positiveInt(`${at}.leaseMs`, graph.leaseMs, 'lease');
    const tasks = names(`${at}.tasks`, graph.tasks);
    for (const task of graph.tasks) {
      for (const dep of task.after) if (!tasks.has(dep)) problem(`${at}.tasks.${task.name}.after`, `unknown task "${dep}"`);
      if (!(task.weight > 0)) problem(`${at}.tasks.${task.name}.weight`, `weight must be positive, got ${task.weight}`);
    }
    const cycle = options.allowTaskCycles ? undefined : findTaskCycle(graph.tasks);
    if (cycle) problem(`${at}.tasks`, `dependency cycle: ${cycle.join(' -> ')}`);
  }
  return problems;
}

export function assertValidDefinition(definition: TeamDefinition<unknown, unknown>, options: DefinitionChecks = {}): void {
  const problems = validateDefinition(definition, options);
  if (problems.length > 0) throw new TeamDefinitionError(definition.name, problems);
}

function findFallbackCycle(agents: AgentDefinition[]): string[] | undefined {
  const edges = new Map(agents.map((a) => [a.name, a.policy.fallback ?? []]));
  return findCycle([...edges.keys()], (name) => edges.get(name) ?? []);
}

function findTaskCycle(tasks: TaskDefinition[]): string[] | undefined {
  const edges = new Map(tasks.map((t) => [t.name, t.after]));
  return findCycle([...edges.keys()], (name) => edges.get(name) ?? []);
}

/** Depth-first search with colours; returns one cycle as a path that starts and ends on the same node. */
function findCycle(nodes: string[], next: (node: string) => string[]): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const seen = state.get(node);
    if (seen === 'done') return undefined;
    if (seen === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const target of next(node)) {
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
