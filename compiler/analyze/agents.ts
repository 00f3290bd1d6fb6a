/**
 * The figures of an agent graph: its activations laid out in time, with each model's expected
 * latency as the weight, and what a run costs and sends.
 *
 * - Loops. A cycle of `channel`/`join` edges is a loop; it runs as many rounds as its tightest
 *   `max rounds` (on any of its agents or channels) and is unrolled that many times: round k+1
 *   of an agent follows round k (same instances, one mailbox), and the edges that close the loop
 *   (the back edges of a depth-first search entered where the loop is entered: an edge from
 *   outside, or an optional take) lead from round k into round k+1. Inside a loop, `activations`
 *   counts per round. A loop with no bound is a finding and counts as one round.
 * - Time. Each instance handles its activations one at a time, all instances of all agents in
 *   parallel. A `join` consumer starts after its producer finished; a `channel` consumer starts
 *   on the first message (the producer's first activation) and finishes no earlier than one of
 *   its own activations after the producer's last: the pipelining that lets a stage overlap the
 *   one before it. `store` edges wait for nothing: a read sees what is there.
 * - Serialised groups (T304): the instances of agents that take turns on a `strong` store or a
 *   `total` channel run their activations one after another, across the whole group.
 * - Work is model time summed over every instance and activation; the predicted makespan is the
 *   latest finish, and the critical path the chain of waits that produced it.
 *
 * Everything is one pass over a topological order of the unrolled graph, O(rounds × (V + E)).
 */
import {
  checkedNumber,
  createDigraph,
  describeCycle,
  loopBackEdges,
  stronglyConnected,
  topologicalOrder,
  type AgentGraph,
  type Cost,
  type EdgeKind,
  type GraphFinding,
} from './graph.js';

export interface AgentTimelineOptions {
  /** Groups of agents whose instances take turns (the writers of one `strong` store or `total` channel). */
  readonly serialise?: readonly (readonly string[])[];
}

/** One agent in one round. */
export interface AgentStep {
  /** The agent's name, with `#round` inside a loop of more than one round. */
  readonly name: string;
  readonly agent: string;
  readonly round: number;
  readonly start: number;
  readonly finish: number;
}

export interface EdgeMessages {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly channel: string;
  readonly perRound: number;
  readonly rounds: number;
  readonly perRun: number;
}

/** Agents that all send to and take from one channel: n instances, n × (n − 1) messages a round (T901). */
export interface AllToAllGroup {
  readonly channel: string;
  readonly agents: string[];
  readonly instances: number;
  readonly messagesPerRound: number;
  readonly rounds: number;
  readonly messagesPerRun: number;
}

export interface AgentTimeline {
  /** Model time over every instance and activation (the time one agent doing it all would take). */
  readonly totalWork: number;
  /** When the last activation finishes, every instance working in parallel. */
  readonly makespan: number;
  /** The chain of waits that ends last, first to last (unrolled names). */
  readonly criticalPath: string[];
  /** The busiest instance's own model time: no run is shorter. */
  readonly largestLoad: number;
  /** Instances in the team: the sum of the replicas. */
  readonly teamSize: number;
  readonly steps: AgentStep[];
  /** Every activation of every instance. */
  readonly cost: Cost;
  /** One activation at the team's highest per-activation price: a single agent answering in one call. */
  readonly singleAgentCost: Cost;
  readonly messages: { readonly perRun: number; readonly edges: EdgeMessages[]; readonly allToAll: AllToAllGroup[] };
  readonly findings: GraphFinding[];
}

interface Node {
  name: string;
  latency: number;
  replicas: number;
  activations: number;
  cost: Cost;
  maxRounds: number | undefined;
}

interface Edge {
  from: number;
  to: number;
  kind: EdgeKind;
  messages: number;
  channel: string;
  optional: boolean;
  maxRounds: number | undefined;
}

