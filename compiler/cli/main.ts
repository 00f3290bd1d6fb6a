/** The `teamc` command line: commander commands, one file each, exit codes 0 / 1 / 2. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AnalyzeCommandOptions } from './analyze.js';
import type { CheckFormat } from './check.js';
import { checkFormats, DEFAULT_RUNS, runProviders } from './options.js';
import type { RunCommandOptions } from './run.js';
import type { SimulateCommandOptions } from './simulate.js';
import { ExitCode, processTerminal, type Terminal } from './terminal.js';
import { version } from './version.js';

export async function main(argv: string[], terminal: Terminal = processTerminal()): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = new Command('teamc')
    .description('Compile, check and run teams of language-model agents as the distributed systems they are.')
    .version(version, '-v, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => terminal.stdout(text),
      writeErr: (text) => terminal.stderr(text),
    })
    .showHelpAfterError('(run `teamc --help` for usage)');

  program
    .command('check')
    .description('check .team files and print every diagnostic')
    .argument('<paths...>', 'files, directories or globs')
    .addOption(new Option('--format <format>', 'output format').choices(checkFormats).default('pretty'))
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this', parseCount)
    .option('--quiet', 'report errors only', false)
    .action(async (paths: string[], options: { format: CheckFormat; maxWarnings?: number; quiet: boolean }) => {
      const { runCheck } = await import('./check.js');
      exitCode = runCheck(paths, options, terminal);
    });

  program
    .command('explain')
    .description('explain a diagnostic code, with a failing and a fixed example')
    .argument('<code>', 'a code such as T101')
    .action(async (code: string) => {
      const { runExplain } = await import('./explain.js');
      exitCode = runExplain(code, terminal);
    });

  program
    .command('build')
    .description('check .team files and generate typed TypeScript, one module per team')
    .argument('<paths...>', 'files, directories or globs')
    .requiredOption('-o, --out <dir>', 'output directory (nothing is written outside it)')
    .option('--allow-unsafe', 'build despite checker errors; every module is marked UNSAFE', false)
    .action(async (paths: string[], options: { out: string; allowUnsafe: boolean }) => {
      const { runBuild } = await import('./build.js');
      exitCode = runBuild(paths, options, terminal);
    });

  program
    .command('fmt')
    .description('format .team files in place: one canonical layout, comments and prompts kept')
    .argument('<paths...>', 'files, directories or globs')
    .option('--check', 'list the files that would change and exit 1; write nothing', false)
    .action(async (paths: string[], options: { check: boolean }) => {
      const { runFmt } = await import('./fmt.js');
      exitCode = runFmt(paths, options, terminal);
    });

  program
    .command('run')
    .description('check a .team file and run one of its teams; the typed output is printed as JSON')
    .argument('<file>', 'a .team file')
    .option('--team <name>', 'the team to run, when the file declares several')
    .option('--input <name=value>', 'an input: text, JSON for non-string types, or @FILE (@- for stdin); repeatable', collect, [])
    .option('--input-json <file>', 'every input at once, as a JSON object (- for stdin)')
    .addOption(new Option('--provider <name>', 'how models are reached (default: openai with OPENAI_API_KEY, else sim)').choices(runProviders))
    .option('--seed <seed>', 'seed for the run (jitter, simulated answers); names the trace file')
    .option('--record <file>', 'record every model answer to this cassette')
    .option('--cassette <file>', 'answer from this recorded cassette (implies --provider replay)')
    .option('--trace <file>', 'where to write the JSON-lines trace (default .teamc/traces/<team>-<seed or time>.jsonl)')
    .action(async (file: string, options: Omit<RunCommandOptions, 'live' | 'signal' | 'env' | 'readStdin' | 'now'>) => {
      const { runRun } = await import('./run.js');
      exitCode = await runRun(file, { ...options, live: Boolean(process.stderr.isTTY) && !process.env.CI }, terminal);
    });

  program
    .command('analyze')
    .description('predict critical paths, speed-ups and costs of each team of a .team file')
    .argument('<file>', 'a .team file')
    .option('--json', 'print the reports as JSON', false)
    .option('--workers <n>', 'tabulate work graphs for 1..n workers', parseCount)
    .option('--team <name>', 'analyse only this team')
    .action(async (file: string, options: AnalyzeCommandOptions) => {
      const { runAnalyze } = await import('./analyze.js');
      exitCode = runAnalyze(file, options, terminal);
    });

  program
    .command('simulate')
    .description('run a team many times on virtual time under injected faults and check every guarantee')
    .argument('<file>', 'a .team file')
    .option('--runs <n>', `number of runs (default ${DEFAULT_RUNS})`, parseCount)
    .option('--seed <seed>', 'seed of the simulation (run i uses seed/i)')
    .option('--faults <spec>', 'faults to inject, e.g. drops=0.1,reorder=0.3,timeouts=0.05,stubborn=0.5,verbose=0.2 (every key: docs/runtime/simulation.md)')
    .option('--allow-unsafe', 'simulate despite checker errors (they are still printed)', false)
    .option('--team <name>', 'the team to simulate, when the file declares several')
    .option('--input <name=value>', 'an input (as for run); inputs not given are drawn from their types', collect, [])
    .option('--input-json <file>', 'inputs as a JSON object')
    .action(async (file: string, options: SimulateCommandOptions) => {
      const { runSimulate } = await import('./simulate.js');
      exitCode = await runSimulate(file, options, terminal);
    });

  program
    .command('lsp')
    .description('run the language server on stdin/stdout (for editors)')
    .option('--stdio', 'use stdin/stdout (the default)')
    .allowUnknownOption()
    .action(async () => {
      // The open stdin keeps the process alive; the server exits when the editor sends `exit`.
      const { runLsp } = await import('./lsp.js');
      runLsp();
    });

  const trace = program.command('trace').description('work with run traces');
  trace
    .command('view')
    .description('render a JSON-lines trace as one self-contained HTML timeline')
    .argument('<trace>', 'a trace written by the runtime (JSON lines)')
    .option('-o, --out <file>', 'where to write the page (- for stdout); default: the trace with .html')
    .option('--predicted-speedup <x>', 'predicted speed-up to show beside the measured one', Number)
    .option('--predicted-makespan <ms>', 'predicted makespan in milliseconds', Number)
    .action(async (tracePath: string, o: { out?: string; predictedSpeedup?: number; predictedMakespan?: number }) => {
      const { runTraceView } = await import('./trace.js');
      const predicted = {
        ...(o.predictedSpeedup !== undefined ? { speedup: o.predictedSpeedup } : {}),
        ...(o.predictedMakespan !== undefined ? { makespanMs: o.predictedMakespan } : {}),
      };
      exitCode = runTraceView(
        tracePath,
        { ...(o.out !== undefined ? { out: o.out } : {}), ...(Object.keys(predicted).length ? { predicted } : {}) },
        terminal,
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage mistakes with a message already printed.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    terminal.stderr(`teamc: internal error: ${error instanceof Error ? error.message : String(error)}`);
    terminal.stderr('teamc: this is a bug in teamc, not in your files; set TEAMC_DEBUG=1 for details');
    if (process.env.TEAMC_DEBUG && error instanceof Error && error.stack) terminal.stderr(error.stack);
    return ExitCode.Usage;
  }
  return exitCode;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
