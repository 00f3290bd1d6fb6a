/**
 * Work graphs: a set of tasks with dependencies shared by `n` interchangeable workers. A task
 * starts the moment its dependencies are done (no round barrier), under one of three assignment
 * policies:
 *
 * - `preassigned`: tasks are dealt round-robin to workers in topological order up front; each
 *   worker runs its own list in order, waiting for dependencies held by others.
 * - `claim`: an idle worker claims the highest-priority ready task through a compare-and-set on a
 *   claim board (at most one live claim per task); a lease lets a stuck task be claimed again,
 *   and only the first completion of a task counts.
 * - `lead`: a lead agent's model call assigns ready tasks to idle workers.
 *
 * Ready tasks are prioritised by bottom level (the longest weighted path from the task to the end
 * of the graph, the classic list-scheduling priority), then by declaration order, so the
 * critical path is never starved. `planWork` runs the same policies on weights alone, without a
 * clock or a model, for the analyser; `runWork` executes them on a clock.
 *
 * A graph whose tasks wait on each other round a cycle (T703) is refused before a run
 * (definition.ts) unless the team runs unsafe, for simulation: then `runWork` runs every task it
 * can, and once nothing is running, nothing is ready and tasks remain, it ends the graph with a
 * `WorkDeadlockError` naming them — never hanging on tasks that can never start.
 */
import type { Clock } from './clock.js';
import type { AssignPolicy } from './definition.js';

export interface WorkTask {
  name: string;
  after: readonly string[];
  weight: number;
  writes: readonly string[];
  doc?: string;
}

// ---------------------------------------------------------------------------------------------
// Graph figures

export interface GraphFigures {
  /** Sum of the weights. */
  totalWork: number;
  /** The heaviest dependency chain's weight. */
  criticalPath: number;
  /** The tasks on one heaviest chain, first to last. */
  criticalTasks: string[];
  /** Per task: the heaviest chain from it to the end of the graph, its own weight included. */
  bottomLevel: Map<string, number>;
}

/** Kahn's algorithm; among tasks available at once, higher bottom level first, then declaration order. */
export function topologicalOrder(tasks: readonly WorkTask[]): WorkTask[] {
  const levels = bottomLevels(tasks);
  const index = new Map(tasks.map((t, i) => [t.name, i]));
  const remaining = new Map(tasks.map((t) => [t.name, t.after.length]));
  const dependents = dependentsOf(tasks);
  const available = tasks.filter((t) => t.after.length === 0);
  const order: WorkTask[] = [];
  while (available.length > 0) {
    available.sort((a, b) => byPriority(a, b, levels, index));
    const task = available.shift()!;
    order.push(task);
    for (const next of dependents.get(task.name) ?? []) {
      const left = remaining.get(next.name)! - 1;
      remaining.set(next.name, left);
      if (left === 0) available.push(next);
    }
  }
  if (order.length !== tasks.length) throw new Error('work graph has a dependency cycle');
  return order;
}

export function graphFigures(tasks: readonly WorkTask[]): GraphFigures {
  const bottomLevel = bottomLevels(tasks);
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const dependents = dependentsOf(tasks);
  let start: WorkTask | undefined;
  for (const task of tasks) if (task.after.length === 0 && (!start || bottomLevel.get(task.name)! > bottomLevel.get(start.name)!)) start = task;
  const criticalTasks: string[] = [];
  for (let task = start; task; ) {
    criticalTasks.push(task.name);
    let next: WorkTask | undefined;
    for (const candidate of dependents.get(task.name) ?? []) {
      if (!next || bottomLevel.get(candidate.name)! > bottomLevel.get(next.name)!) next = candidate;
    }
    task = next ? byName.get(next.name) : undefined;
  }
  return {
    totalWork: tasks.reduce((sum, t) => sum + t.weight, 0),
    criticalPath: start ? bottomLevel.get(start.name)! : 0,
    criticalTasks,
    bottomLevel,
  };
}

function bottomLevels(tasks: readonly WorkTask[]): Map<string, number> {
  const dependents = dependentsOf(tasks);
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (task: WorkTask): number => {
    const known = levels.get(task.name);
    if (known !== undefined) return known;
    if (visiting.has(task.name)) throw new Error(`work graph has a dependency cycle through ${task.name}`);
    visiting.add(task.name);
    let longest = 0;
    for (const next of dependents.get(task.name) ?? []) longest = Math.max(longest, level(next));
    visiting.delete(task.name);
    levels.set(task.name, task.weight + longest);
    return task.weight + longest;
  };
  for (const task of tasks) level(task);
  return levels;
}

