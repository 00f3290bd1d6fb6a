import { describe, expect, it } from 'vitest';
import {
  amdahlCeiling,
  amdahlSpeedup,
  greedyTimeBound,
  loadBoundSpeedup,
  parallelFraction,
  workSpanSpeedup,
  workSpanTime,
} from '../../compiler/analyze/index.js';

describe('speed-up formulas', () => {
  it('parallel fraction p = (W − CP) / W', () => {
    expect(parallelFraction(23, 8)).toBeCloseTo(15 / 23, 12);
    expect(parallelFraction(10, 10)).toBe(0); // a chain
    expect(parallelFraction(100, 1)).toBe(0.99); // 100 independent unit tasks
    expect(parallelFraction(0, 0)).toBe(0); // nothing to do: nothing parallel, and no NaN
  });

  it("Amdahl's law on known values", () => {
    expect(amdahlSpeedup(0.5, 2)).toBeCloseTo(4 / 3, 12); // 1 / (0.5 + 0.25)
    expect(amdahlSpeedup(0.9, 10)).toBeCloseTo(1 / 0.19, 12);
    expect(amdahlSpeedup(0.95, 1)).toBe(1);
    expect(amdahlSpeedup(0, 64)).toBe(1);
    expect(amdahlSpeedup(1, 8)).toBe(8);
    expect(amdahlSpeedup(15 / 23, 4)).toBeCloseTo(92 / 47, 12); // the math library on 4 workers
    expect(amdahlCeiling(0.9)).toBeCloseTo(10, 12);
    expect(amdahlCeiling(0.2)).toBe(1.25);
    expect(amdahlCeiling(1)).toBe(Infinity);
  });

  it('work-span (Brent) bound S(n) ≤ W / max(CP, W / n)', () => {
    expect(workSpanTime(23, 8, 4)).toBe(8); // CP dominates: 8 > 23 / 4
    expect(workSpanSpeedup(23, 8, 4)).toBe(23 / 8);
    expect(workSpanTime(23, 8, 2)).toBe(11.5); // W / n dominates
    expect(workSpanSpeedup(23, 8, 2)).toBe(2);
    expect(workSpanSpeedup(0, 0, 3)).toBe(1);
  });

  it('greedy guarantee T(n) ≤ W / n + CP, and the load bound W / largest load', () => {
    expect(greedyTimeBound(23, 8, 4)).toBe(13.75);
    expect(greedyTimeBound(10, 10, 1)).toBe(20);
    expect(loadBoundSpeedup(23, 8)).toBe(2.875);
    expect(loadBoundSpeedup(0, 0)).toBe(1);
  });

  it('rejects a worker count that is not a positive integer', () => {
    expect(() => amdahlSpeedup(0.5, 0)).toThrow(RangeError);
    expect(() => workSpanTime(1, 1, 1.5)).toThrow(RangeError);
    expect(() => greedyTimeBound(1, 1, -1)).toThrow(RangeError);
  });
});