export function agentTimeline(input: AgentGraph, options: AgentTimelineOptions = {}): AgentTimeline {
  const findings: GraphFinding[] = [];
  const { nodes, edges } = validate(input, findings);
  const loops = findLoops(nodes, edges, findings);
  const unrolled = unroll(nodes, edges, loops);
  const timing = layOut(nodes, unrolled, groupsOf(options, nodes, findings));

  let totalWork = 0;
  const load = new Float64Array(nodes.length);
  const cost = { tokens: 0, dollars: 0 };
  for (let x = 0; x < unrolled.agent.length; x++) {
    const node = nodes[unrolled.agent[x]!]!;
    const own = node.activations * node.latency;
    load[unrolled.agent[x]!]! += own;
    totalWork += own * node.replicas;
    cost.tokens += node.activations * node.replicas * node.cost.tokens;
    cost.dollars += node.activations * node.replicas * node.cost.dollars;
  }
  const active = nodes.filter((n) => n.activations > 0);
  const messages = countMessages(nodes, edges, loops);
  return {
    totalWork,
    makespan: timing.makespan,
    criticalPath: timing.path,
    largestLoad: load.reduce((most, l) => Math.max(most, l), 0),
    teamSize: nodes.reduce((sum, n) => sum + n.replicas, 0),
    steps: [...unrolled.order].map((x) => ({
      name: unrolled.names[x]!,
      agent: nodes[unrolled.agent[x]!]!.name,
      round: unrolled.round[x]!,
      start: timing.start[x]!,
      finish: timing.finish[x]!,
    })),
    cost,
    singleAgentCost: {
      tokens: active.reduce((most, n) => Math.max(most, n.cost.tokens), 0),
      dollars: active.reduce((most, n) => Math.max(most, n.cost.dollars), 0),
    },
    messages,
    findings,
  };
}

// ---------------------------------------------------------------------------------------------

function validate(input: AgentGraph, findings: GraphFinding[]): { nodes: Node[]; edges: Edge[] } {
  const index = new Map<string, number>();
  const nodes: Node[] = [];
  for (const node of input.nodes) {
    if (index.has(node.name)) {
      findings.push({ kind: 'duplicate-name', name: node.name });
      continue;
    }
    index.set(node.name, nodes.length);
    const number = (value: number, field: string, min: number) => checkedNumber(value, node.name, field, min, findings);
    nodes.push({
      name: node.name,
      latency: number(node.latencyMs, 'latencyMs', 0),
      replicas: number(node.replicas, 'replicas', 1),
      activations: number(node.activations, 'activations', 0),
      cost: { tokens: number(node.costPerActivation.tokens, 'tokens', 0), dollars: number(node.costPerActivation.dollars, 'dollars', 0) },
      maxRounds: node.maxRounds === undefined ? undefined : number(node.maxRounds, 'maxRounds', 1),
    });
  }
  const edges: Edge[] = [];
  for (const edge of input.edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined) findings.push({ kind: 'unknown-name', name: edge.from, referencedBy: edge.to });
    if (to === undefined) findings.push({ kind: 'unknown-name', name: edge.to, referencedBy: edge.from });
    if (from === undefined || to === undefined) continue;
    const label = `${edge.from} -> ${edge.to}`;
    edges.push({
      from,
      to,
      kind: edge.kind,
      messages: checkedNumber(edge.messagesPerActivation, label, 'messagesPerActivation', 0, findings),
      channel: edge.channel ?? label,
      optional: edge.optional ?? false,
      maxRounds: edge.maxRounds === undefined ? undefined : checkedNumber(edge.maxRounds, label, 'maxRounds', 1, findings),
    });
  }
  return { nodes, edges };
}

interface Loops {
  /** Rounds of each node's loop; 1 outside loops. */
  rounds: Int32Array;
  /** Whether each node is in a loop. */
  inLoop: Uint8Array;
  component: Int32Array;
  /** Edges (indices into `edges`) that lead from one round into the next. */
  back: Set<number>;
}

function findLoops(nodes: Node[], edges: Edge[], findings: GraphFinding[]): Loops {
  // Stores do not activate anyone, so only channels and joins can close a loop.
  const triggering = [...edges.keys()].filter((e) => edges[e]!.kind !== 'store');
  const graph = createDigraph(
    nodes.map((n) => n.name),
    triggering.map((e) => edges[e]!.from),
    triggering.map((e) => edges[e]!.to),
  );
  const components = stronglyConnected(graph);
  const rounds = new Int32Array(nodes.length).fill(1);
  const inLoop = new Uint8Array(nodes.length);
  components.members.forEach((members, id) => {
    if (!components.cyclic[id]) return;
    const bounds: number[] = [];
    for (const v of members) if (nodes[v]!.maxRounds !== undefined) bounds.push(nodes[v]!.maxRounds!);
    for (const e of triggering) {
      const edge = edges[e]!;
      if (edge.maxRounds !== undefined && components.component[edge.from] === id && components.component[edge.to] === id) bounds.push(edge.maxRounds);
    }
    const cycle = describeCycle(graph, components, id);
    const names = members.map((v) => nodes[v]!.name).sort();
    const bound = bounds.length > 0 ? Math.floor(bounds.reduce((least, b) => Math.min(least, b))) : undefined;
    if (bound === undefined) findings.push({ kind: 'cycle', cycle, members: names, bounded: false });
    else findings.push({ kind: 'loop', cycle, members: names, bounded: true, rounds: bound });
    for (const v of members) {
      rounds[v] = bound ?? 1;
      inLoop[v] = 1;
    }
  });
  const entry = new Uint8Array(nodes.length);
  for (const e of triggering) {
    const { from, to, optional } = edges[e]!;
    if (optional || components.component[from] !== components.component[to]) entry[to] = 1;
  }
  const entries = (members: number[]) => members.filter((v) => entry[v]).sort((a, b) => (nodes[a]!.name < nodes[b]!.name ? -1 : 1));
  const backInGraph = loopBackEdges(graph, components, entries);
  const back = new Set([...backInGraph].map((e) => triggering[e]!));
  return { rounds, inLoop, component: components.component, back };
}

