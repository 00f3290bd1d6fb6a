import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../runtime/clock.js';
import {
  createClaimBoard,
  graphFigures,
  planWork,
  preassign,
  runWork,
  topologicalOrder,
  WorkTaskError,
  type TaskRecord,
  type WorkEvent,
  type WorkTask,
} from '../../../runtime/work.js';
import type { AssignPolicy } from '../../../runtime/definition.js';
import { mathLibraryTasks } from './graphs.js';

const UNIT = 1_000; // one unit of weight lasts a virtual second
const policies: AssignPolicy[] = ['preassigned', 'claim', 'lead'];

function expectDependenciesRespected(tasks: readonly WorkTask[], schedule: ReadonlyArray<Pick<TaskRecord, 'task' | 'start' | 'end'>>) {
  const byTask = new Map(schedule.map((s) => [s.task, s]));
  expect(byTask.size).toBe(tasks.length);
  for (const task of tasks) {
    for (const dep of task.after) expect(byTask.get(task.name)!.start).toBeGreaterThanOrEqual(byTask.get(dep)!.end);
  }
}

/** The lead of the tests: gives the heaviest ready task to the lowest idle worker, like a sensible planner. */
async function greedyLead(ready: WorkTask[], idle: number[]) {
  return ready.slice(0, idle.length).map((task, i) => ({ task: task.name, worker: idle[i]! }));
}

describe('graph figures', () => {
  it('computes total work and the critical path of the math library', () => {
    const figures = graphFigures(mathLibraryTasks);
    expect(figures.totalWork).toBe(23);
    expect(figures.criticalPath).toBe(8);
    expect(figures.criticalTasks[0]).toBe('core');
    expect(figures.criticalTasks.at(-1)).toBe('docs');
    expect(figures.criticalTasks.reduce((sum, name) => sum + mathLibraryTasks.find((t) => t.name === name)!.weight, 0)).toBe(8);
  });

  it('orders tasks topologically and rejects cycles', () => {
    const order = topologicalOrder(mathLibraryTasks).map((t) => t.name);
    for (const task of mathLibraryTasks) for (const dep of task.after) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(task.name));
    const cyclic: WorkTask[] = [
      { name: 'a', after: ['b'], weight: 1, writes: [] },
      { name: 'b', after: ['a'], weight: 1, writes: [] },
    ];
    expect(() => topologicalOrder(cyclic)).toThrow(/cycle/);
  });

  it('deals preassigned tasks round-robin in topological order', () => {
    const lists = preassign(mathLibraryTasks, 4);
    expect(lists.map((l) => l.length)).toEqual([5, 5, 5, 5]);
    const order = topologicalOrder(mathLibraryTasks);
    expect(lists[1]!.map((t) => t.name)).toEqual([1, 5, 9, 13, 17].map((i) => order[i]!.name));
  });
});

describe('planWork', () => {
  for (const policy of policies) {
    it(`${policy}: respects dependencies and the greedy bound T <= W/n + CP`, () => {
      const plan = planWork(mathLibraryTasks, { workers: 4, policy });
      expectDependenciesRespected(mathLibraryTasks, plan.schedule);
      expect(plan.makespan).toBeLessThanOrEqual(plan.totalWork / 4 + plan.criticalPath);
      expect(plan.makespan).toBeGreaterThanOrEqual(Math.max(plan.criticalPath, plan.totalWork / 4));
      expect(plan.perWorkerLoad.reduce((a, b) => a + b)).toBe(23);
      // No worker runs two tasks at once.
      for (let w = 0; w < 4; w++) {
        const mine = plan.schedule.filter((s) => s.worker === w).sort((a, b) => a.start - b.start);
        for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
      }
    });
  }

  it('claim reaches the critical path on this graph; one worker is serial', () => {
    expect(planWork(mathLibraryTasks, { workers: 4, policy: 'claim' }).makespan).toBe(8);
    expect(planWork(mathLibraryTasks, { workers: 1, policy: 'claim' }).makespan).toBe(23);
  });
});

