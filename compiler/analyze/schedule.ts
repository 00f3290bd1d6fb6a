/**
 * The assignment policies of a work graph, run as discrete-event simulations with each task's
 * weight as its duration. They make the same choices as the runtime (`runtime/work.ts`), so a
 * predicted schedule can be set beside a measured one:
 *
 * - Priority: among ready tasks, the highest bottom level first (the longest weighted path from
 *   the task to the end, the classic list-scheduling priority that never starves the critical
 *   path), then declaration order. Declaration order rather than name, to match the runtime.
 * - `preassigned`: tasks are dealt round-robin, up front, in a topological order that follows the
 *   same priority; each worker runs its own list in order, waiting for dependencies held by others.
 * - `claim`: greedy list scheduling. Whenever workers are idle and tasks ready, the idle worker
 *   with the lowest index claims the most urgent ready task. No worker idles while a task is
 *   ready, so the makespan is at most W / n + CP (Graham's bound).
 * - `lead`: one lead hands out ready tasks to idle workers, the least-loaded first (ties by
 *   index). Each decision takes `overhead` time, during which the lead decides nothing else; the
 *   chosen tasks start when the decision ends. A decision assigns one task (`per: 'task'`) or
 *   every pair it can (`per: 'batch'`, one model call per round of assignments, as the runtime's
 *   lead does). With no overhead it is the greedy schedule again.
 *
 * Each simulation is O((V + E) log V): tasks and events live in heaps, dependencies are counted down.
 */
import type { CriticalPath } from './critical-path.js';
import type { WorkDag } from './graph.js';
import { Heap } from './heap.js';
import { loadBoundSpeedup } from './speedup.js';

export type AssignPolicy = 'preassigned' | 'claim' | 'lead';

export interface LeadOptions {
  /** Time one decision of the lead takes (its model call), in weight units. Default 0. */
  readonly overhead?: number;
  /** What one decision assigns: one task, or every ready task an idle worker can take. Default `batch`. */
  readonly per?: 'task' | 'batch';
}

export interface ScheduleOptions {
  readonly workers: number;
  readonly policy: AssignPolicy;
  readonly lead?: LeadOptions;
  /** List every task's placement in `schedule` (default true); off, it is empty and the run is cheaper. */
  readonly listTasks?: boolean;
}

export interface ScheduledTask {
  readonly task: string;
  readonly worker: number;
  readonly start: number;
  readonly end: number;
}

export interface Schedule {
  readonly policy: AssignPolicy;
  readonly workers: number;
  readonly makespan: number;
  /** Sum of the durations each worker ran. */
  readonly perWorkerLoad: number[];
  /** Per worker, makespan minus load: waiting for dependencies, for a decision, or for nothing. */
  readonly perWorkerIdle: number[];
  readonly idleTime: number;
  readonly largestLoad: number;
  /** W / largest load: the speed-up this assignment could give at best. */
  readonly loadBound: number;
  /** Dependencies whose two tasks ran on different workers: outputs that must travel. */
  readonly handoffs: number;
  /** The lead's decisions and the time it spent deciding (`lead` only; zero otherwise). */
  readonly leadDecisions: number;
  readonly leadBusy: number;
  /** Every task: who ran it and when, ordered by start, then worker (empty when `listTasks` is false). */
  readonly schedule: ScheduledTask[];
}

