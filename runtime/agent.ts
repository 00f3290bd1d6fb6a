/**
 * Agents as actors. Each instance of an agent owns a mailbox and handles one activation at a
 * time, in arrival order; an activation renders the agent's prompt, calls its model through the
 * composed fault policies, validates the answer against the output schema, and then emits it on
 * every channel and writes it to every store the agent declares. Tool calls go through a
 * `ToolRunner` that enforces least privilege and runs a keyed effect at most once per key.
 *
 * The instance knows nothing of how messages travel or how the model is reached: the team
 * runner hands it `AgentServices`, so the same actor runs on the in-memory transport, on an
 * adversarial simulated network, or against a real model.
 */
import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';
import {
  readPath,
  type AgentDefinition,
  type ChannelDefinition,
  type Consistency,
  type ModelDefinition,
  type Schema,
  type StoreDefinition,
  type ToolDefinition,
} from './definition.js';
import { CircuitBreaker } from './policies/breaker.js';
import type { Budget } from './policies/budget.js';
import { composePolicies, type PolicySpec } from './policies/compose.js';
import type { PolicyEvent } from './policies/events.js';
import type { Operation } from './policies/operation.js';
import type { ValidatorVerdict } from './policies/validation.js';
import { withDeclaredFields, type PromptTemplate, type PromptVariables } from './prompt.js';
import type { Random } from './random.js';
import { canonicalJson } from './providers/request-key.js';

// ---------------------------------------------------------------------------------------------
// Mailbox

/**
 * A queue with one consumer: `post` resolves with the handler's result for that item, and items
 * are handled strictly one after another. The actor's guarantee is exactly this serialisation.
 */
export class Mailbox<T, R> {
  private readonly queue: Array<{ item: T; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];
  private active = false;

  constructor(private readonly handle: (item: T) => Promise<R>) {}

  post(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.active) void this.drain();
    });
  }

  /** Items waiting, not counting the one being handled. */
  get queued(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.active;
  }

  /** Rejects everything still waiting (the run is over); the item being handled finishes on its own. */
  clear(reason: unknown): void {
    for (const waiting of this.queue.splice(0)) waiting.reject(reason);
  }

  private async drain(): Promise<void> {
    this.active = true;
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      try {
        next.resolve(await this.handle(next.item));
      } catch (error) {
        next.reject(error);
      }
    }
    this.active = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Emission

export interface Emission {
  channel: string;
  /** In order; one per element when an array output is emitted on a channel of its element type. */
  messages: unknown[];
}

export class EmissionError extends Error {
  override readonly name = 'EmissionError';
  constructor(
    readonly agent: string,
    readonly channel: string,
    message: string,
  ) {
    super(`${agent} emits ${channel}: ${message}`);
  }
}

/**
 * What one validated output sends: for each `emits` item, the whole output if the channel's
 * schema takes it, else (an output `T[]` on a channel of `T`) each element in order. A `when` /
 * `unless` gate reads a boolean field of the value it would send, so an array output is gated per
 * element. The checker has proved the types fit; a mismatch here is an error, never a silent drop.
 */
export function planEmissions(agent: AgentDefinition, output: unknown, channels: ReadonlyMap<string, ChannelDefinition>): Emission[] {
  const emissions: Emission[] = [];
  for (const emit of agent.emits) {
    const channel = channels.get(emit.channel);
    if (!channel) throw new EmissionError(agent.name, emit.channel, 'no such channel');
    let candidates: unknown[];
    if (channel.schema.safeParse(output).success) candidates = [output];
    else if (Array.isArray(output) && output.every((item) => channel.schema.safeParse(item).success)) candidates = output;
    else throw new EmissionError(agent.name, emit.channel, "the output fits neither the channel's type nor, element by element, its element type");
    const messages = candidates.filter((message) => {
      if (emit.when !== undefined) return readPath(message, emit.when) === true;
      if (emit.unless !== undefined) return readPath(message, emit.unless) !== true;
      return true;
    });
    emissions.push({ channel: emit.channel, messages });
  }
  return emissions;
}

// ---------------------------------------------------------------------------------------------
// Tools

