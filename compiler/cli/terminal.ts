/** What a command may touch of the outside world; tests pass a recording terminal. */
export interface Terminal {
  cwd: string;
  /** Colour is for people: on only for a TTY, and never with NO_COLOR. */
  color: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
}

export enum ExitCode {
  Ok = 0,
  Diagnostics = 1,
  Usage = 2,
}

export function processTerminal(): Terminal {
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  return {
    cwd: process.cwd(),
    color: process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : color,
    stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}
