/**
 * `teamc build <paths> --out DIR`: checks the files, then writes one TypeScript module per team
 * (and one per file of shared declarations) into DIR. With checker errors nothing is written,
 * unless `--allow-unsafe`: then every error is still printed, the modules are written, and each
 * one's header says it is unsafe and lists the errors.
 */
import * as path from 'node:path';
import { checkFiles, type CheckedProgram } from '../program.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic, renderSummary } from '../diagnostics/render.js';
import { emitProgram, EmitError, OutputPathError, RenderError, writeOutputs, type OutputFile } from '../emit/index.js';
import { diskHost, readInputs } from './files.js';
import { ExitCode, type Terminal } from './terminal.js';
import { version } from './version.js';

export interface BuildOptions {
  /** The output directory, relative to the terminal's working directory. */
  out: string;
  allowUnsafe: boolean;
}

export function runBuild(patterns: string[], options: BuildOptions, terminal: Terminal): ExitCode {
  if (!options.out) {
    terminal.stderr('teamc: build needs an output directory: --out DIR');
    return ExitCode.Usage;
  }
  const inputs = readInputs(patterns, terminal);
  if (inputs === undefined) return ExitCode.Usage;

  const checked = checkFiles(
    inputs.map((file) => file.path),
    diskHost(inputs),
  );
  const sourceOf = (file: string) => checked.sources.get(file);
  for (const diagnostic of checked.diagnostics) {
    terminal.stdout(`${renderDiagnostic(diagnostic, sourceOf, { color: terminal.color, cwd: terminal.cwd })}\n`);
  }
  if (checked.diagnostics.length > 0) terminal.stdout(renderSummary(checked.diagnostics, checked.sources.size, { color: terminal.color }));
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && !options.allowUnsafe) {
    terminal.stderr(`teamc: nothing built: fix the ${plural(errors.length, 'error')} above, or build anyway with --allow-unsafe`);
    return ExitCode.Diagnostics;
  }

  const unsafeProblems = errors.length > 0 ? errors.map((d) => oneLine(d, checked, terminal.cwd)) : null;
  let files: OutputFile[];
  try {
    files = emitProgram(checked.model, checked.program.roots, { cwd: terminal.cwd, version, unsafeProblems });
  } catch (error) {
    if (error instanceof EmitError || error instanceof RenderError) {
      terminal.stderr(`teamc: ${error.message}`);
      return ExitCode.Diagnostics;
    }
    throw error;
  }
  if (files.length === 0) {
    terminal.stderr('teamc: nothing to build: no team and no shared declarations in these files');
    return ExitCode.Ok;
  }

  const outDir = path.resolve(terminal.cwd, options.out);
  try {
    const result = writeOutputs(outDir, files);
    const display = (file: string) => toPosix(path.relative(terminal.cwd, file)) || file;
    for (const file of result.written) terminal.stdout(`wrote ${display(file)}`);
    for (const file of result.unchanged) terminal.stdout(`unchanged ${display(file)}`);
  } catch (error) {
    if (error instanceof OutputPathError) {
      terminal.stderr(`teamc: ${error.message}`);
      return ExitCode.Usage;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code) {
      terminal.stderr(`teamc: cannot write to ${options.out}: ${(error as Error).message}`);
      return ExitCode.Usage;
    }
    throw error;
  }
  if (unsafeProblems) {
    terminal.stderr(`teamc: built with --allow-unsafe despite ${plural(errors.length, 'error')}: every module is marked UNSAFE; simulate before trusting it`);
  }
  return ExitCode.Ok;
}

/** `examples/x.team:3:5 error[T302] message`, for the header of an unsafe module. */
function oneLine(diagnostic: Diagnostic, checked: CheckedProgram, cwd: string): string {
  const position = checked.sources.get(diagnostic.file)?.position(diagnostic.span.start);
  const where = position ? `${toPosix(path.relative(cwd, diagnostic.file))}:${position.line}:${position.column}` : toPosix(path.relative(cwd, diagnostic.file));
  return `${where} ${diagnostic.severity}[${diagnostic.code}] ${diagnostic.message}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
