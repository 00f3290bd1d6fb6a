/**
 * Real models through the official `openai` SDK: OpenAI itself or any server that speaks the
 * chat-completions protocol (Ollama, vLLM, LM Studio, gateways) via `baseURL`. One attempt per
 * call — the SDK's own retries are off because teamc's policies own retrying, with the run's clock
 * and budget. The output schema goes out as structured output and is checked on the way back.
 *
 * Tools go out as function definitions (`tools: [{ type: 'function', function: { name,
 * description, parameters } }]`); a `message.tool_calls` answer comes back as `toolCalls` with
 * parsed JSON arguments, and the conversation sent on the next round carries the assistant's
 * `tool_calls` message and one `role: 'tool'` message per result.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionFunctionTool,
} from 'openai/resources/chat/completions';
import {
  MalformedOutputError,
  ProviderAuthError,
  ProviderConnectionError,
  ProviderRequestError,
  ProviderTimeoutError,
  RateLimitError,
  ServerError,
  type ErrorSource,
} from './errors.js';
import { jsonSchemaOf, structuredOutputFormat } from './json-schema.js';
import { estimatePromptTokens, estimateTokens, parseModelOutput, parseToolArguments } from './output.js';
import type { CallOptions, ChatMessage, CompletionRequest, ModelProvider, ModelResponse, TokenUsage, ToolCall, ToolOffer } from './types.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIProviderOptions {
  /** Defaults to `OPENAI_API_KEY`. A local server (non-OpenAI `baseURL`) may need none. */
  apiKey?: string;
  /** Defaults to `OPENAI_BASE_URL`, then OpenAI's API. E.g. `http://localhost:11434/v1` for Ollama. */
  baseURL?: string;
  /** The SDK's own deadline for one request; past it the call fails with `ProviderTimeoutError`. */
  timeoutMs?: number;
  /** Force strict structured output on or off; by default on exactly when the schema allows it. */
  strict?: boolean;
  /**
   * How the token limit is sent. OpenAI's current models take `max_completion_tokens`; some older
   * compatible servers only know `max_tokens`.
   */
  maxTokensParameter?: 'max_completion_tokens' | 'max_tokens';
  /** Extra headers on every request (a gateway's routing key, say). */
  headers?: Record<string, string>;
  /** Where `OPENAI_API_KEY` / `OPENAI_BASE_URL` are read from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** The provider's name in errors; defaults to `openai`. */
  name?: string;
}