export interface ToolContext {
  agent: string;
  signal: AbortSignal;
  /** Present for a keyed effect: the same on every call that must not repeat the effect. */
  idempotencyKey?: string;
}

export type ToolImplementation = (input: unknown, context: ToolContext) => unknown;

export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly tool: string,
    readonly reason: 'not_declared' | 'not_granted' | 'not_implemented' | 'invalid_input' | 'invalid_output' | 'timeout',
    message: string,
  ) {
    super(`tool ${tool}: ${message}`);
  }
}

/**
 * Which attempt of which activation asked for a tool call: what lets a checker tell a legitimate
 * second effect from a retry, hedge copy or redelivery repeating the first.
 */
export interface ToolOrigin {
  activation: string;
  instance: number;
  /** 1, 2, 3 … across the retries and hedge copies of one call (unique per copy). */
  attempt: number;
}

/** `args`: a stable hash of the (parsed) arguments, so two calls with the same arguments are recognisable. */
type ToolEventBase = { agent: string; tool: string; args: string } & Partial<ToolOrigin>;

export type ToolEvent =
  | (ToolEventBase & { type: 'tool_call'; key?: string })
  | (ToolEventBase & { type: 'tool_result'; key?: string; ok: boolean; durationMs: number })
  | (ToolEventBase & { type: 'tool_deduplicated'; key: string });

/**
 * The record of keyed effects: key → the outcome of the one execution. Shared across runs when
 * passed in, so a re-run of the same request does not post the same comment twice.
 */
export type EffectLog = Map<string, Promise<unknown>>;

export class ToolRunner {
  private readonly definitions: Map<string, ToolDefinition>;

  constructor(
    definitions: readonly ToolDefinition[],
    private readonly implementations: Readonly<Record<string, ToolImplementation>>,
    private readonly clock: Clock,
    private readonly effects: EffectLog = new Map(),
    private readonly onEvent?: (event: ToolEvent) => void,
  ) {
    this.definitions = new Map(definitions.map((d) => [d.name, d]));
  }

  /** The tools `agent` declares it calls, for the model request. */
  definitionsFor(agent: AgentDefinition): ToolDefinition[] {
    return agent.calls.map((name) => this.definitions.get(name)).filter((d): d is ToolDefinition => d !== undefined);
  }

  /**
   * Calls `tool` for `agent`. A pure tool runs every time. An effect with an idempotency key runs
   * at most once per key: a later call with the same key — a retry, a hedge, a redelivered
   * message — gets the first call's outcome (its result, or its failure: whether a failed effect
   * happened is unknowable, and at-most-once must not guess).
   */
  async call(agent: AgentDefinition, tool: string, input: unknown, signal: AbortSignal, origin?: ToolOrigin): Promise<unknown> {
    const definition = this.definitions.get(tool);
    if (!definition) throw new ToolError(tool, 'not_declared', 'no such tool in the team');
    if (!agent.calls.includes(tool)) throw new ToolError(tool, 'not_granted', `${agent.name} does not declare \`calls ${tool}\``);
    const implementation = this.implementations[tool];
    if (!implementation) throw new ToolError(tool, 'not_implemented', 'no implementation was given to createTeam');
    const parsed = definition.input.safeParse(input);
    if (!parsed.success) throw new ToolError(tool, 'invalid_input', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));

