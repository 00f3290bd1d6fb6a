import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MalformedOutputError, SchemaMismatchError } from '../../../runtime/providers/errors.js';
import { jsonSchemaOf, schemaNameFor, structuredOutputFormat } from '../../../runtime/providers/json-schema.js';
import { endsMidValue, parseModelOutput } from '../../../runtime/providers/output.js';

const strictOf = (schema: z.ZodType) => structuredOutputFormat(schema, 'x').json_schema.strict;

describe('structured output format', () => {
  it('closes objects and turns discriminated unions into anyOf, so strict mode can take them', () => {
    const schema = z.object({
      event: z.discriminatedUnion('kind', [z.object({ kind: z.literal('start'), at: z.int() }), z.object({ kind: z.literal('stop'), reason: z.string() })]),
      tags: z.array(z.enum(['a', 'b'])),
      maybe: z.string().nullable(),
    });
    const format = structuredOutputFormat(schema, 'Event');
    expect(format.json_schema.strict).toBe(true);
    const event = (format.json_schema.schema['properties'] as Record<string, Record<string, unknown>>)['event']!;
    expect(event).not.toHaveProperty('oneOf');
    expect((event['anyOf'] as Array<Record<string, unknown>>).every((branch) => branch['additionalProperties'] === false)).toBe(true);
    expect(format.json_schema.schema).not.toHaveProperty('$schema');
  });

  it('is not strict for optional keys, open records, tuples, untyped values or passthrough objects', () => {
    expect(strictOf(z.object({ a: z.string().optional() }))).toBe(false);
    expect(strictOf(z.object({ a: z.string().default('x') }))).toBe(false);
    expect(strictOf(z.record(z.string(), z.number()))).toBe(false);
    expect(strictOf(z.object({ t: z.tuple([z.string(), z.int()]) }))).toBe(false);
    expect(strictOf(z.object({ anything: z.unknown() }))).toBe(false);
    expect(strictOf(z.object({ a: z.string() }).passthrough())).toBe(false);
    expect(strictOf(z.object({ when: z.date() }))).toBe(false);
    expect(structuredOutputFormat(z.object({ a: z.string().optional() }), 'x', true).json_schema.strict).toBe(true);
  });

  it('describes what the model must write: a transform’s input, never throwing on it', () => {
    expect(jsonSchemaOf(z.object({ n: z.string().transform((s) => s.length) }))).toMatchObject({ properties: { n: { type: 'string' } } });
  });

  it('sanitises schema names to what OpenAI accepts', () => {
    expect(schemaNameFor('Summary output (v2)')).toBe('Summary_output_v2_');
    expect(schemaNameFor('')).toBe('output');
    expect(schemaNameFor('x'.repeat(80))).toHaveLength(64);
  });
});

describe('parseModelOutput', () => {
  const schema = z.object({ n: z.int() });
  const source = { provider: 'test', agent: 'a' };
  const reasonOf = (raw: string, truncated = false) => {
    try {
      parseModelOutput(raw, schema, { source, truncated });
    } catch (error) {
      if (error instanceof MalformedOutputError) return error.reason;
      if (error instanceof SchemaMismatchError) return 'schema';
      throw error;
    }
    return 'ok';
  };

  it('classifies answers', () => {
    expect(reasonOf('{"n": 1}')).toBe('ok');
    expect(reasonOf('  \n```json\n{"n": 1}\n```\n')).toBe('ok');
    expect(reasonOf('{"n": "1"}')).toBe('schema');
    expect(reasonOf('{"n": 1')).toBe('truncated');
    expect(reasonOf('{"n": "on')).toBe('truncated');
    expect(reasonOf('n is 1')).toBe('not_json');
    expect(reasonOf('{"n": 1}}')).toBe('not_json');
    expect(reasonOf('   ')).toBe('empty');
    expect(reasonOf('', true)).toBe('truncated');
    expect(reasonOf('n is', true)).toBe('truncated');
  });

  it('returns the JSON as written, leaving defaults and transforms to the caller', () => {
    const withDefault = z.object({ n: z.int(), tag: z.string().default('none') });
    expect(parseModelOutput('{"n": 2}', withDefault, { source })).toEqual({ n: 2 });
  });

  it('endsMidValue sees open strings, objects and arrays, with escapes', () => {
    expect(endsMidValue('{"a": "x\\"')).toBe(true);
    expect(endsMidValue('["a", "]"')).toBe(true);
    expect(endsMidValue('{"a": "}"}')).toBe(false);
    expect(endsMidValue('hello {')).toBe(false);
  });
});
