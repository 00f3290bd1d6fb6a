/**
 * A zod schema as the JSON Schema a model is asked to follow. zod 4 converts (`z.toJSONSchema`);
 * this module picks the right side of the schema (the model writes what the schema *parses*, its
 * input) and decides whether OpenAI's strict mode can take it.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export interface StructuredOutputFormat {
  type: 'json_schema';
  json_schema: { name: string; schema: JsonSchema; strict: boolean };
}

const plainCache = new WeakMap<z.ZodType, JsonSchema>();
const structuredCache = new WeakMap<z.ZodType, { schema: JsonSchema; strictCompatible: boolean }>();

/**
 * The schema's input side as JSON Schema, without `$schema`. Types JSON cannot carry (dates,
 * bigints) become `{}` rather than throwing: the request can still be sent and hashed, and zod
 * still checks the answer.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let cached = plainCache.get(schema);
  if (!cached) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cached = rest;
    plainCache.set(schema, cached);
  }
  return cached;
}

/**
 * The `response_format` for chat completions. Objects without an explicit `additionalProperties`
 * get `false` (zod strips unknown keys anyway, so forbidding them loses nothing), and `oneOf`
 * becomes `anyOf` (zod's discriminated unions are exclusive already). `strict` is on when the
 * result meets strict mode's rules — every property required, no open objects or tuples, no
 * untyped values — unless the caller decides.
 */
export function structuredOutputFormat(schema: z.ZodType, name: string, strict?: boolean): StructuredOutputFormat {
  let cached = structuredCache.get(schema);
  if (!cached) {
    const prepared = prepareForStructuredOutput(structuredClone(jsonSchemaOf(schema))) as JsonSchema;
    cached = { schema: prepared, strictCompatible: isStrictCompatible(prepared) };
    structuredCache.set(schema, cached);
  }
  return { type: 'json_schema', json_schema: { name: schemaNameFor(name), schema: cached.schema, strict: strict ?? cached.strictCompatible } };
}

/** OpenAI accepts `^[a-zA-Z0-9_-]{1,64}$`. */
export function schemaNameFor(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64);
  return cleaned.length > 0 ? cleaned : 'output';
}

function prepareForStructuredOutput(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prepareForStructuredOutput);
  if (!isRecord(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) out[key === 'oneOf' ? 'anyOf' : key] = prepareForStructuredOutput(value);
  if ((out['type'] === 'object' || isRecord(out['properties'])) && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

const SCHEMA_KEYWORDS = ['type', 'anyOf', 'allOf', 'oneOf', 'enum', 'const', '$ref', 'not'];

function isStrictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isStrictCompatible);
  if (!isRecord(node)) return true;
  if (!SCHEMA_KEYWORDS.some((keyword) => keyword in node)) return false;
  if ('prefixItems' in node || 'allOf' in node || 'not' in node) return false;
  const properties = node['properties'];
  if (node['type'] === 'object' || isRecord(properties)) {
    if (node['additionalProperties'] !== false) return false;
    const required = new Set(Array.isArray(node['required']) ? (node['required'] as unknown[]) : []);
    if (isRecord(properties) && !Object.keys(properties).every((key) => required.has(key))) return false;
  }
  const children = [
    ...(isRecord(properties) ? Object.values(properties) : []),
    ...(isRecord(node['$defs']) ? Object.values(node['$defs']) : []),
    ...(isRecord(node['definitions']) ? Object.values(node['definitions']) : []),
    node['items'],
    node['anyOf'],
  ];
  return children.every((child) => child === undefined || isStrictCompatible(child));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
