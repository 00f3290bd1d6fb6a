/**
 * The analyser's own input shapes and the indexed graph every figure is computed on.
 *
 * The analyser does not read the checked model directly: `from-model.ts` turns a team into one of
 * the two plain shapes below, so every formula can be tested on hand-written graphs. Inputs are
 * validated here once (unknown names, duplicates, negative weights, cycles); each problem becomes
 * a finding in the report instead of an exception, and the figures are computed on what is left.
 */

// ---------------------------------------------------------------------------------------------
// Input shapes

/** One task of a work graph; `weight` is its duration in the report's unit (1 by convention). */
export interface WorkTaskInput {
  readonly name: string;
  readonly weight: number;
  readonly after: readonly string[];
}

export interface WorkGraph {
  readonly tasks: readonly WorkTaskInput[];
}

export interface Cost {
  readonly tokens: number;
  readonly dollars: number;
}

/**
 * How one node waits for another: `channel` activates the consumer once per message (so it can
 * start on the first message), `join` once after the producer has finished, `store` not at all
 * (a read sees what is there; the edge only carries messages).
 */
export type EdgeKind = 'channel' | 'store' | 'join';

export interface AgentNode {
  readonly name: string;
  /** Expected duration of one activation (one model call). */
  readonly latencyMs: number;
  /** Independent instances; each handles every activation, one at a time (its mailbox). */
  readonly replicas: number;
  /** Expected activations per run, or per round for a node inside a loop. */
  readonly activations: number;
  /** What one activation of one instance costs. */
  readonly costPerActivation: Cost;
  /** A declared loop bound (`max rounds N` on the agent). */
  readonly maxRounds?: number;
}

export interface AgentEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Messages one activation of one producer instance sends on this edge. */
  readonly messagesPerActivation: number;
  /** The channel or store carried; edges sharing one form an all-to-all group (T901). Defaults to the edge itself. */
  readonly channel?: string;
  /** `takes ch?`: the consumer may activate without it, which is where a loop is entered. */
  readonly optional?: boolean;
  /** A declared loop bound (`max rounds N` on the channel). */
  readonly maxRounds?: number;
}

export interface AgentGraph {
  readonly nodes: readonly AgentNode[];
  readonly edges: readonly AgentEdge[];
}

// ---------------------------------------------------------------------------------------------
// Findings: problems in the input that the figures were computed around

export type GraphFinding =
  /** A dependency cycle in a work graph, or a loop with no bound in an agent graph (counted once). */
  | { kind: 'cycle'; cycle: string[]; members: string[]; bounded: false }
  /** A loop of agents bounded by `max rounds`, unrolled that many times. */
  | { kind: 'loop'; cycle: string[]; members: string[]; bounded: true; rounds: number }
  | { kind: 'unknown-name'; name: string; referencedBy: string }
  | { kind: 'duplicate-name'; name: string }
  /** `value` as text, so a NaN or an Infinity survives JSON. */
  | { kind: 'invalid-number'; name: string; field: string; value: string; used: number };

// ---------------------------------------------------------------------------------------------
// An indexed digraph: nodes 0..n-1, edges 0..m-1, adjacency in compressed arrays

export interface Digraph {
  readonly names: readonly string[];
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** Edge ids leaving node v: `outEdges[outStart[v] .. outStart[v + 1])`, in input order. */
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  /** Edge ids entering node v, likewise. */
  readonly inStart: Int32Array;
  readonly inEdges: Int32Array;
}