    const key = definition.kind === 'effect' && definition.idempotencyKey?.length ? effectKey(definition, parsed.data) : undefined;
    const base: ToolEventBase = { agent: agent.name, tool, args: argumentsHash(parsed.data), ...origin };
    if (key !== undefined) {
      const earlier = this.effects.get(key);
      if (earlier) {
        this.onEvent?.({ type: 'tool_deduplicated', ...base, key });
        return earlier;
      }
    }
    const execution = this.execute(base, definition, implementation, parsed.data, key, signal);
    if (key !== undefined) {
      this.effects.set(key, execution);
      execution.catch(() => undefined); // the log keeps the failure; a caller may not be waiting
    }
    return execution;
  }

  private async execute(
    base: ToolEventBase,
    definition: ToolDefinition,
    implementation: ToolImplementation,
    input: unknown,
    key: string | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    const started = this.clock.now();
    this.onEvent?.({ type: 'tool_call', ...base, ...(key ? { key } : {}) });
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let cancelTimer = () => {};
    try {
      const running = Promise.resolve(implementation(input, { agent: base.agent, signal: controller.signal, ...(key ? { idempotencyKey: key } : {}) }));
      const timeoutMs = definition.timeoutMs;
      const result =
        timeoutMs === undefined
          ? await running
          : await Promise.race([
              running,
              new Promise<never>((_, reject) => {
                cancelTimer = this.clock.schedule(timeoutMs, () => {
                  const error = new ToolError(definition.name, 'timeout', `no answer within ${timeoutMs}ms`);
                  controller.abort(error);
                  reject(error);
                });
              }),
            ]);
      let output = result;
      if (definition.output) {
        const checked = definition.output.safeParse(result);
        if (!checked.success) throw new ToolError(definition.name, 'invalid_output', checked.error.issues.map((i) => i.message).join('; '));
        output = checked.data;
      }
      this.onEvent?.({ type: 'tool_result', ...base, ...(key ? { key } : {}), ok: true, durationMs: this.clock.now() - started });
      return output;
    } catch (error) {
      this.onEvent?.({ type: 'tool_result', ...base, ...(key ? { key } : {}), ok: false, durationMs: this.clock.now() - started });
      throw error;
    } finally {
      cancelTimer();
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** The first 16 hex digits of the SHA-256 of the arguments' canonical JSON: equal arguments, equal hash. */
export function argumentsHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 16);
}

/** `tool\0["value of path 1", ...]`: stable across processes, so an effect log can be persisted. */
export function effectKey(definition: ToolDefinition, input: unknown): string {
  return `${definition.name}\u0000${JSON.stringify((definition.idempotencyKey ?? []).map((path) => readPath(input, path) ?? null))}`;
}

// ---------------------------------------------------------------------------------------------
// Model calls, as the agent sees them

/** One request to a model, whatever the provider. */
export interface ModelRequest {
  agent: string;
  /** Which instance asks (replica, worker or voter). */
  instance: number;
  model: ModelDefinition;
  prompt: string;
  /** The output schema: for structured output, and for a simulated model to generate from. */
  schema: Schema;
  maxTokens: number;
  /** 1, 2, 3 … across retries and hedges of one call. */
  attempt: number;
  /** Tools the agent may call, and the results of the calls it asked for so far in this attempt. */
  tools: ToolDefinition[];
  toolResults: ToolResult[];
}

export interface ToolRequest {
  tool: string;
  input: unknown;
  /** The provider's id for the call, when it gave one (answered by that id in the next request). */
  id?: string;
}

export interface ToolResult extends ToolRequest {
  ok: boolean;
  /** The tool's output, or the error message. */
  output: unknown;
  /** Which tool round of the attempt asked for it (0, 1, …): the calls of one round were one answer. */
  round?: number;
}

/** A model's answer: a final output, or tool calls to make before asking again. */
export interface ModelAnswer {
  output?: unknown;
  toolCalls?: ToolRequest[];
  usage: { inputTokens: number; outputTokens: number };
}

export type ModelInvoker = (request: ModelRequest, signal: AbortSignal) => Promise<ModelAnswer>;

/** An agent ready to run: its definition, its compiled prompt and its resolved model. */
export interface CompiledAgent {
  definition: AgentDefinition;
  template: PromptTemplate;
  model: ModelDefinition;
}

/** The shape a validator agent's output must have: `valid`, and a `reason` when not. */
export interface ValidatorOutput {
  valid: boolean;
  reason?: string;
}

export type AgentEvent =
  | { type: 'activation_start'; agent: string; instance: number; activation: string; consumed?: string[] }
  | { type: 'activation_end'; agent: string; instance: number; activation: string; ok: boolean; error?: string }
  | { type: 'model_call'; agent: string; instance: number; activation: string; model: string; attempt: number; promptChars: number }
  | { type: 'model_answer'; agent: string; instance: number; activation: string; attempt: number; tokens: number; toolCalls: number }
  | { type: 'emit'; agent: string; instance: number; activation: string; channel: string; messages: number }
  | { type: 'write'; agent: string; instance: number; activation: string; store: string };