/** Runs `options.policy` on the graph. `path` supplies the bottom levels used as priorities. */
export function simulateSchedule(dag: WorkDag, path: CriticalPath, options: ScheduleOptions): Schedule {
  const { workers } = options;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a positive integer, not ${workers}`);
  const n = dag.graph.names.length;
  const run = {
    worker: new Int32Array(n).fill(-1),
    start: new Float64Array(n),
    end: new Float64Array(n),
    leadDecisions: 0,
    leadBusy: 0,
  };
  switch (options.policy) {
    case 'preassigned':
      runPreassigned(dag, path, workers, run);
      break;
    case 'claim':
      runGreedy(dag, path, workers, run);
      break;
    case 'lead':
      runLead(dag, path, workers, options.lead ?? {}, run);
      break;
  }
  return summarise(dag, options, run);
}

interface Run {
  worker: Int32Array;
  start: Float64Array;
  end: Float64Array;
  leadDecisions: number;
  leadBusy: number;
}

/** Higher bottom level first, then declaration order. */
function priority(path: CriticalPath): (a: number, b: number) => number {
  const level = path.bottomLevel;
  return (a, b) => level[b]! - level[a]! || a - b;
}

/** The topological order the runtime deals from: Kahn's algorithm, most urgent available task first. */
export function priorityOrder(dag: WorkDag, path: CriticalPath): Int32Array {
  const { graph } = dag;
  const n = graph.names.length;
  const remaining = new Int32Array(n);
  const available = new Heap<number>(priority(path));
  for (let v = 0; v < n; v++) {
    remaining[v] = graph.inStart[v + 1]! - graph.inStart[v]!;
    if (remaining[v] === 0) available.push(v);
  }
  const order = new Int32Array(n);
  for (let k = 0; available.size > 0; k++) {
    const v = available.pop()!;
    order[k] = v;
    forEachSuccessor(dag, v, (w) => {
      if (--remaining[w]! === 0) available.push(w);
    });
  }
  return order;
}

function runPreassigned(dag: WorkDag, path: CriticalPath, workers: number, run: Run): void {
  const free = new Float64Array(workers);
  const order = priorityOrder(dag, path);
  // Every dependency comes earlier in the deal, so one pass in deal order fixes every start time.
  order.forEach((v, k) => {
    const w = k % workers;
    let start = free[w]!;
    forEachPredecessor(dag, v, (u) => (start = Math.max(start, run.end[u]!)));
    place(dag, run, v, w, start);
    free[w] = run.end[v]!;
  });
}

interface Completion {
  time: number;
  worker: number;
  task: number;
}

const byTime = (a: Completion, b: Completion) => a.time - b.time || a.worker - b.worker;

function runGreedy(dag: WorkDag, path: CriticalPath, workers: number, run: Run): void {
  const ready = readyHeap(dag, path);
  const remaining = dependencyCounts(dag);
  const idle = new Heap<number>((a, b) => a - b);
  for (let w = 0; w < workers; w++) idle.push(w);
  const events = new Heap<Completion>(byTime);
  let now = 0;
  for (;;) {
    while (idle.size > 0 && ready.size > 0) {
      const w = idle.pop()!;
      const v = ready.pop()!;
      place(dag, run, v, w, now);
      events.push({ time: run.end[v]!, worker: w, task: v });
    }
    if (events.size === 0) break;
    now = events.peek()!.time;
    while (events.size > 0 && events.peek()!.time === now) {
      const done = events.pop()!;
      idle.push(done.worker);
      release(dag, done.task, remaining, ready);
    }
  }
}

type LeadEvent = Completion | { time: number; worker: -1; task: -1; decided: Array<[task: number, worker: number]> };

function runLead(dag: WorkDag, path: CriticalPath, workers: number, lead: LeadOptions, run: Run): void {
  const overhead = lead.overhead ?? 0;
  if (!(Number.isFinite(overhead) && overhead >= 0)) throw new RangeError(`lead overhead must be a finite number ≥ 0, not ${overhead}`);
  const perBatch = (lead.per ?? 'batch') === 'batch';
  const load = new Float64Array(workers);
  const ready = readyHeap(dag, path);
  const remaining = dependencyCounts(dag);
  const idle = new Heap<number>((a, b) => load[a]! - load[b]! || a - b);
  for (let w = 0; w < workers; w++) idle.push(w);
  const events = new Heap<LeadEvent>(byTime);
  let leadFreeAt = 0;
  let now = 0;
  for (;;) {
    while (leadFreeAt <= now && idle.size > 0 && ready.size > 0) {
      const decided: Array<[number, number]> = [];
      do {
        const v = ready.pop()!;
        const w = idle.pop()!;
        load[w]! += dag.weight[v]!; // reserved now, so the next pick sees the new load
        decided.push([v, w]);
      } while (perBatch && idle.size > 0 && ready.size > 0);
      run.leadDecisions++;
      run.leadBusy += overhead;
      if (overhead === 0) {
        for (const [v, w] of decided) start(v, w);
      } else {
        leadFreeAt = now + overhead;
        events.push({ time: leadFreeAt, worker: -1, task: -1, decided });
      }
    }
    if (events.size === 0) break;
    now = events.peek()!.time;
    while (events.size > 0 && events.peek()!.time === now) {
      const event = events.pop()!;
      if ('decided' in event) for (const [v, w] of event.decided) start(v, w);
      else {
        idle.push(event.worker);
        release(dag, event.task, remaining, ready);
      }
    }
  }

  function start(v: number, w: number): void {
    place(dag, run, v, w, now);
    events.push({ time: run.end[v]!, worker: w, task: v });
  }
}

// ---------------------------------------------------------------------------------------------

function place(dag: WorkDag, run: Run, v: number, worker: number, start: number): void {
  run.worker[v] = worker;
  run.start[v] = start;
  run.end[v] = start + dag.weight[v]!;
}

function readyHeap(dag: WorkDag, path: CriticalPath): Heap<number> {
  const ready = new Heap<number>(priority(path));
  const { inStart } = dag.graph;
  for (let v = 0; v < dag.graph.names.length; v++) if (inStart[v + 1] === inStart[v]) ready.push(v);
  return ready;
}

function dependencyCounts(dag: WorkDag): Int32Array {
  const { inStart } = dag.graph;
  const counts = new Int32Array(dag.graph.names.length);
  for (let v = 0; v < counts.length; v++) counts[v] = inStart[v + 1]! - inStart[v]!;
  return counts;
}

/** A task finished: its dependents with nothing else to wait for become ready. */
function release(dag: WorkDag, v: number, remaining: Int32Array, ready: Heap<number>): void {
  forEachSuccessor(dag, v, (w) => {
    if (--remaining[w]! === 0) ready.push(w);
  });
}

function forEachSuccessor(dag: WorkDag, v: number, visit: (w: number) => void): void {
  const { outStart, outEdges, to } = dag.graph;
  for (let i = outStart[v]!; i < outStart[v + 1]!; i++) visit(to[outEdges[i]!]!);
}

function forEachPredecessor(dag: WorkDag, v: number, visit: (u: number) => void): void {
  const { inStart, inEdges, from } = dag.graph;
  for (let i = inStart[v]!; i < inStart[v + 1]!; i++) visit(from[inEdges[i]!]!);
}

function summarise(dag: WorkDag, options: ScheduleOptions, run: Run): Schedule {
  const { graph, weight } = dag;
  const n = graph.names.length;
  const perWorkerLoad = new Array<number>(options.workers).fill(0);
  let makespan = 0;
  let totalWork = 0;
  for (let v = 0; v < n; v++) {
    perWorkerLoad[run.worker[v]!]! += weight[v]!;
    makespan = Math.max(makespan, run.end[v]!);
    totalWork += weight[v]!;
  }
  let handoffs = 0;
  for (let e = 0; e < graph.from.length; e++) if (run.worker[graph.from[e]!] !== run.worker[graph.to[e]!]) handoffs++;
  const perWorkerIdle = perWorkerLoad.map((load) => makespan - load);
  const largestLoad = perWorkerLoad.reduce((most, load) => Math.max(most, load), 0);
  const tasks = options.listTasks === false ? [] : [...Array(n).keys()].sort((a, b) => run.start[a]! - run.start[b]! || run.worker[a]! - run.worker[b]! || a - b);
  return {
    policy: options.policy,
    workers: options.workers,
    makespan,
    perWorkerLoad,
    perWorkerIdle,
    idleTime: perWorkerIdle.reduce((sum, idle) => sum + idle, 0),
    largestLoad,
    loadBound: loadBoundSpeedup(totalWork, largestLoad),
    handoffs,
    leadDecisions: run.leadDecisions,
    leadBusy: run.leadBusy,
    schedule: tasks.map((v) => ({ task: graph.names[v]!, worker: run.worker[v]!, start: run.start[v]!, end: run.end[v]! })),
  };
}
