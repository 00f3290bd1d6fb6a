/**
 * From the text a model returned to a checked value: one path every provider shares, so a
 * simulated, replayed and real answer fail in exactly the same ways.
 */
import type { z } from 'zod';
import { MalformedOutputError, SchemaMismatchError, type ErrorSource } from './errors.js';
import type { ChatMessage, TokenUsage } from './types.js';

export interface ParseContext {
  source: ErrorSource;
  /** What the answer cost, attached to an output error so budgets can charge it. */
  usage?: TokenUsage;
  /** The provider knows the answer was cut off (e.g. `finish_reason: "length"`). */
  truncated?: boolean;
}

/**
 * Parses `raw` as JSON and checks it against `schema`. Returns the parsed JSON (zod's defaults and
 * transforms are left for the caller's validation). Local models often wrap JSON in a Markdown
 * code fence; one surrounding fence is tolerated, since the JSON inside is exactly what was asked.
 */
export function parseModelOutput(raw: string, schema: z.ZodType, context: ParseContext): unknown {
  const text = stripCodeFence(raw).trim();
  if (text.length === 0) throw new MalformedOutputError(context.source, context.truncated ? 'truncated' : 'empty', raw, context.usage);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const reason = context.truncated || endsMidValue(text) ? 'truncated' : 'not_json';
    throw new MalformedOutputError(context.source, reason, raw, context.usage);
  }
  const checked = schema.safeParse(value);
  if (!checked.success) throw new SchemaMismatchError(context.source, checked.error.issues, value, raw, context.usage);
  return value;
}

/**
 * A tool call's arguments, as the model wrote them (JSON text), parsed. Not JSON is the same
 * failure as malformed output — the answer is unusable and retryable — so a model that botches
 * its tool call fails the attempt rather than running a tool on a guess. Whether the arguments
 * fit the tool's input schema is the tool runner's to check (the model sees that failure).
 */
export function parseToolArguments(text: string, context: ParseContext): unknown {
  const trimmed = text.trim();
  // Some servers send "" for a tool that takes no arguments.
  if (trimmed.length === 0) return {};
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new MalformedOutputError(context.source, context.truncated || endsMidValue(trimmed) ? 'truncated' : 'not_json', text, context.usage);
  }
}

function stripCodeFence(raw: string): string {
  const fenced = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n\s*```\s*$/.exec(raw);
  return fenced ? fenced[1]! : raw;
}

/**
 * True when `text` opens a JSON value it never closes (an unterminated string, object or array):
 * the signature of an answer cut off by a token limit, as opposed to prose or broken syntax.
 */
export function endsMidValue(text: string): boolean {
  if (!/^[[{"]/.test(text)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return inString || depth > 0;
}

/** About four characters per token for English text and code; used when a server reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Chat formatting adds a few tokens per message (role and separators) and a few to prime the reply. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + 4 + estimateTokens(message.content), 3);
}