interface Unrolled {
  names: string[];
  agent: Int32Array;
  round: Int32Array;
  /** Unrolled edges: endpoints and whether the consumer waits for the producer's end (`join`) or first message. */
  from: number[];
  to: number[];
  join: boolean[];
  order: Int32Array;
  inStart: Int32Array;
  inEdges: Int32Array;
}

function unroll(nodes: Node[], edges: Edge[], loops: Loops): Unrolled {
  const first = new Int32Array(nodes.length);
  const names: string[] = [];
  const agent: number[] = [];
  const round: number[] = [];
  nodes.forEach((node, v) => {
    first[v] = names.length;
    const rounds = loops.rounds[v]!;
    for (let k = 1; k <= rounds; k++) {
      names.push(rounds > 1 ? `${node.name}#${k}` : node.name);
      agent.push(v);
      round.push(k);
    }
  });
  const from: number[] = [];
  const to: number[] = [];
  const join: boolean[] = [];
  const link = (a: number, b: number, waitsForEnd: boolean) => {
    from.push(a);
    to.push(b);
    join.push(waitsForEnd);
  };
  edges.forEach((edge, e) => {
    if (edge.kind === 'store') return;
    const waitsForEnd = edge.kind === 'join';
    const sameLoop = loops.inLoop[edge.from] && loops.component[edge.from] === loops.component[edge.to];
    if (sameLoop) {
      const rounds = loops.rounds[edge.from]!;
      const shift = loops.back.has(e) ? 1 : 0;
      for (let k = 0; k + shift < rounds; k++) link(first[edge.from]! + k, first[edge.to]! + k + shift, waitsForEnd);
    } else {
      // Into a loop: its first round; out of a loop: from every round (each may send).
      for (let k = 0; k < loops.rounds[edge.from]!; k++) link(first[edge.from]! + k, first[edge.to]!, waitsForEnd);
    }
  });
  nodes.forEach((_, v) => {
    for (let k = 0; k + 1 < loops.rounds[v]!; k++) link(first[v]! + k, first[v]! + k + 1, true);
  });
  const graph = createDigraph(names, from, to);
  return {
    names,
    agent: Int32Array.from(agent),
    round: Int32Array.from(round),
    from,
    to,
    join,
    order: topologicalOrder(graph)!, // acyclic by construction: back edges only ever go one round on
    inStart: graph.inStart,
    inEdges: graph.inEdges,
  };
}

function groupsOf(options: AgentTimelineOptions, nodes: Node[], findings: GraphFinding[]): Int32Array {
  const group = new Int32Array(nodes.length).fill(-1);
  const index = new Map(nodes.map((n, v) => [n.name, v]));
  (options.serialise ?? []).forEach((members, g) => {
    for (const name of members) {
      const v = index.get(name);
      if (v === undefined) findings.push({ kind: 'unknown-name', name, referencedBy: 'serialise' });
      else if (group[v] === -1) group[v] = g;
    }
  });
  return group;
}

interface Timing {
  start: Float64Array;
  finish: Float64Array;
  makespan: number;
  path: string[];
}

/** What fixed an event's time: a predecessor's start or finish, or nothing (time 0 / own work). */
interface Cause {
  node: number;
  event: 'start' | 'finish';
}

