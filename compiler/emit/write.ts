/**
 * Writes generated modules into the output directory, and nowhere else.
 *
 * - Confinement: each module's path is relative, `/`-separated, with no `.`/`..`/empty segment, no
 *   backslash, drive letter or NUL; it must resolve inside the output directory, and so must the
 *   real path of every directory on the way (a symlink inside the output directory cannot lead out).
 * - No half-written files: every module is written to a temporary file beside its target first;
 *   only when all of them are written are they renamed into place (a rename within a directory is
 *   atomic). If anything fails before that, the temporary files are removed and no target changes.
 * - A module whose bytes are already on disk is left alone, so an unchanged build keeps its mtimes.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';

export interface OutputFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  text: string;
}

/** The file system calls the writer makes; tests inject failures through it. */
export interface WriterFs {
  mkdirSync(dir: string, options: { recursive: true }): unknown;
  realpathSync(file: string): string;
  readFileSync(file: string, encoding: 'utf8'): string;
  writeFileSync(file: string, text: string, options: { flag: 'wx' }): void;
  renameSync(from: string, to: string): void;
  rmSync(file: string, options: { force: true }): void;
  lstatSync(file: string, options: { throwIfNoEntry: false }): nodeFs.Stats | undefined;
}

export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
}

export interface WriteResult {
  written: string[];
  unchanged: string[];
}

let temporaryCounter = 0;

export function writeOutputs(outDir: string, files: readonly OutputFile[], fs: WriterFs = nodeFs): WriteResult {
  const root = path.resolve(outDir);
  const targets = files.map((file) => ({ file, target: confine(root, file.path) }));
  refuseDuplicates(targets.map((t) => t.file.path));

  fs.mkdirSync(root, { recursive: true });
  const realRoot = fs.realpathSync(root);
  const result: WriteResult = { written: [], unchanged: [] };
  const staged: Array<{ temporary: string; target: string }> = [];
  try {
    for (const { file, target } of targets) {
      const directory = makeDirectories(fs, root, realRoot, file.path);
      const existing = fs.lstatSync(target, { throwIfNoEntry: false });
      if (existing?.isDirectory()) throw new OutputPathError(`${file.path}: a directory is in the way`);
      if (existing?.isFile() && fs.readFileSync(target, 'utf8') === file.text) {
        result.unchanged.push(target);
        continue;
      }
      const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.${++temporaryCounter}.tmp`);
      staged.push({ temporary, target });
      // `wx`: never follow or clobber something already at the temporary name.
      fs.writeFileSync(temporary, file.text, { flag: 'wx' });
    }
    for (const { temporary, target } of staged) {
      fs.renameSync(temporary, target);
      result.written.push(target);
    }
  } catch (error) {
    for (const { temporary } of staged) fs.rmSync(temporary, { force: true });
    throw error;
  }
  return result;
}

/**
 * Creates the directories of `relative` one level at a time, checking each existing level's real
 * path before going into it: `mkdir -p` through a symlink would create directories outside the
 * output directory before any check after it could object.
 */
function makeDirectories(fs: WriterFs, root: string, realRoot: string, relative: string): string {
  let current = root;
  for (const segment of relative.split('/').slice(0, -1)) {
    current = path.join(current, segment);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (stat === undefined) {
      fs.mkdirSync(current, { recursive: true });
      continue;
    }
    if (stat.isSymbolicLink()) {
      const real = fs.realpathSync(current);
      if (!isInside(realRoot, real)) throw new OutputPathError(`${relative}: ${segment} leads outside the output directory (to ${real})`);
      if (!(fs.lstatSync(real, { throwIfNoEntry: false })?.isDirectory() ?? false)) throw new OutputPathError(`${relative}: ${segment} is not a directory`);
    } else if (!stat.isDirectory()) {
      throw new OutputPathError(`${relative}: ${segment} is not a directory`);
    }
  }
  return current;
}

/** The absolute target of a relative output path, refusing anything that could leave `root`. */
export function confine(root: string, relative: string): string {
  const refuse = (why: string) => new OutputPathError(`refusing to write ${JSON.stringify(relative)}: ${why}`);
  if (relative.length === 0) throw refuse('empty path');
  if (relative.includes('\0')) throw refuse('NUL in path');
  if (relative.includes('\\')) throw refuse('backslash in path');
  if (relative.startsWith('/') || /^[A-Za-z]:/.test(relative)) throw refuse('absolute path');
  const segments = relative.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) throw refuse('empty, `.` or `..` segment');
  const target = path.resolve(root, ...segments);
  if (!isInside(root, target) || target === root) throw refuse('outside the output directory');
  return target;
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** Two modules at one path — or at paths that differ only in case, one file on macOS and Windows. */
function refuseDuplicates(paths: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const p of paths) {
    const key = p.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) throw new OutputPathError(`two modules would be written to one file: ${other} and ${p}`);
    seen.set(key, p);
  }
}
