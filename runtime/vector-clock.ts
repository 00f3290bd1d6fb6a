/**
 * Vector clocks: one counter per node, compared pointwise. Clocks are plain objects
 * (`{ node: count }`) so they cross the transport as JSON unchanged; every helper returns a new
 * object and never mutates its arguments. A missing entry means 0.
 */
export type VectorClock = Readonly<Record<string, number>>;

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

export function emptyClock(): VectorClock {
  return {};
}

export function entry(clock: VectorClock, node: string): number {
  return clock[node] ?? 0;
}

/** A copy of `clock` with `node`'s counter one higher (a local event at `node`). */
export function increment(clock: VectorClock, node: string): VectorClock {
  return { ...clock, [node]: entry(clock, node) + 1 };
}

/** The pointwise maximum: everything either clock has seen. */
export function merge(a: VectorClock, b: VectorClock): VectorClock {
  const result: Record<string, number> = { ...a };
  for (const [node, count] of Object.entries(b)) {
    if (count > (result[node] ?? 0)) result[node] = count;
  }
  return result;
}

/** How `a` relates to `b` in happened-before. */
export function compare(a: VectorClock, b: VectorClock): ClockOrder {
  let aBelow = false; // some entry of a is smaller than b's
  let aAbove = false; // some entry of a is larger than b's
  for (const node of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = entry(a, node);
    const y = entry(b, node);
    if (x < y) aBelow = true;
    else if (x > y) aAbove = true;
    if (aBelow && aAbove) return 'concurrent';
  }
  if (aBelow) return 'before';
  if (aAbove) return 'after';
  return 'equal';
}

/** True when `a` happened strictly before `b`. */
export function happenedBefore(a: VectorClock, b: VectorClock): boolean {
  return compare(a, b) === 'before';
}

/** True when `b` covers every event of `a` (a ≤ b pointwise). */
export function dominates(b: VectorClock, a: VectorClock): boolean {
  for (const [node, count] of Object.entries(a)) {
    if (count > entry(b, node)) return false;
  }
  return true;
}

/** A canonical JSON form (sorted keys, zero entries dropped) for logs and equality checks. */
export function formatClock(clock: VectorClock): string {
  const parts = Object.keys(clock)
    .filter((node) => entry(clock, node) > 0)
    .sort()
    .map((node) => `${JSON.stringify(node)}:${entry(clock, node)}`);
  return `{${parts.join(',')}}`;
}
