/**
 * T208 against the runtime: a fallback, a validator or a work lead is rendered with the variables
 * of what it serves, so a name only its own `takes` provides stops its render (strict mode) every
 * time it stands in — the run fails, typed, with the stand-in's `PromptError`, and the stand-in
 * never reaches its model. The accepted design, whose stand-ins name only what they are given,
 * renders each of them (a fallback of a worker, a validator, a lead and the lead's fallback) and
 * runs.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateRun, type SimulatedRun } from '../../../../runtime/simulate/index.js';
import { build, drawInputs } from './harness.js';

const fixtures = path.resolve(import.meta.dirname, '../../../check/fixtures');
const SEEDS = 40;

async function runs(file: string, faults: string): Promise<{ errors: string[]; runs: SimulatedRun[] }> {
  const { definition, errors } = build(path.join(fixtures, file));
  const input = drawInputs(definition, 'stand-in');
  const all: SimulatedRun[] = [];
  for (let i = 0; i < SEEDS; i++) all.push(await simulateRun(definition, { seed: `stand-in/${i}`, faults, input, allowUnsafe: true }, i));
  return { errors, runs: all };
}

/** Whether `agent` got as far as asking its model in this run (its prompt rendered). */
const asked = (run: SimulatedRun, agent: string) => run.trace.some((e) => e.kind === 'model' && e.agent === agent && (e as { action?: string }).action === 'request');
const fellBackTo = (run: SimulatedRun, agent: string) => run.trace.some((e) => e.kind === 'fallback' && (e as { to?: string }).to === agent);

describe('T208: a stand-in’s prompt names what it is not given', () => {
  it.each([
    // The fallback is tried only once the primary has failed: model errors make it stand in.
    { file: 'T208-fallback.team', standIn: 'summariser_lite', variable: 'style', faults: 'model-errors=0.4', always: false },
    // The validator judges every schema-valid answer; the lead plans before any task starts.
    { file: 'T208-validator.team', standIn: 'auditor', variable: 'rules', faults: '', always: true },
    { file: 'T208-lead.team', standIn: 'planner', variable: 'priorities', faults: '', always: true },
  ])('$file: every run in which $standIn stands in fails on its render', async ({ file, standIn, variable, faults, always }) => {
    const { errors, runs: all } = await runs(file, faults);
    expect(errors).toEqual(['T208']);
    const stoodIn = all.filter((run) => always || fellBackTo(run, standIn));
    expect(stoodIn.length).toBeGreaterThan(always ? SEEDS - 1 : 3);
    for (const run of stoodIn) {
      expect(run.ok).toBe(false);
      expect(run.error?.kind).toBe('agent_failed');
      expect(run.error?.message).toContain(`prompt of ${standIn}: "${variable}" not defined`);
    }
    // It never once got to its model.
    expect(all.some((run) => asked(run, standIn))).toBe(false);
  }, 30_000);

  it('T208-ok.team: each stand-in renders with what it is given, and the runs succeed', async () => {
    const { errors, runs: all } = await runs('T208-ok.team', 'model-errors=0.3');
    expect(errors).toEqual([]);
    for (const run of all) expect(run.error?.message ?? '').not.toContain('prompt of');
    for (const standIn of ['dev_lite', 'auditor', 'planner', 'planner_lite']) expect(all.some((run) => asked(run, standIn)), standIn).toBe(true);
    // The fallbacks really stood in, and runs where they did still ended with the output.
    expect(all.some((run) => run.ok && fellBackTo(run, 'dev_lite'))).toBe(true);
    expect(all.some((run) => run.ok && fellBackTo(run, 'planner_lite'))).toBe(true);
    expect(all.filter((run) => run.ok).length).toBeGreaterThan(SEEDS / 4);
  }, 30_000);
});