export function createDigraph(names: readonly string[], from: readonly number[], to: readonly number[]): Digraph {
  const n = names.length;
  const m = from.length;
  const fromArray = Int32Array.from(from);
  const toArray = Int32Array.from(to);
  const [outStart, outEdges] = compress(n, fromArray);
  const [inStart, inEdges] = compress(n, toArray);
  return { names, from: fromArray, to: toArray, outStart, outEdges, inStart, inEdges };

  // Counting sort of edge ids by endpoint: stable, so each list keeps input order.
  function compress(size: number, endpoint: Int32Array): [Int32Array, Int32Array] {
    const start = new Int32Array(size + 1);
    for (let e = 0; e < m; e++) start[endpoint[e]! + 1]!++;
    for (let v = 0; v < size; v++) start[v + 1]! += start[v]!;
    const next = start.slice(0, size);
    const edges = new Int32Array(m);
    for (let e = 0; e < m; e++) edges[next[endpoint[e]!]!++] = e;
    return [start, edges];
  }
}

/** Topological order by Kahn's algorithm (smallest index first among the available); undefined if cyclic. */
export function topologicalOrder(graph: Digraph): Int32Array | undefined {
  const n = graph.names.length;
  const remaining = new Int32Array(n);
  for (let v = 0; v < n; v++) remaining[v] = graph.inStart[v + 1]! - graph.inStart[v]!;
  const order = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (remaining[v] === 0) order[tail++] = v;
  while (head < tail) {
    const v = order[head++]!;
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) {
      const w = graph.to[graph.outEdges[i]!]!;
      if (--remaining[w]! === 0) order[tail++] = w;
    }
  }
  return tail === n ? order : undefined;
}

// ---------------------------------------------------------------------------------------------
// Cycles

export interface Components {
  /** Component id of each node. */
  readonly component: Int32Array;
  /** Members of each component, in node order. */
  readonly members: number[][];
  /** Whether a component is a cycle: more than one node, or one node with an edge to itself. */
  readonly cyclic: boolean[];
}

/**
 * Strongly connected components by Tarjan's algorithm, iterative so a long dependency chain
 * cannot overflow the call stack.
 */
export function stronglyConnected(graph: Digraph): Components {
  const n = graph.names.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const members: number[][] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    callNode.push(root);
    callEdge.push(graph.outStart[root]!);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const v = callNode[callNode.length - 1]!;
      const i = callEdge[callEdge.length - 1]!;
      if (i < graph.outStart[v + 1]!) {
        callEdge[callEdge.length - 1] = i + 1;
        const w = graph.to[graph.outEdges[i]!]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(graph.outStart[w]!);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      callNode.pop();
      callEdge.pop();
      const parent = callNode[callNode.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent]!, low[v]!);
      if (low[v] === index[v]) {
        const id = members.length;
        const group: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = id;
          group.push(w);
        } while (w !== v);
        members.push(group.sort((a, b) => a - b));
      }
    }
  }
  const cyclic = members.map((group) => group.length > 1 || hasSelfEdge(graph, group[0]!));
  return { component, members, cyclic };
}

function hasSelfEdge(graph: Digraph, v: number): boolean {
  for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) if (graph.to[graph.outEdges[i]!] === v) return true;
  return false;
}

/**
 * The edges that close loops inside cyclic components: the back edges of a depth-first search
 * of each component, started from `roots` (in that order) and then from any member not reached.
 * Removing them leaves an acyclic graph; in a loop they are the edges into the next round.
 */
export function loopBackEdges(graph: Digraph, components: Components, roots: (members: number[]) => number[]): Set<number> {
  const back = new Set<number>();
  const state = new Uint8Array(graph.names.length); // 0 unseen, 1 on the stack, 2 done
  components.members.forEach((group, id) => {
    if (!components.cyclic[id]) return;
    const starts = [...roots(group), ...group];
    for (const start of starts) {
      if (state[start] !== 0) continue;
      const nodes = [start];
      const cursor = [graph.outStart[start]!];
      state[start] = 1;
      while (nodes.length > 0) {
        const v = nodes[nodes.length - 1]!;
        const i = cursor[cursor.length - 1]!;
        if (i === graph.outStart[v + 1]!) {
          state[v] = 2;
          nodes.pop();
          cursor.pop();
          continue;
        }
        cursor[cursor.length - 1] = i + 1;
        const e = graph.outEdges[i]!;
        const w = graph.to[e]!;
        if (components.component[w] !== id) continue;
        if (state[w] === 1) back.add(e);
        else if (state[w] === 0) {
          state[w] = 1;
          nodes.push(w);
          cursor.push(graph.outStart[w]!);
        }
      }
    }
  });
  return back;
}