describe('runWork on a virtual clock', () => {
  const execute = (clock: VirtualClock) => async (worker: number, task: WorkTask, deps: { task: string; output: string }[], signal: AbortSignal) => {
    await clock.sleep(task.weight * UNIT, signal);
    return `${task.name}@${worker}<${deps.map((d) => d.task).join(',')}>`;
  };

  for (const policy of policies) {
    it(`${policy}: runs every task once after its dependencies, near the critical path, on every worker`, async () => {
      const clock = new VirtualClock();
      const events: WorkEvent[] = [];
      const report = await clock.run(
        runWork({ tasks: mathLibraryTasks, workers: 4, policy, clock, execute: execute(clock), lead: greedyLead, onEvent: (e) => events.push(e) }),
      );
      expectDependenciesRespected(mathLibraryTasks, report.schedule);
      expect(report.outputs.size).toBe(20);
      expect(report.outputs.get('mean')).toMatch(/^mean@\d<add,div>$/);
      const { totalWork, criticalPath } = graphFigures(mathLibraryTasks);
      expect(report.makespan).toBeLessThanOrEqual((totalWork / 4 + criticalPath) * UNIT);
      expect(report.makespan).toBeGreaterThanOrEqual(criticalPath * UNIT);
      expect(report.perWorkerLoad.every((load) => load > 0)).toBe(true);
      expect(report.perWorkerLoad.reduce((a, b) => a + b)).toBe(totalWork);
      expect(events.filter((e) => e.type === 'task_end')).toHaveLength(20);
      // The run matches the plan the analyser computes from weights alone.
      expect(report.makespan).toBe(planWork(mathLibraryTasks, { workers: 4, policy }).makespan * UNIT);
    });
  }

  it('preassigned: each worker runs exactly its dealt list, in order', async () => {
    const clock = new VirtualClock();
    const report = await clock.run(runWork({ tasks: mathLibraryTasks, workers: 4, policy: 'preassigned', clock, execute: execute(clock) }));
    const lists = preassign(mathLibraryTasks, 4);
    for (let w = 0; w < 4; w++) {
      const ran = report.schedule.filter((s) => s.worker === w).sort((a, b) => a.start - b.start).map((s) => s.task);
      expect(ran).toEqual(lists[w]!.map((t) => t.name));
    }
  });

  it('claim: a task whose lease expires is claimed again, and only the first completion counts', async () => {
    const clock = new VirtualClock();
    const tasks: WorkTask[] = [
      { name: 'slow', after: [], weight: 1, writes: [] },
      { name: 'next', after: ['slow'], weight: 1, writes: [] },
    ];
    const events: WorkEvent[] = [];
    const runs: string[] = [];
    const report = await clock.run(
      runWork({
        tasks,
        workers: 2,
        policy: 'claim',
        clock,
        leaseMs: 5 * UNIT,
        onEvent: (e) => events.push(e),
        async execute(worker, task, _deps, signal) {
          runs.push(`${task.name}@${worker}`);
          // Worker 0 is a straggler: without the lease the graph would take 100 s.
          await clock.sleep(worker === 0 && task.name === 'slow' ? 100 * UNIT : UNIT, signal);
          return `${task.name}@${worker}`;
        },
      }),
    );
    expect(runs.slice(0, 2)).toEqual(['slow@0', 'slow@1']);
    expect(events).toContainEqual({ type: 'lease_expired', task: 'slow', worker: 0 });
    expect(report.outputs.get('slow')).toBe('slow@1');
    expect(report.makespan).toBe(7 * UNIT); // lease 5 s + rerun 1 s + next 1 s
    expect(report.schedule.filter((s) => s.task === 'slow')).toHaveLength(1);
  });

  it('claim board: compare-and-set gives each task to one worker, and counts one completion', async () => {
    const board = createClaimBoard();
    const wins = await Promise.all([0, 1, 2, 3].map((w) => board.tryClaim('t', w, 0)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await board.tryClaim('t', 1, 10, undefined)).toBe(false);
    expect(await board.complete('t', 0)).toBe(true);
    expect(await board.complete('t', 1)).toBe(false);
    expect(await board.tryClaim('t', 2, 10)).toBe(false);
    // A lease lapses; a released claim frees the task.
    expect(await board.tryClaim('u', 0, 0, 100)).toBe(true);
    expect(await board.tryClaim('u', 1, 50, 100)).toBe(false);
    expect(await board.tryClaim('u', 1, 100, 100)).toBe(true);
    await board.release('u', 1);
    expect(await board.tryClaim('u', 2, 101)).toBe(true);
  });

  it('lead: a lead that assigns nothing valid does not stall the graph', async () => {
    const clock = new VirtualClock();
    const events: WorkEvent[] = [];
    const report = await clock.run(
      runWork({
        tasks: mathLibraryTasks,
        workers: 4,
        policy: 'lead',
        clock,
        execute: execute(clock),
        onEvent: (e) => events.push(e),
        lead: async (ready) => [{ task: 'no_such_task', worker: 0 }, { task: ready[0]!.name, worker: 99 }],
      }),
    );
    expect(report.outputs.size).toBe(20);
    expect(events.filter((e) => e.type === 'task_assigned').every((e) => e.type === 'task_assigned' && e.by === 'lead_fallback')).toBe(true);
  });

  it('lead: assignments follow the lead, who may keep a worker idle', async () => {
    const clock = new VirtualClock();
    const report = await clock.run(
      runWork({
        tasks: mathLibraryTasks,
        workers: 4,
        policy: 'lead',
        clock,
        execute: execute(clock),
        // This lead only ever uses workers 0 and 1.
        lead: async (ready, idle) => greedyLead(ready, idle.filter((w) => w < 2)),
      }),
    );
    expect(report.perWorkerLoad.slice(2)).toEqual([0, 0]);
    expect(report.perWorkerLoad[0]! + report.perWorkerLoad[1]!).toBe(23);
  });

  it('a failing task fails the graph and cancels the tasks in flight', async () => {
    const clock = new VirtualClock();
    const aborted: string[] = [];
    const run = runWork({
      tasks: mathLibraryTasks,
      workers: 4,
      policy: 'claim',
      clock,
      async execute(_worker, task, _deps, signal) {
        signal.addEventListener('abort', () => aborted.push(task.name));
        await clock.sleep(task.weight * UNIT, signal);
        if (task.name === 'add') throw new Error('compile error');
        return task.name;
      },
    });
    const error = await clock.run(run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkTaskError);
    expect((error as WorkTaskError).task).toBe('add');
    expect(aborted.length).toBeGreaterThan(0); // div (weight 2) was still running
    expect(clock.now()).toBe(2 * UNIT);
  });

  it('an abort signal stops the graph with its reason', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    clock.schedule(3_500, () => controller.abort(new Error('stop')));
    const run = runWork({ tasks: mathLibraryTasks, workers: 4, policy: 'preassigned', clock, signal: controller.signal, execute: execute(clock) });
    await expect(clock.run(run)).rejects.toThrow('stop');
    expect(clock.now()).toBe(3_500);
  });
});