/**
 * The tasks that can ever start: every task, unless some wait on each other round a cycle — then
 * neither those nor any task after them (Kahn's algorithm, keeping declaration order).
 */
function startableTasks(tasks: readonly WorkTask[]): readonly WorkTask[] {
  const remaining = new Map(tasks.map((t) => [t.name, t.after.length]));
  const dependents = dependentsOf(tasks);
  const available = tasks.filter((t) => t.after.length === 0);
  const reached = new Set<string>();
  while (available.length > 0) {
    const task = available.pop()!;
    reached.add(task.name);
    for (const next of dependents.get(task.name) ?? []) {
      const left = remaining.get(next.name)! - 1;
      remaining.set(next.name, left);
      if (left === 0) available.push(next);
    }
  }
  return reached.size === tasks.length ? tasks : tasks.filter((t) => reached.has(t.name));
}

function dependentsOf(tasks: readonly WorkTask[]): Map<string, WorkTask[]> {
  const dependents = new Map<string, WorkTask[]>(tasks.map((t) => [t.name, []]));
  for (const task of tasks) for (const dep of task.after) dependents.get(dep)?.push(task);
  return dependents;
}

function byPriority(a: WorkTask, b: WorkTask, levels: Map<string, number>, index: Map<string, number>): number {
  return levels.get(b.name)! - levels.get(a.name)! || index.get(a.name)! - index.get(b.name)!;
}

/** The `preassigned` plan: round-robin over workers in topological order. */
export function preassign(tasks: readonly WorkTask[], workers: number): WorkTask[][] {
  const lists: WorkTask[][] = Array.from({ length: workers }, () => []);
  topologicalOrder(tasks).forEach((task, i) => lists[i % workers]!.push(task));
  return lists;
}

// ---------------------------------------------------------------------------------------------
// Planning on weights (no clock, no model): what the analyser compares a run against.

export interface ScheduledTask {
  task: string;
  worker: number;
  start: number;
  end: number;
}

export interface WorkPlan {
  schedule: ScheduledTask[];
  makespan: number;
  /** Sum of task weights (or durations) per worker. */
  perWorkerLoad: number[];
  totalWork: number;
  criticalPath: number;
}

/**
 * Runs a policy as a discrete-event simulation where each task lasts `durationOf(task)` (its
 * weight by default). `lead` is planned as `claim`: the lead's choices are model calls, and the
 * greedy plan is the one it is asked to approach.
 */
export function planWork(
  tasks: readonly WorkTask[],
  options: { workers: number; policy: AssignPolicy; durationOf?: (task: WorkTask) => number },
): WorkPlan {
  const duration = options.durationOf ?? ((task: WorkTask) => task.weight);
  const workers = options.workers;
  const end = new Map<string, number>();
  const schedule: ScheduledTask[] = [];
  const free = new Array<number>(workers).fill(0);
  const load = new Array<number>(workers).fill(0);
  const place = (task: WorkTask, worker: number, start: number) => {
    const finish = start + duration(task);
    end.set(task.name, finish);
    free[worker] = finish;
    load[worker]! += duration(task);
    schedule.push({ task: task.name, worker, start, end: finish });
  };

  if (options.policy === 'preassigned') {
    const lists = preassign(tasks, workers);
    const heads = new Array<number>(workers).fill(0);
    for (let placed = 0; placed < tasks.length; placed++) {
      let best: { worker: number; start: number } | undefined;
      for (let w = 0; w < workers; w++) {
        const task = lists[w]![heads[w]!];
        if (!task || !task.after.every((d) => end.has(d))) continue;
        const start = Math.max(free[w]!, ...task.after.map((d) => end.get(d)!));
        if (!best || start < best.start) best = { worker: w, start };
      }
      // A topological deal never blocks: the earliest unplaced task is always at a head.
      const task = lists[best!.worker]![heads[best!.worker]!++]!;
      place(task, best!.worker, best!.start);
    }
  } else {
    const levels = bottomLevels(tasks);
    const index = new Map(tasks.map((t, i) => [t.name, i]));
    const pending = new Set(tasks.map((t) => t.name));
    let now = 0;
    while (pending.size > 0) {
      const ready = tasks
        .filter((t) => pending.has(t.name) && t.after.every((d) => (end.get(d) ?? Infinity) <= now))
        .sort((a, b) => byPriority(a, b, levels, index));
      for (let w = 0; w < workers && ready.length > 0; w++) {
        if (free[w]! <= now) {
          const task = ready.shift()!;
          pending.delete(task.name);
          place(task, w, now);
        }
      }
      // Jump to the next completion after `now`.
      const upcoming = [...end.values(), ...free].filter((t) => t > now);
      if (upcoming.length === 0) break;
      now = Math.min(...upcoming);
    }
  }
  const figures = graphFigures(tasks);
  return {
    schedule,
    makespan: Math.max(0, ...schedule.map((s) => s.end)),
    perWorkerLoad: load,
    totalWork: tasks.reduce((sum, t) => sum + duration(t), 0),
    criticalPath: figures.criticalPath,
  };
}

