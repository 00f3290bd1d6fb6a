/**
 * `teamc run FILE`: check the file (refusing on errors), build the team's definition in memory,
 * run it once, print the typed output as JSON on stdout; progress, a summary and the trace path go
 * to stderr. Under the sim provider (the default without OPENAI_API_KEY) and under replay, the
 * run is on a virtual clock: instant, and the same seed gives the same run.
 *
 * Also home of what `analyze` and `simulate` share with it: opening a checked file and choosing
 * one of its teams (`openTeams`, `selectTeams`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VirtualClock, realClock, type Clock } from '../../runtime/clock.js';
import { createProvider } from '../../runtime/providers/factory.js';
import type { ModelProvider } from '../../runtime/providers/types.js';
import { createTeam, type TeamResult } from '../../runtime/team.js';
import { simulatedTools, toolsWithoutImplementation } from '../../runtime/simulate/tools.js';
import { jsonLinesWriter, type TraceEventOf, type TraceSink } from '../../runtime/trace.js';
import type { TeamDefinition } from '../../runtime/definition.js';
import { analyzeTeam } from '../analyze/index.js';
import { DefinitionError, toTeamDefinition } from '../definition/from-model.js';
import { pascalCase } from '../emit/names.js';
import { describeType, parseInputs, takesText } from '../definition/inputs.js';
import { renderDiagnostic, renderSummary } from '../diagnostics/render.js';
import type { TeamModel } from '../model.js';
import { checkFiles, type CheckedProgram } from '../program.js';
import { describeFsError, display, diskHost, readInputs } from './files.js';
import { duration, liveView, progressLines, RunProgress } from './live-view.js';
import { ExitCode, type Terminal } from './terminal.js';

/** The conventional exit code of a program stopped by SIGINT (128 + 2). */
export const INTERRUPTED = 130;

import { runProviders } from './options.js';

export { runProviders };
export type RunProvider = (typeof runProviders)[number];

export interface RunCommandOptions {
  team?: string;
  /** `name=text` or `name=@file` (`@-`: standard input), in order; a later one wins. */
  input?: string[];
  /** A JSON object of inputs. */
  inputJson?: string;
  provider?: RunProvider;
  seed?: string;
  /** Record every model answer to this cassette (replay it later with `--cassette`). */
  record?: string;
  /** Answer from this cassette (implies `--provider replay`). */
  cassette?: string;
  /** Where the JSON-lines trace goes; default `.teamc/traces/<team>-<seed or timestamp>.jsonl`. */
  trace?: string;
  /** Redraw a live view in place (a TTY); otherwise plain progress lines. */
  live?: boolean;
  /** Stops the run as Ctrl-C would; when absent, SIGINT is listened for. */
  signal?: AbortSignal;
  /** Where OPENAI_API_KEY is looked up; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Text piped into standard input, or undefined when there is none (a TTY, nothing piped). */
  readStdin?: () => Promise<string | undefined>;
  /** The wall time that names a trace file. */
  now?: () => Date;
}

