import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, dominates, emptyClock, entry, formatClock, happenedBefore, increment, merge, type VectorClock } from '../../../runtime/vector-clock.js';
import { propertyRuns } from './helpers.js';

const nodes = ['a', 'b', 'c'];
const clockArb: fc.Arbitrary<VectorClock> = fc.dictionary(fc.constantFrom(...nodes), fc.integer({ min: 0, max: 4 }));

describe('vector clocks', () => {
  it('orders events of one node and a message chain', () => {
    const a1 = increment(emptyClock(), 'a');
    const a2 = increment(a1, 'a');
    const b1 = increment(merge(emptyClock(), a1), 'b'); // b received a1, then sent
    expect(compare(a1, a2)).toBe('before');
    expect(compare(a2, a1)).toBe('after');
    expect(compare(a1, b1)).toBe('before');
    expect(compare(a2, b1)).toBe('concurrent');
    expect(compare(a2, { ...a2 })).toBe('equal');
    expect(happenedBefore(a1, b1)).toBe(true);
  });

  it('never mutates its arguments and survives a JSON round trip', () => {
    const a = Object.freeze({ a: 1 });
    const b = increment(a, 'b');
    expect(a).toEqual({ a: 1 });
    expect(merge(a, b)).toEqual({ a: 1, b: 1 });
    expect(compare(JSON.parse(JSON.stringify(b)) as VectorClock, b)).toBe('equal');
    expect(formatClock({ b: 2, a: 1, c: 0 })).toBe('{"a":1,"b":2}');
  });

  it('treats missing entries as zero', () => {
    expect(compare({}, { a: 0 })).toBe('equal');
    expect(entry({}, 'z')).toBe(0);
    expect(dominates({ a: 1 }, {})).toBe(true);
  });

  it('merge is the least upper bound, and compare is consistent with it', () => {
    fc.assert(
      fc.property(clockArb, clockArb, (x, y) => {
        const m = merge(x, y);
        expect(dominates(m, x) && dominates(m, y)).toBe(true);
        expect(compare(merge(x, y), merge(y, x))).toBe('equal');
        const order = compare(x, y);
        const flipped = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' } as const;
        expect(compare(y, x)).toBe(flipped[order]);
        expect(order === 'before' || order === 'equal').toBe(compare(m, y) === 'equal');
      }),
      propertyRuns(300),
    );
  });
});