// ---------------------------------------------------------------------------------------------
// Claims

/**
 * Who holds each task. `tryClaim` is a compare-and-set: it succeeds only when the task has no live
 * claim and is not done; `complete` succeeds only for the first completion. Asynchronous so a
 * linearizable store on another node can implement it.
 */
export interface ClaimBoard {
  tryClaim(task: string, worker: number, now: number, leaseMs?: number): Promise<boolean>;
  /** Marks the task done for `worker`; false if it was already done (a duplicate result to discard). */
  complete(task: string, worker: number): Promise<boolean>;
  /** Drops `worker`'s claim (after a failure) so another worker may claim the task. */
  release(task: string, worker: number): Promise<void>;
}

interface ClaimRecord {
  version: number;
  owner?: number;
  leaseUntil?: number;
  done: boolean;
}

/**
 * A claim board over versioned records: every change is a compare-and-set against the version
 * read, the way the board would run on a strong store with CAS.
 */
export function createClaimBoard(): ClaimBoard & { snapshot(task: string): Readonly<ClaimRecord> | undefined } {
  const records = new Map<string, ClaimRecord>();
  const read = (task: string): ClaimRecord => records.get(task) ?? { version: 0, done: false };
  const compareAndSet = (task: string, expected: number, next: Omit<ClaimRecord, 'version'>): boolean => {
    if (read(task).version !== expected) return false;
    records.set(task, { ...next, version: expected + 1 });
    return true;
  };
  return {
    async tryClaim(task, worker, now, leaseMs) {
      const current = read(task);
      const live = current.owner !== undefined && (current.leaseUntil === undefined || current.leaseUntil > now);
      if (current.done || live) return false;
      return compareAndSet(task, current.version, { owner: worker, leaseUntil: leaseMs === undefined ? undefined : now + leaseMs, done: false });
    },
    async complete(task, worker) {
      const current = read(task);
      if (current.done) return false;
      return compareAndSet(task, current.version, { owner: worker, done: true });
    },
    async release(task, worker) {
      const current = read(task);
      if (current.done || current.owner !== worker) return;
      compareAndSet(task, current.version, { done: false });
    },
    snapshot: (task) => records.get(task),
  };
}

// ---------------------------------------------------------------------------------------------
// Running a graph on a clock

export interface Dependency<Out> {
  task: string;
  output: Out;
}

export interface Assignment {
  task: string;
  worker: number;
}

export type WorkEvent =
  | { type: 'task_assigned'; task: string; worker: number; by: 'plan' | 'claim' | 'lead' | 'lead_fallback' }
  | { type: 'task_start'; task: string; worker: number }
  | { type: 'task_end'; task: string; worker: number; ok: boolean; error?: string }
  | { type: 'lease_expired'; task: string; worker: number }
  | { type: 'result_discarded'; task: string; worker: number };

export interface WorkRunOptions<Out> {
  /** The graph's name, for messages. */
  name?: string;
  tasks: readonly WorkTask[];
  workers: number;
  policy: AssignPolicy;
  clock: Clock;
  signal?: AbortSignal;
  /** `claim` only: a claim older than this may be taken over. */
  leaseMs?: number;
  /** `claim` only: defaults to an in-memory board. */
  claims?: ClaimBoard;
  /** Runs one task on one worker; `deps` are the outputs of its dependencies, in `after` order. */
  execute(worker: number, task: WorkTask, deps: Dependency<Out>[], signal: AbortSignal): Promise<Out>;
  /** `lead` only: one model call that assigns ready tasks to idle workers. */
  lead?(ready: WorkTask[], idle: number[], signal: AbortSignal): Promise<Assignment[]>;
  onEvent?(event: WorkEvent): void;
}

export interface TaskRecord {
  task: string;
  worker: number;
  start: number;
  end: number;
}