describe('scheduling properties on random task graphs', () => {
  /** A random DAG: each task may depend on any earlier one. */
  const graphs = fc
    .array(fc.record({ weight: fc.integer({ min: 1, max: 4 }), deps: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 14 })
    .map((specs) =>
      specs.map(
        (spec, i): WorkTask => ({
          name: `t${i}`,
          after: i === 0 ? [] : [...new Set(spec.deps.map((d) => `t${d % i}`))],
          weight: spec.weight,
          writes: [],
        }),
      ),
    );

  it('every policy respects dependencies, never overlaps a worker, and stays within W/n + CP', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 1, max: 5 }), fc.constantFrom<AssignPolicy>(...policies), (tasks, workers, policy) => {
        const plan = planWork(tasks, { workers, policy });
        expectDependenciesRespected(tasks, plan.schedule);
        for (let w = 0; w < workers; w++) {
          const mine = plan.schedule.filter((s) => s.worker === w).sort((a, b) => a.start - b.start);
          for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
        }
        expect(plan.makespan).toBeLessThanOrEqual(plan.totalWork / workers + plan.criticalPath + 1e-9);
        expect(plan.makespan).toBeGreaterThanOrEqual(plan.criticalPath);
      }),
      { numRuns: 300, seed: 20_251_123 },
    );
  });

  it('a run on the virtual clock reproduces the plan (claim and preassigned)', async () => {
    await fc.assert(
      fc.asyncProperty(graphs, fc.integer({ min: 1, max: 4 }), fc.constantFrom<AssignPolicy>('claim', 'preassigned'), async (tasks, workers, policy) => {
        const clock = new VirtualClock();
        const report = await clock.run(
          runWork({ tasks, workers, policy, clock, execute: async (_w, task, _d, signal) => clock.sleep(task.weight * UNIT, signal).then(() => task.name) }),
        );
        expectDependenciesRespected(tasks, report.schedule);
        expect(report.makespan).toBe(planWork(tasks, { workers, policy }).makespan * UNIT);
      }),
      { numRuns: 150, seed: 20_251_123 },
    );
  });
});
