/**
 * The contract every model provider meets: one request in, one schema-checked answer out, or one
 * of the typed errors in `errors.ts`. The team runner calls a provider inside its fault policies,
 * so a provider makes exactly one attempt and never retries on its own.
 */
import type { z } from 'zod';
import type { Clock } from '../clock.js';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
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
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ModelResponse {
  /**
   * The answer as parsed JSON, already checked against the request's schema. zod's defaults and
   * transforms are not applied: the caller's validation applies them, once.
   */
  output: unknown;
  /** The text the model returned. */
  raw: string;
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
