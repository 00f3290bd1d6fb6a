import { describe, expect, it } from 'vitest';
import { ConsensusConfigError, quorumsMayConflict, resolveParameters, roundBound } from '../../../runtime/consensus/parameters.js';
import { canonicalJson, projector, MISSING } from '../../../runtime/consensus/projection.js';

describe('consensus parameters', () => {
  it('derives the smallest safe quorum', () => {
    expect(resolveParameters('c', { replicas: 3, faults: 1, faultModel: 'crash' }).q).toBe(2);
    expect(resolveParameters('c', { replicas: 4, faults: 1, faultModel: 'byzantine' }).q).toBe(3);
    expect(resolveParameters('c', { replicas: 7, faults: 2, faultModel: 'byzantine' }).q).toBe(5);
    // n larger than 3f+1: the quorum must still make two quorums share a correct replica.
    expect(resolveParameters('c', { replicas: 10, faults: 1, faultModel: 'byzantine' }).q).toBe(6);
    expect(resolveParameters('c', { replicas: 5, faults: 0, faultModel: 'crash', quorum: 'all' }).q).toBe(5);
  });

  it.each([
    [{ replicas: 2, faults: 1, faultModel: 'crash' as const }, /need n ≥ 2f \+ 1 = 3/],
    [{ replicas: 3, faults: 1, faultModel: 'byzantine' as const }, /need n ≥ 3f \+ 1 = 4/],
    [{ replicas: 4, faults: 0, faultModel: 'crash' as const, quorum: 2 }, /not a majority/],
    [{ replicas: 5, faults: 2, faultModel: 'crash' as const, quorum: 4 }, /cannot be reached with 2 of 5/],
    [{ replicas: 7, faults: 2, faultModel: 'byzantine' as const, quorum: 'majority' as const }, /below 2f \+ 1 = 5/],
    [{ replicas: 5, faults: 1, faultModel: 'crash' as const, quorum: 'all' as const }, /cannot be reached/],
    [{ replicas: 0, faults: 0, faultModel: 'crash' as const }, /positive integer/],
    [{ replicas: 3, faults: -1, faultModel: 'crash' as const }, /non-negative/],
    [{ replicas: 3, faults: 0, faultModel: 'crash' as const, quorum: 4 }, /between 1 and 3/],
  ])('rejects %j', (parameters, message) => {
    expect(() => resolveParameters('decide', parameters)).toThrow(ConsensusConfigError);
    expect(() => resolveParameters('decide', parameters)).toThrow(message);
  });

  it('checks Byzantine quorum intersection beyond 3f + 1', () => {
    // n = 6, f = 1: q = 4 passes (2q = 8 > 7); q = 3 fails (two quorums of 3 could share only the liar).
    expect(resolveParameters('c', { replicas: 6, faults: 1, faultModel: 'byzantine', quorum: 4 }).q).toBe(4);
    expect(() => resolveParameters('c', { replicas: 6, faults: 1, faultModel: 'byzantine', quorum: 3 })).toThrow(/majority|2q > n \+ f/);
  });
});

describe('unsafe parameters (allowUnsafe)', () => {
  it('resolves what it would refuse, recording the broken rules; a shape that cannot run is refused either way', () => {
    expect(resolveParameters('c', { replicas: 4, faults: 1, faultModel: 'crash', quorum: 2, allowUnsafe: true })).toEqual({
      n: 4,
      f: 1,
      q: 2,
      faultModel: 'crash',
      unsafe: [expect.stringMatching(/quorum 2 of 4 is not a majority/)],
    });
    const byzantine = resolveParameters('c', { replicas: 3, faults: 1, faultModel: 'byzantine', quorum: 'majority', allowUnsafe: true });
    expect(byzantine.q).toBe(2);
    expect(byzantine.unsafe).toEqual([expect.stringMatching(/need n ≥ 3f \+ 1 = 4/), expect.stringMatching(/below 2f \+ 1 = 3/), expect.stringMatching(/need 2q > n \+ f = 4/)]);
    expect(resolveParameters('c', { replicas: 3, faults: 1, faultModel: 'crash', allowUnsafe: true }).unsafe).toEqual([]);
    expect(() => resolveParameters('c', { replicas: 3, faults: 0, faultModel: 'crash', quorum: 4, allowUnsafe: true })).toThrow(/between 1 and 3/);
  });

  it('says when two values can each gather a quorum in one round', () => {
    const conflict = (replicas: number, faults: number, faultModel: 'crash' | 'byzantine', quorum: number) =>
      quorumsMayConflict(resolveParameters('c', { replicas, faults, faultModel, quorum, allowUnsafe: true }));
    expect(conflict(4, 1, 'crash', 2)).toBe(true); // T600: {0, 1} and {2, 3}
    expect(conflict(4, 1, 'crash', 3)).toBe(false);
    expect(conflict(3, 1, 'byzantine', 2)).toBe(true); // T602: {0, liar} and {liar, 2}
    expect(conflict(4, 1, 'byzantine', 3)).toBe(false);
    expect(conflict(3, 1, 'crash', 3)).toBe(false); // T601 blocks, but cannot split
  });

  it('refuses a consensus with no rounds bound unless allowUnsafe', () => {
    expect(() => roundBound('decide', Number.POSITIVE_INFINITY, false)).toThrow(ConsensusConfigError);
    expect(() => roundBound('decide', Number.POSITIVE_INFINITY, undefined)).toThrow(/no `rounds` bound and no `tie_break`/);
    expect(roundBound('decide', Number.POSITIVE_INFINITY, true)).toBe(Number.POSITIVE_INFINITY);
    expect(roundBound('decide', 2, false)).toBe(2);
    expect(() => roundBound('decide', 0, true)).toThrow(/rounds must be a positive integer/);
  });
});

describe('projection', () => {
  it('projects agreed fields, normalises strings, and keys independent of field order', () => {
    const p = projector(['decision'], 'trim_lower');
    expect(p.project({ decision: '  Approve ', reasons: ['x'] })).toBe('approve');
    expect(p.project({ reasons: [] })).toBe(MISSING);
    const multi = projector(['a', 'b.c'], 'lower');
    expect(multi.key(multi.project({ b: { c: 'X' }, a: 1 }))).toBe(multi.key(multi.project({ a: 1, b: { c: 'x', d: 2 } })));
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(projector(undefined, 'none').project({ x: 1 })).toEqual({ x: 1 });
    expect(() => projector([], 'soundex' as never)).toThrow(/unknown normaliser/);
  });
});
