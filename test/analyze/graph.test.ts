import { describe, expect, it } from 'vitest';
import { createDigraph, stronglyConnected, topologicalOrder } from '../../compiler/analyze/graph.js';
import { buildWorkDag, criticalPath } from '../../compiler/analyze/index.js';
import { task } from './graphs.js';

describe('work graph input', () => {
  it('reports duplicates, unknown dependencies and bad weights, and analyses the rest', () => {
    const dag = buildWorkDag({
      tasks: [task('a'), task('a', [], 5), task('b', ['a', 'ghost', 'a']), task('c', ['b'], -1), task('d', [], Number.POSITIVE_INFINITY)],
    });
    expect(dag.findings).toEqual([
      { kind: 'duplicate-name', name: 'a' },
      { kind: 'unknown-name', name: 'ghost', referencedBy: 'b' },
      { kind: 'invalid-number', name: 'c', field: 'weight', value: '-1', used: 0 },
      { kind: 'invalid-number', name: 'd', field: 'weight', value: 'Infinity', used: 0 },
    ]);
    expect(dag.graph.names).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(dag.weight)).toEqual([1, 1, 0, 0]);
    expect(dag.graph.from.length).toBe(2); // a → b once, b → c
  });

  it('reports a cycle as a finding, names one, and breaks it to analyse the rest', () => {
    const dag = buildWorkDag({ tasks: [task('start'), task('x', ['start', 'z']), task('y', ['x']), task('z', ['y']), task('end', ['z'])] });
    expect(dag.findings).toEqual([{ kind: 'cycle', cycle: ['x', 'y', 'z'], members: ['x', 'y', 'z'], bounded: false }]);
    const cp = criticalPath(dag);
    expect(cp.length).toBe(5);
    expect(cp.path).toEqual(['start', 'x', 'y', 'z', 'end']);
  });

  it('reports a task that depends on itself', () => {
    const dag = buildWorkDag({ tasks: [task('loop', ['loop']), task('other')] });
    expect(dag.findings).toEqual([{ kind: 'cycle', cycle: ['loop'], members: ['loop'], bounded: false }]);
    expect(criticalPath(dag).totalWork).toBe(2);
  });

  it('names the shortest cycle through the first-named member', () => {
    // b → c → b and b → d → e → b: the report names the short one.
    const dag = buildWorkDag({ tasks: [task('b', ['c', 'e']), task('c', ['b']), task('d', ['b']), task('e', ['d'])] });
    expect(dag.findings).toEqual([{ kind: 'cycle', cycle: ['b', 'c'], members: ['b', 'c', 'd', 'e'], bounded: false }]);
  });

  it('orders topologically with declaration order among tasks available together', () => {
    const dag = buildWorkDag({ tasks: [task('late', ['early']), task('free'), task('early')] });
    expect(Array.from(dag.order).map((v) => dag.graph.names[v])).toEqual(['free', 'early', 'late']);
  });
});

describe('indexed graphs', () => {
  it('keeps each adjacency list in input order', () => {
    const g = createDigraph(['a', 'b', 'c'], [0, 0, 1], [2, 1, 2]);
    const out = (v: number) => Array.from(g.outEdges.subarray(g.outStart[v], g.outStart[v + 1])).map((e) => g.to[e]);
    const into = (v: number) => Array.from(g.inEdges.subarray(g.inStart[v], g.inStart[v + 1])).map((e) => g.from[e]);
    expect(out(0)).toEqual([2, 1]);
    expect(into(2)).toEqual([0, 1]);
    expect(topologicalOrder(g)).toEqual(Int32Array.from([0, 1, 2]));
    expect(topologicalOrder(createDigraph(['a', 'b'], [0, 1], [1, 0]))).toBeUndefined();
  });

  it('finds strongly connected components without recursion on a deep graph', () => {
    const n = 100_000;
    const from = [...Array(n).keys()];
    const to = from.map((v) => (v + 1) % n); // one big ring
    const components = stronglyConnected(createDigraph(from.map(String), from, to));
    expect(components.members).toHaveLength(1);
    expect(components.cyclic).toEqual([true]);
    const path = stronglyConnected(createDigraph(from.map(String), from.slice(0, n - 1), to.slice(0, n - 1))); // the ring, cut
    expect(path.members).toHaveLength(n);
    expect(path.cyclic.every((c) => !c)).toBe(true);
  });
});
