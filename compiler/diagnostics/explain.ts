/**
 * Explanation pages: `docs/diagnostics/<code>.md`, shipped in the package (`files` lists `docs`).
 *
 * The docs folder is found from this module's own location, not the working directory, so
 * `teamc explain` works from the source tree (tsx, tests) and from `dist/` in an installed
 * package alike: the package root is the nearest ancestor whose package.json is named `teamc`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageName = 'teamc';
/** Codes are `T` and three digits; anything else never reaches the file system. */
const codePattern = /^T\d{3}$/;

let cachedDocsDirectory: string | undefined;

/** The absolute path of `docs/diagnostics` in the teamc package this module belongs to. */
export function diagnosticsDocsDirectory(): string {
  cachedDocsDirectory ??= path.join(findPackageRoot(path.dirname(fileURLToPath(import.meta.url))), 'docs', 'diagnostics');
  return cachedDocsDirectory;
}

/** The absolute path of a code's page (whether or not it exists), or undefined for a malformed code. */
export function explanationPath(code: string): string | undefined {
  return codePattern.test(code) ? path.join(diagnosticsDocsDirectory(), `${code}.md`) : undefined;
}

/** The page of a diagnostic code, as Markdown, or undefined when there is none. */
export function explain(code: string): string | undefined {
  const page = explanationPath(code);
  if (page === undefined) return undefined;
  try {
    return fs.readFileSync(page, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}

/** The codes that have a page, sorted. */
export function explainedCodes(): string[] {
  return fs
    .readdirSync(diagnosticsDocsDirectory())
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.slice(0, -'.md'.length))
    .filter((name) => codePattern.test(name))
    .sort();
}

export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && readPackageName(manifest) === packageName) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json named "${packageName}" above ${start}`);
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    // A malformed manifest of some other package on the way up is not ours; keep climbing.
    return undefined;
  }
}

function isMissingFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
