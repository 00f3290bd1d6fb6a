/**
 * A value of a zod schema, drawn from a seeded generator: what the simulated model answers. It
 * walks zod 4's schema definitions (`schema._zod.def`) — objects, strings (lengths, formats,
 * patterns), numbers and integers (bounds, multiples), booleans, literals, enums, unions, arrays,
 * tuples, records, optionals, nullables, defaults, lazies (recursion) and pipes — and checks the
 * result with the schema itself, drawing again if a refinement it cannot see rejects it.
 *
 * Hand-written on purpose: zod ships no generator, and property-testing libraries' generators
 * (fast-check's, zod-fast-check) are test-time dependencies that the runtime must not import.
 */
import type { z } from 'zod';
import type { Random } from '../random.js';
import { UnsupportedSchemaError, type ErrorSource } from './errors.js';
import { sampleRegex, UnsupportedPatternError } from './regex-sample.js';

export interface GenerateOptions {
  /** Past this depth, optional parts are left out and arrays kept short, so recursion ends. Default 4. */
  maxDepth?: number;
  /** Names the simulator and agent in an `UnsupportedSchemaError`. */
  source?: ErrorSource;
}

/** How many whole values are drawn before a schema that keeps rejecting them is reported. */
const WHOLE_VALUE_TRIES = 8;
/** How many strings are drawn for one string schema before giving up on it. */
const STRING_TRIES = 12;
/** Recursion this far past `maxDepth` means the schema has no finite value. */
const DEPTH_SLACK = 12;

/** A schema-valid JSON value of `schema`, drawn from `random`. */
export function generateValue(schema: z.ZodType, random: Random, options: GenerateOptions = {}): unknown {
  const generator = new ValueGenerator(random, options.maxDepth ?? 4, options.source ?? { provider: 'sim' });
  let last: z.core.$ZodIssue[] = [];
  for (let i = 0; i < WHOLE_VALUE_TRIES; i++) {
    const value = generator.value(schema, '$', 0);
    if (value === OMIT) throw new UnsupportedSchemaError(generator.source, '$', 'the schema only admits undefined, which is not JSON');
    const checked = schema.safeParse(value);
    if (checked.success) return value;
    last = checked.error.issues;
  }
  const issue = last[0];
  throw new UnsupportedSchemaError(
    generator.source,
    issue ? `$${issue.path.map((p) => `.${String(p)}`).join('')}` : '$',
    `no generated value passed the schema after ${WHOLE_VALUE_TRIES} draws (a refinement the simulator cannot see?): ${issue?.message ?? 'unknown'}`,
  );
}

/** Stands for "leave this key out" (undefined, which JSON cannot carry). */
const OMIT: unique symbol = Symbol('omit');
type Generated = unknown | typeof OMIT;

type AnyDef = { type: string; checks?: ReadonlyArray<{ _zod: { def: CheckDef } }> } & Record<string, unknown>;
type CheckDef = { check?: string } & Record<string, unknown>;

const VOCABULARY = [
  'alpha', 'bravo', 'cedar', 'delta', 'ember', 'fable', 'garnet', 'harbor', 'indigo', 'juniper', 'kestrel', 'lumen',
  'meadow', 'nimbus', 'onyx', 'prairie', 'quartz', 'river', 'summit', 'tundra', 'umber', 'violet', 'willow', 'zephyr',
];
const HEX = '0123456789abcdef';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

class ValueGenerator {
  constructor(
    private readonly random: Random,
    private readonly maxDepth: number,
    readonly source: ErrorSource,
  ) {}

