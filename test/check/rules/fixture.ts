/**
 * Rule-test helpers: check a fixture of `fixtures/` through the real pipeline (program.ts) and
 * list what the rule families under test report, as `line:column CODE message`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFiles, type CheckedProgram } from '../../../compiler/program.js';
import { described, root } from '../helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/**
 * Checks in-memory files (name → text, under `/virtual`) with the design rules on, whatever the
 * checker's own helpers default to; the first file is the root unless `roots` says otherwise.
 */
export function checkTexts(files: Record<string, string>, roots?: string[]): CheckedProgram {
  const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(root, name), text]));
  const rootFiles = (roots ?? [Object.keys(files)[0]!]).map((name) => path.join(root, name));
  return checkFiles(rootFiles, { readFile: (file) => texts.get(file) }, { rules: true });
}

/** Checks one `.team` text with the design rules on. */
export function check(text: string): CheckedProgram {
  return checkTexts({ 'test.team': text });
}

/** The families these tests own; the others (T5xx–T7xx, T9xx) have their own tests. */
export const ownCode = (code: string): boolean => /^T(3|4|8)\d\d$|^T10[56]$/.test(code);

export function checkFixture(name: string): CheckedProgram {
  return checkTexts({ [`${name}.team`]: fs.readFileSync(path.join(fixtures, `${name}.team`), 'utf8') });
}

/** What the families under test report for a fixture, in source order. */
export function ownDiagnostics(name: string): string[] {
  const checked = checkFixture(name);
  return described(checked, checked.diagnostics.filter((d) => ownCode(d.code)));
}

/** Errors from any other family: a fixture must be well formed apart from what it demonstrates. */
export function otherErrors(name: string): string[] {
  const checked = checkFixture(name);
  return described(checked, checked.diagnostics.filter((d) => !ownCode(d.code) && d.severity === 'error'));
}
