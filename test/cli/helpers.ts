import { main } from '../../compiler/cli/main.js';
import type { Terminal } from '../../compiler/cli/terminal.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a recording terminal (no colour unless asked). */
export async function runCli(args: string[], options: { cwd?: string; color?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const terminal: Terminal = {
    cwd: options.cwd ?? process.cwd(),
    color: options.color ?? false,
    stdout: (text) => {
      stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    stderr: (text) => {
      stderr += text.endsWith('\n') ? text : `${text}\n`;
    },
  };
  const code = await main(args, terminal);
  return { code, stdout, stderr };
}
