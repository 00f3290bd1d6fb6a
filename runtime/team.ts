/**
 * The team runner: `createTeam(definition, options)` compiles a `TeamDefinition` once (templates,
 * models, the activation graph) and returns a handle whose `run(input)` executes one run:
 *
 * - every channel is a real channel (delivery, ordering, capacity) on the run's transport, every
 *   store a replicated store with its declared consistency, every model call goes through the
 *   agent's composed fault policies and a budget shared by the whole run;
 * - an agent activates when everything it takes is available (see `AgentGroup`), its instances are
 *   actors with mailboxes, a consensus runs its protocol among its replicas, a work graph is
 *   scheduled by `runWork`;
 * - the run ends when every team output has its value and nothing is in flight (quiescence,
 *   detected on the activation graph, see `TeamRun.evaluate`), or early with a typed failure:
 *   deadline, budget, a required agent's failure, no consensus, cancellation.
 *
 * Everything time- or chance-dependent comes from the injected clock and seeded generator, so
 * the same definition, input and seed give the same trace, event for event.
 */
import { realClock, VirtualClock, type Clock } from './clock.js';
import {
  assertValidDefinition,
  type AgentDefinition,
  type ChannelDefinition,
  type ConsensusDefinition,
  type ModelDefinition,
  type StoreDefinition,
  type TeamDefinition,
  type WorkDefinition,
} from './definition.js';
import {
  AgentInstance,
  ToolRunner,
  type Activation,
  type AgentEvent,
  type AgentServices,
  type CompiledAgent,
  type EffectLog,
  type ModelInvoker,
  type ToolEvent,
  type ToolImplementation,
  type ToolResult,
} from './agent.js';
import { compilePrompt, withDeclaredFields, type PromptVariables } from './prompt.js';
import { seededRandom, type Random } from './random.js';
import { createChannel, type Channel, type ChannelEvent, type ChannelStats } from './delivery/channel.js';
import { createMemoryTransport } from './transport/memory.js';
import type { JsonValue } from './transport/envelope.js';
import type { Transport } from './transport/transport.js';
import { createStore, type Store, type StoreSession, type StoreView, type StrongSession } from './stores/index.js';
import type { VectorClock } from './vector-clock.js';
import { Budget } from './policies/budget.js';
import { BudgetExhaustedError } from './policies/errors.js';
import type { PolicyEvent } from './policies/events.js';
import { TraceRecorder, toErrorInfo, type ErrorInfo, type TraceEvent, type TraceEventInput, type TraceSink } from './trace.js';
import {
  ConsensusConfigError,
  isNormalizerName,
  NoDecisionError,
  runLeaderConsensus,
  runVote,
  type Decision,
  type Normalizer,
} from './consensus/index.js';
import { createProvider, type ProviderName } from './providers/factory.js';
import type { ChatMessage, ModelProvider, ModelResponse, TokenUsage } from './providers/types.js';
import { runWork, WorkDeadlockError, WorkTaskError, type Assignment, type ClaimBoard, type TaskRecord, type WorkEvent, type WorkTask } from './work.js';

// ---------------------------------------------------------------------------------------------
// Public types

