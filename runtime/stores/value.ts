/**
 * The replicated value of a store, as a state-based CRDT: every replica holds one of these, and
 * `join` is commutative, associative and idempotent, so replicas that have seen the same writes
 * hold the same value whatever order (and however often) those writes reached them.
 *
 * - lww: one register; a write carries a stamp (time, replica, index) and the highest stamp wins.
 * - append: a grow-only list; each element carries its write's stamp and reads list them in stamp
 *   order, so concurrent appends interleave the same way everywhere.
 * - union: a grow-only set of JSON values (equal when their canonical JSON is equal), listed in
 *   the order they were first added.
 */
import type { Merge } from '../definition.js';
import type { JsonValue } from '../transport/envelope.js';

export interface Stamp {
  /** A logical time that respects causality where the store knows it (see each store). */
  time: number;
  replica: string;
  /** Position inside one write (append and union write several elements at once). */
  index: number;
  /** The write's id, for tracing (see tracing.ts); never compared. */
  write?: string;
}

interface Stamped {
  stamp: Stamp;
  item: JsonValue;
}

export type ValueState =
  | { merge: 'lww'; value: JsonValue; stamp: Stamp | null }
  | { merge: 'append'; entries: Stamped[] }
  | { merge: 'union'; members: Array<Stamped & { key: string }> };

export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.replica !== b.replica) return a.replica < b.replica ? -1 : 1;
  return a.index - b.index;
}

export function emptyValue(merge: Merge, initial?: JsonValue): ValueState {
  switch (merge) {
    case 'lww':
      return { merge, value: initial ?? null, stamp: null };
    case 'append':
    case 'union': {
      const items = initial === undefined ? [] : elements(merge, initial);
      const base: ValueState = merge === 'append' ? { merge, entries: [] } : { merge, members: [] };
      return applyWrite(base, items, { time: 0, replica: '', index: 0 });
    }
  }
}

/** Throws unless `value` is a write the merge rule accepts (arrays for append and union). */
export function checkWrite(merge: Merge, value: JsonValue): void {
  if (merge !== 'lww') elements(merge, value);
}

/** The state after one write stamped `stamp` (idempotent: the same write twice changes nothing). */
export function applyWrite(state: ValueState, value: JsonValue, stamp: Stamp): ValueState {
  switch (state.merge) {
    case 'lww':
      if (state.stamp && compareStamps(stamp, state.stamp) <= 0) return state;
      return { merge: 'lww', value, stamp };
    case 'append': {
      const added = elements('append', value).map((item, index) => ({ stamp: { ...stamp, index }, item }));
      return { merge: 'append', entries: mergeSorted(state.entries, added) };
    }
    case 'union': {
      const added = elements('union', value).map((item, index) => ({ stamp: { ...stamp, index }, item, key: canonicalJson(item) }));
      return { merge: 'union', members: unionMembers(state.members, added) };
    }
  }
}

export function join(a: ValueState, b: ValueState): ValueState {
  if (a.merge === 'lww' && b.merge === 'lww') {
    if (!b.stamp) return a;
    if (!a.stamp) return b;
    return compareStamps(b.stamp, a.stamp) > 0 ? b : a;
  }
  if (a.merge === 'append' && b.merge === 'append') return { merge: 'append', entries: mergeSorted(a.entries, b.entries) };
  if (a.merge === 'union' && b.merge === 'union') return { merge: 'union', members: unionMembers(a.members, b.members) };
  throw new TypeError(`cannot join a ${a.merge} value with a ${b.merge} value`);
}

export function readValue(state: ValueState): JsonValue {
  switch (state.merge) {
    case 'lww':
      return state.value;
    case 'append':
      return state.entries.map((entry) => entry.item);
    case 'union':
      return state.members.map((member) => member.item);
  }
}

/** The highest stamp time in a state (lets a replica's clock move past everything it has seen). */
export function highestTime(state: ValueState): number {
  switch (state.merge) {
    case 'lww':
      return state.stamp?.time ?? 0;
    case 'append':
      return state.entries.at(-1)?.stamp.time ?? 0;
    case 'union':
      return state.members.reduce((max, member) => Math.max(max, member.stamp.time), 0);
  }
}

/** JSON with object keys sorted, so equal values have equal text. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function elements(merge: 'append' | 'union', value: JsonValue): JsonValue[] {
  if (!Array.isArray(value)) throw new TypeError(`a store that merges by ${merge} takes arrays of elements, got ${canonicalJson(value)}`);
  return value;
}

/** Both lists sorted by stamp, stamps unique: their sorted union. */
function mergeSorted(a: Stamped[], b: Stamped[]): Stamped[] {
  const out: Stamped[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length) out.push(a[i++]!);
    else if (i >= a.length) out.push(b[j++]!);
    else {
      const order = compareStamps(a[i]!.stamp, b[j]!.stamp);
      if (order < 0) out.push(a[i++]!);
      else if (order > 0) out.push(b[j++]!);
      else {
        out.push(a[i++]!);
        j++;
      }
    }
  }
  return out;
}

/** One member per key, keeping its earliest stamp; listed in stamp order. */
function unionMembers<T extends Stamped & { key: string }>(a: T[], b: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const member of [...a, ...b]) {
    const known = byKey.get(member.key);
    if (!known || compareStamps(member.stamp, known.stamp) < 0) byKey.set(member.key, member);
  }
  return [...byKey.values()].sort((x, y) => compareStamps(x.stamp, y.stamp));
}
