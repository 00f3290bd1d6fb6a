/**
 * The checker-proof harness: a `.team` fixture, checked and built into a definition the way
 * `teamc simulate --allow-unsafe` builds it, then simulated seed after seed until a violation of
 * a given guarantee appears (for a rejected design) or a number of seeds pass with none (for an
 * accepted one). Inputs are drawn from their types from the seed, as the CLI draws them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toTeamDefinition } from '../../../../compiler/definition/index.js';
import { checkFiles } from '../../../../compiler/program.js';
import { generateValue } from '../../../../runtime/providers/generate.js';
import { seededRandom } from '../../../../runtime/random.js';
import type { TeamDefinition } from '../../../../runtime/definition.js';
import { simulateRun, type SimulatedRun, type Violation, type ViolationKind } from '../../../../runtime/simulate/index.js';

export const fixtures = path.resolve(import.meta.dirname, '../../../check/rules/fixtures');
export const examples = path.resolve(import.meta.dirname, '../../../../examples');

const readFile = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);

export interface Built {
  definition: TeamDefinition<unknown, unknown>;
  /** The checker's error codes for the file (a rejected fixture has its own among them). */
  errors: string[];
}

/** Checks `file` and builds the definition of its (first) team, errors or not. */
export function build(file: string): Built {
  const checked = checkFiles([file], { readFile });
  const team = checked.model.teams.find((t) => path.resolve(t.file) === path.resolve(file));
  if (!team) throw new Error(`${file} declares no team`);
  return {
    definition: toTeamDefinition(team) as TeamDefinition<unknown, unknown>,
    errors: checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
  };
}

export const fixture = (code: string, side: 'reject' | 'accept') => build(path.join(fixtures, `${code}-${side}.team`));

/** The team's inputs, drawn from their types from `seed` (as `teamc simulate` draws them). */
export function drawInputs(definition: TeamDefinition<unknown, unknown>, seed: string): Record<string, unknown> {
  const random = seededRandom(`${seed}/inputs`);
  return Object.fromEntries(definition.inputs.map((input) => [input.name, generateValue(input.schema, random.fork(input.name))]));
}

export interface Search {
  faults: string;
  /** Seeds tried at most. */
  seeds: number;
  allowUnsafe?: boolean;
  /** Seed prefix: run i uses `${prefix}/${i}`, as `simulate` names them. */
  prefix?: string;
}

export interface Found {
  run: SimulatedRun;
  violation: Violation;
  /** How many seeds it took. */
  tried: number;
}

/** Simulates seed after seed until one shows a violation of `kind`; undefined if none does. */
export async function findViolation(definition: TeamDefinition<unknown, unknown>, kind: ViolationKind, search: Search): Promise<Found | undefined> {
  const prefix = search.prefix ?? 'proof';
  const input = drawInputs(definition, prefix);
  for (let i = 0; i < search.seeds; i++) {
    const run = await simulateRun(definition, { seed: `${prefix}/${i}`, faults: search.faults, input, ...(search.allowUnsafe ? { allowUnsafe: true } : {}) }, i);
    const violation = run.violations.find((v) => v.kind === kind);
    if (violation) return { run, violation, tried: i + 1 };
  }
  return undefined;
}

export interface Survival {
  runs: number;
  /** Runs that ended with the team's output. */
  successes: number;
  /** Every violation found, with its seed (empty when the design survived). */
  violations: Array<{ seed: string; violation: Violation }>;
  /** Faults really dealt, summed over the runs (a survival under no faults proves nothing). */
  injected: SimulatedRun['injected'];
  network: SimulatedRun['network'];
  /** Every kind of trace event the runs recorded (did they do what the checkers judge?). */
  kinds: Set<string>;
}

/** Simulates `seeds` seeds and collects every violation. */
export async function survive(definition: TeamDefinition<unknown, unknown>, search: Search): Promise<Survival> {
  const prefix = search.prefix ?? 'survive';
  const input = drawInputs(definition, prefix);
  const result: Survival = { runs: 0, successes: 0, violations: [], injected: {}, network: { delivered: 0, dropped: 0, duplicated: 0, reordered: 0, acksDropped: 0, partitioned: 0 }, kinds: new Set() };
  for (let i = 0; i < search.seeds; i++) {
    const run = await simulateRun(definition, { seed: `${prefix}/${i}`, faults: search.faults, input }, i);
    result.runs++;
    if (run.ok) result.successes++;
    for (const event of run.trace) result.kinds.add(event.kind);
    for (const violation of run.violations) result.violations.push({ seed: run.seed, violation });
    for (const [key, value] of Object.entries(run.injected) as Array<[keyof SimulatedRun['injected'], number]>) result.injected[key] = (result.injected[key] ?? 0) + value;
    for (const [key, value] of Object.entries(run.network) as Array<[keyof SimulatedRun['network'], number]>) result.network[key] += value;
  }
  return result;
}