/** What an agent instance needs from the run it belongs to. */
export interface AgentServices {
  clock: Clock;
  random: Random;
  budget: Budget;
  invoke: ModelInvoker;
  agents: ReadonlyMap<string, CompiledAgent>;
  channels: ReadonlyMap<string, ChannelDefinition>;
  stores: ReadonlyMap<string, StoreDefinition>;
  tools: ToolRunner;
  /** Sends one message on a channel as `node`. */
  publish(channel: string, node: string, message: unknown): Promise<void>;
  /** `at`: the activation and instance reading or writing, for the trace. */
  read(store: string, node: string, requires: Consistency | undefined, at?: { activation: string; instance: number }): Promise<unknown>;
  write(store: string, node: string, value: unknown, at?: { activation: string; instance: number }): Promise<void>;
  onPolicyEvent(event: PolicyEvent): void;
  onEvent(event: AgentEvent): void;
}

/** One activation: the values of everything the agent takes (and, in a work graph, `task` and `deps`). */
export interface Activation {
  /** Run-unique and deterministic, e.g. `judge:2`. */
  id: string;
  variables: PromptVariables;
  /**
   * Ids of the channel messages that triggered it (what it handles; not the latest values of
   * optional takes it merely reads). A redelivered message shows up as two activations listing
   * the same id. Derived activations (consensus rounds, work tasks) carry their parent's.
   */
  consumed?: string[];
}

/** Tool rounds one attempt may take before it must answer: a model that only ever calls tools is a failure, not a hang. */
export const MAX_TOOL_ROUNDS = 8;

/** Output tokens assumed for a model that declares no `maxTokens`, for the budget's worst case. */
export const DEFAULT_MAX_TOKENS = 4_096;

export class ToolLoopError extends Error {
  override readonly name = 'ToolLoopError';
  constructor(readonly agent: string) {
    super(`${agent} asked for tools ${MAX_TOOL_ROUNDS} times without answering`);
  }
}

/**
 * One instance of an agent: a node with a mailbox. `post` queues an activation and resolves with
 * its validated output once it has been emitted and written; `think` (used by a consensus, which
 * emits only the decided value) stops after validation.
 */
