import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkDag, criticalPath, type WorkGraph } from '../../compiler/analyze/index.js';
import { chain, diamond, independent, mathLibrary, randomDag, task } from './graphs.js';

const figures = (graph: WorkGraph) => criticalPath(buildWorkDag(graph));

describe('critical path', () => {
  it('is the whole chain for a chain', () => {
    const cp = figures(chain(5, 2));
    expect(cp.totalWork).toBe(10);
    expect(cp.length).toBe(10);
    expect(cp.path).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('is one task for independent tasks, the heaviest, ties to the first name', () => {
    expect(figures(independent(6))).toMatchObject({ totalWork: 6, length: 1, path: ['t0'] });
    const cp = figures({ tasks: [task('z', [], 3), task('b', [], 3), task('a', [], 1)] });
    expect(cp).toMatchObject({ totalWork: 7, length: 3, path: ['b'] });
  });

  it('takes the heavier branch of a diamond', () => {
    const cp = figures(diamond);
    expect(cp).toMatchObject({ totalWork: 7, length: 5, path: ['a', 'c', 'd'] });
    expect(Array.from(cp.bottomLevel)).toEqual([5, 3, 4, 1]);
    expect(Array.from(cp.earliestFinish)).toEqual([1, 3, 4, 5]);
  });

  it('computes the math library by hand: W = 23, CP = 8', () => {
    // 20 tasks of weight 1, three of them (div, sqrt, gcd) weight 2: W = 20 + 3.
    // Earliest finishes: core 1; div 3; mean max(add 2, div 3) + 1 = 4; sqrt max(div 3, mul 2) + 2 = 5;
    // variance max(mean 4, sub 2, mul 2) + 1 = 5; stddev max(5, 5) + 1 = 6; tests_stats 7; docs 8.
    // Two chains weigh 8 (through mean → variance, or through sqrt); at div the tie goes to `mean`.
    const cp = figures(mathLibrary);
    expect(cp.totalWork).toBe(23);
    expect(cp.length).toBe(8);
    expect(cp.path).toEqual(['core', 'div', 'mean', 'variance', 'stddev', 'tests_stats', 'docs']);
  });

  it('is zero for an empty graph', () => {
    expect(figures({ tasks: [] })).toMatchObject({ totalWork: 0, length: 0, path: [] });
  });

  it('handles a chain far deeper than the call stack', () => {
    const cp = figures(chain(100_000));
    expect(cp.length).toBe(100_000);
    expect(cp.path).toHaveLength(100_000);
  });

  it('is a real chain of maximal weight, whatever the declaration order (property)', () => {
    fc.assert(
      fc.property(randomDag(), fc.integer(), (graph, seed) => {
        const cp = figures(graph);
        const byName = new Map(graph.tasks.map((t) => [t.name, t]));
        // Consecutive tasks on the path depend on each other, and the weights add up to CP.
        for (let i = 1; i < cp.path.length; i++) expect(byName.get(cp.path[i]!)!.after).toContain(cp.path[i - 1]);
        expect(cp.path.reduce((sum, name) => sum + byName.get(name)!.weight, 0)).toBe(cp.length);
        expect(byName.get(cp.path[0]!)!.after).toEqual([]);
        // No chain is heavier: compare with a brute-force longest path by memoised recursion.
        const memo = new Map<string, number>();
        const heaviest = (name: string): number => {
          if (!memo.has(name)) {
            const t = byName.get(name)!;
            memo.set(name, t.weight + Math.max(0, ...t.after.map(heaviest)));
          }
          return memo.get(name)!;
        };
        expect(cp.length).toBe(Math.max(0, ...graph.tasks.map((t) => heaviest(t.name))));
        // Reordering the declarations changes nothing, the path included (ties go by name).
        const shuffled = [...graph.tasks].sort((a, b) => ((a.name.length * 31 + seed) % 7) - ((b.name.length * 31 + seed) % 7) || (a.name < b.name ? 1 : -1));
        const again = figures({ tasks: shuffled });
        expect({ length: again.length, path: again.path, totalWork: again.totalWork }).toEqual({ length: cp.length, path: cp.path, totalWork: cp.totalWork });
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
