/**
 * T703 against the runtime: a work graph whose tasks wait on each other round a cycle. For real
 * work `createTeam` refuses it before the first event. Under `allowUnsafe` (simulation) it runs:
 * the tasks outside the cycle, and not after it, run and finish; the others never start; and once
 * nothing is running and nothing is ready, the runner ends the graph — typed (`agent_failed`, a
 * `WorkDeadlockError` naming the tasks and their cycle, also on an `error` event), never hanging —
 * and the termination checker reports the deadlock (rejected.test.ts has the T703 row). The fixed
 * graph runs every task.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../../../compiler/cli/simulate.js';
import { TeamDefinitionError, type TeamDefinition } from '../../../../runtime/definition.js';
import { simulateRun } from '../../../../runtime/simulate/index.js';
import { createTeam, type TeamTraceEvent } from '../../../../runtime/team.js';
import { recordingTerminal } from '../../../cli-run/helpers.js';
import { drawInputs, fixture, fixtures } from './harness.js';

const REFUSAL = 'work.library.tasks: dependency cycle: core -> docs -> api -> core';
const DEADLOCK = 'work graph library is deadlocked: tasks core, api, cli, docs wait on each other round the cycle core -> docs -> api -> core (core after docs; api after core; cli after core; docs after api, cli), so none of them can ever start';

type TaskEvent = Extract<TeamTraceEvent, { kind: 'task' }>;
const tasks = (trace: readonly TeamTraceEvent[], action: TaskEvent['action']) =>
  trace.filter((e): e is TaskEvent => e.kind === 'task' && e.action === action).map((e) => e.task);

/** The rejected graph with two tasks outside the cycle: `license`, and `notes` after it. */
function withFreeTasks(definition: TeamDefinition<unknown, unknown>): TeamDefinition<unknown, unknown> {
  const [library] = definition.work;
  const free = [
    { name: 'license', after: [], weight: 1, writes: ['LICENSE'] },
    { name: 'notes', after: ['license'], weight: 1, writes: ['NOTES.md'] },
  ];
  return { ...definition, work: [{ ...library!, tasks: [...library!.tasks, ...free] }] };
}

describe('T703: a cycle among a work graph’s tasks', () => {
  it('for real work the runtime refuses the graph before the run begins, on every seed', async () => {
    const { definition, errors } = fixture('T703', 'reject');
    expect(errors).toContain('T703');
    expect(() => createTeam(definition, { provider: 'sim' })).toThrow(TeamDefinitionError);
    for (let i = 0; i < 3; i++) {
      const run = simulateRun(definition, { seed: `cycle/${i}`, faults: 'model-errors=0.1', input: drawInputs(definition, 'cycle') });
      await expect(run).rejects.toBeInstanceOf(TeamDefinitionError);
      await expect(run).rejects.toThrow(REFUSAL);
    }
  });

  it('`allowUnsafe` lets only the cycle through: every other problem is still refused', () => {
    const { definition } = fixture('T703', 'reject');
    expect(() => createTeam(definition, { provider: 'sim', allowUnsafe: true })).not.toThrow();
    const [library] = definition.work;
    const dangling = { ...definition, work: [{ ...library!, tasks: [...library!.tasks, { name: 'extra', after: ['nowhere'], weight: 1, writes: [] }] }] };
    expect(() => createTeam(dangling, { provider: 'sim', allowUnsafe: true })).toThrow('work.library.tasks.extra.after: unknown task "nowhere"');
    expect(() => createTeam(dangling, { provider: 'sim', allowUnsafe: true })).not.toThrow('dependency cycle');
  });

  it('run unsafe, the graph ends deadlocked at once — typed, traced, and a termination violation', async () => {
    const { definition } = fixture('T703', 'reject');
    const run = await simulateRun(definition, { seed: 'cycle/0', input: drawInputs(definition, 'cycle'), allowUnsafe: true });
    expect(run.error).toEqual({ kind: 'agent_failed', message: `dev: ${DEADLOCK}` });
    expect(run.makespanMs).toBe(0);
    expect(tasks(run.trace, 'start')).toEqual([]);
    const error = run.trace.findIndex((e) => e.kind === 'error');
    expect(run.trace[error]).toMatchObject({
      kind: 'error',
      agent: 'dev',
      where: 'work:library',
      error: { name: 'WorkDeadlockError', message: DEADLOCK, cycle: ['core', 'docs', 'api', 'core'], waiting: { core: ['docs'], api: ['core'], cli: ['core'], docs: ['api', 'cli'] } },
    });
    expect(run.violations).toEqual([
      { kind: 'termination', subject: 'work:library', message: expect.stringContaining('core, api, cli, docs never started, each waiting on another of them round the cycle core -> docs -> api -> core'), evidence: [error, run.trace.length - 1] },
    ]);
  });

  it('run unsafe, the tasks outside the cycle run and finish first; the cycle’s never start', async () => {
    const definition = withFreeTasks(fixture('T703', 'reject').definition);
    for (let i = 0; i < 10; i++) {
      const run = await simulateRun(definition, { seed: `cycle/${i}`, faults: 'stragglers=0.2', input: drawInputs(definition, 'cycle'), allowUnsafe: true });
      expect(run.error?.kind).toBe('agent_failed');
      expect(run.error?.message).toContain('work graph library is deadlocked: tasks core, api, cli, docs wait on each other');
      expect(tasks(run.trace, 'end')).toEqual(['license', 'notes']);
      expect(tasks(run.trace, 'start')).toEqual(['license', 'notes']);
      // It ends the moment the last free task does: no waiting on timers, no spinning.
      const lastEnd = run.trace.findLast((e) => e.kind === 'task' && e.action === 'end')!;
      expect(run.trace.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'failed', time: lastEnd.time });
      expect(run.violations).toEqual([expect.objectContaining({ kind: 'termination', subject: 'work:library', message: expect.stringContaining('the run ended after license, notes finished') })]);
    }
  });

  it('`teamc simulate --allow-unsafe` simulates it and reports the deadlock, exit 1', async () => {
    const terminal = recordingTerminal(fixtures);
    expect(await runSimulate(path.join(fixtures, 'T703-reject.team'), { runs: 3, allowUnsafe: true }, terminal)).toBe(1);
    expect(terminal.stderrText()).toContain('error[T703]');
    expect(terminal.stdoutText()).toContain('failed typed: agent_failed 3');
    expect(terminal.stdoutText()).toContain('termination violated (work:library): work graph library deadlocked');
    expect(terminal.stderrText()).not.toContain('internal error');
    const refused = recordingTerminal(fixtures);
    expect(await runSimulate(path.join(fixtures, 'T703-reject.team'), { runs: 3 }, refused)).toBe(1);
    expect(refused.stderrText()).toContain('teamc: not simulated: fix the 1 error above');
  });

  it('the accepted graph runs every task to the end', async () => {
    const { definition, errors } = fixture('T703', 'accept');
    expect(errors).toEqual([]);
    for (let i = 0; i < 10; i++) {
      const run = await simulateRun(definition, { seed: `cycle/${i}`, faults: 'model-errors=0.1,stragglers=0.1', input: drawInputs(definition, 'cycle') });
      expect(run.ok, run.error?.message).toBe(true);
      expect([...tasks(run.trace, 'end')].sort()).toEqual(['api', 'cli', 'core', 'docs']);
      expect(run.violations).toEqual([]);
    }
  });
});