export interface WorkReport<Out> {
  /** Task name → its output, in declaration order. */
  outputs: Map<string, Out>;
  /** The execution that counted for each task, in completion order. */
  schedule: TaskRecord[];
  /** Weight of the tasks each worker completed. */
  perWorkerLoad: number[];
  /** Virtual (or wall) milliseconds each worker spent executing, discarded attempts included. */
  perWorkerBusyMs: number[];
  start: number;
  end: number;
  makespan: number;
}

export class WorkTaskError extends Error {
  override readonly name = 'WorkTaskError';
  constructor(
    readonly task: string,
    readonly worker: number,
    override readonly cause: unknown,
  ) {
    super(`task ${task} failed on worker ${worker}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * A work graph that can go no further: nothing running, nothing ready, and tasks left that each
 * wait on another left — a cycle of `after`s (T703), run under `allowUnsafe`.
 */
export class WorkDeadlockError extends Error {
  override readonly name = 'WorkDeadlockError';
  constructor(
    /** Each task that can never start, with the unfinished tasks it waits on (declaration order). */
    readonly waiting: Record<string, string[]>,
    /** One cycle among them, its first task repeated last: `core -> docs -> api -> core`. */
    readonly cycle: string[],
    graph?: string,
  ) {
    const names = Object.keys(waiting);
    const edges = names.map((task) => `${task} after ${waiting[task]!.join(', ')}`).join('; ');
    super(`${graph !== undefined ? `work graph ${graph}` : 'the work graph'} is deadlocked: tasks ${names.join(', ')} wait on each other round the cycle ${cycle.join(' -> ')} (${edges}), so none of them can ever start`);
  }
}

/** The deadlock of the tasks not `done`, every one of which waits on another not done. */
function deadlockOf(tasks: readonly WorkTask[], done: ReadonlyMap<string, unknown>, graph: string | undefined): WorkDeadlockError {
  const waiting: Record<string, string[]> = {};
  for (const task of tasks) if (!done.has(task.name)) waiting[task.name] = [...new Set(task.after.filter((dep) => !done.has(dep)))];
  // Follow the first unfinished dependency from the first waiting task until a task repeats: a cycle.
  const path: string[] = [];
  let at = Object.keys(waiting)[0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = waiting[at]![0]!;
  }
  return new WorkDeadlockError(waiting, [...path.slice(path.indexOf(at)), at], graph);
}

/** Executes a work graph; rejects with the first task failure (after cancelling the rest), the abort reason, or a `WorkDeadlockError`. */
export async function runWork<Out>(options: WorkRunOptions<Out>): Promise<WorkReport<Out>> {
  return new WorkRun(options).run();
}

class WorkRun<Out> {
  private readonly tasks: readonly WorkTask[];
  /** The tasks that can ever start: all of them unless a cycle blocks some (see `startableTasks`). */
  private readonly startable: readonly WorkTask[];
  private readonly byName: Map<string, WorkTask>;
  private readonly levels: Map<string, number>;
  private readonly index: Map<string, number>;
  private readonly outputs = new Map<string, Out>();
  private readonly schedule: TaskRecord[] = [];
  private readonly load: number[];
  private readonly busy: number[];
  private readonly idle = new Set<number>();
  /** Tasks currently being executed, by any worker (a leased-out task may run twice). */
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly assigned = new Set<string>();
  private readonly controller = new AbortController();
  private readonly start: number;
  private failure: unknown;
  private waiters: Array<() => void> = [];
  private version = 0;

  constructor(private readonly options: WorkRunOptions<Out>) {
    this.tasks = options.tasks;
    this.byName = new Map(this.tasks.map((t) => [t.name, t]));
    this.startable = startableTasks(this.tasks);
    // Priorities among the tasks that can start (a blocked task is never ready, so never compared).
    this.levels = bottomLevels(this.startable);
    this.index = new Map(this.tasks.map((t, i) => [t.name, i]));
    this.load = new Array<number>(options.workers).fill(0);
    this.busy = new Array<number>(options.workers).fill(0);
    this.start = options.clock.now();
  }

  async run(): Promise<WorkReport<Out>> {
    const { signal } = this.options;
    const onAbort = () => this.fail(signal!.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.checkDeadlock(); // a graph none of whose tasks can start ends here
      const workers = Array.from({ length: this.options.workers }, (_, w) => w);
      switch (this.options.policy) {
        case 'preassigned': {
          // Only tasks that can start are dealt: a worker must not wait on a blocked task ahead of one that can run.
          const lists = preassign(this.startable, this.options.workers);
          await Promise.all(workers.map((w) => this.runList(w, lists[w]!)));
          break;
        }
        case 'claim': {
          const board = this.options.claims ?? createClaimBoard();
          await Promise.all(workers.map((w) => this.runClaiming(w, board)));
          break;
        }
        case 'lead':
          await this.runLed(workers);
          break;
      }
      if (this.failure !== undefined) throw this.failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.controller.abort(new Error('work graph finished'));
    }
    const end = this.options.clock.now();
    const outputs = new Map<string, Out>();
    for (const task of this.tasks) outputs.set(task.name, this.outputs.get(task.name)!);
    return {
      outputs,
      schedule: this.schedule,
      perWorkerLoad: this.load,
      perWorkerBusyMs: this.busy,
      start: this.start,
      end,
      makespan: end - this.start,
    };
  }

  // --- policies --------------------------------------------------------------------------------

  private async runList(worker: number, list: WorkTask[]): Promise<void> {
    for (const task of list) this.emit({ type: 'task_assigned', task: task.name, worker, by: 'plan' });
    for (const task of list) {
      while (!this.stopped() && !this.isReady(task)) await this.changed(this.version);
      if (this.stopped()) return;
      await this.execute(worker, task);
    }
  }

  private async runClaiming(worker: number, board: ClaimBoard): Promise<void> {
    const { clock, leaseMs } = this.options;
    while (!this.stopped() && !this.allDone()) {
      // Claim only after every completion due at this instant has landed (a zero-delay timer runs
      // after the timers already due now), so a worker that finished first cannot grab a task
      // ahead of a more urgent one that a simultaneous completion is about to make ready.
      await clock.sleep(0, this.controller.signal).catch(() => undefined);
      if (this.stopped() || this.allDone()) return;
      const seen = this.version;
      let claimed: WorkTask | undefined;
      for (const task of this.readyTasks()) {
        if (this.running.has(task.name) && !this.leaseExpired(task.name)) continue;
        if (await board.tryClaim(task.name, worker, clock.now(), leaseMs)) {
          claimed = task;
          break;
        }
      }
      if (!claimed) {
        await this.changed(seen);
        continue;
      }
      this.emit({ type: 'task_assigned', task: claimed.name, worker, by: 'claim' });
      const cancelLease = leaseMs === undefined ? undefined : this.watchLease(claimed, worker, leaseMs);
      const ok = await this.execute(worker, claimed, board);
      cancelLease?.();
      if (!ok) await board.release(claimed.name, worker);
    }
  }

  private async runLed(workers: number[]): Promise<void> {
    const lead = this.options.lead;
    if (!lead) throw new Error('`lead` assignment needs a lead function');
    for (const w of workers) this.idle.add(w);
    const inFlight = new Set<Promise<unknown>>();
    while (!this.stopped() && !this.allDone()) {
      const seen = this.version;
      const ready = this.readyTasks().filter((t) => !this.assigned.has(t.name));
      const idle = [...this.idle].sort((a, b) => a - b);
      if (ready.length === 0 || idle.length === 0) {
        await this.changed(seen);
        continue;
      }
      let chosen: Assignment[];
      try {
        chosen = await lead(ready, idle, this.controller.signal);
      } catch (error) {
        this.fail(error);
        break;
      }
      if (this.stopped()) break;
      // Only assignments of a still-ready task to a still-idle worker count, each at most once.
      let applied = 0;
      for (const { task, worker } of chosen) {
        const target = this.byName.get(task);
        if (!target || this.assigned.has(task) || !this.idle.has(worker) || !this.isReady(target)) continue;
        inFlight.add(this.dispatch(worker, target, 'lead', inFlight));
        applied++;
      }
      if (applied === 0 && inFlight.size > 0) {
        // Nothing useful this time: ask again when something changes, not in a tight loop.
        await this.changed(seen);
      } else if (applied === 0) {
        // Nothing running and nothing assigned: the graph would stall, so fall back to greedy order.
        const stillIdle = [...this.idle].sort((a, b) => a - b);
        const stillReady = this.readyTasks().filter((t) => !this.assigned.has(t.name));
        for (let i = 0; i < Math.min(stillIdle.length, stillReady.length); i++) {
          inFlight.add(this.dispatch(stillIdle[i]!, stillReady[i]!, 'lead_fallback', inFlight));
        }
      }
    }
    await Promise.all(inFlight);
  }

  private dispatch(worker: number, task: WorkTask, by: 'lead' | 'lead_fallback', inFlight: Set<Promise<unknown>>): Promise<unknown> {
    this.idle.delete(worker);
    this.assigned.add(task.name);
    this.emit({ type: 'task_assigned', task: task.name, worker, by });
    const done: Promise<unknown> = this.execute(worker, task).finally(() => {
      this.idle.add(worker);
      inFlight.delete(done);
      this.notify();
    });
    return done;
  }

  // --- execution -------------------------------------------------------------------------------

  /** Runs one task on one worker; true when its output counted. */
  private async execute(worker: number, task: WorkTask, board?: ClaimBoard): Promise<boolean> {
    const { clock } = this.options;
    const controller = new AbortController();
    const onStop = () => controller.abort(this.controller.signal.reason);
    this.controller.signal.addEventListener('abort', onStop, { once: true });
    const executions = this.running.get(task.name) ?? new Set();
    executions.add(controller);
    this.running.set(task.name, executions);
    const start = clock.now();
    const deps = task.after.map((dep) => ({ task: dep, output: this.outputs.get(dep)! }));
    this.emit({ type: 'task_start', task: task.name, worker });
    try {
      const output = await this.options.execute(worker, task, deps, controller.signal);
      this.busy[worker]! += clock.now() - start;
      const first = !this.outputs.has(task.name) && (board ? await board.complete(task.name, worker) : true);
      if (!first || this.outputs.has(task.name)) {
        this.emit({ type: 'result_discarded', task: task.name, worker });
        return false;
      }
      this.outputs.set(task.name, output);
      this.load[worker]! += task.weight;
      this.schedule.push({ task: task.name, worker, start, end: clock.now() });
      this.emit({ type: 'task_end', task: task.name, worker, ok: true });
      // A duplicate execution of a leased-out task is now pointless.
      for (const other of executions) if (other !== controller) other.abort(new Error(`task ${task.name} already done`));
      return true;
    } catch (error) {
      this.busy[worker]! += clock.now() - start;
      if (this.outputs.has(task.name) || this.stopped()) return false; // cancelled duplicate, or run already over
      this.emit({ type: 'task_end', task: task.name, worker, ok: false, error: error instanceof Error ? error.message : String(error) });
      this.fail(new WorkTaskError(task.name, worker, error));
      return false;
    } finally {
      executions.delete(controller);
      if (executions.size === 0) this.running.delete(task.name);
      this.controller.signal.removeEventListener('abort', onStop);
      this.notify();
      this.checkDeadlock();
    }
  }

  private watchLease(task: WorkTask, worker: number, leaseMs: number): () => void {
    return this.options.clock.schedule(leaseMs, () => {
      if (this.outputs.has(task.name)) return;
      this.emit({ type: 'lease_expired', task: task.name, worker });
      this.expired.add(task.name);
      this.notify();
    });
  }

  private readonly expired = new Set<string>();

  private leaseExpired(task: string): boolean {
    return this.expired.has(task);
  }

  // --- state -----------------------------------------------------------------------------------

  private isReady(task: WorkTask): boolean {
    return task.after.every((dep) => this.outputs.has(dep));
  }

  /** Ready and not done, highest priority first. */
  private readyTasks(): WorkTask[] {
    return this.tasks
      .filter((t) => !this.outputs.has(t.name) && this.isReady(t))
      .sort((a, b) => byPriority(a, b, this.levels, this.index));
  }

  private allDone(): boolean {
    return this.outputs.size === this.tasks.length;
  }

  private stopped(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Nothing running, nothing ready, tasks left: each waits on another left, so the graph can go no
   * further and ends, typed, instead of hanging. Only a dependency cycle gets here: in an acyclic
   * graph the first unfinished task in topological order always has its dependencies done.
   */
  private checkDeadlock(): void {
    if (this.stopped() || this.allDone() || this.running.size > 0 || this.readyTasks().length > 0) return;
    this.fail(deadlockOf(this.tasks, this.outputs, this.options.name));
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.controller.abort(error);
    this.notify();
  }

  /**
   * Resolves at the next change after `since` (a `version` read earlier), at once if one already
   * happened: a worker that looked at the state, then awaited a claim, must not sleep through a
   * completion that landed in between.
   */
  private changed(since: number): Promise<void> {
    if (this.version !== since) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    this.version++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private emit(event: WorkEvent): void {
    this.options.onEvent?.(event);
  }
}