function layOut(nodes: Node[], unrolled: Unrolled, group: Int32Array): Timing {
  const count = unrolled.names.length;
  const start = new Float64Array(count);
  const finish = new Float64Array(count);
  const startCause: (Cause | undefined)[] = new Array(count);
  const finishCause: (Cause | undefined)[] = new Array(count);
  const groupFree = new Map<number, { time: number; node: number }>();
  const name = unrolled.names;
  // A later cause replaces an earlier one when strictly later, or equal and first by name: deterministic paths.
  const better = (time: number, current: number, by: number, cause: Cause | undefined) =>
    time > current || (time === current && (cause === undefined || name[by]! < name[cause.node]!));

  for (const x of unrolled.order) {
    const node = nodes[unrolled.agent[x]!]!;
    let s = 0;
    let sCause: Cause | undefined;
    for (let i = unrolled.inStart[x]!; i < unrolled.inStart[x + 1]!; i++) {
      const e = unrolled.inEdges[i]!;
      const p = unrolled.from[e]!;
      const producer = nodes[unrolled.agent[p]!]!;
      let time: number;
      let cause: Cause;
      if (unrolled.join[e]) {
        time = finish[p]!;
        cause = { node: p, event: 'finish' };
      } else {
        if (producer.activations === 0) continue; // sends nothing
        time = start[p]! + producer.latency;
        cause = { node: p, event: 'start' };
      }
      if (better(time, s, p, sCause)) [s, sCause] = [time, cause];
    }
    const g = group[unrolled.agent[x]!]!;
    const turn = g >= 0 ? groupFree.get(g) : undefined;
    if (turn && turn.time > s) [s, sCause] = [turn.time, { node: turn.node, event: 'finish' }];

    // Instances that take turns run one after another.
    const activation = node.latency * (g >= 0 ? node.replicas : 1);
    let f = s + node.activations * activation;
    let fCause: Cause | undefined;
    if (node.activations > 0) {
      for (let i = unrolled.inStart[x]!; i < unrolled.inStart[x + 1]!; i++) {
        const e = unrolled.inEdges[i]!;
        const p = unrolled.from[e]!;
        if (unrolled.join[e] || nodes[unrolled.agent[p]!]!.activations === 0) continue;
        const time = finish[p]! + activation; // the last message, then one activation
        if (time > f || (time === f && fCause !== undefined && name[p]! < name[fCause.node]!)) [f, fCause] = [time, { node: p, event: 'finish' }];
      }
    }
    start[x] = s;
    finish[x] = f;
    startCause[x] = sCause;
    finishCause[x] = fCause;
    if (g >= 0) groupFree.set(g, { time: f, node: x });
  }

  let last = -1;
  for (let x = 0; x < count; x++) if (last < 0 || finish[x]! > finish[last]! || (finish[x] === finish[last] && name[x]! < name[last]!)) last = x;
  const path: string[] = [];
  let at: Cause | undefined = last >= 0 ? { node: last, event: 'finish' } : undefined;
  while (at) {
    if (path[path.length - 1] !== name[at.node]) path.push(name[at.node]!);
    at = at.event === 'finish' ? (finishCause[at.node] ?? { node: at.node, event: 'start' }) : startCause[at.node];
  }
  return { start, finish, makespan: last >= 0 ? finish[last]! : 0, path: path.reverse() };
}

function countMessages(nodes: Node[], edges: Edge[], loops: Loops): AgentTimeline['messages'] {
  const perEdge: EdgeMessages[] = edges.map((edge) => {
    const producer = nodes[edge.from]!;
    const receivers = nodes[edge.to]!.replicas - (edge.from === edge.to ? 1 : 0); // nobody sends to itself
    const perRound = producer.activations * producer.replicas * edge.messages * receivers;
    const rounds = loops.rounds[edge.from]!;
    return { from: producer.name, to: nodes[edge.to]!.name, kind: edge.kind, channel: edge.channel, perRound, rounds, perRun: perRound * rounds };
  });

  const byChannel = new Map<string, number[]>();
  edges.forEach((edge, e) => {
    if (edge.kind === 'store') return; // a shared store is the hub that avoids all-to-all
    const ids = byChannel.get(edge.channel);
    if (ids) ids.push(e);
    else byChannel.set(edge.channel, [e]);
  });
  const allToAll: AllToAllGroup[] = [];
  for (const [channel, ids] of byChannel) {
    const producers = new Set(ids.map((e) => edges[e]!.from));
    const participants = [...new Set(ids.map((e) => edges[e]!.to))].filter((v) => producers.has(v));
    const instances = participants.reduce((sum, v) => sum + nodes[v]!.replicas, 0);
    if (instances < 2) continue;
    const member = new Set(participants);
    const inside = ids.filter((e) => member.has(edges[e]!.from) && member.has(edges[e]!.to));
    allToAll.push({
      channel,
      agents: participants.map((v) => nodes[v]!.name).sort(),
      instances,
      messagesPerRound: inside.reduce((sum, e) => sum + perEdge[e]!.perRound, 0),
      rounds: participants.reduce((most, v) => Math.max(most, loops.rounds[v]!), 1),
      messagesPerRun: inside.reduce((sum, e) => sum + perEdge[e]!.perRun, 0),
    });
  }
  allToAll.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  return { perRun: perEdge.reduce((sum, e) => sum + e.perRun, 0), edges: perEdge, allToAll };
}
