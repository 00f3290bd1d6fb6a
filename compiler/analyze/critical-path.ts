/**
 * Total work and the critical path of a weighted DAG: the longest path, found by one pass over a
 * topological order in each direction, O(V + E).
 */
import type { Digraph } from './graph.js';

export interface WeightedDag {
  readonly graph: Digraph;
  readonly weight: Float64Array;
  readonly order: Int32Array;
}

export interface CriticalPath {
  /** W: the sum of the weights. */
  readonly totalWork: number;
  /** CP: the weight of the heaviest dependency chain (0 for an empty graph). */
  readonly length: number;
  /** The nodes of one heaviest chain, first to last; ties go to the name first in code-point order. */
  readonly path: string[];
  /** Per node: the heaviest chain from it to the end, its own weight included (list-scheduling priority). */
  readonly bottomLevel: Float64Array;
  /** Per node: the heaviest chain from the start to it, its own weight included (its earliest finish). */
  readonly earliestFinish: Float64Array;
}

export function criticalPath(dag: WeightedDag): CriticalPath {
  const { graph, weight, order } = dag;
  const n = graph.names.length;
  const earliestFinish = new Float64Array(n);
  const bottomLevel = new Float64Array(n);
  let totalWork = 0;
  for (const v of order) {
    let start = 0;
    for (let i = graph.inStart[v]!; i < graph.inStart[v + 1]!; i++) start = Math.max(start, earliestFinish[graph.from[graph.inEdges[i]!]!]!);
    earliestFinish[v] = start + weight[v]!;
    totalWork += weight[v]!;
  }
  for (let k = n - 1; k >= 0; k--) {
    const v = order[k]!;
    let rest = 0;
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) rest = Math.max(rest, bottomLevel[graph.to[graph.outEdges[i]!]!]!);
    bottomLevel[v] = weight[v]! + rest;
  }

  // Walk one heaviest chain: the heaviest source, then each time the heaviest successor. Comparing
  // bottom levels (not `level - weight` with its rounding) keeps the walk exact for any weights.
  const heavier = (a: number, b: number) => bottomLevel[a]! > bottomLevel[b]! || (bottomLevel[a] === bottomLevel[b] && graph.names[a]! < graph.names[b]!);
  let current = -1;
  for (let v = 0; v < n; v++) if (graph.inStart[v + 1] === graph.inStart[v] && (current < 0 || heavier(v, current))) current = v;
  const length = current >= 0 ? bottomLevel[current]! : 0;
  const path: string[] = [];
  while (current >= 0) {
    path.push(graph.names[current]!);
    let next = -1;
    for (let i = graph.outStart[current]!; i < graph.outStart[current + 1]!; i++) {
      const w = graph.to[graph.outEdges[i]!]!;
      if (next < 0 || heavier(w, next)) next = w;
    }
    current = next;
  }
  return { totalWork, length, path, bottomLevel, earliestFinish };
}
