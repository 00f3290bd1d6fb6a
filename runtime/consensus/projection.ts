/**
 * What replicas must agree on: each answer is projected onto the `agreeOn` field paths (the whole
 * answer when there are none), each projected value normalised (e.g. trim + lower-case, so
 * "Approve " and "approve" are one vote), and the result reduced to a canonical key (JSON with
 * sorted object keys) that votes are counted by.
 */
export type NormalizerName = 'none' | 'trim' | 'lower' | 'trim_lower' | 'collapse_whitespace';
export type Normalizer = NormalizerName | ((value: unknown) => unknown);

const STRING_NORMALIZERS: Record<NormalizerName, (text: string) => string> = {
  none: (text) => text,
  trim: (text) => text.trim(),
  lower: (text) => text.toLowerCase(),
  trim_lower: (text) => text.trim().toLowerCase(),
  collapse_whitespace: (text) => text.trim().replace(/\s+/g, ' ').toLowerCase(),
};

export function isNormalizerName(name: string): name is NormalizerName {
  return Object.hasOwn(STRING_NORMALIZERS, name);
}

/** A named normaliser applies to every string inside the value (arrays and records included). */
export function normalizerFunction(normalizer: Normalizer | undefined): (value: unknown) => unknown {
  if (normalizer === undefined) return (value) => value;
  if (typeof normalizer === 'function') return normalizer;
  if (!isNormalizerName(normalizer)) throw new RangeError(`unknown normaliser "${String(normalizer)}"`);
  const onString = STRING_NORMALIZERS[normalizer];
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return onString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk;
}

/** Reads a dotted path; `missing` when a step does not exist (an answer without the field cannot vote). */
export const MISSING: unique symbol = Symbol('missing');

export function readField(value: unknown, path: string): unknown {
  if (path === '' || path === '.') return value;
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return MISSING;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? MISSING : current;
}

export interface Projector {
  /** The normalised agreed part of an answer, or MISSING when a field is absent. */
  project(answer: unknown): unknown;
  /** The vote key of a projected value. */
  key(projected: unknown): string;
}

export function projector(agreeOn: readonly string[] | undefined, normalizer: Normalizer | undefined): Projector {
  const normalise = normalizerFunction(normalizer);
  const paths = agreeOn ?? [];
  return {
    project(answer) {
      if (paths.length === 0) return normalise(answer);
      const parts: Record<string, unknown> = {};
      for (const path of paths) {
        const field = readField(answer, path);
        if (field === MISSING) return MISSING;
        parts[path] = normalise(field);
      }
      return paths.length === 1 ? parts[paths[0]!] : parts;
    },
    key: canonicalJson,
  };
}

/** JSON with object keys sorted, so equal values have equal keys whatever their field order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