export interface TeamOptions {
  /** How models are reached: a provider, or the name of one (`sim`, `openai`, `replay`). */
  provider: ModelProviderLike | string;
  clock?: Clock;
  /** Seeds the run's generator (jitter, ids, simulated faults); 0 when neither this nor `random` is given. */
  seed?: number | string;
  random?: Random;
  /** The network between nodes; a fresh in-memory transport per run by default. */
  transport?: Transport;
  /** Where trace events go besides the result (a JSON-lines file, a viewer). */
  trace?: TraceSink | TraceSink[];
  /** Cancels every run of this team (and each run may have its own signal too). */
  signal?: AbortSignal;
  /** Implementations of the team's tools, by name. */
  tools?: Record<string, ToolImplementation>;
  /** The record of keyed effects; pass one to share it across runs (at most once per key, ever). */
  effects?: EffectLog;
  /** Replicas of every store (default 3). */
  storeReplicas?: number;
  /**
   * Run what the checker rejects instead of refusing it at run time (`--allow-unsafe`): a consensus
   * whose quorums cannot intersect or cannot be reached still votes, one with no `rounds` bound
   * votes until it decides, and a work graph whose tasks wait on each other round a cycle runs what
   * it can, then ends deadlocked (`WorkDeadlockError`), so simulation can show what the checker
   * warned about. Never set it for real work.
   */
  allowUnsafe?: boolean;
  /**
   * Tests only: `false` makes nodes ignore the causal store context that messages carry, so a
   * reader no longer sees the writes in its sender's causal past (what the causal-read checker
   * convicts). Never set it for real work.
   */
  observeMessageContext?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export type TeamErrorKind =
  | 'invalid_input'
  | 'deadline'
  | 'budget'
  | 'agent_failed'
  | 'no_consensus'
  | 'incomplete'
  | 'cancelled'
  | 'internal';

export interface TeamError {
  kind: TeamErrorKind;
  message: string;
  /** The agent, consensus or work graph concerned. */
  agent?: string;
  /** `budget`: what ran out. */
  resource?: 'tokens' | 'dollars';
  /** `incomplete`: the team outputs that never got a value. */
  missing?: string[];
  /** `invalid_input`: what was wrong, per input. */
  issues?: Array<{ input: string; path: string; message: string }>;
  cause?: ErrorInfo;
}

export interface TeamUsage {
  tokens: number;
  dollars: number;
}

export interface WorkStats {
  schedule: TaskRecord[];
  perWorkerLoad: number[];
  perWorkerBusyMs: number[];
  makespan: number;
}

export interface RunStats {
  startedAt: number;
  endedAt: number;
  /** Activations per agent (each replica's handling counts once). */
  activations: Record<string, number>;
  channels: Record<string, ChannelStats>;
  work: Record<string, WorkStats>;
}

export type TeamResult<Out> =
  | { ok: true; output: Out; usage: TeamUsage; trace: TeamTraceEvent[]; stats: RunStats }
  | { ok: false; error: TeamError; usage: TeamUsage; trace: TeamTraceEvent[]; stats: RunStats };

export interface Team<In, Out> {
  readonly definition: TeamDefinition<In, Out>;
  run(input: In, options?: RunOptions): Promise<TeamResult<Out>>;
}

/**
 * The runner's own events, beside the layers' (send, deliver, call, retry, vote …): what activated,
 * what each activation emitted and wrote, work-graph scheduling, tool calls and outputs.
 */
export type RunnerEvent =
  /** `consumed` (on `start`): ids of the channel messages the activation handles; a redelivered message appears in two activations. */
  | { kind: 'activation'; agent: string; time: number; action: 'start' | 'end' | 'skipped' | 'failed'; activation: string; instance?: number; error?: ErrorInfo; reason?: string; consumed?: string[] }
  | { kind: 'model'; agent: string; time: number; action: 'request' | 'answer'; activation: string; instance: number; attempt: number; model?: string; promptChars?: number; tokens?: number; toolCalls?: number }
  | { kind: 'emit'; agent: string; time: number; activation: string; instance: number; channel: string; messages: number }
  /**
   * A store write, at its completion (`startedAt`: when it was issued): its id, where it was accepted
   * (`origin`, `seq`: a view has merged it when `merged[origin] >= seq`), and what that replica had
   * merged before it — the writes it knowingly follows. See runtime/stores/tracing.ts.
   */
  | { kind: 'write'; agent: string; time: number; activation?: string; instance?: number; store: string; id: string; origin: string; seq: number; merged: VectorClock; startedAt: number }
  /** A store read, at its completion: the replica that answered, the writes it had merged, and those its value reflects. */
  | { kind: 'read'; agent: string; time: number; activation?: string; instance?: number; store: string; replica: string; merged: VectorClock; reflects: string[]; startedAt: number }
  /** Each store at the run's end: every replica's view, and the view they converge to. */
  | { kind: 'store-state'; agent: string; time: number; store: string; replicas: Record<string, StoreView>; converged: StoreView }
  /** `message`: the message a drop_oldest overflow withdrew (a dropped newest message never got an id). */
  | { kind: 'dropped'; agent: string; time: number; channel: string; reason: 'max_rounds' | 'backpressure'; maxRounds?: number; message?: string }
  | { kind: 'task'; agent: string; time: number; work: string; task: string; worker: number; action: 'assigned' | 'start' | 'end' | 'failed' | 'lease_expired' | 'discarded'; by?: string; error?: string }
  /**
   * A tool call, its result, or a keyed effect skipped as a repeat. `activation`, `instance` and
   * `attempt` say which attempt of which activation asked (attempts are numbered across retries and
   * hedge copies); `args` is a stable hash of the arguments.
   */
  | {
      kind: 'tool';
      agent: string;
      time: number;
      tool: string;
      action: 'call' | 'result' | 'deduplicated';
      key?: string;
      ok?: boolean;
      durationMs?: number;
      activation?: string;
      instance?: number;
      attempt?: number;
      args?: string;
    }
  | { kind: 'output'; agent: string; time: number; output: string; from: string };

export type TeamTraceEvent = TraceEvent | RunnerEvent;

/**
 * A model provider (`runtime/providers`: its `complete` carries tools and tool calls, see
 * `toModelInvoker`), or anything with an `invoke` that answers `ModelRequest`s directly.
 */
export type ModelProviderLike = ModelProvider | { invoke: ModelInvoker };

// ---------------------------------------------------------------------------------------------
// createTeam

interface CompiledTeam {
  definition: TeamDefinition<unknown, unknown>;
  agents: Map<string, CompiledAgent>;
  channels: Map<string, ChannelDefinition>;
  stores: Map<string, StoreDefinition>;
  /** Agents that only stand in for others (fallback, validator, work lead): never activated on their own. */
  helpers: Set<string>;
  /** Channel → the agents that take it. */
  consumers: Map<string, string[]>;
  consensusOver: Map<string, ConsensusDefinition>;
  workBy: Map<string, WorkDefinition>;
}

export function createTeam<In, Out>(definition: TeamDefinition<In, Out>, options: TeamOptions): Team<In, Out> {
  const untyped = definition as TeamDefinition<unknown, unknown>;
  // A task cycle (T703) is let through only to be simulated: the run then ends deadlocked (work.ts).
  assertValidDefinition(untyped, options.allowUnsafe ? { allowTaskCycles: true } : {});
  const compiled = compileTeam(untyped);
  const invoke = resolveProvider(options.provider, options);
  return {
    definition,
    run: (input, runOptions = {}) => new TeamRun(compiled, options, invoke, runOptions).execute(input) as Promise<TeamResult<Out>>,
  };
}

function compileTeam(definition: TeamDefinition<unknown, unknown>): CompiledTeam {
  const models = new Map(definition.models.map((m) => [m.name, m]));
  const agents = new Map(
    definition.agents.map((a) => [a.name, { definition: a, template: compilePrompt(a.name, a.prompt), model: models.get(a.model)! }]),
  );
  const helpers = new Set<string>();
  for (const agent of definition.agents) {
    for (const name of agent.policy.fallback ?? []) helpers.add(name);
    if (agent.policy.validator) helpers.add(agent.policy.validator);
  }
  for (const graph of definition.work) if (graph.assign.lead) helpers.add(graph.assign.lead);
  const consumers = new Map<string, string[]>(definition.channels.map((c) => [c.name, []]));
  for (const agent of definition.agents) {
    if (helpers.has(agent.name)) continue;
    for (const take of agent.takes) if (take.from === 'channel') consumers.get(take.source)!.push(agent.name);
  }
  return {
    definition,
    agents,
    channels: new Map(definition.channels.map((c) => [c.name, c])),
    stores: new Map(definition.stores.map((s) => [s.name, s])),
    helpers,
    consumers,
    consensusOver: new Map(definition.consensus.map((c) => [c.over, c])),
    workBy: new Map(definition.work.map((w) => [w.by, w])),
  };
}

function resolveProvider(provider: TeamOptions['provider'], options: TeamOptions): ModelInvoker {
  if (typeof provider === 'object' && provider !== null && 'invoke' in provider) return provider.invoke;
  if (typeof provider === 'object' && provider !== null && 'complete' in provider) return toModelInvoker(provider, options.clock ?? realClock);
  // By name: `sim` draws from the team's seed, so one seed fixes both the network and the model.
  const named = provider === 'sim' ? createProvider('sim', { seed: options.seed ?? 0 }) : createProvider(provider as ProviderName, undefined as never);
  return toModelInvoker(named, options.clock ?? realClock);
}

/**
 * Adapts a provider's `complete` to the agent's `ModelInvoker`: the rendered prompt is the user
 * message, the output schema goes along for structured output, and the agent's tools are offered
 * (name, doc, input schema). The tool results of earlier rounds of the same attempt become the
 * conversation a tool-calling model expects: per round, the assistant's tool calls, then one
 * `tool` message per result. The answer's parsed output — or its tool calls — and its token usage
 * come back.
 */
export function toModelInvoker(provider: ModelProvider, clock: Clock): ModelInvoker {
  return async (request, signal) => {
    const { model } = request;
    let response: ModelResponse;
    try {
      response = await provider.complete(
        {
          agent: request.agent,
          model: {
            provider: model.provider,
            model: model.model,
            maxTokens: request.maxTokens,
            ...(model.temperature !== undefined ? { temperature: model.temperature } : {}),
            ...(model.latencyMs !== undefined ? { latencyMs: model.latencyMs } : {}),
          },
          messages: conversation(request.prompt, request.toolResults),
          schema: request.schema,
          schemaName: `${request.agent}_output`,
          instance: request.instance,
          attempt: request.attempt,
          ...(request.tools.length > 0 ? { tools: request.tools.map((t) => ({ name: t.name, ...(t.doc !== undefined ? { description: t.doc } : {}), input: t.input })) } : {}),
        },
        { signal, clock },
      );
    } catch (error) {
      // A failed answer that reports what it cost is charged that, not the attempt's worst case.
      const spent = (error as { tokenUsage?: TokenUsage } | null)?.tokenUsage;
      if (spent && typeof error === 'object' && error !== null && !('usage' in error)) {
        Object.assign(error as object, { usage: { tokens: spent.inputTokens + spent.outputTokens, dollars: dollarsOf(model, spent) } });
      }
      throw error;
    }
    if (response.toolCalls?.length) {
      return { toolCalls: response.toolCalls.map((call) => ({ id: call.id, tool: call.name, input: call.arguments })), usage: response.usage };
    }
    return { output: response.output, usage: response.usage };
  };
}

/** The prompt, then each tool round: the calls the model asked for, and their results by call id. */
function conversation(prompt: string, results: readonly ToolResult[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
  const rounds = new Map<number, ToolResult[]>();
  for (const result of results) {
    const round = result.round ?? 0;
    rounds.set(round, [...(rounds.get(round) ?? []), result]);
  }
  for (const [round, answered] of [...rounds].sort(([a], [b]) => a - b)) {
    const ids = answered.map((result, i) => result.id ?? `call_${round}_${i + 1}`);
    messages.push({ role: 'assistant', content: '', toolCalls: answered.map((result, i) => ({ id: ids[i]!, name: result.tool, arguments: result.input })) });
    answered.forEach((result, i) => {
      messages.push({ role: 'tool', toolCallId: ids[i]!, content: JSON.stringify(result.ok ? (result.output ?? null) : { error: String(result.output) }) });
    });
  }
  return messages;
}

function dollarsOf(model: ModelDefinition, usage: TokenUsage): number {
  if (!model.price) return 0;
  return (usage.inputTokens * model.price.inputPerMillion + usage.outputTokens * model.price.outputPerMillion) / 1_000_000;
}

// ---------------------------------------------------------------------------------------------
// One run

/** Why a run stopped early; carried as the abort reason of everything still in flight. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
  readonly retryable = false;
  constructor(readonly error: TeamError) {
    super(`run stopped: ${error.kind}: ${error.message}`);
  }
}

class TeamRun {
  readonly clock: Clock;
  readonly random: Random;
  readonly recorder: TraceRecorder;
  readonly budget: Budget;
  readonly controller = new AbortController();
  readonly channels = new Map<string, Channel>();
  readonly stores = new Map<string, Store>();
  private readonly sessions = new Map<string, StoreSession>();
  private readonly groups = new Map<string, AgentGroup>();
  /** Latest value per source (agent, consensus or work graph). */
  private readonly values = new Map<string, unknown>();
  private readonly published = new Map<string, number>();
  private readonly activations: Record<string, number> = {};
  private readonly workStats: Record<string, WorkStats> = {};
  private readonly cleanups: Array<() => void> = [];
  private transport!: Transport;
  private ownsTransport = false;
  private evaluating = false;
  private evaluateAgain = false;
  private settle!: (result: TeamResult<unknown>) => void;
  private result: TeamResult<unknown> | undefined;
  private readonly startedAt: number;
  readonly services: AgentServices;
  readonly tools: ToolRunner;

  constructor(
    readonly team: CompiledTeam,
    private readonly options: TeamOptions,
    invoke: ModelInvoker,
    private readonly runOptions: RunOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? seededRandom(options.seed ?? 0);
    this.recorder = new TraceRecorder({ clock: this.clock, sinks: [options.trace ?? []].flat() });
    this.budget = new Budget(team.definition.budget ?? {});
    this.startedAt = this.clock.now();
    this.tools = new ToolRunner(team.definition.tools, options.tools ?? {}, this.clock, options.effects ?? new Map(), (event) => this.recordTool(event));
    const policyRandom = this.random.fork('policies');
    this.services = {
      clock: this.clock,
      random: policyRandom,
      budget: this.budget,
      invoke,
      agents: team.agents,
      channels: team.channels,
      stores: team.stores,
      tools: this.tools,
      publish: (channel, node, message) => this.publish(channel, node, message),
      read: (store, node, _requires, at) => this.read(store, node, at),
      write: (store, node, value, at) => this.write(store, node, value, at),
      onPolicyEvent: (event) => this.recordPolicy(event),
      onEvent: (event) => this.recordAgent(event),
    };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Run what the checker rejects (see `TeamOptions.allowUnsafe`): a consensus reads it here; `createTeam` lets a task cycle through. */
  get allowUnsafe(): boolean {
    return this.options.allowUnsafe === true;
  }

  async execute(input: unknown): Promise<TeamResult<unknown>> {
    const { definition } = this.team;
    this.record({ kind: 'run-start', agent: 'team', team: definition.name, clock: this.clock instanceof VirtualClock ? 'virtual' : 'wall', ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}), input: input as JsonValue });
    const done = new Promise<TeamResult<unknown>>((resolve) => (this.settle = resolve));

    const issues = validateInput(definition, input);
    if (issues.length > 0) {
      this.fail({ kind: 'invalid_input', message: `invalid input: ${issues.map((i) => `${i.input}${i.path ? `.${i.path}` : ''}: ${i.message}`).join('; ')}`, issues });
      return this.finish(done);
    }
    try {
      this.watchSignals();
      if (!this.over) await this.setUp();
      this.startGroups(input as Record<string, unknown>);
      this.evaluate();
    } catch (error) {
      this.failWith(error, undefined);
    }
    return this.finish(done);
  }

