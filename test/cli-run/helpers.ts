import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Terminal } from '../../compiler/cli/terminal.js';
import { checkFiles } from '../../compiler/program.js';
import type { TeamModel } from '../../compiler/model.js';

export const examples = path.resolve(import.meta.dirname, '../../examples');

export interface Recording extends Terminal {
  out: string[];
  err: string[];
  stdoutText(): string;
  stderrText(): string;
}

/** A terminal that keeps what a command prints; `onStderr` sees each line as it is written. */
export function recordingTerminal(cwd: string, onStderr?: (text: string) => void): Recording {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    color: false,
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => {
      err.push(text);
      onStderr?.(text);
    },
    stdoutText: () => out.join('\n'),
    stderrText: () => err.join('\n'),
  };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-run-'));
}

/** The checked model of one example's (only) team (complete even when a rule reports an error). */
export function exampleTeam(name: string): TeamModel {
  const file = path.join(examples, `${name}.team`);
  const checked = checkFiles([file], { readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
  return checked.model.teams.find((t) => t.file === file)!;
}

/** A checked model from text written to a temporary file. */
export function teamFromText(text: string): { team: TeamModel; errors: string[] } {
  const file = path.join(tempDir(), 'inline.team');
  fs.writeFileSync(file, text);
  const checked = checkFiles([file], { readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
  return { team: checked.model.teams[0]!, errors: checked.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`) };
}

/** The checker's errors for an example, one line each (empty when it checks clean). */
export function exampleErrors(name: string): string[] {
  const file = path.join(examples, `${name}.team`);
  const checked = checkFiles([file], { readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined) });
  return checked.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
}
