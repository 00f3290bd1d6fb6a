/**
 * Turns the paths, directories and globs a user typed into the `.team` files to check, and
 * screens each one, so that a wrong path is one clear line, never a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface InputFile {
  path: string;
  text: string;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Problems that make the command a usage error (exit 2). */
  errors: string[];
  /** Files skipped with a reason that is not an error (an empty file). */
  notices: string[];
}

const globCharacters = /[*?[\]{}]/;
const skippedDirectories = new Set(['node_modules', '.git', 'dist']);

export function expandInputs(patterns: readonly string[], cwd = process.cwd()): ExpandedInputs {
  const result: ExpandedInputs = { files: [], errors: [], notices: [] };
  const seen = new Set<string>();
  const add = (filePath: string) => {
    const absolute = path.resolve(cwd, filePath);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    const screened = screenFile(absolute);
    if ('error' in screened) result.errors.push(`${display(absolute, cwd)}: ${screened.error}`);
    else if (screened.text.trim() === '') result.notices.push(`${display(absolute, cwd)}: empty file, nothing to check`);
    else result.files.push({ path: absolute, text: screened.text });
  };

  for (const pattern of patterns) {
    if (globCharacters.test(pattern) && !fs.existsSync(path.resolve(cwd, pattern))) {
      const matches = fs.globSync(pattern, { cwd }).filter((match) => match.endsWith('.team')).sort();
      if (matches.length === 0) result.errors.push(`${pattern}: no .team files match this pattern`);
      matches.forEach(add);
      continue;
    }
    const absolute = path.resolve(cwd, pattern);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      result.errors.push(`${pattern}: ${describeFsError(error)}`);
      continue;
    }
    if (stat.isDirectory()) {
      const found = findTeamFiles(absolute);
      if (found.length === 0) result.errors.push(`${pattern}: no .team files in this directory`);
      found.forEach(add);
    } else {
      add(absolute);
    }
  }
  return result;
}

function findTeamFiles(directory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.isDirectory() && !skippedDirectories.has(entry.name)) walk(path.join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith('.team')) found.push(path.join(dir, entry.name));
    }
  };
  walk(directory);
  return found;
}

function screenFile(filePath: string): { text: string } | { error: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(filePath);
  } catch (error) {
    return { error: describeFsError(error) };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { error: 'not a text file (it contains NUL bytes)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { error: 'not valid UTF-8 text' };
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Expands the inputs and prints each notice and problem as one `teamc:` line. Returns the files,
 * or undefined when a problem makes the command a usage error (the caller exits 2).
 */
export function readInputs(patterns: readonly string[], terminal: { cwd: string; stderr(text: string): void }): InputFile[] | undefined {
  const inputs = expandInputs(patterns, terminal.cwd);
  for (const notice of inputs.notices) terminal.stderr(`teamc: ${notice}`);
  for (const error of inputs.errors) terminal.stderr(`teamc: ${error}`);
  return inputs.errors.length > 0 ? undefined : inputs.files;
}

/** A path as the user would like to read it: relative to where they stand. */
export function display(filePath: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, filePath);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : filePath;
}

/** Reads files from disk for the compiler, preferring the already screened root texts. */
export function diskHost(preloaded: readonly InputFile[]) {
  const texts = new Map(preloaded.map((file) => [file.path, file.text]));
  return {
    readFile(filePath: string): string | undefined {
      const cached = texts.get(filePath);
      if (cached !== undefined) return cached;
      try {
        return fs.readFileSync(filePath, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
