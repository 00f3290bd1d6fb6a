/**
 * The contract every model provider meets: one request in, one answer out — a schema-checked
 * output, or the tool calls the model wants made first — or one of the typed errors in
 * `errors.ts`. The team runner calls a provider inside its fault policies, so a provider makes
 * exactly one attempt and never retries on its own.
 *
 * Tools: a request offers the tools the agent may call (`tools`) and carries the conversation so
 * far (`messages`: the prompt, then for each earlier round the assistant's tool calls and one
 * `tool` message per result). The answer either has `toolCalls` (no output yet: run them and ask
 * again with their results appended) or an `output`.
 */
import type { z } from 'zod';
import type { Clock } from '../clock.js';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** One tool call a model asked for. */
export interface ToolCall {
  /** The provider's id for the call; a `tool` message answers it by this id. */
  id: string;
  /** The tool's name, as offered. */
  name: string;
  /** The arguments, parsed from the model's JSON (checked against the tool's input schema by the caller). */
  arguments: unknown;
}

export interface ChatMessage {
  role: ChatRole;
  /** The text; for a `tool` message, the result as JSON. */
  content: string;
  /** `assistant` only: the tool calls it asked for in that round. */
  toolCalls?: ToolCall[];
  /** `tool` only: the call this message is the result of. */
  toolCallId?: string;
}

/** A tool the model may call: sent as a function definition (name, description, JSON Schema of the input). */
export interface ToolOffer {
  name: string;
  description?: string;
  /** The input the tool takes; sent as JSON Schema, and what a simulated model generates arguments from. */
  input: z.ZodType;
}

/** Which model to ask and how: the runtime's `ModelDefinition` fits this shape. */
export interface ModelSettings {
  /** The provider name the team declared (`openai`, `sim`, `replay`); informational here. */
  provider: string;
  /** The provider's model identifier, e.g. `gpt-4o-mini` or `llama3.1:8b`. */
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Expected latency of one call: the simulator's median. */
  latencyMs?: number;
}

export interface CompletionRequest {
  /** The agent asking: names it in errors and cassettes, and seeds the simulator. */
  agent: string;
  model: ModelSettings;
  messages: readonly ChatMessage[];
  /** The expected output: sent as structured output, and checked on the way back. */
  schema: z.ZodType;
  /** A name for the schema (`^[a-zA-Z0-9_-]{1,64}$` after sanitising), e.g. the output type's name. */
  schemaName: string;
  /** Which replica, worker or voter asks (default 0). Not part of the request's identity. */
  instance?: number;
  /** 1, 2, 3 … across retries and hedges of one call (default 1). Not part of the request's identity. */
  attempt?: number;
  /** Tools the model may call instead of answering (none by default). */
  tools?: readonly ToolOffer[];
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ModelResponse {
  /**
   * The answer as parsed JSON, already checked against the request's schema. zod's defaults and
   * transforms are not applied: the caller's validation applies them, once. Undefined when the
   * model asked for tool calls instead.
   */
  output: unknown;
  /** The text the model returned (empty, or the model's remarks, beside tool calls). */
  raw: string;
  /** Present (non-empty) when the model asked for tools instead of answering. */
  toolCalls?: ToolCall[];
  usage: TokenUsage;
  /** From the request to the answer, measured on the call's clock. */
  latencyMs: number;
}

export interface CallOptions {
  /** Aborting it stops the call; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Every wait and every latency measurement uses it (a VirtualClock in simulation). */
  clock: Clock;
}

export interface ModelProvider {
  readonly name: string;
  complete(request: CompletionRequest, options: CallOptions): Promise<ModelResponse>;
}
