import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkDag, dagWidth, type WorkGraph } from '../../compiler/analyze/index.js';
import { chain, diamond, independent, mathLibrary, randomDag, task } from './graphs.js';

const widthOf = (graph: WorkGraph) => dagWidth(buildWorkDag(graph).graph);

/** Every pair (a, b) with a path a → … → b. */
function reachability(graph: WorkGraph): Set<string> {
  const byName = new Map(graph.tasks.map((t) => [t.name, t]));
  const ancestors = new Map<string, Set<string>>();
  const of = (name: string): Set<string> => {
    if (!ancestors.has(name)) {
      const set = new Set<string>();
      for (const dep of byName.get(name)!.after) {
        set.add(dep);
        for (const a of of(dep)) set.add(a);
      }
      ancestors.set(name, set);
    }
    return ancestors.get(name)!;
  };
  const pairs = new Set<string>();
  for (const t of graph.tasks) for (const a of of(t.name)) pairs.add(`${a}>${t.name}`);
  return pairs;
}

const isAntichain = (set: string[], paths: Set<string>) => set.every((a) => set.every((b) => a === b || !paths.has(`${a}>${b}`)));

describe('width (largest antichain)', () => {
  it('is 1 for a chain and n for independent tasks', () => {
    expect(widthOf(chain(6))).toEqual({ width: 1, antichain: ['t5'] });
    expect(widthOf(independent(5))).toEqual({ width: 5, antichain: ['t0', 't1', 't2', 't3', 't4'] });
    expect(widthOf({ tasks: [] })).toEqual({ width: 0, antichain: [] });
  });

  it('is 2 for a diamond', () => {
    expect(widthOf(diamond)).toEqual({ width: 2, antichain: ['b', 'c'] });
  });

  it('lets chains share a task (a bottleneck does not cut the width in two)', () => {
    // a, b → c → d, e: two chains through c cover everything, so the width is 2, not 3.
    const graph = { tasks: [task('a'), task('b'), task('c', ['a', 'b']), task('d', ['c']), task('e', ['c'])] };
    expect(widthOf(graph).width).toBe(2);
  });

  it('is 3 for the T902 example (core → add, sub, mul → docs)', () => {
    const graph = { tasks: [task('core'), task('add', ['core']), task('sub', ['core']), task('mul', ['core']), task('docs', ['add', 'sub', 'mul'])] };
    expect(widthOf(graph)).toEqual({ width: 3, antichain: ['add', 'sub', 'mul'] });
  });

  it('is 10 for the math library, by hand', () => {
    // Ten chains cover the graph: core→add→safe_add→tests_basic→docs, sub→variance→stddev→tests_stats,
    // gcd→lcm, div→safe_div, mul→pow, and clamp, round, sqrt, mean, lerp alone; and these ten have
    // no path between any two: sub, safe_add, safe_div, pow, sqrt, mean, clamp, lerp, round, and lcm.
    const { width, antichain } = widthOf(mathLibrary);
    expect(width).toBe(10);
    expect(isAntichain(antichain, reachability(mathLibrary))).toBe(true);
    expect(antichain).toHaveLength(10);
  });

  it('matches brute force on random DAGs, and names a true antichain (property)', () => {
    fc.assert(
      fc.property(randomDag(10), (graph) => {
        const paths = reachability(graph);
        const names = graph.tasks.map((t) => t.name);
        let largest = 0;
        for (let mask = 1; mask < 1 << names.length; mask++) {
          const set = names.filter((_, i) => mask & (1 << i));
          if (set.length > largest && isAntichain(set, paths)) largest = set.length;
        }
        const result = widthOf(graph);
        expect(result.width).toBe(largest);
        expect(result.antichain).toHaveLength(largest);
        expect(isAntichain(result.antichain, paths)).toBe(true);
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('handles long chains and wide layers without recursion', () => {
    const layers = 400;
    const tasks = [];
    for (let l = 0; l < layers; l++) for (let i = 0; i < 5; i++) tasks.push(task(`l${l}_${i}`, l === 0 ? [] : [`l${l - 1}_${i}`, `l${l - 1}_${(i + 1) % 5}`]));
    expect(widthOf({ tasks }).width).toBe(5);
  });
});
