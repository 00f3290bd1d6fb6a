/**
 * The width of a DAG: the largest set of nodes with no path between any two (a maximum
 * antichain) — the most tasks that can ever run at once, whatever the schedule (T902).
 *
 * By Dilworth's theorem the width equals the fewest chains covering every node, where chains may
 * share nodes. That is a minimum flow: one unit must pass through every node, along the edges, from
 * a source to a sink. Starting from the trivial flow (one chain per node) the analyser cancels as
 * much as it can — a maximum flow from the sink back to the source in the residual network, found
 * with Dinic's algorithm — so it never builds the transitive closure (O(V²) memory) that the
 * textbook bipartite-matching route needs. The same residual network's minimum cut names the
 * antichain itself.
 */
import type { Digraph } from './graph.js';

export interface Width {
  readonly width: number;
  /** One largest antichain, in node order. */
  readonly antichain: string[];
}

export function dagWidth(graph: Digraph): Width {
  const n = graph.names.length;
  if (n === 0) return { width: 0, antichain: [] };
  const infinite = n + 1; // more than any flow can carry: every augmenting path carries 1
  const network = new FlowNetwork(2 * n + 2);
  const source = 1; // the original sink: cancelled flow travels backwards
  const sink = 0;
  const entry = (v: number) => 2 + 2 * v;
  const exit = (v: number) => 3 + 2 * v;
  for (let v = 0; v < n; v++) {
    network.add(source, exit(v), 1); // cancel the unit that leaves v for the sink…
    network.add(entry(v), sink, 1); // …and the one that reaches v from the source
    network.add(entry(v), exit(v), infinite); // more chains may pass through v (never fewer than one)
  }
  for (let e = 0; e < graph.from.length; e++) network.add(exit(graph.from[e]!), entry(graph.to[e]!), infinite);
  const cancelled = network.maxFlow(source, sink);
  const reached = network.reachable(source);
  const antichain: string[] = [];
  for (let v = 0; v < n; v++) if (reached[exit(v)] && !reached[entry(v)]) antichain.push(graph.names[v]!);
  return { width: n - cancelled, antichain };
}

/** Dinic's maximum flow on integer capacities, iterative throughout (long chains, deep searches). */
class FlowNetwork {
  private readonly head: Int32Array;
  private next: number[] = [];
  private target: number[] = [];
  private capacity: number[] = [];

  constructor(private readonly size: number) {
    this.head = new Int32Array(size).fill(-1);
  }

  add(from: number, to: number, capacity: number): void {
    for (const [a, b, c] of [
      [from, to, capacity],
      [to, from, 0],
    ] as const) {
      this.next.push(this.head[a]!);
      this.target.push(b);
      this.capacity.push(c);
      this.head[a] = this.target.length - 1;
    }
  }

  maxFlow(source: number, sink: number): number {
    let flow = 0;
    const level = new Int32Array(this.size);
    const current = new Int32Array(this.size);
    const path: number[] = []; // edge ids from the source
    const nodes: number[] = [];
    while (this.levels(source, sink, level)) {
      current.set(this.head);
      nodes.length = 0;
      path.length = 0;
      nodes.push(source);
      while (nodes.length > 0) {
        const v = nodes[nodes.length - 1]!;
        if (v === sink) {
          let pushed = Infinity;
          for (const e of path) pushed = Math.min(pushed, this.capacity[e]!);
          for (const e of path) {
            this.capacity[e]! -= pushed;
            this.capacity[e ^ 1]! += pushed;
          }
          flow += pushed;
          nodes.length = 1;
          path.length = 0;
          continue;
        }
        let e = current[v]!;
        while (e !== -1 && !(this.capacity[e]! > 0 && level[this.target[e]!] === level[v]! + 1)) e = this.next[e]!;
        current[v] = e;
        if (e === -1) {
          level[v] = -1; // a dead end for the rest of this phase
          nodes.pop();
          const back = path.pop();
          if (back !== undefined) current[nodes[nodes.length - 1]!] = this.next[back]!;
          continue;
        }
        path.push(e);
        nodes.push(this.target[e]!);
      }
    }
    return flow;
  }

  /** Nodes reachable from `from` through edges with capacity left. */
  reachable(from: number): Uint8Array {
    const seen = new Uint8Array(this.size);
    const queue = [from];
    seen[from] = 1;
    for (let i = 0; i < queue.length; i++) {
      for (let e = this.head[queue[i]!]!; e !== -1; e = this.next[e]!) {
        const w = this.target[e]!;
        if (this.capacity[e]! > 0 && !seen[w]) {
          seen[w] = 1;
          queue.push(w);
        }
      }
    }
    return seen;
  }

  private levels(source: number, sink: number, level: Int32Array): boolean {
    level.fill(-1);
    level[source] = 0;
    const queue = [source];
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i]!;
      for (let e = this.head[v]!; e !== -1; e = this.next[e]!) {
        const w = this.target[e]!;
        if (this.capacity[e]! > 0 && level[w] === -1) {
          level[w] = level[v]! + 1;
          queue.push(w);
        }
      }
    }
    return level[sink] !== -1;
  }
}
