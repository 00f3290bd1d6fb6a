/**
 * Test harness for generated code: a scratch directory per test file, the real `tsc` over
 * everything in it at once, and the runtime's declarations for `teamc/runtime`.
 *
 * Where generated code finds `teamc/runtime`:
 * - for `tsc`, a `paths` mapping to declarations emitted from `runtime/` (fresh from the sources,
 *   once per test file). Declarations rather than the sources, so the generated code can be
 *   checked with stricter options than the runtime itself is written for (exactOptionalPropertyTypes,
 *   noUnusedLocals …), as a user's project might have them;
 * - at run time, `vi.mock('teamc/runtime', () => import('../../runtime/index.js'))` in the test
 *   file, so vitest loads the runtime's sources (never a stale `dist/`).
 *
 * Scratch directories are `test/emit/out/.<name>`: ignored by git (`test/**\/out/`) and, being
 * dot-directories, outside the project's own `tsconfig.json` globs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '../..');
const tscBin = path.join(projectRoot, 'node_modules/.bin/tsc');

/** A fresh, empty scratch directory for one test file. */
export function scratchDirectory(name: string): string {
  const dir = path.join(here, 'out', `.${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeFiles(dir: string, files: ReadonlyArray<{ path: string; text: string }>): void {
  for (const file of files) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.text);
  }
}

function runTsc(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(tscBin, args, { cwd: projectRoot, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Emits `runtime/`'s declarations into `dir/runtime-types`. */
export function emitRuntimeDeclarations(dir: string): void {
  const out = path.join(dir, 'runtime-types');
  const result = runTsc([
    '--ignoreConfig',
    '--declaration',
    '--emitDeclarationOnly',
    '--outDir', out,
    '--rootDir', path.join(projectRoot, 'runtime'),
    '--target', 'es2023',
    '--lib', 'es2024',
    '--module', 'nodenext',
    '--moduleResolution', 'nodenext',
    '--types', 'node',
    '--strict',
    '--skipLibCheck',
    path.join(projectRoot, 'runtime/index.ts'),
  ]);
  if (!result.ok) throw new Error(`runtime declarations failed:\n${result.output}`);
}

/** The strictest options a user's project might reasonably use. */
const strictOptions = {
  target: 'es2023',
  lib: ['es2024'],
  module: 'nodenext',
  moduleResolution: 'nodenext',
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  noFallthroughCasesInSwitch: true,
  forceConsistentCasingInFileNames: true,
};

/**
 * Runs the real `tsc --strict --noEmit` once over every `.ts` file in `dir` (the runtime's
 * declarations must be there: `emitRuntimeDeclarations`). Output paths are relative to `dir`.
 */
export function typeCheck(dir: string): { ok: boolean; output: string } {
  const config = {
    compilerOptions: { ...strictOptions, paths: { 'teamc/runtime': ['./runtime-types/index.d.ts'] } },
    include: ['**/*.ts'],
    exclude: ['runtime-types'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(config, null, 2)}\n`);
  const result = runTsc(['-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false']);
  const prefix = `${path.relative(projectRoot, dir)}${path.sep}`;
  return { ok: result.ok, output: result.output.split(prefix).join('') };
}
