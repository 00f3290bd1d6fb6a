import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnsupportedSchemaError } from '../../../runtime/providers/errors.js';
import { generateValue } from '../../../runtime/providers/generate.js';
import { sampleRegex, UnsupportedPatternError } from '../../../runtime/providers/regex-sample.js';
import { canonicalJson } from '../../../runtime/providers/request-key.js';
import { corruptValue, differentValue, malformText } from '../../../runtime/providers/sim-faults.js';
import { seededRandom } from '../../../runtime/random.js';

// ---------------------------------------------------------------------------------------------
// Random zod schemas, built by fast-check

const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);

const stringSchema = fc.oneof(
  fc.record({ min: fc.nat(6), extra: fc.option(fc.nat(30)) }).map(({ min, extra }) => (extra === null ? z.string().min(min) : z.string().min(min).max(min + extra))),
  fc.nat({ max: 12 }).map((n) => z.string().length(n)),
  fc.constantFrom<z.ZodType>(
    z.email(),
    z.uuid(),
    z.url(),
    z.iso.datetime(),
    z.iso.date(),
    z.iso.time(),
    z.ipv4(),
    z.ipv6(),
    z.cidrv4(),
    z.e164(),
    z.ulid(),
    z.nanoid(),
    z.base64(),
    z.hex(),
    z.hostname(),
    z.hash('sha256'),
    z.jwt(),
    z.string().regex(/^[A-Z]{2,3}-\d{3,5}$/),
    z.string().regex(/^(low|medium|high)(-[a-z]+)?$/),
    z.string().startsWith('id_').endsWith('!'),
    z.string().includes('@').min(12),
    z.string().lowercase().max(20),
    z.string().uppercase(),
    z.templateLiteral(['task-', z.int().min(0).max(99)]),
  ),
);

const numberSchema = fc.oneof(
  fc.record({ lo: fc.integer({ min: -1000, max: 1000 }), span: fc.option(fc.nat(500)) }).map(({ lo, span }) => (span === null ? z.int().min(lo) : z.int().min(lo).max(lo + span))),
  fc.record({ lo: fc.double({ min: -100, max: 100, noNaN: true }), span: fc.double({ min: 0.01, max: 50, noNaN: true }) }).map(({ lo, span }) => z.number().gt(lo).lt(lo + span)),
  fc.record({ step: fc.constantFrom(1, 2, 5, 10, 0.5, 0.25), lo: fc.integer({ min: -50, max: 50 }) }).map(({ step, lo }) => z.number().multipleOf(step).min(lo).max(lo + 40)),
  fc.constantFrom<z.ZodType>(z.number(), z.int(), z.number().positive(), z.number().nonnegative(), z.int().negative(), z.int32(), z.uint32(), z.float32()),
);

const leafSchema: fc.Arbitrary<z.ZodType> = fc.oneof(
  stringSchema,
  numberSchema,
  fc.constant(z.boolean()),
  fc.constant(z.null()),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), { minLength: 1, maxLength: 4 }).map((values) => z.literal(values)),
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((values) => z.enum(values as [string, ...string[]])),
);

const { schema: randomSchema } = fc.letrec<{ schema: z.ZodType; object: z.ZodType; array: z.ZodType; union: z.ZodType; wrapped: z.ZodType; tuple: z.ZodType; record: z.ZodType }>(
  (tie) => ({
    schema: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leafSchema, tie('object'), tie('array'), tie('union'), tie('wrapped'), tie('tuple'), tie('record')),
    object: fc.dictionary(key, tie('schema'), { maxKeys: 5 }).map((shape) => z.object(shape)),
    array: fc
      .record({ item: tie('schema'), min: fc.nat(3), extra: fc.option(fc.nat(4)) })
      .map(({ item, min, extra }) => (extra === null ? z.array(item).min(min) : z.array(item).min(min).max(min + extra))),
    union: fc.array(tie('schema'), { minLength: 2, maxLength: 3 }).map((options) => z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]])),
    wrapped: fc
      .record({ inner: tie('schema'), kind: fc.constantFrom('optional', 'nullable', 'readonly', 'nonoptional-object') })
      .map(({ inner, kind }): z.ZodType => {
        if (kind === 'optional') return z.object({ maybe: inner.optional(), always: z.boolean() });
        if (kind === 'nullable') return inner.nullable();
        if (kind === 'readonly') return inner.readonly();
        return z.object({ inner }).strict();
      }),
    tuple: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }).map((items) => z.tuple(items as [z.ZodType, ...z.ZodType[]])),
    record: fc.oneof(
      tie('schema').map((value) => z.record(z.string().min(1).max(10), value)),
      fc.tuple(fc.uniqueArray(key, { minLength: 1, maxLength: 3 }), tie('schema')).map(([keys, value]) => z.record(z.enum(keys as [string, ...string[]]), value)),
    ),
  }),
);

