/**
 * Store checkers. The runner traces every store write (its id, where it was accepted, what that
 * replica had merged before it), every read (the answering replica's merged writes and the writes
 * its value reflects) and each store's state at the end (see runtime/stores/tracing.ts). A view
 * *covers* a write when its value reflects the write, or reflects a later write whose writer had
 * merged it (a knowing overwrite). Against that:
 *
 * - stale-read: a read by an agent relying on `strong` (the store is strong, or the agent
 *   `reads … requires strong`) covers every write to the store that completed before it started;
 * - causal-read: a read by an agent relying on causality covers every write in its causal past —
 *   the writes that happened-before it through program order (per node) and message send→deliver
 *   edges. An agent relies on it when the store is at least causal, when it `reads … requires
 *   causal`, or in the T302 pattern: a writer of the store emits on a channel the agent takes, so
 *   the design expects "sent after writing" to mean "readable when received";
 * - lost-update: on a store with no declared merge rule, no acknowledged write is merged into a
 *   view that does not cover it (a concurrent overwrite by a writer that had not seen it), at a read
 *   or in the state the replicas converge to; and in a work graph with no lease, no two tasks that
 *   write the same target (file or key without a merge rule) run overlapping in time — the later
 *   write replaces the other's, which its task never saw (T305).
 *
 * Times are compared strictly: something at the same virtual millisecond as a read's start is not
 * taken to be before it, so a verdict never rests on the order of simultaneous events.
 */