  private async finish(done: Promise<TeamResult<unknown>>): Promise<TeamResult<unknown>> {
    const result = await done;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (!this.controller.signal.aborted) this.controller.abort(new RunStoppedError({ kind: 'internal', message: 'run finished' }));
    for (const group of this.groups.values()) group.stop(this.controller.signal.reason);
    // Closing stops redelivery and anti-entropy timers, so nothing of this run outlives it.
    for (const channel of this.channels.values()) await channel.close().catch(() => undefined);
    // What each declared store holds at the end: a write lost to a concurrent overwrite shows here.
    for (const name of this.team.stores.keys()) {
      const snapshot = this.stores.get(name)?.snapshot();
      if (snapshot) this.record({ kind: 'store-state', agent: 'team', store: name, replicas: snapshot.replicas, converged: snapshot.converged });
    }
    for (const store of this.stores.values()) await store.close().catch(() => undefined);
    if (this.ownsTransport) await this.transport.close().catch(() => undefined);
    const stats = this.stats();
    const usage = this.usage();
    this.record(
      result.ok
        ? { kind: 'run-end', agent: 'team', outcome: 'ok', output: result.output as JsonValue }
        : { kind: 'run-end', agent: 'team', outcome: 'failed', error: { name: result.error.kind, message: result.error.message } },
    );
    const trace = [...this.recorder.events] as TeamTraceEvent[];
    return result.ok ? { ok: true, output: result.output, usage, trace, stats } : { ok: false, error: result.error, usage, trace, stats };
  }

