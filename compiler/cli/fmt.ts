/**
 * `teamc fmt`: rewrites `.team` files in the canonical layout, or with `--check` lists the files
 * that would change and writes nothing. A file with syntax errors is never rewritten: its
 * errors are printed instead. Exit 0 when all is well, 1 when a file has syntax errors or (with
 * `--check`) would change, 2 for a usage error or a bug in the formatter.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderDiagnostic } from '../diagnostics/render.js';
import { formatSource } from '../format/index.js';
import { createSourceFile, type SourceFile } from '../source.js';
import { describeFsError, display, readInputs } from './files.js';
import { ExitCode, type Terminal } from './terminal.js';

export interface FmtOptions {
  /** List the files that would change and write nothing. */
  check: boolean;
}

export function runFmt(patterns: string[], options: FmtOptions, terminal: Terminal): ExitCode {
  const files = readInputs(patterns, terminal);
  if (files === undefined) return ExitCode.Usage;

  let changed = 0;
  let withErrors = 0;
  let failures = 0;
  for (const file of files) {
    const shown = display(file.path, terminal.cwd);
    let result: ReturnType<typeof formatSource>;
    try {
      result = formatSource(file.text, file.path);
    } catch (error) {
      failures++;
      terminal.stderr(`teamc: ${shown}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (typeof result !== 'string') {
      withErrors++;
      const source = createSourceFile(file.path, file.text);
      const sourceOf = (name: string): SourceFile | undefined => (name === file.path ? source : undefined);
      for (const diagnostic of result.diagnostics) {
        terminal.stderr(renderDiagnostic(diagnostic, sourceOf, { color: terminal.color, cwd: terminal.cwd }));
      }
      continue;
    }
    if (result === file.text) continue;
    changed++;
    if (options.check) {
      terminal.stdout(shown);
      continue;
    }
    try {
      writeAtomically(file.path, result);
      terminal.stdout(shown);
    } catch (error) {
      failures++;
      terminal.stderr(`teamc: ${shown}: cannot write: ${describeFsError(error)}`);
    }
  }

  terminal.stderr(summary(files.length, changed, withErrors, options.check));
  if (failures > 0) return ExitCode.Usage;
  if (withErrors > 0 || (options.check && changed > 0)) return ExitCode.Diagnostics;
  return ExitCode.Ok;
}

function summary(total: number, changed: number, withErrors: number, check: boolean): string {
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  const parts = [check ? (changed === 0 ? `${files(total - withErrors)} already formatted` : `${files(changed)} would be reformatted`) : `${files(changed)} reformatted`];
  if (!check && total - changed - withErrors > 0) parts.push(`${files(total - changed - withErrors)} unchanged`);
  if (withErrors > 0) parts.push(`${files(withErrors)} not formatted: syntax errors`);
  return parts.join(', ');
}

/**
 * Writes beside the file and renames over it, so a crash or a full disk never leaves half a
 * file; the file keeps its permissions.
 */
function writeAtomically(filePath: string, text: string): void {
  const mode = fs.statSync(filePath).mode & 0o7777;
  const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    fs.writeFileSync(temporary, text);
    fs.chmodSync(temporary, mode);
    fs.renameSync(temporary, filePath);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