import { consistencies, type AgentDefinition, type Consistency, type Merge, type StoreDefinition } from '../../definition.js';
import type { TeamTraceEvent } from '../../team.js';
import { formatClock, type VectorClock } from '../../vector-clock.js';
import { atLeast, type AnyDefinition, type Indexed, type Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

type WriteEvent = Extract<TeamTraceEvent, { kind: 'write' }>;
type ReadEvent = Extract<TeamTraceEvent, { kind: 'read' }>;
type StateEvent = Extract<TeamTraceEvent, { kind: 'store-state' }>;
type TaskEvent = Extract<TeamTraceEvent, { kind: 'task' }>;
type View = { merged: VectorClock; reflects: string[] };

interface StoreIndex {
  /** Every write, by id. */
  writes: Map<string, Indexed<WriteEvent>>;
  /** Writes per store, in trace order. */
  writesTo: Map<string, Array<Indexed<WriteEvent>>>;
  reads: Array<Indexed<ReadEvent>>;
  states: Array<Indexed<StateEvent>>;
}

function indexStores(trace: Trace): StoreIndex {
  const index: StoreIndex = { writes: new Map(), writesTo: new Map(), reads: [], states: [] };
  trace.forEach((event, i) => {
    if (event.kind === 'write' && event.id !== undefined) {
      const item = { index: i, event };
      if (!index.writes.has(event.id)) index.writes.set(event.id, item);
      push(index.writesTo, event.store, item);
    } else if (event.kind === 'read') index.reads.push({ index: i, event });
    else if (event.kind === 'store-state') index.states.push({ index: i, event });
  });
  return index;
}

const isMerged = (merged: VectorClock, write: WriteEvent) => (merged[write.origin] ?? 0) >= write.seq;

/**
 * Whether `view` covers `write`: it reflects the write, or (lww, whose value is one write) a write
 * whose writer had merged it. A reflected lww write missing from the trace (cut by shrinking) is
 * given the benefit of the doubt.
 */
function covers(view: View, write: WriteEvent, index: StoreIndex, merge: Merge): boolean {
  if (merge !== 'lww') return view.reflects.includes(write.id);
  return view.reflects.some((id) => {
    if (id === write.id) return true;
    const other = index.writes.get(id);
    return other === undefined || isMerged(other.event.merged, write);
  });
}

/** The reflected writes of `view` that overwrote `write` without having seen it (the evidence of a loss). */
function overwriters(view: View, write: WriteEvent, index: StoreIndex): Array<Indexed<WriteEvent>> {
  return view.reflects.flatMap((id) => {
    const other = index.writes.get(id);
    return other && id !== write.id && !isMerged(other.event.merged, write) ? [other] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Who relies on what

function agentNamed(definition: AnyDefinition, name: string): AgentDefinition | undefined {
  return definition.agents.find((a) => a.name === name);
}

function requirementOf(agent: AgentDefinition | undefined, store: string): Consistency | undefined {
  return agent?.reads.find((r) => r.store === store)?.requires;
}

/** Why `reader` relies on `floor` reads of `store`, or undefined when it does not. */
function readReliance(definition: AnyDefinition, reader: string, store: StoreDefinition, floor: 'causal' | 'strong'): string | undefined {
  const agent = agentNamed(definition, reader);
  if (!agent?.reads.some((r) => r.store === store.name)) return undefined;
  if (atLeast(consistencies, store.consistency, floor)) return `store ${store.name} is ${store.consistency}`;
  const requires = requirementOf(agent, store.name);
  if (requires !== undefined && atLeast(consistencies, requires, floor)) return `${reader} requires ${requires} reads of ${store.consistency} store ${store.name}`;
  if (floor === 'causal') {
    // T302: a writer of the store emits on a channel the reader takes.
    for (const writer of definition.agents) {
      if (!writer.writes.includes(store.name)) continue;
      const channel = writer.emits.find((e) => agent.takes.some((t) => t.from === 'channel' && t.source === e.channel))?.channel;
      if (channel !== undefined) return `${writer.name} writes ${store.name} and emits on ${channel}, which ${reader} takes`;
    }
  }
  return undefined;
}

const describeWrite = (write: WriteEvent) => `${write.id} (${write.agent}, done at ${write.time}ms)`;
const describeRead = (read: ReadEvent) => `${read.agent}'s read of ${read.store}${read.activation !== undefined ? ` in ${read.activation}` : ''} at ${read.startedAt}ms (replica ${read.replica}, merged ${formatClock(read.merged)})`;

// ---------------------------------------------------------------------------------------------
// stale-read

export const staleReadChecker: Checker = {
  kind: 'stale-read',
  guarantee: 'a read that relies on strong consistency sees every write that completed before it started',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexStores(trace);
    const stores = new Map(definition.stores.map((s) => [s.name, s]));
    const found: Violation[] = [];
    const reported = new Set<string>();
    for (const read of index.reads) {
      const store = stores.get(read.event.store);
      const subject = `${read.event.store}→${read.event.agent}`;
      if (!store || reported.has(subject)) continue;
      const why = readReliance(definition, read.event.agent, store, 'strong');
      if (why === undefined) continue;
      const missed = (index.writesTo.get(store.name) ?? []).find((w) => w.event.time < read.event.startedAt && !covers(read.event, w.event, index, store.merge ?? 'lww'));
      if (!missed) continue;
      reported.add(subject);
      found.push(
        violation(
          'stale-read',
          subject,
          `${describeRead(read.event)} missed ${describeWrite(missed.event)}, which completed before it started: it saw ${seen(read.event)} (${why})`,
          [missed.index, read.index],
        ),
      );
    }
    return found;
  },
};

function seen(view: View): string {
  return view.reflects.length === 0 ? 'no write' : view.reflects.join(', ');
}

// ---------------------------------------------------------------------------------------------
// causal-read

interface Known {
  /** When the node learnt of the write. */
  at: number;
  /** The events that carried it there: the write, then each send and delivery. */
  via: number[];
}

/**
 * Happened-before on the trace, per node: a node knows its own writes once done, and everything
 * a message's sender knew when it published it, once the message is delivered. Nodes are agents
 * (all instances of one agent publish, read and write as one node, as channels see them).
 */
function causalPasts(trace: Trace): Map<number, Map<string, Known>> {
  const known = new Map<string, Map<string, Known>>();
  const carried = new Map<string, { index: number; knows: Map<string, Known> }>(); // message -> what its sender knew
  const atRead = new Map<number, Map<string, Known>>();
  const of = (node: string) => {
    let map = known.get(node);
    if (!map) known.set(node, (map = new Map()));
    return map;
  };
  trace.forEach((event, i) => {
    switch (event.kind) {
      case 'write':
        if (event.id !== undefined && !of(event.agent).has(event.id)) of(event.agent).set(event.id, { at: event.time, via: [i] });
        break;
      case 'send':
        // A publish (a transport redelivery names its target and carries nothing new).
        if (event.to === undefined && !carried.has(event.message)) carried.set(event.message, { index: i, knows: new Map(of(event.agent)) });
        break;
      case 'deliver': {
        const message = carried.get(event.message);
        if (!message) break;
        const mine = of(event.agent);
        for (const [id, what] of message.knows) if (!mine.has(id)) mine.set(id, { at: event.time, via: [...what.via, message.index, i] });
        break;
      }
      case 'read':
        atRead.set(i, new Map(of(event.agent)));
        break;
    }
  });
  return atRead;
}

export const causalReadChecker: Checker = {
  kind: 'causal-read',
  guarantee: 'a read that relies on causality sees every write that happened-before it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexStores(trace);
    if (index.reads.length === 0) return [];
    const stores = new Map(definition.stores.map((s) => [s.name, s]));
    const pasts = causalPasts(trace);
    const found: Violation[] = [];
    const reported = new Set<string>();
    for (const read of index.reads) {
      const store = stores.get(read.event.store);
      const subject = `${read.event.store}→${read.event.agent}`;
      if (!store || reported.has(subject)) continue;
      const why = readReliance(definition, read.event.agent, store, 'causal');
      if (why === undefined) continue;
      for (const [id, what] of pasts.get(read.index) ?? []) {
        const write = index.writes.get(id);
        if (!write || write.event.store !== store.name || what.at >= read.event.startedAt) continue;
        if (covers(read.event, write.event, index, store.merge ?? 'lww')) continue;
        reported.add(subject);
        const path = what.via.length > 1 ? `, which reached ${read.event.agent} through ${(what.via.length - 1) / 2} message${what.via.length === 3 ? '' : 's'} sent after it` : '';
        found.push(
          violation(
            'causal-read',
            subject,
            `${describeRead(read.event)} missed ${describeWrite(write.event)}${path}: it saw ${seen(read.event)} (${why})`,
            [...what.via, read.index],
          ),
        );
        break;
      }
    }
    return found;
  },
};

// ---------------------------------------------------------------------------------------------
// lost-update

export const lostUpdateChecker: Checker = {
  kind: 'lost-update',
  guarantee: 'no acknowledged write is silently overwritten by a writer that had not seen it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    return [...lostStoreWrites(trace, definition), ...overlappingTaskWrites(trace, definition)];
  },
};

/** Stores with no merge rule: at each read and in the converged end state, every merged write is covered. */
function lostStoreWrites(trace: Trace, definition: AnyDefinition): Violation[] {
  const index = indexStores(trace);
  const found: Violation[] = [];
  for (const store of definition.stores) {
    // A declared rule says how writes combine: lww loses on purpose, append and union lose nothing.
    if (store.merge !== undefined) continue;
    const writes = index.writesTo.get(store.name) ?? [];
    if (writes.length < 2) continue;
    const views: Array<{ index: number; view: View; where: string }> = [
      ...index.reads.filter((r) => r.event.store === store.name).map((r) => ({ index: r.index, view: r.event as View, where: `${describeRead(r.event)}` })),
      ...index.states.filter((s) => s.event.store === store.name).map((s) => ({ index: s.index, view: s.event.converged, where: `the state the replicas of ${store.name} converge to at the run's end` })),
    ];
    search: for (const { index: at, view, where } of views) {
      for (const write of writes) {
        if (!isMerged(view.merged, write.event) || covers(view, write.event, index, 'lww')) continue;
        const by = overwriters(view, write.event, index);
        found.push(
          violation(
            'lost-update',
            store.name,
            `${describeWrite(write.event)} is lost: ${where} merged it but holds ${by.map((w) => describeWrite(w.event)).join(', ') || seen(view)}, written without having seen it (${store.consistency} store ${store.name} has no merge rule)`,
            [write.index, ...by.map((w) => w.index), at],
          ),
        );
        break search; // one lost write per store is enough
      }
    }
  }
  return found;
}

interface Execution {
  task: string;
  worker: number;
  start: Indexed<TaskEvent>;
  end: Indexed<TaskEvent>;
}

/** Work graphs with no lease: two counted executions of different tasks writing one target, overlapping in time. */
function overlappingTaskWrites(trace: Trace, definition: AnyDefinition): Violation[] {
  const found: Violation[] = [];
  const mergedStores = new Set(definition.stores.filter((s) => s.merge !== undefined).map((s) => s.name));
  for (const work of definition.work) {
    if (work.leaseMs !== undefined) continue; // a lease arbitrates (as the checker's T305 has it)
    const executions = executionsOf(trace, work.name);
    const writers = new Map<string, string[]>(); // target -> tasks that write it
    for (const task of work.tasks) for (const target of new Set(task.writes)) if (!mergedStores.has(target)) push(writers, target, task.name);
    for (const [target, tasks] of writers) {
      if (tasks.length < 2) continue;
      const runs = executions.filter((e) => tasks.includes(e.task));
      const pair = firstOverlap(runs);
      if (!pair) continue;
      // The one that finished first was overwritten by the other, which had started before it finished.
      const [lost, winner] = pair[0].end.event.time <= pair[1].end.event.time ? pair : [pair[1], pair[0]];
      found.push(
        violation(
          'lost-update',
          `work:${work.name}/${target}`,
          `tasks ${lost.task} and ${winner.task} of ${work.name} both write "${target}" and ran at once (${lost.task} on worker ${lost.worker} ${span(lost)}, ${winner.task} on worker ${winner.worker} ${span(winner)}): ${winner.task}'s write replaced ${lost.task}'s, which it had not seen`,
          [lost.start.index, winner.start.index, lost.end.index, winner.end.index],
        ),
      );
    }
  }
  return found;
}

const span = (e: Execution) => `${e.start.event.time}–${e.end.event.time}ms`;

/** Executions whose output counted: a task's start on a worker, then its `end` there. */
function executionsOf(trace: Trace, work: string): Execution[] {
  const open = new Map<string, Indexed<TaskEvent>>(); // task@worker -> its start
  const done: Execution[] = [];
  trace.forEach((event, index) => {
    if (event.kind !== 'task' || event.work !== work) return;
    const key = `${event.task}@${event.worker}`;
    if (event.action === 'start') open.set(key, { index, event });
    else if (event.action === 'end' || event.action === 'failed' || event.action === 'discarded') {
      const start = open.get(key);
      open.delete(key);
      if (start && event.action === 'end') done.push({ task: event.task, worker: event.worker, start, end: { index, event } });
    }
  });
  return done;
}

function firstOverlap(runs: Execution[]): [Execution, Execution] | undefined {
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const [a, b] = [runs[i]!, runs[j]!];
      if (a.task === b.task) continue;
      if (a.start.event.time < b.end.event.time && b.start.event.time < a.end.event.time) return [a, b];
    }
  }
  return undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