  value(schema: z.ZodType, path: string, depth: number): Generated {
    if (depth > this.maxDepth + DEPTH_SLACK) throw new TooDeepError(this.source, path);
    const def = defOf(schema);
    const minimal = depth > this.maxDepth;
    switch (def.type) {
      case 'string':
        return this.string(schema, def, path);
      case 'number':
        return this.number(def, path);
      case 'boolean':
        return this.random.chance(0.5);
      case 'null':
        return null;
      case 'undefined':
      case 'void':
        return OMIT;
      case 'any':
      case 'unknown':
        return this.words(1, 3);
      case 'literal':
        return this.pickJson((def['values'] as unknown[]) ?? [], path, 'literal');
      case 'enum':
        return this.pickJson(enumValues(schema, def), path, 'enum');
      case 'object':
        return this.object(def, path, depth, minimal);
      case 'array':
        return this.array(def, path, depth, minimal);
      case 'tuple':
        return this.tuple(def, path, depth, minimal);
      case 'record':
        return this.record(def, path, depth, minimal);
      case 'union':
        return this.union(def, path, depth, minimal);
      case 'intersection':
        return this.intersection(def, path, depth);
      case 'optional':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
      case 'nonoptional':
      case 'success':
        return this.value(def['innerType'] as z.ZodType, path, depth);
      case 'nullable':
        return minimal || this.random.chance(0.15) ? null : this.value(def['innerType'] as z.ZodType, path, depth);
      case 'lazy':
        return this.value((def['getter'] as () => z.ZodType)(), path, depth + 1);
      case 'pipe': {
        // The model writes the pipe's input; a preprocess (transform first) accepts anything its output does.
        const input = def['in'] as z.ZodType;
        return this.value(defOf(input).type === 'transform' ? (def['out'] as z.ZodType) : input, path, depth);
      }
      case 'transform':
        return this.words(1, 2);
      case 'template_literal':
        return this.templateLiteral(def, path, depth);
      default:
        throw new UnsupportedSchemaError(this.source, path, `${def.type} values cannot be written as JSON`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Strings

  private string(schema: z.ZodType, def: AnyDef, path: string): string {
    const spec = stringSpec(def);
    for (let i = 0; i < STRING_TRIES; i++) {
      const candidate = this.stringCandidate(spec, i);
      if (schema.safeParse(candidate).success) return candidate;
    }
    throw new UnsupportedSchemaError(this.source, path, `no drawn string satisfied ${describeStringSpec(spec)}`);
  }

  /** Even tries use the format's own sample, odd ones its pattern (when it has one in our subset). */
  private stringCandidate(spec: StringSpec, attempt: number): string {
    let text: string;
    if (spec.format) {
      const sample = attempt % 2 === 0 ? formatSample(spec.format, this.random) : undefined;
      text = sample ?? this.fromPattern(spec.formatPattern) ?? formatSample(spec.format, this.random) ?? this.words(1, 2);
    } else if (spec.patterns.length > 0) {
      // A pattern outside the sampler's subset may still accept plain words.
      text = this.fromPattern(spec.patterns[attempt % spec.patterns.length]) ?? this.freeText(spec);
    } else {
      text = this.freeText(spec);
    }
    if (spec.lowercase) text = text.toLowerCase();
    if (spec.uppercase) text = text.toUpperCase();
    return text;
  }

  private fromPattern(pattern: RegExp | undefined): string | undefined {
    if (!pattern) return undefined;
    try {
      return sampleRegex(pattern, this.random);
    } catch (error) {
      if (error instanceof UnsupportedPatternError) return undefined;
      throw error;
    }
  }

  /** Words, fitted between the prefix, the required substrings and the suffix, within the length bounds. */
  private freeText(spec: StringSpec): string {
    const fixed = spec.prefix.length + spec.suffix.length + spec.includes.reduce((n, s) => n + s.length, 0);
    const lowest = Math.max(0, spec.minLength - fixed);
    const highest = Math.max(lowest, spec.maxLength - fixed);
    let body = this.words(1, 4);
    const target = Math.min(Math.max(body.length, lowest), highest);
    while (body.length < target) body += ` ${this.random.pick(VOCABULARY)}`;
    if (body.length > target) body = body.slice(0, target).trimEnd().padEnd(target, 'x');
    return `${spec.prefix}${spec.includes.join('')}${body}${spec.suffix}`;
  }

  private words(min: number, max: number): string {
    const count = this.random.int(min, max);
    return Array.from({ length: count }, () => this.random.pick(VOCABULARY)).join(' ');
  }

  // -------------------------------------------------------------------------------------------
  // Numbers

  private number(def: AnyDef, path: string): number {
    const spec = numberSpec(def);
    let low = spec.min;
    let high = spec.max;
    // An open side gets a window of 100 next to the other bound (or around 0 to 100).
    if (!Number.isFinite(low) && !Number.isFinite(high)) [low, high] = [0, 100];
    else if (!Number.isFinite(low)) low = high - 100;
    else if (!Number.isFinite(high)) high = low + 100;
    if (spec.integer) {
      low = Math.ceil(low) + (spec.minExclusive && Number.isInteger(spec.min) ? 1 : 0);
      high = Math.floor(high) - (spec.maxExclusive && Number.isInteger(spec.max) ? 1 : 0);
    }
    if (spec.multipleOf !== undefined) {
      const step = spec.multipleOf;
      const first = Math.ceil(low / step) + (spec.minExclusive && Math.ceil(low / step) * step <= spec.min ? 1 : 0);
      const last = Math.floor(high / step) - (spec.maxExclusive && Math.floor(high / step) * step >= spec.max ? 1 : 0);
      if (first > last) throw new UnsupportedSchemaError(this.source, path, `no multiple of ${step} lies in the allowed range`);
      return roundLike(this.random.int(first, last) * step, step);
    }
    if (low > high) throw new UnsupportedSchemaError(this.source, path, `the range [${spec.min}, ${spec.max}] is empty`);
    if (spec.integer) return this.random.int(low, high);
    let value = Math.round((low + this.random.next() * (high - low)) * 100) / 100;
    if (value < low || value > high) value = low + (high - low) / 2;
    if ((spec.minExclusive && value <= spec.min) || (spec.maxExclusive && value >= spec.max)) value = (low + high) / 2;
    return value;
  }

  // -------------------------------------------------------------------------------------------
  // Structures

  private object(def: AnyDef, path: string, depth: number, minimal: boolean): Record<string, unknown> {
    const shape = def['shape'] as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(shape)) {
      const optional = (child as unknown as { _zod: { optin?: string } })._zod.optin === 'optional';
      if (optional && (minimal || !this.random.chance(0.7))) continue;
      const value = this.value(child, `${path}.${key}`, depth + 1);
      if (value !== OMIT) out[key] = value;
    }
    return out;
  }

  private array(def: AnyDef, path: string, depth: number, minimal: boolean): unknown[] {
    const { min, max } = lengthBounds(def);
    const preferred = minimal ? min : Math.max(min, Math.min(1, max));
    const count = minimal ? min : this.random.int(preferred, Math.max(preferred, Math.min(max, preferred + 2)));
    return Array.from({ length: count }, (_, i) => this.jsonItem(def['element'] as z.ZodType, `${path}[${i}]`, depth + 1));
  }

  private tuple(def: AnyDef, path: string, depth: number, minimal: boolean): unknown[] {
    const items = (def['items'] as z.ZodType[]).map((item, i) => this.jsonItem(item, `${path}[${i}]`, depth + 1));
    const rest = def['rest'] as z.ZodType | null | undefined;
    if (rest && !minimal) {
      const extra = this.random.int(0, 2);
      for (let i = 0; i < extra; i++) items.push(this.jsonItem(rest, `${path}[${items.length}]`, depth + 1));
    }
    return items;
  }

  private record(def: AnyDef, path: string, depth: number, minimal: boolean): Record<string, unknown> {
    const keyType = def['keyType'] as z.ZodType;
    const keyDef = defOf(keyType);
    let keys: string[];
    // zod 4 requires every key of an enum- or literal-keyed record.
    if (keyDef.type === 'enum') keys = enumValues(keyType, keyDef).map(String);
    else if (keyDef.type === 'literal') keys = ((keyDef['values'] as unknown[]) ?? []).map(String);
    else {
      const count = minimal ? 0 : this.random.int(1, 3);
      keys = [...new Set(Array.from({ length: count }, () => String(this.value(keyType, `${path}{key}`, depth + 1))))];
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = this.jsonItem(def['valueType'] as z.ZodType, `${path}.${key}`, depth + 1);
    return out;
  }

  private union(def: AnyDef, path: string, depth: number, minimal: boolean): Generated {
    const options = def['options'] as z.ZodType[];
    // When recursion must end, leaves go first so a recursive union bottoms out.
    const order = minimal ? [...options].sort((a, b) => structural(a) - structural(b)) : shuffled(options, this.random);
    let lastError: unknown;
    for (const option of order) {
      try {
        return this.value(option, path, depth);
      } catch (error) {
        if (!(error instanceof UnsupportedSchemaError) || error instanceof TooDeepError) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new UnsupportedSchemaError(this.source, path, 'a union with no options');
  }

  private intersection(def: AnyDef, path: string, depth: number): Generated {
    const left = this.value(def['left'] as z.ZodType, path, depth);
    const right = this.value(def['right'] as z.ZodType, path, depth);
    if (isPlainObject(left) && isPlainObject(right)) return { ...right, ...left };
    return left;
  }

  private templateLiteral(def: AnyDef, path: string, depth: number): string {
    const parts = def['parts'] as unknown[];
    return parts
      .map((part) => {
        if (part !== null && typeof part === 'object' && '_zod' in part) return String(this.value(part as z.ZodType, path, depth + 1));
        return part === undefined || part === null ? String(part ?? '') : String(part);
      })
      .join('');
  }

  /** An array element or record value: undefined has no JSON form there, so it becomes null. */
  private jsonItem(schema: z.ZodType, path: string, depth: number): unknown {
    const value = this.value(schema, path, depth);
    return value === OMIT ? null : value;
  }

  private pickJson(values: readonly unknown[], path: string, what: string): unknown {
    const usable = values.filter((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    if (usable.length === 0) throw new UnsupportedSchemaError(this.source, path, `the ${what} has no JSON value`);
    return this.random.pick(usable);
  }
}

class TooDeepError extends UnsupportedSchemaError {
  constructor(source: ErrorSource, path: string) {
    super(source, path, 'the schema recurses without a finite value (no optional, empty-array or leaf alternative)');
  }
}

// ---------------------------------------------------------------------------------------------
// Reading zod definitions

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** A schema's own check (z.email(), z.int() are checks themselves) followed by its `.checks`. */
function checksOf(def: AnyDef): CheckDef[] {
  const own = typeof def['check'] === 'string' ? [def as CheckDef] : [];
  return [...own, ...(def.checks ?? []).map((c) => c._zod.def)];
}

function enumValues(schema: z.ZodType, def: AnyDef): unknown[] {
  const options = (schema as unknown as { options?: unknown }).options;
  if (Array.isArray(options)) return options;
  return Object.values((def['entries'] as Record<string, unknown>) ?? {});
}

interface StringSpec {
  minLength: number;
  maxLength: number;
  prefix: string;
  suffix: string;
  includes: string[];
  lowercase: boolean;
  uppercase: boolean;
  patterns: RegExp[];
  format?: string;
  formatPattern?: RegExp;
}

function stringSpec(def: AnyDef): StringSpec {
  const spec: StringSpec = { minLength: 0, maxLength: Number.POSITIVE_INFINITY, prefix: '', suffix: '', includes: [], lowercase: false, uppercase: false, patterns: [] };
  for (const check of checksOf(def)) {
    switch (check.check) {
      case 'min_length':
        spec.minLength = Math.max(spec.minLength, check['minimum'] as number);
        break;
      case 'max_length':
        spec.maxLength = Math.min(spec.maxLength, check['maximum'] as number);
        break;
      case 'length_equals':
        spec.minLength = spec.maxLength = check['length'] as number;
        break;
      case 'string_format':
        switch (check['format']) {
          case 'starts_with':
            spec.prefix = check['prefix'] as string;
            break;
          case 'ends_with':
            spec.suffix = check['suffix'] as string;
            break;
          case 'includes':
            spec.includes.push(check['includes'] as string);
            break;
          case 'lowercase':
            spec.lowercase = true;
            break;
          case 'uppercase':
            spec.uppercase = true;
            break;
          case 'regex':
            spec.patterns.push(check['pattern'] as RegExp);
            break;
          default:
            spec.format = check['format'] as string;
            spec.formatPattern = check['pattern'] as RegExp | undefined;
        }
        break;
    }
  }
  return spec;
}

function describeStringSpec(spec: StringSpec): string {
  const parts = [];
  if (spec.format) parts.push(`format ${spec.format}`);
  for (const pattern of spec.patterns) parts.push(`pattern /${pattern.source}/`);
  if (spec.minLength > 0 || Number.isFinite(spec.maxLength)) parts.push(`length ${spec.minLength}..${spec.maxLength}`);
  return parts.length > 0 ? parts.join(', ') : 'its checks';
}

interface NumberSpec {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  integer: boolean;
  multipleOf?: number;
}

const NUMBER_FORMATS: Record<string, { integer: boolean; min: number; max: number }> = {
  safeint: { integer: true, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  int32: { integer: true, min: -2147483648, max: 2147483647 },
  uint32: { integer: true, min: 0, max: 4294967295 },
  float32: { integer: false, min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
};

function numberSpec(def: AnyDef): NumberSpec {
  const spec: NumberSpec = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY, minExclusive: false, maxExclusive: false, integer: false };
  const raiseMin = (value: number, exclusive: boolean) => {
    if (value > spec.min || (value === spec.min && exclusive)) [spec.min, spec.minExclusive] = [value, exclusive];
  };
  const lowerMax = (value: number, exclusive: boolean) => {
    if (value < spec.max || (value === spec.max && exclusive)) [spec.max, spec.maxExclusive] = [value, exclusive];
  };
  let formatMin = Number.NEGATIVE_INFINITY;
  let formatMax = Number.POSITIVE_INFINITY;
  for (const check of checksOf(def)) {
    if (check.check === 'greater_than') raiseMin(check['value'] as number, !check['inclusive']);
    else if (check.check === 'less_than') lowerMax(check['value'] as number, !check['inclusive']);
    else if (check.check === 'multiple_of') spec.multipleOf = check['value'] as number;
    else if (check.check === 'number_format') {
      const format = NUMBER_FORMATS[check['format'] as string];
      if (format) {
        spec.integer ||= format.integer;
        formatMin = Math.max(formatMin, format.min);
        formatMax = Math.min(formatMax, format.max);
      }
    }
  }
  // A format's limits bind when they are tighter than the explicit bounds; a vast limit on an open
  // side (int32's -2^31) is left open, so the default window near 0 applies instead of its edge.
  const vast = 1e9;
  if (formatMin > spec.min && (Number.isFinite(spec.min) || formatMin > -vast)) raiseMin(formatMin, false);
  if (formatMax < spec.max && (Number.isFinite(spec.max) || formatMax < vast)) lowerMax(formatMax, false);
  return spec;
}

function lengthBounds(def: AnyDef): { min: number; max: number } {
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  for (const check of checksOf(def)) {
    if (check.check === 'min_length') min = Math.max(min, check['minimum'] as number);
    else if (check.check === 'max_length') max = Math.min(max, check['maximum'] as number);
    else if (check.check === 'length_equals') min = max = check['length'] as number;
  }
  return { min, max };
}

/** 0 for leaves, 1 for wrappers and containers: the order a recursion-ending union tries its options. */
function structural(schema: z.ZodType): number {
  const type = defOf(schema).type;
  return ['object', 'array', 'tuple', 'record', 'lazy', 'union', 'intersection'].includes(type) ? 1 : 0;
}

function roundLike(value: number, step: number): number {
  const decimals = (String(step).split('.')[1] ?? '').length;
  return decimals === 0 ? value : Number(value.toFixed(decimals));
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// String formats zod checks with patterns too intricate to sample (lookaheads): known good shapes.

function formatSample(format: string, random: Random): string | undefined {
  const word = () => random.pick(VOCABULARY);
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => random.pick([...alphabet])).join('');
  const byte = () => random.int(0, 255);
  switch (format) {
    case 'email':
      return `${word()}.${word()}@example.com`;
    case 'url':
      return `https://example.com/${word()}`;
    case 'hostname':
      return `${word()}.example.com`;
    case 'uuid':
    case 'guid':
      return `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${random.pick(['8', '9', 'a', 'b'])}${chars(HEX, 3)}-${chars(HEX, 12)}`;
    case 'datetime':
      return new Date(Date.UTC(2020, 0, 1) + random.int(0, 6 * 365 * 24 * 3600) * 1000).toISOString();
    case 'date':
      return new Date(Date.UTC(2020, 0, 1) + random.int(0, 6 * 365) * 86_400_000).toISOString().slice(0, 10);
    case 'time':
      return `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}`;
    case 'duration':
      return `P${random.int(1, 30)}DT${random.int(0, 23)}H`;
    case 'ipv4':
      return `10.${byte()}.${byte()}.${byte()}`;
    case 'ipv6':
      return `2001:db8::${chars(HEX, 4)}`;
    case 'cidrv4':
      return `10.${byte()}.0.0/16`;
    case 'cidrv6':
      return '2001:db8::/32';
    case 'mac':
      return Array.from({ length: 6 }, () => chars(HEX, 2)).join(':');
    case 'base64':
      return Buffer.from(`${word()} ${word()}`).toString('base64');
    case 'base64url':
      return Buffer.from(`${word()} ${word()}`).toString('base64url');
    case 'e164':
      return `+1${random.int(2, 9)}${chars('0123456789', 9)}`;
    case 'nanoid':
      return chars(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ_-`, 21);
    case 'cuid':
      return `c${chars(ALNUM, 24)}`;
    case 'cuid2':
      return `${random.pick([...'abcdefghijklmnopqrstuvwxyz'])}${chars(ALNUM, 23)}`;
    case 'ulid':
      return `01${chars('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 24)}`;
    case 'xid':
      return chars('0123456789abcdefghijklmnopqrstuv', 20);
    case 'ksuid':
      return chars(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 27);
    case 'emoji':
      return random.pick(['🙂', '🚀', '🌲', '🎯']);
    case 'jwt': {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: word() })}.${Buffer.from(chars(ALNUM, 16)).toString('base64url')}`;
    }
    case 'json_string':
      return JSON.stringify({ [word()]: word() });
    case 'credit_card':
      return '4242424242424242';
    case 'iban':
      return 'DE89370400440532013000';
    case 'hex':
      return chars(HEX, 2 * random.int(2, 8));
    default:
      return undefined;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