export async function runRun(file: string, options: RunCommandOptions, terminal: Terminal): Promise<number> {
  const opened = openTeams(file, terminal, { refuseOnErrors: true, verb: 'run' });
  if (typeof opened === 'number') return opened;
  const selected = selectTeams(opened.teams, options.team, terminal, { one: true });
  if (typeof selected === 'number') return selected;
  const team = selected[0]!;

  let definition: TeamDefinition<Record<string, unknown>, Record<string, unknown>>;
  try {
    definition = toTeamDefinition(team);
  } catch (error) {
    if (error instanceof DefinitionError) {
      terminal.stderr(`teamc: ${error.message}`);
      return ExitCode.Diagnostics;
    }
    throw error;
  }

  const readStdin = options.readStdin ?? readProcessStdin;
  const inputs = await gatherInputs(team, definition, options, terminal, readStdin, 'run');
  if (typeof inputs === 'number') return inputs;

  const env = options.env ?? process.env;
  const chosen = chooseProvider(options, env, terminal);
  if (typeof chosen === 'number') return chosen;

  const seed = parseSeed(options.seed ?? '0');
  // Tools: `teamc run` has no implementations to give. On virtual time they are simulated; a real
  // model would call them for real, so that needs implementations (from a built module).
  const unimplemented = toolsWithoutImplementation(definition as TeamDefinition<unknown, unknown>);
  if (unimplemented.length > 0 && !chosen.virtual) {
    for (const line of missingToolsMessage(team.name, definition, unimplemented, display(team.file, terminal.cwd))) terminal.stderr(line);
    return ExitCode.Usage;
  }
  if (unimplemented.length > 0) {
    terminal.stderr(`teamc: tool${unimplemented.length === 1 ? '' : 's'} ${unimplemented.join(', ')}: simulated (values drawn from the output type after a simulated latency; nothing real is called)`);
  }
  const tracePath = path.resolve(terminal.cwd, options.trace ?? defaultTracePath(team.name, options.seed, (options.now ?? (() => new Date()))()));
  let traceSink: TraceSink;
  try {
    fs.mkdirSync(path.dirname(tracePath), { recursive: true });
    traceSink = withPrediction(jsonLinesWriter(tracePath), predict(definition));
  } catch (error) {
    terminal.stderr(`teamc: cannot write the trace to ${display(tracePath, terminal.cwd)}: ${describeFsError(error)}`);
    return ExitCode.Usage;
  }

  let provider: ModelProvider;
  try {
    provider = chosen.build(seed);
  } catch (error) {
    await traceSink.close?.();
    terminal.stderr(`teamc: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.Usage;
  }

  const progress = new RunProgress(definition);
  const view = options.live ? liveView(progress, terminal) : progressLines(progress, terminal);
  const clock: Clock = chosen.virtual ? new VirtualClock() : realClock;
  const stop = new AbortController();
  const interrupt = () => stop.abort(new Error('interrupted (Ctrl-C)'));
  let detach = () => {};
  if (options.signal) {
    if (options.signal.aborted) interrupt();
    options.signal.addEventListener('abort', interrupt, { once: true });
    detach = () => options.signal!.removeEventListener('abort', interrupt);
  } else {
    process.once('SIGINT', interrupt);
    detach = () => process.removeListener('SIGINT', interrupt);
  }

  let result: TeamResult<Record<string, unknown>> | undefined;
  let stuck: string | undefined;
  try {
    const tools = unimplemented.length > 0 ? simulatedTools(definition as TeamDefinition<unknown, unknown>, { seed, clock }) : {};
    const runner = createTeam(definition, { provider, clock, seed, trace: [traceSink, view], signal: stop.signal, tools });
    const running = runner.run(inputs);
    if (clock instanceof VirtualClock) {
      // Four deadlines of virtual time (a day without one) is far past any finishing run: the rest is a hang.
      const maxTime = definition.deadlineMs !== undefined ? definition.deadlineMs * 4 : 86_400_000;
      result = await clock.run(running, { maxTime });
    } else {
      result = await running;
    }
  } catch (error) {
    stuck = error instanceof Error ? error.message : String(error);
  } finally {
    detach();
    await view.close?.();
    await traceSink.close?.();
  }

  const traceShown = display(tracePath, terminal.cwd);
  // A Ctrl-C that lands after the team already finished does not throw its output away.
  if (stop.signal.aborted && !result?.ok) {
    terminal.stderr(`teamc: interrupted: the run was stopped; the partial trace is in ${traceShown}`);
    return INTERRUPTED;
  }
  if (!result) {
    terminal.stderr(`teamc: team ${team.name} could not finish: ${stuck}`);
    terminal.stderr(`teamc: trace: ${traceShown}`);
    return ExitCode.Diagnostics;
  }
  if (result.ok) terminal.stdout(JSON.stringify(result.output, null, 2));
  terminal.stderr(summaryParagraph(team.name, result, { provider: chosen.label, virtual: chosen.virtual, seed, trace: traceShown }));
  if (!result.ok) return ExitCode.Diagnostics;
  return ExitCode.Ok;
}

// ---------------------------------------------------------------------------------------------
// Opening a file and choosing a team (shared with analyze and simulate)

export interface OpenedTeams {
  checked: CheckedProgram;
  /** The teams declared in the file itself (not its imports), in declaration order. */
  teams: TeamModel[];
  errors: number;
}

/**
 * Checks one file and prints its diagnostics on stderr, rendered as `teamc check` renders them.
 * Returns an exit code when the command cannot go on: a bad path, or errors when refused.
 */
export function openTeams(file: string, terminal: Terminal, options: { refuseOnErrors: boolean; verb: string; hint?: string }): OpenedTeams | number {
  const files = readInputs([file], terminal);
  if (files === undefined) return ExitCode.Usage;
  if (files.length === 0) {
    terminal.stderr(`teamc: ${file}: no .team file to ${options.verb}`);
    return ExitCode.Usage;
  }
  if (files.length > 1) {
    terminal.stderr(`teamc: ${options.verb} takes one .team file; ${file} names ${files.length}`);
    return ExitCode.Usage;
  }
  const root = files[0]!.path;
  const checked = checkFiles([root], diskHost(files));
  const sourceOf = (f: string) => checked.sources.get(f);
  for (const diagnostic of checked.diagnostics) {
    terminal.stderr(`${renderDiagnostic(diagnostic, sourceOf, { color: terminal.color, cwd: terminal.cwd })}\n`);
  }
  if (checked.diagnostics.length > 0) terminal.stderr(renderSummary(checked.diagnostics, checked.sources.size, { color: terminal.color }));
  const errors = checked.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0 && options.refuseOnErrors) {
    terminal.stderr(`teamc: not ${options.verb === 'run' ? 'run' : `${options.verb}d`}: fix the ${errors} error${errors === 1 ? '' : 's'} above${options.hint ?? ''}`);
    return ExitCode.Diagnostics;
  }
  const teams = checked.model.teams.filter((t) => path.resolve(t.file) === root);
  if (teams.length === 0) {
    terminal.stderr(`teamc: ${display(root, terminal.cwd)} declares no team`);
    return ExitCode.Usage;
  }
  return { checked, teams, errors };
}

/** The team `--team` names, or every team (or the only one, when `one` is asked). */
export function selectTeams(teams: TeamModel[], name: string | undefined, terminal: Terminal, options: { one: boolean }): TeamModel[] | number {
  const names = teams.map((t) => t.name).join(', ');
  if (name !== undefined) {
    const found = teams.find((t) => t.name === name);
    if (!found) {
      terminal.stderr(`teamc: no team ${name} in this file (its teams: ${names})`);
      return ExitCode.Usage;
    }
    return [found];
  }
  if (options.one && teams.length > 1) {
    terminal.stderr(`teamc: this file declares ${teams.length} teams (${names}): choose one with --team NAME`);
    return ExitCode.Usage;
  }
  return teams;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * The run's input record from `--input-json`, `--input` flags and, for a single missing text
 * input, piped standard input; validated against the declared types. `verb` words the messages.
 * With `allowMissing`, inputs without a value are left out for the caller to fill.
 */
export async function gatherInputs(
  team: TeamModel,
  definition: TeamDefinition<Record<string, unknown>, Record<string, unknown>>,
  options: Pick<RunCommandOptions, 'input' | 'inputJson'>,
  terminal: Terminal,
  readStdin: () => Promise<string | undefined>,
  verb: string,
  allowMissing = false,
): Promise<Record<string, unknown> | number> {
  const usage = (lines: string[]) => {
    for (const line of lines) terminal.stderr(`teamc: ${line}`);
    return ExitCode.Usage;
  };
  let json: Record<string, unknown> = {};
  if (options.inputJson !== undefined) {
    const source = options.inputJson === '-' ? await readStdin() : readText(options.inputJson, terminal.cwd);
    if (typeof source !== 'string') return usage([`--input-json ${options.inputJson}: ${source?.error ?? 'nothing on standard input'}`]);
    try {
      const parsed: unknown = JSON.parse(source);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return usage([`--input-json ${options.inputJson}: expected a JSON object of inputs by name`]);
      json = parsed as Record<string, unknown>;
    } catch (error) {
      return usage([`--input-json ${options.inputJson}: not JSON: ${(error as Error).message}`]);
    }
  }

  const given: Array<{ name: string; text: string }> = [];
  for (const flag of options.input ?? []) {
    const equals = flag.indexOf('=');
    if (equals <= 0) return usage([`--input ${flag}: expected NAME=VALUE or NAME=@FILE`]);
    const name = flag.slice(0, equals);
    const value = flag.slice(equals + 1);
    if (value.startsWith('@')) {
      const where = value.slice(1);
      const text = where === '-' ? await readStdin() : readText(where, terminal.cwd);
      if (typeof text !== 'string') return usage([`--input ${name}=@${where}: ${text?.error ?? 'nothing on standard input'}`]);
      given.push({ name, text });
    } else {
      given.push({ name, text: value });
    }
  }

  const parsed = parseInputs(team, given, json);
  if (parsed.errors.length > 0) return usage(parsed.errors);
  if (parsed.missing.length === 1 && !allowMissing && takesText(parsed.missing[0]!.type) && !(options.input ?? []).some((f) => f.endsWith('=@-'))) {
    // One text input missing and something piped in: `git diff | teamc run code-review.team`.
    const piped = await readStdin();
    if (piped !== undefined && piped !== '') {
      const input = parsed.missing[0]!;
      terminal.stderr(`teamc: input ${input.name}: read from standard input`);
      parsed.values[input.name] = piped;
      parsed.missing.length = 0;
    }
  }
  if (parsed.missing.length > 0 && !allowMissing) {
    const lines = [`team ${team.name} needs ${parsed.missing.length === 1 ? 'an input' : 'inputs'} that ${parsed.missing.length === 1 ? 'was' : 'were'} not given:`];
    for (const input of parsed.missing) {
      const example = takesText(input.type) ? `--input ${input.name}=TEXT  or  --input ${input.name}=@FILE` : `--input ${input.name}='JSON'  or  --input ${input.name}=@FILE.json`;
      lines.push(`  ${input.name}: ${describeType(input.type)}; pass ${example}`);
    }
    const file = display(team.file, terminal.cwd);
    const first = parsed.missing[0]!;
    const pipe = parsed.missing.length === 1 && takesText(first.type) ? `  (or pipe it in: cat ${first.name}.txt | teamc ${verb} ${file})` : '';
    lines.push(`for example: teamc ${verb} ${file} --input ${first.name}=${takesText(first.type) ? `@${first.name}.txt` : "'…'"}${pipe}`);
    return usage(lines);
  }

  // Validate here, so a wrong value is a usage error naming the flag, not a failed run.
  const problems: string[] = [];
  for (const input of definition.inputs) {
    if (!(input.name in parsed.values)) continue;
    const checked = input.schema.safeParse(parsed.values[input.name]);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const at = issue.path.length ? `.${issue.path.join('.')}` : '';
        problems.push(`input ${input.name}${at}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) return usage(problems);
  return parsed.values;
}

function readText(file: string, cwd: string): string | { error: string } {
  try {
    return fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    return { error: describeFsError(error) };
  }
}

/**
 * Standard input when something is piped or redirected into it; never waits on a TTY. Reading a
 * pipe that is never closed would hang, so only a pipe or a file is read.
 */
async function readProcessStdin(): Promise<string | undefined> {
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(0);
  } catch {
    return undefined;
  }
  if (process.stdin.isTTY || !(stat.isFIFO() || stat.isFile())) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Provider, seed, trace path, summary

interface ChosenProvider {
  label: string;
  /** Virtual time: simulated or recorded answers, no real model in the loop. */
  virtual: boolean;
  build(seed: number | string): ModelProvider;
}

function chooseProvider(options: RunCommandOptions, env: Record<string, string | undefined>, terminal: Terminal): ChosenProvider | number {
  const hasKey = Boolean(env['OPENAI_API_KEY']);
  let name: RunProvider;
  if (options.provider) name = options.provider;
  else if (options.cassette !== undefined) name = 'replay';
  else if (hasKey) name = 'openai';
  else {
    name = 'sim';
    terminal.stderr('teamc: no OPENAI_API_KEY set: running on the sim provider (simulated answers on virtual time); set it, or pass --provider openai, for real models');
  }
  if (name === 'replay' && options.cassette === undefined) {
    terminal.stderr('teamc: --provider replay answers from a recorded cassette: pass --cassette FILE (record one with --record FILE)');
    return ExitCode.Usage;
  }
  if (name !== 'replay' && options.cassette !== undefined) {
    terminal.stderr(`teamc: --cassette replays recorded answers; it cannot be used with --provider ${name}`);
    return ExitCode.Usage;
  }
  if (name === 'replay' && options.record !== undefined) {
    terminal.stderr('teamc: --record records a live provider (sim or openai); it cannot record a replay');
    return ExitCode.Usage;
  }
  if (name === 'replay') {
    const cassette = path.resolve(terminal.cwd, options.cassette!);
    return { label: `replay provider (cassette ${display(cassette, terminal.cwd)})`, virtual: true, build: () => createProvider('replay', { cassette, mode: 'replay' }) };
  }
  const inner = (seed: number | string): ModelProvider => (name === 'sim' ? createProvider('sim', { seed }) : createProvider('openai', { env }));
  if (options.record !== undefined) {
    const cassette = path.resolve(terminal.cwd, options.record);
    return {
      label: `${name} provider (recorded to ${display(cassette, terminal.cwd)})`,
      virtual: name === 'sim',
      build: (seed) => {
        fs.mkdirSync(path.dirname(cassette), { recursive: true });
        return createProvider('replay', { cassette, mode: 'record', inner: inner(seed) });
      },
    };
  }
  return { label: `${name} provider`, virtual: name === 'sim', build: inner };
}

type Prediction = Pick<TraceEventOf<'prediction'>, 'speedup' | 'makespanMs'>;

/** What `teamc analyze` predicts for the team's agent graph; none if the analysis cannot say. */
function predict(definition: TeamDefinition<Record<string, unknown>, Record<string, unknown>>): Prediction | undefined {
  try {
    const { speedup, makespanMs } = analyzeTeam(definition as TeamDefinition<unknown, unknown>).agents.predicted;
    return Number.isFinite(speedup) && speedup > 0 && Number.isFinite(makespanMs) && makespanMs >= 0 ? { speedup, makespanMs } : undefined;
  } catch {
    return undefined; // a prediction is a courtesy to the trace view; it never stops a run
  }
}

/**
 * The trace file gets the prediction right after `run-start`, at its time (so it moves no bound of
 * the timeline): `teamc trace view` then shows predicted beside measured with no flags.
 */
function withPrediction(sink: TraceSink, prediction: Prediction | undefined): TraceSink {
  if (!prediction) return sink;
  let written = false;
  return {
    write(event) {
      sink.write(event);
      if (written || event.kind !== 'run-start') return;
      written = true;
      sink.write({ kind: 'prediction', agent: 'team', time: event.time, ...prediction });
    },
    close: async () => sink.close?.(),
  };
}

/** Why a real-model run cannot start: which tools lack an implementation, and how to give them one. */
function missingToolsMessage(
  team: string,
  definition: TeamDefinition<Record<string, unknown>, Record<string, unknown>>,
  missing: string[],
  file: string,
): string[] {
  const kinds = new Map(definition.tools.map((t) => [t.name, t.kind]));
  const example = missing.map((name) => `${name}: async (input) => …`).join(', ');
  return [
    `teamc: team ${team} calls ${missing.length === 1 ? 'a tool' : 'tools'} with no implementation: ${missing.map((m) => `${m} (${kinds.get(m) ?? 'tool'})`).join(', ')}`,
    `teamc: a real model would call ${missing.length === 1 ? 'it' : 'them'} for real, and \`teamc run\` has no code to run; nothing was called`,
    `  give implementations from a built module: teamc build ${file} --out gen/, then`,
    `    create${pascalCase(team)}({ provider: 'openai', tools: { ${example} } }).run(input)`,
    `  or run on simulated tools: teamc run ${file} --provider sim`,
  ];
}

/** A whole number stays a number (the runtime's default seed is 0); anything else is a string seed. */
function parseSeed(text: string): number | string {
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** `.teamc/traces/code-review-42.jsonl`, or with a timestamp when no seed was chosen. */
export function defaultTracePath(team: string, seed: string | undefined, now: Date): string {
  const stamp = seed !== undefined ? seed.replace(/[^A-Za-z0-9_.-]+/g, '_') : now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[:]/g, '-');
  return path.join('.teamc', 'traces', `${kebab(team)}-${stamp}.jsonl`);
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}

function summaryParagraph(
  team: string,
  result: TeamResult<Record<string, unknown>>,
  run: { provider: string; virtual: boolean; seed: number | string; trace: string },
): string {
  const elapsed = `${duration(result.stats.endedAt - result.stats.startedAt)}${run.virtual ? ' of virtual time' : ''}`;
  const activations = Object.values(result.stats.activations).reduce((a, b) => a + b, 0);
  const outcome = result.ok ? 'finished' : `failed (${result.error.kind}: ${result.error.message})`;
  const spent = `${result.usage.tokens} tokens, $${result.usage.dollars.toFixed(4)}`;
  return `team ${team} ${outcome} in ${elapsed} on the ${run.provider} (seed ${run.seed}): ${activations} activation${activations === 1 ? '' : 's'}, ${spent}. Trace: ${run.trace}`;
}