/** One cycle through a cyclic component, as names, starting at its first-named member. */
export function describeCycle(graph: Digraph, components: Components, id: number): string[] {
  const group = components.members[id]!;
  const start = group.reduce((best, v) => (graph.names[v]! < graph.names[best]! ? v : best));
  return shortestCycle(graph, (w) => components.component[w] === id, start).map((v) => graph.names[v]!);
}

/** Breadth first from `start` back to itself through nodes `inside` accepts: a shortest cycle through it. */
export function shortestCycle(graph: Digraph, inside: (node: number) => boolean, start: number): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) {
      const w = graph.to[graph.outEdges[i]!]!;
      if (w === start) {
        const path = [v];
        for (let u = v; u !== start; ) path.push((u = previous.get(u)!));
        return path.reverse();
      }
      if (inside(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start]; // no cycle through start: callers ask only inside a cyclic component
}

// ---------------------------------------------------------------------------------------------
// Work graphs: validated, acyclic, indexed

export interface WorkDag {
  readonly graph: Digraph;
  /** Each task's weight after validation. */
  readonly weight: Float64Array;
  /** A topological order (declaration order among tasks available together). */
  readonly order: Int32Array;
  readonly findings: GraphFinding[];
}

/**
 * Indexes a work graph. Later duplicates of a name, dependencies on unknown names and repeated
 * dependencies are dropped; a weight that is negative or not finite counts as 0. A dependency
 * cycle is reported and broken (its back edges dropped) so the rest can still be analysed.
 */
export function buildWorkDag(input: WorkGraph): WorkDag {
  const findings: GraphFinding[] = [];
  const index = new Map<string, number>();
  const tasks: WorkTaskInput[] = [];
  for (const task of input.tasks) {
    if (index.has(task.name)) {
      findings.push({ kind: 'duplicate-name', name: task.name });
      continue;
    }
    index.set(task.name, tasks.length);
    tasks.push(task);
  }
  const weight = new Float64Array(tasks.length);
  const from: number[] = [];
  const to: number[] = [];
  tasks.forEach((task, v) => {
    weight[v] = checkedNumber(task.weight, task.name, 'weight', 0, findings);
    const seen = new Set<number>();
    for (const dep of task.after) {
      const u = index.get(dep);
      if (u === undefined) findings.push({ kind: 'unknown-name', name: dep, referencedBy: task.name });
      else if (!seen.has(u)) {
        seen.add(u);
        from.push(u);
        to.push(v);
      }
    }
  });
  let graph = createDigraph(
    tasks.map((t) => t.name),
    from,
    to,
  );
  let order = topologicalOrder(graph);
  if (!order) {
    const components = stronglyConnected(graph);
    components.members.forEach((members, id) => {
      if (!components.cyclic[id]) return;
      findings.push({ kind: 'cycle', cycle: describeCycle(graph, components, id), members: members.map((v) => graph.names[v]!).sort(), bounded: false });
    });
    const back = loopBackEdges(graph, components, () => []);
    const keep = [...from.keys()].filter((e) => !back.has(e));
    graph = createDigraph(
      graph.names,
      keep.map((e) => from[e]!),
      keep.map((e) => to[e]!),
    );
    order = topologicalOrder(graph)!;
  }
  return { graph, weight, order, findings };
}

/** A finite number at least `min`; anything else is reported and replaced by `min`. */
export function checkedNumber(value: number, name: string, field: string, min: number, findings: GraphFinding[]): number {
  if (Number.isFinite(value) && value >= min) return value;
  findings.push({ kind: 'invalid-number', name, field, value: String(value), used: min });
  return min;
}
