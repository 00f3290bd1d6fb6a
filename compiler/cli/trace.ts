/**
 * `teamc trace view TRACE`: renders a run's JSON-lines trace as one self-contained HTML timeline,
 * written beside the trace (`run.jsonl` → `run.html`), to `--out FILE`, or to stdout with
 * `--out -`. Exit 0 when the page was written (malformed events are skipped with a warning),
 * 1 when the file is not a trace, 2 for a usage error (no such file, cannot write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Prediction } from '../trace-view/model.js';
import { viewTrace, type TraceView } from '../trace-view/view.js';
import { formatMs, formatSpeedup } from '../trace-view/format.js';
import { describeFsError, display } from './files.js';
import { ExitCode, type Terminal } from './terminal.js';

export interface TraceViewOptions {
  /** Where the page goes: a path, or `-` for stdout. Default: the trace's path with `.html`. */
  out?: string;
  /** The analysis's prediction, shown beside the measured speed-up. */
  predicted?: Prediction;
}

/** How many malformed events are listed before the rest are only counted. */
const LISTED_PROBLEMS = 3;

export function runTraceView(tracePath: string, options: TraceViewOptions, terminal: Terminal): ExitCode {
  const input = path.resolve(terminal.cwd, tracePath);
  const shown = display(input, terminal.cwd);
  const problem = invalidPrediction(options.predicted);
  if (problem !== undefined) {
    terminal.stderr(`teamc: ${problem}`);
    return ExitCode.Usage;
  }

  let text: string;
  try {
    text = fs.readFileSync(input, 'utf8');
  } catch (error) {
    terminal.stderr(`teamc: ${shown}: ${describeFsError(error)}`);
    return ExitCode.Usage;
  }

  const toStdout = options.out === '-';
  const output = toStdout ? undefined : path.resolve(terminal.cwd, options.out ?? defaultOutput(input));
  if (output === input) {
    terminal.stderr(`teamc: ${shown}: the page would overwrite the trace; pass --out`);
    return ExitCode.Usage;
  }

  let view: TraceView;
  try {
    view = viewTrace(text, { source: path.basename(input), ...(options.predicted ? { predicted: options.predicted } : {}) });
  } catch (error) {
    terminal.stderr(`teamc: ${shown}: not a trace: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.Diagnostics;
  }
  const { summary } = view.timeline;
  if (summary.events === 0) {
    const why = view.malformed.length > 0 ? `none of its ${view.malformed.length} events is well-formed (event ${view.malformed[0]!.index + 1}: ${view.malformed[0]!.reason})` : 'it holds no events';
    terminal.stderr(`teamc: ${shown}: not a trace: ${why}`);
    return ExitCode.Diagnostics;
  }
  if (view.malformed.length > 0) {
    const listed = view.malformed.slice(0, LISTED_PROBLEMS).map((m) => `event ${m.index + 1}: ${m.reason}`);
    const rest = view.malformed.length - listed.length;
    terminal.stderr(`teamc: ${shown}: skipped ${view.malformed.length} malformed event${view.malformed.length === 1 ? '' : 's'} (${listed.join('; ')}${rest > 0 ? `; ${rest} more` : ''})`);
  }

  const predicted = summary.predicted?.speedup !== undefined ? ` (predicted ${formatSpeedup(summary.predicted.speedup)})` : '';
  const report = `${view.timeline.lanes.length} lanes, ${summary.calls} calls, ${summary.messages} messages; makespan ${formatMs(summary.makespanMs)}, measured speed-up ${formatSpeedup(summary.measuredSpeedup)}${predicted}`;
  if (output === undefined) {
    terminal.stdout(view.html);
    terminal.stderr(`teamc: ${shown}: ${report}`);
    return ExitCode.Ok;
  }
  try {
    writeAtomically(output, view.html);
  } catch (error) {
    terminal.stderr(`teamc: ${display(output, terminal.cwd)}: cannot write: ${describeFsError(error)}`);
    return ExitCode.Usage;
  }
  terminal.stdout(`wrote ${display(output, terminal.cwd)} (${report})`);
  return ExitCode.Ok;
}

/** `run.jsonl` → `run.html`; a name with another extension (or none) gets `.html` appended. */
export function defaultOutput(tracePath: string): string {
  const extension = path.extname(tracePath);
  return ['.jsonl', '.ndjson', '.json', '.trace', '.log'].includes(extension.toLowerCase()) ? `${tracePath.slice(0, -extension.length)}.html` : `${tracePath}.html`;
}

function invalidPrediction(predicted: Prediction | undefined): string | undefined {
  if (predicted?.speedup !== undefined && !(Number.isFinite(predicted.speedup) && predicted.speedup > 0)) return `predicted speed-up must be a positive number, got ${predicted.speedup}`;
  if (predicted?.makespanMs !== undefined && !(Number.isFinite(predicted.makespanMs) && predicted.makespanMs >= 0)) return `predicted makespan must be a non-negative number of milliseconds, got ${predicted.makespanMs}`;
  return undefined;
}

/** Writes beside the target and renames over it, so a reader never opens half a page. */
function writeAtomically(filePath: string, text: string): void {
  const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, filePath);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
