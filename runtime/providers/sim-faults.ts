/**
 * How the simulator spoils an answer when a fault is drawn: a wrong but valid value, a value the
 * schema rejects, or text that is not JSON. Each returns a value the real parse path then judges,
 * so a simulated fault surfaces as exactly the error a real model's would.
 */
import type { z } from 'zod';
import type { Random } from '../random.js';
import { generateValue, type GenerateOptions } from './generate.js';
import { endsMidValue, estimateTokens } from './output.js';
import { canonicalJson } from './request-key.js';

/** Draws until the value differs from `correct`; undefined when the schema admits nothing else. */
export function differentValue(schema: z.ZodType, correct: unknown, random: Random, options: GenerateOptions = {}): unknown {
  const target = canonicalJson(correct);
  for (let i = 0; i < 16; i++) {
    const candidate = generateValue(schema, random, options);
    if (canonicalJson(candidate) !== target) return candidate;
  }
  return undefined;
}

/**
 * A JSON value close to `value` that `schema` rejects: a leaf of the wrong type, a missing key, or
 * a wrong root. Undefined when the schema accepts everything tried (e.g. `z.any()`).
 */
export function corruptValue(value: unknown, schema: z.ZodType, random: Random): unknown {
  const candidates: unknown[] = [
    mutateLeaf(value, random),
    dropKey(value, random),
    wrongType(value),
    null,
    42,
    'not the expected answer',
    [],
    {},
  ];
  for (const candidate of candidates) {
    if (candidate !== undefined && !schema.safeParse(candidate).success) return candidate;
  }
  return undefined;
}

/** Text a model might send instead of JSON: cut off mid-value, or JSON wrapped in chatter. */
export function malformText(raw: string, random: Random): { raw: string; truncated: boolean } {
  if (raw.length > 1 && random.chance(0.5)) {
    const cut = raw.slice(0, random.int(1, raw.length - 1));
    if (endsMidValue(cut) || !parses(cut)) return { raw: cut, truncated: true };
  }
  return { raw: `Sure! Here is the answer you asked for:\n${raw}\nLet me know if you need anything else.`, truncated: false };
}

/**
 * The output tokens an answer is billed. A cut-off answer (`finish_reason: "length"`) stopped
 * because it had used every token it was allowed, and a verbose one reasoned or rambled up to the
 * same limit before answering: both are billed `maxTokens`, whatever short text stands in for them
 * here. Any other answer is billed its text. Without a known limit, the text is all there is.
 */
export function billedOutputTokens(raw: string, answer: { truncated: boolean; verbose: boolean; maxTokens: number | undefined }): number {
  const written = estimateTokens(raw);
  return (answer.truncated || answer.verbose) && answer.maxTokens !== undefined ? Math.max(written, answer.maxTokens) : written;
}

function mutateLeaf(value: unknown, random: Random): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const i = random.int(0, value.length - 1);
    const copy = [...value];
    copy[i] = mutateLeaf(value[i], random) ?? wrongType(value[i]);
    return copy;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return undefined;
    const key = random.pick(keys);
    return { ...value, [key]: mutateLeaf(value[key], random) ?? wrongType(value[key]) };
  }
  return wrongType(value);
}

function dropKey(value: unknown, random: Random): unknown {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return undefined;
  const { [random.pick(keys)]: _, ...rest } = value;
  return rest;
}

function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 404;
  if (typeof value === 'number') return 'four hundred and four';
  if (typeof value === 'boolean') return 'yes';
  if (value === null) return { unexpected: true };
  if (Array.isArray(value)) return 'a list';
  return ['unexpected'];
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