export class AgentInstance {
  /** The network identity: the agent's name (its instances publish and consume as one node). */
  readonly node: string;
  private readonly mailbox: Mailbox<{ activation: Activation; emit: boolean; signal?: AbortSignal }, unknown>;
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    readonly agent: CompiledAgent,
    readonly index: number,
    private readonly services: AgentServices,
    private readonly signal: AbortSignal,
  ) {
    this.node = agent.definition.name;
    this.mailbox = new Mailbox(({ activation, emit, signal: callSignal }) => this.handle(activation, emit, callSignal));
  }

  get name(): string {
    return this.agent.definition.name;
  }

  /** Activations waiting or being handled. */
  get load(): number {
    return this.mailbox.queued + (this.mailbox.busy ? 1 : 0);
  }

  post(activation: Activation): Promise<unknown> {
    return this.mailbox.post({ activation, emit: true });
  }

  /** Calls and validates without emitting; `signal` lets the caller (a consensus round) abort it. */
  think(activation: Activation, signal?: AbortSignal): Promise<unknown> {
    return this.mailbox.post({ activation, emit: false, ...(signal ? { signal } : {}) });
  }

  /** False while this instance's own circuit breaker is open: a leader election skips it. */
  available(): boolean {
    const breaker = this.breakers.get(this.name);
    return breaker === undefined || breaker.state !== 'open';
  }

  /** Drops queued activations (the run ended). */
  stop(reason: unknown): void {
    this.mailbox.clear(reason);
  }

  private async handle(activation: Activation, emit: boolean, callSignal?: AbortSignal): Promise<unknown> {
    const { onEvent } = this.services;
    const base = { agent: this.name, instance: this.index, activation: activation.id };
    const signal = callSignal ? AbortSignal.any([this.signal, callSignal]) : this.signal;
    if (signal.aborted) throw signal.reason;
    onEvent({ type: 'activation_start', ...base, ...(activation.consumed?.length ? { consumed: [...activation.consumed] } : {}) });
    try {
      const variables = await this.readStores(activation.variables, activation.id);
      const output = await this.call(variables, activation, signal);
      if (emit) await this.emit(output, activation);
      onEvent({ type: 'activation_end', ...base, ok: true });
      return output;
    } catch (error) {
      onEvent({ type: 'activation_end', ...base, ok: false, error: describe(error) });
      throw error;
    }
  }

  private async readStores(variables: PromptVariables, activation: string): Promise<PromptVariables> {
    const reads = this.agent.definition.reads;
    if (reads.length === 0) return variables;
    const withReads: PromptVariables = { ...variables };
    for (const read of reads) {
      const value = await this.services.read(read.store, this.node, read.requires, { activation, instance: this.index });
      withReads[read.store] = withDeclaredFields(this.services.stores.get(read.store)?.schema, value) ?? null;
    }
    return withReads;
  }

  /** The model call under the agent's composed policies, its fallbacks each under their own. */
  private call(variables: PromptVariables, activation: Activation, signal: AbortSignal): Promise<unknown> {
    const spec = this.policySpec(this.agent, variables, activation);
    const fallback = (this.agent.definition.policy.fallback ?? []).map((name) => {
      const standIn = this.services.agents.get(name)!;
      return { name, spec: this.policySpec(standIn, variables, activation), call: this.operation(standIn, variables, activation) };
    });
    const resilient = composePolicies<ModelAnswer, unknown>(
      { ...spec, ...(fallback.length > 0 ? { fallback } : {}) },
      { clock: this.services.clock, random: this.services.random, onEvent: this.services.onPolicyEvent },
    );
    return resilient(this.operation(this.agent, variables, activation), signal);
  }

  private policySpec(agent: CompiledAgent, variables: PromptVariables, activation: Activation): PolicySpec<ModelAnswer, unknown> {
    const { definition, model } = agent;
    const policy = definition.policy;
    const maxTokens = maxTokensOf(agent);
    const spec: PolicySpec<ModelAnswer, unknown> = {
      name: `${definition.name}#${this.index}`,
      budget: {
        budget: this.services.budget,
        // The worst case of one attempt: the prompt as rendered, plus the most the model may answer.
        estimate: () => {
          const promptTokens = estimateTokens(safeRender(agent, variables));
          return { tokens: promptTokens + maxTokens, dollars: dollarsFor(model, promptTokens, maxTokens) };
        },
        usageOf: (answer) => usageOf(model, answer),
      },
      validation: {
        schema: definition.output,
        select: (answer) => answer.output,
        ...(policy.validator ? { validator: (value: unknown, signal: AbortSignal) => this.validate(policy.validator!, value, variables, activation, signal) } : {}),
      },
    };
    if (policy.timeoutMs !== undefined) spec.timeoutMs = policy.timeoutMs;
    if (policy.retry) spec.retry = { ...policy.retry };
    if (policy.hedge) spec.hedge = { afterMs: policy.hedge.afterMs };
    if (policy.breaker) spec.breaker = this.breakerFor(definition.name, policy.breaker);
    return spec;
  }

  private breakerFor(agent: string, options: NonNullable<AgentDefinition['policy']['breaker']>): CircuitBreaker {
    let breaker = this.breakers.get(agent);
    if (!breaker) {
      breaker = new CircuitBreaker({ name: `${agent}#${this.index}`, ...options, clock: this.services.clock, onEvent: this.services.onPolicyEvent });
      this.breakers.set(agent, breaker);
    }
    return breaker;
  }

  /** One attempt: render, ask, and run any tools the model asks for, until it answers. */
  private operation(agent: CompiledAgent, variables: PromptVariables, activation: Activation): Operation<ModelAnswer> {
    const { definition, model } = agent;
    return async (signal, attempt) => {
      const prompt = agent.template.render(variables);
      const tools = this.services.tools.definitionsFor(definition);
      const toolResults: ToolResult[] = [];
      const base = { agent: definition.name, instance: this.index, activation: activation.id };
      let inputTokens = 0;
      let outputTokens = 0;
      for (let round = 0; round <= MAX_TOOL_ROUNDS; round++) {
        this.services.onEvent({ type: 'model_call', ...base, model: model.name, attempt, promptChars: prompt.length });
        const request: ModelRequest = {
          agent: definition.name,
          instance: this.index,
          model,
          prompt,
          schema: definition.output,
          maxTokens: maxTokensOf(agent),
          attempt,
          tools,
          toolResults: [...toolResults],
        };
        const answer = await this.services.invoke(request, signal);
        inputTokens += answer.usage.inputTokens;
        outputTokens += answer.usage.outputTokens;
        const calls = answer.toolCalls ?? [];
        this.services.onEvent({ type: 'model_answer', ...base, attempt, tokens: answer.usage.inputTokens + answer.usage.outputTokens, toolCalls: calls.length });
        if (calls.length === 0) return { ...answer, usage: { inputTokens, outputTokens } };
        const origin = { activation: activation.id, instance: this.index, attempt };
        for (const call of calls) {
          try {
            toolResults.push({ ...call, round, ok: true, output: await this.services.tools.call(definition, call.tool, call.input, signal, origin) });
          } catch (error) {
            if (signal.aborted) throw error;
            // The model sees the failure and may recover; a denied capability is not the model's to retry around.
            if (error instanceof ToolError && (error.reason === 'not_granted' || error.reason === 'not_declared')) throw error;
            toolResults.push({ ...call, round, ok: false, output: describe(error) });
          }
        }
      }
      throw Object.assign(new ToolLoopError(definition.name), { usage: usageOf(model, { usage: { inputTokens, outputTokens } }) });
    };
  }

  /** Asks the validator agent, under its own policies, whether a schema-valid output is acceptable. */
  private async validate(
    validatorName: string,
    value: unknown,
    variables: PromptVariables,
    activation: Activation,
    signal: AbortSignal,
  ): Promise<ValidatorVerdict> {
    const validator = this.services.agents.get(validatorName)!;
    const validatorVariables = { ...variables, output: value };
    const resilient = composePolicies<ModelAnswer, unknown>(this.policySpec(validator, validatorVariables, activation), {
      clock: this.services.clock,
      random: this.services.random,
      onEvent: this.services.onPolicyEvent,
    });
    const verdict = (await resilient(this.operation(validator, validatorVariables, activation), signal)) as Partial<ValidatorOutput>;
    if (verdict.valid === true) return { ok: true };
    return { ok: false, reason: verdict.reason ?? `${validatorName} rejected the output` };
  }

  /**
   * Writes the output to every store the agent writes, then sends it on every channel it emits:
   * state first, then the news, so a consumer of the message can read what it announces (the
   * causal order T302 is about).
   */
  async emit(output: unknown, activation: Activation): Promise<void> {
    const definition = this.agent.definition;
    const base = { agent: definition.name, instance: this.index, activation: activation.id };
    for (const store of definition.writes) {
      await this.services.write(store, this.node, output, { activation: activation.id, instance: this.index });
      this.services.onEvent({ type: 'write', ...base, store });
    }
    for (const emission of planEmissions(definition, output, this.services.channels)) {
      for (const message of emission.messages) await this.services.publish(emission.channel, this.node, message);
      this.services.onEvent({ type: 'emit', ...base, channel: emission.channel, messages: emission.messages.length });
    }
  }
}

function maxTokensOf(agent: CompiledAgent): number {
  return agent.definition.maxTokens ?? agent.model.maxTokens ?? DEFAULT_MAX_TOKENS;
}

/** About four characters per token for English text and code: an estimate for reservations only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function safeRender(agent: CompiledAgent, variables: PromptVariables): string {
  try {
    return agent.template.render(variables);
  } catch {
    return agent.template.source;
  }
}

function dollarsFor(model: ModelDefinition, inputTokens: number, outputTokens: number): number {
  if (!model.price) return 0;
  return (inputTokens * model.price.inputPerMillion + outputTokens * model.price.outputPerMillion) / 1_000_000;
}

function usageOf(model: ModelDefinition, answer: Pick<ModelAnswer, 'usage'>): { tokens: number; dollars: number } {
  const { inputTokens, outputTokens } = answer.usage;
  return { tokens: inputTokens + outputTokens, dollars: dollarsFor(model, inputTokens, outputTokens) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