  private watchSignals(): void {
    for (const signal of [this.options.signal, this.runOptions.signal]) {
      if (!signal) continue;
      const onAbort = () => this.fail({ kind: 'cancelled', message: `cancelled: ${describe(signal.reason)}` });
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    const deadline = this.team.definition.deadlineMs;
    if (deadline !== undefined) {
      const cancel = this.clock.schedule(deadline, () => this.fail({ kind: 'deadline', message: `deadline of ${deadline}ms passed` }));
      this.cleanups.push(cancel);
    }
  }

  // --- setting up the layers -------------------------------------------------------------------

  private async setUp(): Promise<void> {
    const { definition } = this.team;
    if (this.options.transport) this.transport = this.options.transport;
    else {
      this.transport = createMemoryTransport({ clock: this.clock, onError: (error) => this.failWith(error, undefined) });
      this.ownsTransport = true;
    }
    for (const def of definition.channels) {
      const channel = createChannel({
        name: def.name,
        ordering: def.ordering,
        delivery: def.delivery,
        transport: this.transport,
        clock: this.clock,
        random: this.random.fork(`channel:${def.name}`),
        consumers: this.team.consumers.get(def.name)!,
        ...(def.capacity !== undefined ? { capacity: def.capacity } : {}),
        ...(def.backpressure !== undefined ? { backpressure: def.backpressure } : {}),
        onEvent: (event) => this.recordChannel(event),
        onError: (error) => this.failWith(error, undefined),
      });
      this.channels.set(def.name, channel);
    }
    for (const def of definition.stores) {
      const store = createStore({
        name: def.name,
        consistency: def.consistency,
        ...(def.merge !== undefined ? { merge: def.merge } : {}),
        clock: this.clock,
        random: this.random.fork(`store:${def.name}`),
        replicas: this.options.storeReplicas ?? 3,
        transport: this.transport,
      });
      this.stores.set(def.name, store);
    }
    for (const compiled of this.team.agents.values()) {
      if (this.team.helpers.has(compiled.definition.name)) continue;
      const group = new AgentGroup(this, compiled);
      this.groups.set(compiled.definition.name, group);
    }
    for (const [name, channel] of this.channels) {
      for (const consumer of this.team.consumers.get(name)!) {
        const group = this.groups.get(consumer)!;
        await channel.subscribe(consumer, (message) => {
          // Before anything else the node does: what the sender had seen in causal stores is now in the node's past.
          this.observe(consumer, message.context);
          // The channel's job ends at the mailbox: handing over is instant, the activation runs later —
          // except on an at-least-once take, which is acknowledged once its activation succeeded.
          const handled = group.receive(name, message.payload, message.id);
          this.evaluate();
          return handled;
        });
      }
    }
  }

  private startGroups(input: Record<string, unknown>): void {
    for (const group of this.groups.values()) group.start(input);
  }

  // --- what agents do to the world -------------------------------------------------------------

  private async publish(channel: string, node: string, message: unknown): Promise<void> {
    const def = this.team.channels.get(channel)!;
    const count = (this.published.get(channel) ?? 0) + 1;
    if (def.maxRounds !== undefined && count > def.maxRounds) {
      this.record({ kind: 'dropped', agent: node, channel, reason: 'max_rounds', maxRounds: def.maxRounds });
      return;
    }
    this.published.set(channel, count);
    // Taken at the instant of publishing (after any wait for capacity): what the node has seen then.
    const result = await this.channels.get(channel)!.publish(node, message as JsonValue, { context: () => this.causalContext(node) });
    if (result.status === 'dropped') {
      this.record({ kind: 'dropped', agent: node, channel, reason: 'backpressure' });
      return;
    }
    // A settled message may complete a join downstream.
    void result.settled.then(() => this.evaluate());
  }

  /**
   * The session through which `node` uses `store`: one per node (all instances of an agent are one
   * node, as channels see them). Causality also crosses channels (A writes S, then emits on C; B
   * takes C, then reads S and must see A's write — the T302 anomaly), so on causal stores the
   * context travels with messages: a message carries its publisher's session contexts
   * (`causalContext`) and its consumer absorbs them on delivery (`observe`), before any later read.
   * Nodes with no message between them share nothing and may see each other's writes late.
   */
  private session(store: string, node: string): StoreSession {
    const key = `${store}\u0000${node}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.stores.get(store)!.session(node);
      this.sessions.set(key, session);
    }
    return session;
  }

  /** What `node` has seen of each causal store it used, for its next message to carry; undefined when nothing. */
  private causalContext(node: string): JsonValue | undefined {
    const context: Record<string, VectorClock> = {};
    for (const def of this.team.stores.values()) {
      if (def.consistency !== 'causal') continue;
      const seen = this.sessions.get(`${def.name}\u0000${node}`)?.context?.();
      if (seen && Object.keys(seen).length > 0) context[def.name] = seen;
    }
    return Object.keys(context).length > 0 ? (context as unknown as JsonValue) : undefined;
  }

  /** `node` received a message carrying `context`: its causal store sessions absorb it. */
  private observe(node: string, context: JsonValue | undefined): void {
    if (context === undefined || this.options.observeMessageContext === false) return;
    for (const [store, seen] of Object.entries(context as unknown as Record<string, VectorClock>)) {
      if (this.stores.has(store)) this.session(store, node).observe?.(seen);
    }
  }

  private async write(store: string, node: string, value: unknown, at?: { activation: string; instance: number }): Promise<void> {
    const def = this.team.stores.get(store)!;
    // append and union stores add elements: a single value is one element.
    const written = def.merge === 'append' || def.merge === 'union' ? (Array.isArray(value) ? value : [value]) : value;
    const startedAt = this.clock.now();
    // Named by the node: its session serves every instance.
    const write = await this.session(store, node).writeTraced(written as JsonValue, { writer: node });
    this.record({ kind: 'write', agent: node, ...(at ?? {}), store, id: write.id, origin: write.origin, seq: write.seq, merged: write.merged, startedAt });
  }

  private async read(store: string, node: string, at?: { activation: string; instance: number }): Promise<JsonValue> {
    const startedAt = this.clock.now();
    const read = await this.session(store, node).readTraced();
    this.record({ kind: 'read', agent: node, ...(at ?? {}), store, replica: read.replica, merged: read.merged, reflects: read.reflects, startedAt });
    return read.value;
  }

  /** A claim board for `claim` work graphs: compare-and-set on a strong store when one exists for it. */
  claimBoard(work: WorkDefinition): ClaimBoard | undefined {
    return strongClaimBoard(
      createStore({ name: `work:${work.name}:claims`, consistency: 'strong', clock: this.clock, random: this.random.fork(`claims:${work.name}`), replicas: 1, transport: this.transport, initial: {} }),
      (store) => this.stores.set(store.name, store),
    );
  }

  // --- values, completion and failure ----------------------------------------------------------

  setValue(source: string, value: unknown): void {
    this.values.set(source, value);
    for (const output of this.team.definition.outputs) {
      if (output.from === source) this.record({ kind: 'output', agent: source, output: output.name, from: source });
    }
  }

  countActivation(agent: string): void {
    this.activations[agent] = (this.activations[agent] ?? 0) + 1;
  }

  setWorkStats(work: string, stats: WorkStats): void {
    this.workStats[work] = stats;
  }

  get over(): boolean {
    return this.result !== undefined;
  }

  /**
   * Quiescence and joins, on the activation graph. Everything that can still produce a message
   * is "live": a group with activations queued or running, a channel with messages not yet
   * settled at every consumer, and — transitively — every channel a live group emits on and every
   * group that takes a live channel. A join (`takes all ch`) completes when `ch` is not live: no
   * producer can ever send on it again in this run. When nothing is live, the run is quiescent.
   */
  evaluate(): void {
    if (this.over) return;
    if (this.evaluating) {
      this.evaluateAgain = true;
      return;
    }
    this.evaluating = true;
    try {
      do {
        this.evaluateAgain = false;
        const live = this.liveChannels();
        for (const group of this.groups.values()) group.completeJoins(live);
      } while (this.evaluateAgain && !this.over);
      if (!this.over && this.quiescent()) this.complete();
    } finally {
      this.evaluating = false;
    }
  }

  private liveChannels(): Set<string> {
    const liveGroups = new Set<string>();
    const liveChannels = new Set<string>();
    const queue: Array<{ group?: string; channel?: string }> = [];
    for (const [name, group] of this.groups) if (group.busy) queue.push({ group: name });
    for (const [name, channel] of this.channels) if (channel.stats().inFlight > 0) queue.push({ channel: name });
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next.group !== undefined) {
        if (liveGroups.has(next.group)) continue;
        liveGroups.add(next.group);
        for (const emit of this.team.agents.get(next.group)!.definition.emits) queue.push({ channel: emit.channel });
      } else if (next.channel !== undefined) {
        if (liveChannels.has(next.channel)) continue;
        liveChannels.add(next.channel);
        for (const consumer of this.team.consumers.get(next.channel)!) queue.push({ group: consumer });
      }
    }
    return liveChannels;
  }

  private quiescent(): boolean {
    for (const group of this.groups.values()) if (group.busy) return false;
    for (const channel of this.channels.values()) if (channel.stats().inFlight > 0) return false;
    return true;
  }

  private complete(): void {
    // A message whose handling failed and never succeeded since (its sender gave up) fails now.
    for (const group of this.groups.values()) group.surfaceUnhandled();
    if (this.over) return;
    const { outputs } = this.team.definition;
    const missing = outputs.filter((o) => !this.values.has(o.from)).map((o) => o.name);
    if (missing.length > 0) {
      this.fail({
        kind: 'incomplete',
        message: `the run went quiet without ${missing.map((m) => `\`${m}\``).join(', ')}: every agent that could produce ${missing.length > 1 ? 'them' : 'it'} has finished`,
        missing,
      });
      return;
    }
    const output: Record<string, unknown> = {};
    for (const o of outputs) output[o.name] = this.values.get(o.from);
    this.result = { ok: true, output, usage: this.usage(), trace: [], stats: this.stats() };
    this.settle(this.result);
  }

  fail(error: TeamError): void {
    if (this.over) return;
    this.result = { ok: false, error, usage: this.usage(), trace: [], stats: this.stats() };
    this.controller.abort(new RunStoppedError(error));
    this.settle(this.result);
  }

  /** Turns a failure that escaped an activation (or a layer) into the run's typed failure. */
  failWith(error: unknown, agent: string | undefined, kind: TeamErrorKind = 'agent_failed'): void {
    if (this.over) return;
    const budget = findBudgetError(error);
    if (budget) {
      this.fail({ kind: 'budget', message: budget.message, resource: budget.resource, ...(agent ? { agent } : {}), cause: toErrorInfo(error) });
      return;
    }
    const task = error instanceof WorkTaskError ? ` (task ${error.task}, worker ${error.worker})` : '';
    this.fail({
      kind: agent === undefined ? 'internal' : kind,
      message: `${agent ?? 'runtime'}${task}: ${describe(error)}`,
      ...(agent ? { agent } : {}),
      cause: toErrorInfo(error),
    });
  }

  private usage(): TeamUsage {
    const spent = this.budget.spent();
    return { tokens: spent.tokens ?? 0, dollars: spent.dollars ?? 0 };
  }

  private stats(): RunStats {
    const channels: Record<string, ChannelStats> = {};
    for (const [name, channel] of this.channels) channels[name] = channel.stats();
    return { startedAt: this.startedAt, endedAt: this.clock.now(), activations: { ...this.activations }, channels, work: { ...this.workStats } };
  }

  // --- trace -----------------------------------------------------------------------------------

  record(event: TraceEventInput | (DistributiveOmit<RunnerEvent, 'time'> & { time?: number })): void {
    // The recorder redacts and stores any event; the runner's own kinds extend its union (see RunnerEvent).
    this.recorder.record(event as TraceEventInput);
  }

  private recordPolicy(event: PolicyEvent): void {
    const agent = event.policy?.split('#')[0] ?? 'team';
    this.recorder.policySink(agent)(event);
  }

  private recordAgent(event: AgentEvent): void {
    const base = { agent: event.agent, activation: event.activation, instance: event.instance };
    switch (event.type) {
      case 'activation_start':
        this.record({ kind: 'activation', ...base, action: 'start', ...(event.consumed ? { consumed: event.consumed } : {}) });
        break;
      case 'activation_end':
        this.record({ kind: 'activation', ...base, action: event.ok ? 'end' : 'failed', ...(event.error ? { reason: event.error } : {}) });
        break;
      case 'model_call':
        this.record({ kind: 'model', ...base, action: 'request', attempt: event.attempt, model: event.model, promptChars: event.promptChars });
        break;
      case 'model_answer':
        this.record({ kind: 'model', ...base, action: 'answer', attempt: event.attempt, tokens: event.tokens, toolCalls: event.toolCalls });
        break;
      case 'emit':
        this.record({ kind: 'emit', ...base, channel: event.channel, messages: event.messages });
        break;
      case 'write':
        break; // recorded by the runner's own `write`, with what the store says about it
    }
  }

  private recordTool(event: ToolEvent): void {
    const base = {
      kind: 'tool' as const,
      agent: event.agent,
      tool: event.tool,
      ...(event.activation !== undefined ? { activation: event.activation } : {}),
      ...(event.instance !== undefined ? { instance: event.instance } : {}),
      ...(event.attempt !== undefined ? { attempt: event.attempt } : {}),
      args: event.args,
    };
    switch (event.type) {
      case 'tool_call':
        this.record({ ...base, action: 'call', ...(event.key ? { key: event.key } : {}) });
        break;
      case 'tool_result':
        this.record({ ...base, action: 'result', ok: event.ok, durationMs: event.durationMs, ...(event.key ? { key: event.key } : {}) });
        break;
      case 'tool_deduplicated':
        this.record({ ...base, action: 'deduplicated', key: event.key });
        break;
    }
  }

  private recordChannel(event: ChannelEvent): void {
    switch (event.type) {
      case 'publish':
        this.record({ kind: 'send', agent: event.from, time: event.at, channel: event.channel, message: event.id, seq: event.seq, vc: event.vc });
        break;
      case 'deliver':
        this.record({
          kind: 'deliver',
          agent: event.to,
          time: event.at,
          channel: event.channel,
          message: event.id,
          from: event.from,
          seq: event.seq,
          ...(event.position !== undefined ? { position: event.position } : {}),
          vc: event.vc,
        });
        break;
      case 'acknowledged':
        this.record({ kind: 'ack', agent: event.by, time: event.at, channel: event.channel, message: event.id, to: event.to });
        break;
      case 'redeliver':
        this.record({ kind: 'send', agent: 'transport', time: event.at, channel: event.channel, message: event.id, to: event.to, attempt: event.attempt });
        break;
      case 'give_up':
        this.record({ kind: 'error', agent: 'transport', time: event.at, where: `channel:${event.channel}`, error: { name: 'DeliveryGaveUp', message: `gave up delivering ${event.id} to ${event.to} after ${event.attempts} attempts` } });
        break;
      case 'crash':
        this.record({ kind: 'error', agent: event.consumer, time: event.at, where: `channel:${event.channel}`, error: { name: 'ConsumerCrash', message: event.error } });
        break;
      case 'overflow':
        this.record({ kind: 'dropped', agent: event.from, time: event.at, channel: event.channel, reason: 'backpressure', ...(event.withdrawn !== undefined ? { message: event.withdrawn } : {}) });
        break;
      case 'skip':
        this.record({ kind: 'skip', agent: event.to, time: event.at, channel: event.channel, message: event.id, reason: event.reason });
        break;
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

// ---------------------------------------------------------------------------------------------
// Activation of one agent

/**
 * When one agent activates, and who handles each activation.
 *
 * - Takes of team inputs are available from the start.
 * - Each required per-message take (`takes ch`) contributes one message per activation; with
 *   several, messages are paired in arrival order (the k-th activation has the k-th of each).
 * - Optional per-message takes (`takes ch?`) give the latest message, or null. Without a required
 *   per-message take, the agent activates once at the start (the first round of a loop) and then
 *   once per message on any optional take.
 * - Joins (`takes all ch`) hold every activation until the channel can carry nothing more, then
 *   give the list of its messages in delivery order; an agent whose takes are all inputs and
 *   joins activates exactly once.
 *
 * An activation goes to every instance (replicas), to the consensus among them, or runs the
 * agent's work graph with the instances as workers.
 */
class AgentGroup {
  readonly instances: AgentInstance[];
  private readonly definition: AgentDefinition;
  private readonly required: string[];
  private readonly optional: string[];
  private readonly joins: string[];
  private readonly queues = new Map<string, unknown[]>();
  private readonly latest = new Map<string, unknown>();
  private readonly joined = new Map<string, unknown[]>();
  /** Message ids beside `queues` and `joined`, in the same order: what each activation consumed. */
  private readonly queuedIds = new Map<string, Array<{ id: string; handled?: Deferred }>>();
  private readonly joinedIds: string[] = [];
  /** Per-message takes of at-least-once channels: acknowledged only once their activation succeeded. */
  private readonly ackAfterHandling: Set<string>;
  /** Activations handling such messages → the first failure among their instances. */
  private readonly redeliverable = new Map<string, { error?: unknown }>();
  /** Messages whose last handling failed (the channel redelivers them), with that failure. */
  private readonly unhandled = new Map<string, { error: unknown; activation: Activation; instance?: number }>();
  private joinsDone: boolean;
  private startedOnce = false;
  private input: Record<string, unknown> = {};
  private running = 0;
  private count = 0;
  private readonly consensus: ConsensusDefinition | undefined;
  private readonly work: WorkDefinition | undefined;

  constructor(
    private readonly run: TeamRun,
    private readonly compiled: CompiledAgent,
  ) {
    this.definition = compiled.definition;
    const channelTakes = this.definition.takes.filter((t) => t.from === 'channel');
    this.required = channelTakes.filter((t) => !t.all && !t.optional).map((t) => t.source);
    this.optional = channelTakes.filter((t) => !t.all && t.optional).map((t) => t.source);
    this.joins = channelTakes.filter((t) => t.all).map((t) => t.source);
    for (const name of this.required) this.queues.set(name, []);
    for (const name of this.joins) this.joined.set(name, []);
    this.joinsDone = this.joins.length === 0;
    this.ackAfterHandling = new Set([...this.required, ...this.optional].filter((name) => run.team.channels.get(name)?.delivery === 'at_least_once'));
    this.consensus = run.team.consensusOver.get(this.definition.name);
    this.work = run.team.workBy.get(this.definition.name);
    const count = this.consensus?.replicas ?? this.definition.replicas;
    this.instances = Array.from({ length: count }, (_, i) => new AgentInstance(compiled, i, run.services, run.signal));
  }

  get name(): string {
    return this.definition.name;
  }

  /** Activations queued or running. */
  get busy(): boolean {
    return this.running > 0;
  }

  start(input: Record<string, unknown>): void {
    this.input = input;
    this.tryFire();
  }

  stop(reason: unknown): void {
    for (const instance of this.instances) instance.stop(reason);
  }

  /**
   * Hands one message over. On an at-least-once per-message take, the returned promise settles
   * with the activation that handles the message — rejecting when it failed, which the channel
   * treats as a consumer crash: the message is not acknowledged and comes back, as at-least-once
   * promises (and as it would to a real consumer that crashed after acting, before acknowledging).
   */
  receive(channel: string, payload: unknown, id?: string): Promise<void> | undefined {
    if (this.joined.has(channel)) {
      if (this.joinsDone) return undefined; // a join fires once; later messages belong to no activation
      this.joined.get(channel)!.push(payload);
      if (id !== undefined) this.joinedIds.push(id);
      return undefined;
    }
    const handled = this.ackAfterHandling.has(channel) && id !== undefined ? deferred() : undefined;
    if (this.queues.has(channel)) {
      this.queues.get(channel)!.push(payload);
      const ids = this.queuedIds.get(channel) ?? [];
      ids.push({ id: id ?? '', ...(handled ? { handled } : {}) });
      this.queuedIds.set(channel, ids);
      this.tryFire();
      return handled?.promise;
    }
    this.latest.set(channel, payload);
    if (this.required.length === 0 && this.startedOnce) {
      this.fire({ [channel]: payload }, id !== undefined ? [id] : [], handled ? [handled] : []);
      return handled?.promise;
    }
    return undefined;
  }

  /** At the run's quiet end: a message whose handling failed and was never handled since fails as its activation would have. */
  surfaceUnhandled(): void {
    for (const [id, failure] of [...this.unhandled]) {
      this.unhandled.delete(id);
      this.failOutright(failure.error, failure.activation, failure.instance);
    }
  }

  /** Called on every evaluation: completes the joins whose channels can carry nothing more. */
  completeJoins(live: ReadonlySet<string>): void {
    if (this.joinsDone || this.joins.some((channel) => live.has(channel))) return;
    this.joinsDone = true;
    this.tryFire();
  }

  private tryFire(): void {
    if (!this.joinsDone || this.run.over) return;
    if (this.required.length > 0) {
      while (this.required.every((channel) => this.queues.get(channel)!.length > 0)) {
        const taken = this.required.map((channel) => this.queuedIds.get(channel)?.shift());
        const consumed = taken.map((t) => t?.id ?? '').filter((id) => id !== '');
        const handled = taken.flatMap((t) => (t?.handled ? [t.handled] : []));
        this.fire(Object.fromEntries(this.required.map((channel) => [channel, this.queues.get(channel)!.shift()])), consumed, handled);
      }
      return;
    }
    if (!this.startedOnce) {
      this.startedOnce = true;
      // The one activation of a join handles every joined message.
      this.fire({}, [...this.joinedIds]);
    }
  }

  private fire(messages: Record<string, unknown>, consumed: string[] = [], handled: Deferred[] = []): void {
    const n = ++this.count;
    const id = `${this.name}:${n}`;
    if (this.definition.maxRounds !== undefined && n > this.definition.maxRounds) {
      this.run.record({ kind: 'activation', agent: this.name, action: 'skipped', activation: id, reason: `max rounds ${this.definition.maxRounds}` });
      for (const h of handled) h.resolve();
      return;
    }
    const activation: Activation = { id, variables: this.variables(messages), ...(consumed.length > 0 ? { consumed } : {}) };
    if (handled.length > 0) this.redeliverable.set(id, {});
    const dispatched = this.consensus ? this.decide(activation, this.consensus) : this.work ? this.runWork(activation, this.work) : this.replicate(activation);
    this.running++;
    dispatched
      .catch((error: unknown) => this.failed(error, activation))
      .finally(() => {
        this.running--;
        this.settleHandOver(id, consumed, handled);
        this.run.evaluate();
      });
  }

  /** Acknowledges the at-least-once messages an activation handled — or, if it failed, refuses them (they come back). */
  private settleHandOver(activation: string, consumed: string[], handled: Deferred[]): void {
    const failure = this.redeliverable.get(activation);
    this.redeliverable.delete(activation);
    if (handled.length === 0 || this.run.over) return; // a run that is over acknowledges nothing more
    if (failure?.error !== undefined) {
      for (const h of handled) h.reject(failure.error);
      return;
    }
    for (const message of consumed) this.unhandled.delete(message);
    for (const h of handled) h.resolve();
  }

  private variables(messages: Record<string, unknown>): PromptVariables {
    const { definition } = this.run.team;
    const variables: PromptVariables = {};
    for (const take of this.definition.takes) {
      if (take.from === 'input') {
        const schema = definition.inputs.find((i) => i.name === take.source)?.schema;
        variables[take.source] = withDeclaredFields(schema, this.input[take.source]);
        continue;
      }
      const schema = this.run.team.channels.get(take.source)!.schema;
      if (take.all) variables[take.source] = (this.joined.get(take.source) ?? []).map((m) => withDeclaredFields(schema, m));
      else if (take.source in messages) variables[take.source] = withDeclaredFields(schema, messages[take.source]);
      else variables[take.source] = this.latest.has(take.source) ? withDeclaredFields(schema, this.latest.get(take.source)) : null;
    }
    return variables;
  }

  /** Every instance handles the activation independently; the agent's value is the last to finish. */
  private async replicate(activation: Activation): Promise<void> {
    await Promise.all(
      this.instances.map(async (instance) => {
        this.run.countActivation(this.name);
        try {
          const output = await instance.post(activation);
          this.run.setValue(this.name, output);
        } catch (error) {
          this.failed(error, activation, instance.index);
        }
      }),
    );
  }

  /**
   * The replicas answer and the consensus protocol decides; only the decided value is emitted
   * (once, by the first supporter) and becomes both the agent's and the consensus's value.
   */
  private async decide(activation: Activation, consensus: ConsensusDefinition): Promise<void> {
    const run = this.run;
    const ask = async (replica: number, round: number, signal: AbortSignal) => {
      run.countActivation(this.name);
      try {
        return await this.instances[replica]!.think({ ...activation, id: `${activation.id}/${consensus.protocol === 'leader' ? 't' : 'r'}${round}` }, signal);
      } catch (error) {
        // The vote would count a refused call as a crashed replica; a budget refusal ends the run instead.
        if (findBudgetError(error)) run.failWith(error, this.name);
        throw error;
      }
    };
    const common = {
      name: consensus.name,
      replicas: consensus.replicas,
      faults: consensus.faults.count,
      faultModel: consensus.faults.model,
      quorum: consensus.quorum,
      agreeOn: consensus.agreeOn,
      ...(consensus.normalize !== undefined ? { normalize: normalizerOf(consensus.normalize) } : {}),
      clock: run.clock,
      onEvent: run.recorder.consensusSink(consensus.name, activation.id),
      signal: run.signal,
      // Unsafe parameters (and no rounds bound) run instead of being refused: what simulation needs to show the failure.
      allowUnsafe: run.allowUnsafe,
      ask,
    };
    let decision: Decision<unknown>;
    try {
      // No `rounds` in the definition (T604) is no bound: refused unless allowUnsafe (see roundBound).
      decision =
        consensus.protocol === 'leader'
          ? await runLeaderConsensus({ ...common, rounds: consensus.rounds ?? Number.POSITIVE_INFINITY, judge: 'agree', isAvailable: (replica) => this.instances[replica]!.available() })
          : await runVote({ ...common, rounds: consensus.rounds ?? Number.POSITIVE_INFINITY, tieBreak: consensus.tieBreak });
    } catch (error) {
      if (error instanceof NoDecisionError || error instanceof ConsensusConfigError) throw new ConsensusFailedError(consensus.name, error);
      throw error;
    }
    const speaker = this.instances[decision.supporters[0] ?? 0]!;
    await speaker.emit(decision.value, activation);
    run.setValue(this.name, decision.value);
    run.setValue(consensus.name, decision.value);
  }

  private async runWork(activation: Activation, work: WorkDefinition): Promise<void> {
    const run = this.run;
    const tasks: WorkTask[] = work.tasks;
    const lead = work.assign.lead ? new AgentInstance(run.team.agents.get(work.assign.lead)!, 0, run.services, run.signal) : undefined;
    let leadRound = 0;
    const report = await runWork<unknown>({
      name: work.name,
      tasks,
      workers: this.instances.length,
      policy: work.assign.policy,
      clock: run.clock,
      signal: run.signal,
      ...(work.leaseMs !== undefined ? { leaseMs: work.leaseMs } : {}),
      ...(work.assign.policy === 'claim' ? { claims: run.claimBoard(work) } : {}),
      execute: async (worker, task, deps) => {
        run.countActivation(this.name);
        const output = await this.instances[worker]!.post({
          ...(activation.consumed ? { consumed: activation.consumed } : {}),
          id: `${activation.id}/${task.name}`,
          variables: {
            ...activation.variables,
            task: { name: task.name, doc: task.doc ?? null, writes: [...task.writes] },
            deps: deps.map((d) => ({ task: d.task, output: d.output })),
          },
        });
        this.run.setValue(this.name, output);
        return output;
      },
      ...(lead
        ? {
            lead: async (ready: WorkTask[], idle: number[]): Promise<Assignment[]> => {
              const plan = (await lead.think({
                id: `${activation.id}/lead:${++leadRound}`,
                variables: {
                  ...activation.variables,
                  ready: ready.map((t) => ({ name: t.name, doc: t.doc ?? null, weight: t.weight, writes: [...t.writes], after: [...t.after] })),
                  idle,
                },
              })) as { assignments?: Assignment[] };
              return plan.assignments ?? [];
            },
          }
        : {}),
      onEvent: (event) => this.recordTask(work, event),
    }).catch((error: unknown) => {
      // Tasks left that wait on each other (a cycle, run unsafe): the trace names them where it happened.
      if (error instanceof WorkDeadlockError) run.record({ kind: 'error', agent: this.name, where: `work:${work.name}`, activation: activation.id, error: toErrorInfo(error) });
      throw error;
    });
    run.setWorkStats(work.name, {
      schedule: report.schedule,
      perWorkerLoad: report.perWorkerLoad,
      perWorkerBusyMs: report.perWorkerBusyMs,
      makespan: report.makespan,
    });
    run.setValue(work.name, [...report.outputs.values()]);
  }

  private recordTask(work: WorkDefinition, event: WorkEvent): void {
    const base = { agent: this.name, work: work.name, task: event.task, worker: event.worker };
    switch (event.type) {
      case 'task_assigned':
        this.run.record({ kind: 'task', ...base, action: 'assigned', by: event.by });
        break;
      case 'task_start':
        this.run.record({ kind: 'task', ...base, action: 'start' });
        break;
      case 'task_end':
        this.run.record({ kind: 'task', ...base, action: event.ok ? 'end' : 'failed', ...(event.error ? { error: event.error } : {}) });
        break;
      case 'lease_expired':
        this.run.record({ kind: 'task', ...base, action: 'lease_expired' });
        break;
      case 'result_discarded':
        this.run.record({ kind: 'task', ...base, action: 'discarded' });
        break;
    }
  }

  /**
   * A failed activation fails the run unless the agent is optional (or the budget ran out: that
   * ends every run). One handling an at-least-once message does not, yet: the message comes back
   * (see `receive`), and only if it is never handled (its sender gives up) does the failure count.
   */
  private failed(error: unknown, activation: Activation, instance?: number): void {
    if (this.run.over || error instanceof RunStoppedError) return;
    const redelivery = this.redeliverable.get(activation.id);
    if (redelivery && !findBudgetError(error)) {
      redelivery.error ??= error;
      for (const id of activation.consumed ?? []) this.unhandled.set(id, { error, activation, ...(instance !== undefined ? { instance } : {}) });
      return;
    }
    this.failOutright(error, activation, instance);
  }

  private failOutright(error: unknown, activation: Activation, instance?: number): void {
    if (this.run.over) return;
    if (error instanceof ConsensusFailedError && !this.definition.optional) {
      this.run.failWith(error, error.consensus, 'no_consensus');
      return;
    }
    if (this.definition.optional && !findBudgetError(error)) {
      this.run.record({
        kind: 'activation',
        agent: this.name,
        action: 'failed',
        activation: activation.id,
        ...(instance !== undefined ? { instance } : {}),
        error: toErrorInfo(error),
        reason: 'optional agent: the run goes on without this output',
      });
      return;
    }
    this.run.failWith(error, this.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A consensus ended without a decision (or could not run at all). */
export class ConsensusFailedError extends Error {
  override readonly name = 'ConsensusFailedError';
  constructor(
    readonly consensus: string,
    override readonly cause: NoDecisionError | ConsensusConfigError,
  ) {
    super(cause.message);
  }
}

function normalizerOf(name: string): Normalizer {
  if (!isNormalizerName(name)) throw new Error(`unknown normaliser "${name}" (known: none, trim, lower, trim_lower, collapse_whitespace)`);
  return name;
}

function validateInput(definition: TeamDefinition<unknown, unknown>, input: unknown): NonNullable<TeamError['issues']> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return [{ input: '(input)', path: '', message: 'the input must be an object of named values' }];
  const record = input as Record<string, unknown>;
  const issues: NonNullable<TeamError['issues']> = [];
  for (const def of definition.inputs) {
    const parsed = def.schema.safeParse(record[def.name]);
    if (!parsed.success) for (const issue of parsed.error.issues) issues.push({ input: def.name, path: issue.path.join('.'), message: issue.message });
  }
  const known = new Set(definition.inputs.map((i) => i.name));
  for (const name of Object.keys(record)) if (!known.has(name)) issues.push({ input: name, path: '', message: 'not an input of this team' });
  return issues;
}

/** The budget refusal inside an error, however deep a fallback chain or work graph wrapped it. */
function findBudgetError(error: unknown, depth = 0): BudgetExhaustedError | undefined {
  if (depth > 8 || typeof error !== 'object' || error === null) return undefined;
  if (error instanceof BudgetExhaustedError) return error;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = findBudgetError(inner, depth + 1);
      if (found) return found;
    }
  }
  return findBudgetError((error as { cause?: unknown }).cause, depth + 1);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The claim board of a `claim` work graph on a linearizable store: the store's value maps each
 * task to its claim, and every change is a compare-and-set on the store's version, retried on
 * contention — so two workers can never both win a task, even across processes.
 */
function strongClaimBoard(store: Store<StrongSession>, register: (store: Store) => void): ClaimBoard {
  register(store);
  const session = store.session('claims');
  type Claim = { owner?: number; leaseUntil?: number; done: boolean };
  const update = async (change: (claims: Record<string, Claim>) => Record<string, Claim> | undefined): Promise<boolean> => {
    for (;;) {
      const current = await session.readVersioned();
      const next = change({ ...((current.value ?? {}) as Record<string, Claim>) });
      if (!next) return false;
      const result = await session.cas(current.version, next as unknown as JsonValue);
      if (result.ok) return true;
    }
  };
  return {
    tryClaim: (task, worker, now, leaseMs) =>
      update((claims) => {
        const claim = claims[task];
        const live = claim?.owner !== undefined && (claim.leaseUntil === undefined || claim.leaseUntil > now);
        if (claim?.done || live) return undefined;
        claims[task] = { owner: worker, done: false, ...(leaseMs !== undefined ? { leaseUntil: now + leaseMs } : {}) };
        return claims;
      }),
    complete: (task, worker) =>
      update((claims) => {
        if (claims[task]?.done) return undefined;
        claims[task] = { owner: worker, done: true };
        return claims;
      }),
    release: async (task, worker) => {
      await update((claims) => {
        const claim = claims[task];
        if (!claim || claim.done || claim.owner !== worker) return undefined;
        claims[task] = { done: false };
        return claims;
      });
    },
  };
}
