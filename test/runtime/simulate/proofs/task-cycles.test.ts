/**
 * T703 against the runtime: a work graph whose tasks wait for each other round a cycle cannot
 * run at all — `createTeam` refuses the definition before the first event, `--allow-unsafe` or
 * not — and the fixed graph runs. (Which is why T703 has no row in rejected.test.ts: there is no
 * trace for a checker to judge, only the refusal, asserted here.)
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../../../compiler/cli/simulate.js';
import { TeamDefinitionError } from '../../../../runtime/definition.js';
import { simulateRun } from '../../../../runtime/simulate/index.js';
import { recordingTerminal } from '../../../cli-run/helpers.js';
import { drawInputs, fixture, fixtures } from './harness.js';

describe('T703: a cycle among a work graph’s tasks', () => {
  it('the rejected graph is refused by the runtime before the run begins, on every seed, unsafe or not', async () => {
    const { definition, errors } = fixture('T703', 'reject');
    expect(errors).toContain('T703');
    for (let i = 0; i < 5; i++) {
      const run = simulateRun(definition, { seed: `cycle/${i}`, faults: 'model-errors=0.1', input: drawInputs(definition, 'cycle'), allowUnsafe: i % 2 === 0 });
      await expect(run).rejects.toBeInstanceOf(TeamDefinitionError);
      await expect(run).rejects.toThrow('work.library.tasks: dependency cycle: core -> docs -> api -> core');
    }
  });

  it('`teamc simulate --allow-unsafe` says the runtime refuses it (not an internal error), exit 1', async () => {
    const terminal = recordingTerminal(fixtures);
    expect(await runSimulate(path.join(fixtures, 'T703-reject.team'), { runs: 3, allowUnsafe: true }, terminal)).toBe(1);
    expect(terminal.stderrText()).toContain('error[T703]');
    expect(terminal.stderrText()).toContain('teamc: the runtime refuses Library, so no run can start:\n  work.library.tasks: dependency cycle: core -> docs -> api -> core');
    expect(terminal.stderrText()).not.toContain('internal error');
  });

  it('the accepted graph runs every task to the end', async () => {
    const { definition, errors } = fixture('T703', 'accept');
    expect(errors).toEqual([]);
    for (let i = 0; i < 10; i++) {
      const run = await simulateRun(definition, { seed: `cycle/${i}`, faults: 'model-errors=0.1,stragglers=0.1', input: drawInputs(definition, 'cycle') });
      expect(run.ok, run.error?.message).toBe(true);
      const ended = run.trace.filter((e) => e.kind === 'task' && (e as { action?: string }).action === 'end').map((e) => (e as { task?: string }).task);
      expect([...ended].sort()).toEqual(['api', 'cli', 'core', 'docs']);
    }
  });
});
