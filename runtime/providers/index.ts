/**
 * Model providers: how an agent's call reaches a model. `openai` (the official SDK, any
 * OpenAI-compatible server), `sim` (a deterministic simulated model with injected faults) and
 * `replay` (recorded answers, offline). See docs/runtime/providers.md.
 */
export type { CallOptions, ChatMessage, ChatRole, CompletionRequest, ModelProvider, ModelResponse, ModelSettings, TokenUsage, ToolCall, ToolOffer } from './types.js';
export {
  ProviderError,
  RateLimitError,
  ServerError,
  ProviderTimeoutError,
  ProviderConnectionError,
  ProviderAuthError,
  ProviderRequestError,
  MalformedOutputError,
  SchemaMismatchError,
  ReplayMissError,
  UnsupportedSchemaError,
  isProviderError,
  type ErrorSource,
  type MalformedReason,
} from './errors.js';
export { parseModelOutput, parseToolArguments, estimatePromptTokens, type ParseContext } from './output.js';
export { jsonSchemaOf, structuredOutputFormat, schemaNameFor, type JsonSchema, type StructuredOutputFormat } from './json-schema.js';
export { requestKey } from './request-key.js';
export { createOpenAIProvider, retryAfterFromHeaders, OPENAI_DEFAULT_BASE_URL, type OpenAIProviderOptions } from './openai.js';
export {
  createSimProvider,
  RawAnswer,
  SIM_FAULTS,
  type SimBehaviour,
  type SimCallRecord,
  type SimContext,
  type SimFault,
  type SimFaults,
  type SimOptions,
  type SimProvider,
  type SimRespond,
} from './sim.js';
export { generateValue, type GenerateOptions } from './generate.js';
export { sampleLatency, type LatencyOptions } from './latency.js';
export { sampleRegex, UnsupportedPatternError } from './regex-sample.js';
export { createReplayProvider, type CassetteEntry, type ReplayMode, type ReplayOptions, type ReplayProvider } from './replay.js';
export { createProvider, providerNames, type ProviderName, type ProviderOptionsByName } from './factory.js';
