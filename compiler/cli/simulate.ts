/**
 * `teamc simulate FILE`: run a checked team many times on virtual time under injected faults
 * (`--faults drops=0.1,reorder=0.3,…`), check every trace against the guarantees the team
 * declares, and print the summary. A violated guarantee is printed with the seeds that reproduce
 * it and its shrunk counterexample, and makes the exit code 1.
 *
 * Checker errors refuse the simulation unless `--allow-unsafe`: then they are still printed, and
 * the simulation shows what they warned about. Inputs not given with `--input` are drawn from
 * their types by the simulator, from the seed, so the same command gives the same summary.
 */
import { TeamDefinitionError } from '../../runtime/definition.js';
import { seededRandom } from '../../runtime/random.js';
import { generateValue } from '../../runtime/providers/generate.js';
import { FaultSpecError, formatSummary, parseFaultSpec, simulate, type FaultSpec } from '../../runtime/simulate/index.js';
import { DefinitionError, toTeamDefinition } from '../definition/from-model.js';
import { gatherInputs, openTeams, selectTeams, type RunCommandOptions } from './run.js';
import { ExitCode, type Terminal } from './terminal.js';

import { DEFAULT_RUNS } from './options.js';

export { DEFAULT_RUNS };

export interface SimulateCommandOptions {
  runs?: number;
  seed?: string;
  faults?: string;
  allowUnsafe?: boolean;
  team?: string;
  /** As for `run`: `name=text` or `name=@file`; inputs not given are generated. */
  input?: string[];
  inputJson?: string;
  /** Called after each run (a progress counter); the summary is printed either way. */
  onRun?: (index: number, runs: number) => void;
  readStdin?: RunCommandOptions['readStdin'];
}

export async function runSimulate(file: string, options: SimulateCommandOptions, terminal: Terminal): Promise<number> {
  const runs = options.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(runs) || runs < 1) {
    terminal.stderr(`teamc: --runs must be a whole number of at least 1, got ${options.runs}`);
    return ExitCode.Usage;
  }
  let faults: FaultSpec = {};
  try {
    if (options.faults !== undefined) faults = parseFaultSpec(options.faults);
  } catch (error) {
    if (!(error instanceof FaultSpecError)) throw error;
    terminal.stderr(`teamc: --faults ${options.faults}: ${error.message}`);
    return ExitCode.Usage;
  }

  const opened = openTeams(file, terminal, {
    refuseOnErrors: !options.allowUnsafe,
    verb: 'simulate',
    hint: ', or simulate anyway with --allow-unsafe to see what they warn about',
  });
  if (typeof opened === 'number') return opened;
  const teams = selectTeams(opened.teams, options.team, terminal, { one: true });
  if (typeof teams === 'number') return teams;
  const team = teams[0]!;
  if (opened.errors > 0) terminal.stderr(`teamc: simulating despite ${opened.errors} checker error${opened.errors === 1 ? '' : 's'} (--allow-unsafe)`);

  let definition;
  try {
    definition = toTeamDefinition(team);
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    terminal.stderr(`teamc: ${error.message.replace(/^cannot run/, 'cannot simulate')}`);
    return ExitCode.Diagnostics;
  }

  const seed = options.seed ?? '0';
  const given = await gatherInputs(team, definition, options, terminal, options.readStdin ?? (async () => undefined), 'simulate', true);
  if (typeof given === 'number') return given;
  const input: Record<string, unknown> = { ...given };
  const random = seededRandom(`${seed}/inputs`);
  for (const declared of definition.inputs) {
    if (declared.name in input) continue;
    // Same seed, same input: the summary stays reproducible.
    input[declared.name] = generateValue(declared.schema, random.fork(declared.name));
    terminal.stderr(`teamc: input ${declared.name}: drawn by the simulator from its type (choose it with --input ${declared.name}=…)`);
  }

  let summary;
  try {
    summary = await simulate(definition, {
      runs,
      seed,
      faults,
      input,
      ...(options.allowUnsafe ? { allowUnsafe: true } : {}),
      ...(options.onRun ? { onRun: (run) => options.onRun!(run.index, runs) } : {}),
    });
  } catch (error) {
    // A definition the runtime refuses outright (a structural problem the checker let through): no run starts.
    if (!(error instanceof TeamDefinitionError)) throw error;
    terminal.stderr(`teamc: the runtime refuses ${team.name}, so no run can start:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    return ExitCode.Diagnostics;
  }
  terminal.stdout(formatSummary(summary));
  return summary.violations.length > 0 ? ExitCode.Diagnostics : ExitCode.Ok;
}