describe('generateValue', () => {
  it('always produces a JSON value the schema accepts (random schemas, random seeds)', () => {
    fc.assert(
      fc.property(randomSchema, fc.integer(), (schema, seed) => {
        const value = generateValue(schema, seededRandom(seed));
        const throughJson = JSON.parse(JSON.stringify(value)) as unknown;
        expect(throughJson).toEqual(value);
        const checked = schema.safeParse(throughJson);
        expect(checked.success, JSON.stringify(checked.error?.issues)).toBe(true);
      }),
      { numRuns: 600, seed: 20250117 },
    );
  });

  it('is a function of the seed', () => {
    fc.assert(
      fc.property(randomSchema, fc.integer(), (schema, seed) => {
        expect(canonicalJson(generateValue(schema, seededRandom(seed)))).toBe(canonicalJson(generateValue(schema, seededRandom(seed))));
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('covers the space: optional keys come and go, unions take every branch, arrays vary in length', () => {
    const schema = z.object({ tag: z.union([z.literal('a'), z.literal('b'), z.literal('c')]), note: z.string().optional(), list: z.array(z.int()).max(3) });
    const values = Array.from({ length: 200 }, (_, seed) => generateValue(schema, seededRandom(seed)) as { tag: string; note?: string; list: number[] });
    expect(new Set(values.map((v) => v.tag))).toEqual(new Set(['a', 'b', 'c']));
    expect(values.some((v) => 'note' in v) && values.some((v) => !('note' in v))).toBe(true);
    expect(new Set(values.map((v) => v.list.length)).size).toBeGreaterThan(2);
  });

  it('ends recursion in recursive schemas', () => {
    type Tree = { name: string; children: Tree[] };
    const Tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), children: z.array(Tree) }));
    type Expr = number | { op: '+' | '*'; left: Expr; right: Expr };
    const Expr: z.ZodType<Expr> = z.lazy(() => z.union([z.object({ op: z.enum(['+', '*']), left: Expr, right: Expr }), z.number()]));
    for (let seed = 0; seed < 50; seed++) {
      expect(Tree.safeParse(generateValue(Tree, seededRandom(seed))).success).toBe(true);
      expect(Expr.safeParse(generateValue(Expr, seededRandom(seed))).success).toBe(true);
    }
  });

  it('fills every key of an enum-keyed record, and honours intersections and pipes', () => {
    const schema = z.object({
      scores: z.record(z.enum(['red', 'green', 'blue']), z.int().min(0).max(9)),
      both: z.intersection(z.object({ a: z.string() }), z.object({ b: z.number() })),
      length: z.string().min(2).transform((s) => s.length),
      coerced: z.preprocess((v) => v, z.boolean()),
    });
    for (let seed = 0; seed < 30; seed++) {
      const value = generateValue(schema, seededRandom(seed)) as { scores: Record<string, number> };
      expect(Object.keys(value.scores).sort()).toEqual(['blue', 'green', 'red']);
      expect(schema.safeParse(value).success).toBe(true);
    }
  });

  it('reports what it cannot produce, naming where', () => {
    const at = (schema: z.ZodType) => {
      try {
        generateValue(schema, seededRandom(1));
      } catch (error) {
        expect(error).toBeInstanceOf(UnsupportedSchemaError);
        expect((error as UnsupportedSchemaError).retryable).toBe(false);
        return (error as UnsupportedSchemaError).path;
      }
      throw new Error('expected UnsupportedSchemaError');
    };
    expect(at(z.object({ when: z.date() }))).toBe('$.when');
    expect(at(z.object({ items: z.array(z.object({ big: z.bigint() })).min(1) }))).toBe('$.items[0].big');
    expect(at(z.object({ n: z.int().min(5).max(4) }))).toBe('$.n');
    expect(at(z.object({ s: z.string().refine(() => false, 'never') }))).toBe('$.s');
    type Endless = { next: Endless };
    const Endless: z.ZodType<Endless> = z.lazy(() => z.object({ next: Endless }));
    expect(at(Endless)).toMatch(/^\$(\.next)+$/);
  });
});

describe('sampleRegex', () => {
  const patterns = [
    /^[A-Z]{3}-\d{4}$/,
    /^(?:foo|bar)+baz?$/,
    /^[a-f0-9]{8}(-[a-f0-9]{4}){3}$/,
    /^\w+@\w+\.(com|org)$/,
    /^[^aeiou\s]{2,5}$/,
    /^v\d+\.\d+\.\d+(-rc\.\d)?$/,
    /^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])$/,
    /^\$?\d{1,3}(,\d{3})*(\.\d{2})?$/,
    /x*y+z?[.]\\/,
  ];
  it.each(patterns.map((p) => [p.source, p] as const))('%s: every sample matches', (_, pattern) => {
    const random = seededRandom(pattern.source);
    for (let i = 0; i < 100; i++) expect(sampleRegex(pattern, random)).toMatch(pattern);
  });

  it('refuses lookarounds and backreferences', () => {
    expect(() => sampleRegex(/^(?=a)a$/, seededRandom(1))).toThrow(UnsupportedPatternError);
    expect(() => sampleRegex(/^(a)\1$/, seededRandom(1))).toThrow(UnsupportedPatternError);
  });
});

describe('spoiling answers', () => {
  it('corruptValue yields JSON the schema rejects whenever the schema rejects anything', () => {
    fc.assert(
      fc.property(randomSchema, fc.integer(), (schema, seed) => {
        const value = generateValue(schema, seededRandom(seed));
        const corrupt = corruptValue(value, schema, seededRandom(seed + 1));
        expect(corrupt).not.toBeUndefined();
        expect(schema.safeParse(JSON.parse(JSON.stringify(corrupt))).success).toBe(false);
      }),
      { numRuns: 300, seed: 99 },
    );
    expect(corruptValue('x', z.any(), seededRandom(1))).toBeUndefined();
  });

  it('differentValue is valid and differs, or says there is none', () => {
    const schema = z.object({ n: z.int().min(0).max(1000), s: z.string() });
    const random = seededRandom(3);
    const correct = generateValue(schema, random);
    const other = differentValue(schema, correct, random);
    expect(schema.safeParse(other).success).toBe(true);
    expect(canonicalJson(other)).not.toBe(canonicalJson(correct));
    expect(differentValue(z.literal('only'), 'only', random)).toBeUndefined();
  });

  it('malformText never parses as JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const { raw } = malformText(JSON.stringify(value), seededRandom(seed));
        expect(() => JSON.parse(raw)).toThrow();
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
