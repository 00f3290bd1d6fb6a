/**
 * A request's identity, stable across processes and machines: the SHA-256 of the canonical JSON of
 * everything that shapes the answer — the model and its sampling settings, the messages (with
 * their tool calls and results), the output schema as JSON Schema, and the tools offered. Who asks
 * (agent, replica, attempt) is not part of it: the same question gets the same recorded answer,
 * and the simulator adds those as separate seeds. A request without tools hashes as it always did.
 */
import { createHash } from 'node:crypto';
import { jsonSchemaOf } from './json-schema.js';
import type { CompletionRequest } from './types.js';

export function requestKey(request: CompletionRequest): string {
  const identity = {
    model: request.model.model,
    temperature: request.model.temperature ?? null,
    maxTokens: request.model.maxTokens ?? null,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content, toolCalls: m.toolCalls, toolCallId: m.toolCallId })),
    schema: jsonSchemaOf(request.schema),
    tools: request.tools?.length ? request.tools.map((t) => ({ name: t.name, description: t.description, input: jsonSchemaOf(t.input) })) : undefined,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