export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ModelProvider {
  const name = options.name ?? 'openai';
  const env = options.env ?? process.env;
  const baseURL = options.baseURL ?? env['OPENAI_BASE_URL'] ?? OPENAI_DEFAULT_BASE_URL;
  const apiKey = options.apiKey ?? env['OPENAI_API_KEY'];
  const maxTokensParameter = options.maxTokensParameter ?? 'max_completion_tokens';
  // Servers sometimes echo the key back in an error; it must never reach a message or a log.
  const redact = (text: string): string => (apiKey ? text.split(apiKey).join('[redacted]') : text);
  let client: OpenAI | undefined;

  // Built on first use, so naming the provider in a team that never calls it needs no key.
  const clientFor = (source: ErrorSource): OpenAI => {
    if (client) return client;
    if (!apiKey && isOpenAIHosted(baseURL)) {
      throw new ProviderAuthError(source, undefined, 'no API key: set OPENAI_API_KEY or pass apiKey (a local server may need none)');
    }
    client = new OpenAI({
      // Local servers ignore the key, but the SDK insists on one.
      apiKey: apiKey ?? 'no-key',
      baseURL,
      maxRetries: 0,
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
    });
    return client;
  };

  return {
    name,
    async complete(request: CompletionRequest, { signal, clock }: CallOptions): Promise<ModelResponse> {
      const source: ErrorSource = { provider: name, agent: request.agent };
      signal?.throwIfAborted();
      const sdk = clientFor(source);
      const body: ChatCompletionCreateParamsNonStreaming = {
        model: request.model.model,
        messages: request.messages.map(toOpenAIMessage),
        response_format: structuredOutputFormat(request.schema, request.schemaName, options.strict),
      };
      if (request.tools?.length) body.tools = request.tools.map(toOpenAITool);
      if (request.model.temperature !== undefined) body.temperature = request.model.temperature;
      if (request.model.maxTokens !== undefined) body[maxTokensParameter] = request.model.maxTokens;

      const started = clock.now();
      let completion: ChatCompletion;
      try {
        completion = await sdk.chat.completions.create(body, { signal });
      } catch (error) {
        throw translateError(error, source, signal, redact, options.timeoutMs);
      }
      const latencyMs = clock.now() - started;

      const choice = completion.choices[0];
      const raw = choice?.message.content ?? '';
      const usage: TokenUsage = completion.usage
        ? { inputTokens: completion.usage.prompt_tokens, outputTokens: completion.usage.completion_tokens }
        : { inputTokens: estimatePromptTokens(request.messages), outputTokens: estimateTokens(raw) };
      if (choice?.message.refusal) throw new MalformedOutputError(source, 'refusal', choice.message.refusal, usage);
      const calls = (choice?.message.tool_calls ?? []).filter((call) => call.type === 'function');
      if (calls.length > 0) {
        const truncated = choice?.finish_reason === 'length';
        const toolCalls: ToolCall[] = calls.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: parseToolArguments(call.function.arguments, { source, usage, truncated }),
        }));
        return { output: undefined, raw, toolCalls, usage, latencyMs };
      }
      const output = parseModelOutput(raw, request.schema, { source, usage, truncated: choice?.finish_reason === 'length' });
      return { output, raw, usage, latencyMs };
    },
  };
}

/** A message of the conversation in the chat-completions shape (tool calls re-encoded as JSON text). */
function toOpenAIMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
    case 'assistant':
      if (message.toolCalls?.length) {
        return {
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) } })),
        };
      }
      return { role: 'assistant', content: message.content };
    default:
      return { role: message.role, content: message.content };
  }
}

function toOpenAITool(tool: ToolOffer): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: jsonSchemaOf(tool.input) },
  };
}

/**
 * SDK errors as teamc's typed errors. When the caller aborted, its reason wins: the timeout or
 * hedge that cancelled the call is what the policies expect back, not the SDK's abort error.
 */
function translateError(
  error: unknown,
  source: ErrorSource,
  signal: AbortSignal | undefined,
  redact: (text: string) => string,
  timeoutMs: number | undefined,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof APIConnectionTimeoutError) return new ProviderTimeoutError(source, timeoutMs);
  if (error instanceof APIConnectionError) return new ProviderConnectionError(source, redact(describeCause(error)));
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const detail = redact(serverMessage(error));
    if (status === 429) return new RateLimitError(source, retryAfterFromHeaders(error.headers), { retryable: error.code !== 'insufficient_quota', detail });
    if (status === 401 || status === 403) return new ProviderAuthError(source, status, detail);
    if (status === 408) return new ProviderTimeoutError(source, undefined);
    if (status >= 500) return new ServerError(source, status, detail);
    return new ProviderRequestError(source, status, detail);
  }
  return error;
}

/**
 * The wait a 429 asks for, in ms: `retry-after-ms` (OpenAI's, more precise) first, then the
 * standard `Retry-After` as seconds or as an HTTP date. A date is absolute wall time, so it is
 * compared with the wall clock, not the run's clock.
 */
export function retryAfterFromHeaders(headers: Headers | undefined, wallNow: number = Date.now()): number | undefined {
  const millis = headers?.get('retry-after-ms');
  if (millis) {
    const value = Number.parseFloat(millis);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers?.get('retry-after')?.trim();
  if (after) {
    if (/^\d+(\.\d+)?$/.test(after)) return Number.parseFloat(after) * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - wallNow);
  }
  return undefined;
}

function isOpenAIHosted(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname.endsWith('openai.com');
  } catch {
    return false;
  }
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

function describeCause(error: APIConnectionError): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
