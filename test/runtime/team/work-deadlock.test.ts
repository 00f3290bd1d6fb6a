/**
 * A work graph whose tasks wait on each other round a cycle (T703), run as `allowUnsafe` lets it
 * be: `runWork` runs every task that can start, under each policy, and ends the graph with a
 * `WorkDeadlockError` the moment nothing is running, nothing is ready and tasks remain — on the
 * virtual clock, with no timer left to wait for, so a run that did not detect it would hang.
 * `validateDefinition` lets the cycle through only when asked to.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import type { AssignPolicy } from '../../../runtime/definition.js';
import { validateDefinition, type TeamDefinition } from '../../../runtime/definition.js';
import { runWork, WorkDeadlockError, type WorkEvent, type WorkTask } from '../../../runtime/work.js';
import { codeReviewTeam } from './teams.js';

const UNIT = 1_000;
const policies: AssignPolicy[] = ['preassigned', 'claim', 'lead'];

/** `setup` and `lint` after it can run; `a` and `b` wait on each other; `c` waits on `a`. Declared cycle first. */
const tasks: WorkTask[] = [
  { name: 'a', after: ['setup', 'b'], weight: 1, writes: [] },
  { name: 'b', after: ['a'], weight: 1, writes: [] },
  { name: 'c', after: ['a'], weight: 3, writes: [] },
  { name: 'setup', after: [], weight: 1, writes: [] },
  { name: 'lint', after: ['setup'], weight: 2, writes: [] },
];

function run(policy: AssignPolicy, graph: readonly WorkTask[], events: WorkEvent[]) {
  const clock = new VirtualClock();
  const work = runWork({
    name: 'library',
    tasks: graph,
    workers: 2,
    policy,
    clock,
    async execute(worker, task, _deps, signal) {
      await clock.sleep(task.weight * UNIT, signal);
      return `${task.name}@${worker}`;
    },
    lead: async (ready, idle) => ready.slice(0, idle.length).map((task, i) => ({ task: task.name, worker: idle[i]! })),
    onEvent: (event) => events.push(event),
  });
  return { clock, done: clock.run(work).then(() => undefined, (error: unknown) => error) };
}

describe('runWork on a graph with a dependency cycle', () => {
  for (const policy of policies) {
    it(`${policy}: runs the tasks that can start, then ends deadlocked, naming the rest and their cycle`, async () => {
      const events: WorkEvent[] = [];
      const { clock, done } = run(policy, tasks, events);
      const error = await done;
      expect(error).toBeInstanceOf(WorkDeadlockError);
      const deadlock = error as WorkDeadlockError;
      expect(deadlock.waiting).toEqual({ a: ['b'], b: ['a'], c: ['a'] });
      expect(deadlock.cycle).toEqual(['a', 'b', 'a']);
      expect(deadlock.message).toBe('work graph library is deadlocked: tasks a, b, c wait on each other round the cycle a -> b -> a (a after b; b after a; c after a), so none of them can ever start');
      const started = events.filter((e) => e.type === 'task_start').map((e) => e.task);
      expect(started).toEqual(['setup', 'lint']);
      expect(events.filter((e) => e.type === 'task_end').map((e) => e.task)).toEqual(['setup', 'lint']);
      // Ended the moment `lint` finished (setup 1 s, then lint 2 s).
      expect(clock.now()).toBe(3 * UNIT);
    });
  }

  it('a graph none of whose tasks can start ends at once, having started nothing', async () => {
    for (const policy of policies) {
      const events: WorkEvent[] = [];
      const { clock, done } = run(policy, [{ name: 'self', after: ['self'], weight: 1, writes: [] }, { name: 'next', after: ['self'], weight: 1, writes: [] }], events);
      const error = (await done) as WorkDeadlockError;
      expect(error).toBeInstanceOf(WorkDeadlockError);
      expect(error.cycle).toEqual(['self', 'self']);
      expect(error.waiting).toEqual({ self: ['self'], next: ['self'] });
      expect(events.filter((e) => e.type === 'task_start')).toEqual([]);
      expect(clock.now()).toBe(0);
    }
  });

  it('a task failure before the deadlock is the failure reported', async () => {
    const clock = new VirtualClock();
    const work = runWork({
      tasks,
      workers: 2,
      policy: 'claim',
      clock,
      async execute(_worker, task, _deps, signal) {
        await clock.sleep(task.weight * UNIT, signal);
        if (task.name === 'lint') throw new Error('lint failed');
        return task.name;
      },
    });
    await expect(clock.run(work)).rejects.toThrow(/^task lint failed on worker \d: lint failed$/);
  });
});

describe('validateDefinition and task cycles', () => {
  const cyclic = (): TeamDefinition => {
    const team = codeReviewTeam();
    return {
      ...team,
      work: [
        {
          name: 'w',
          by: 'reviewer',
          assign: { policy: 'claim' },
          tasks: [
            { name: 'a', after: ['b'], weight: 1, writes: [] },
            { name: 'b', after: ['a', 'nowhere'], weight: 1, writes: [] },
          ],
        },
      ],
    };
  };

  it('reports the cycle unless told to let it through; every other problem either way', () => {
    expect(validateDefinition(cyclic()).map((p) => p.message)).toEqual(['unknown task "nowhere"', 'dependency cycle: a -> b -> a']);
    expect(validateDefinition(cyclic(), { allowTaskCycles: true }).map((p) => p.message)).toEqual(['unknown task "nowhere"']);
  });
});
