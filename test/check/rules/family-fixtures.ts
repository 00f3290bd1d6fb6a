/**
 * Helpers for the tests of the T5xx–T9xx families: check a fixture (or a text) through the whole
 * pipeline (`checkFiles`), keep one family's diagnostics, and read what a
 * diagnostic's page says teamc reports, so the pages, the fixtures and the rules cannot drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Diagnostic } from '../../../compiler/diagnostics/diagnostic.js';
import { checkFiles, type CheckedProgram } from '../../../compiler/program.js';
import { positionOf, root } from '../helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.join(here, 'fixtures');
export const examplesDir = path.resolve(here, '../../../examples');
const docsDir = path.resolve(here, '../../../docs/diagnostics');
const host = { readFile: (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined) };

export interface FamilyRun {
  checked: CheckedProgram;
  /** What the family found, as `line:column CODE message`. */
  found: string[];
  diagnostics: Diagnostic[];
}

/**
 * A family's diagnostics out of the whole pipeline (`checkFiles`: checker, every rule family,
 * suppressions, configured severities), in the pipeline's order.
 */
export function runFamily(checked: CheckedProgram, family: RegExp): FamilyRun {
  // The fixtures are well formed: a T1xx/T2xx error would mean the test checks nothing.
  expect(checked.diagnostics.filter((d) => /^T[12]/.test(d.code) && d.severity === 'error').map((d) => d.message)).toEqual([]);
  const diagnostics = checked.diagnostics.filter((d) => family.test(d.code));
  const found = diagnostics.map((d) => `${positionOf(checked, d.file, d.span.start)} ${d.code} ${d.message}`);
  return { checked, found, diagnostics };
}

export function runFixture(name: string, family: RegExp): FamilyRun {
  return runFamily(checkFiles([path.join(fixturesDir, name)], host, { rules: true }), family);
}

/** An example's diagnostics of the family, in its root file only (not the imported models). */
export function runExample(name: string, family: RegExp): FamilyRun {
  const checked = checkFiles([path.join(examplesDir, name)], host, { rules: true });
  const run = runFamily(checked, family);
  const root = checked.program.roots[0];
  const diagnostics = run.diagnostics.filter((d) => d.file === root);
  return { checked, diagnostics, found: diagnostics.map((d) => `${positionOf(checked, d.file, d.span.start)} ${d.code} ${d.message}`) };
}

/** One in-memory `.team` text through the whole pipeline, rules included. */
export function checkWithRules(text: string): CheckedProgram {
  const file = path.join(root, 'test.team');
  return checkFiles([file], { readFile: (f) => (f === file ? text : undefined) }, { rules: true });
}

export function runText(text: string, family: RegExp): FamilyRun {
  return runFamily(checkWithRules(text), family);
}

/** The lines of the page's "teamc reports" block (`severity[CODE]: message`, then `note:`/`help:` lines). */
export function quotedReport(code: string): string[] {
  const page = fs.readFileSync(path.join(docsDir, `${code}.md`), 'utf8');
  const block = /teamc reports:\s*```text\n([\s\S]*?)```/.exec(page);
  if (!block) throw new Error(`${code}.md quotes no report`);
  return block[1]!.trimEnd().split('\n');
}

/** The page's two `team` examples: the failing one, then the fix. */
export function pageExamples(code: string): [string, string] {
  const page = fs.readFileSync(path.join(docsDir, `${code}.md`), 'utf8');
  const blocks = [...page.matchAll(/```team\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return [blocks[0]!, blocks[1]!];
}

/** A fixture's text without its first comment line (which names where it comes from). */
export function fixtureBody(name: string): string {
  return fs.readFileSync(path.join(fixturesDir, name), 'utf8').replace(/^\/\/.*\n/, '');
}

/**
 * The shared per-code checks: the rejecting fixture gives exactly `expected` in the family, the
 * near-identical accepting one nothing; both fixtures are the page's examples, and the page
 * quotes the message and every `note:`/`help:` line it shows exactly as the rule produces them.
 */
export function expectFixturePair(code: string, family: RegExp, expected: string[]): void {
  const rejected = runFixture(`${code}-reject.team`, family);
  expect(rejected.found).toEqual(expected);
  expect(runFixture(`${code}-accept.team`, family).found).toEqual([]);

  expect(pageExamples(code)).toEqual([fixtureBody(`${code}-reject.team`), fixtureBody(`${code}-accept.team`)]);
  const [head, ...rest] = quotedReport(code);
  const diagnostic = rejected.diagnostics.find((d) => d.code === code)!;
  expect(head).toBe(`${diagnostic.severity}[${code}]: ${diagnostic.message}`);
  for (const line of rest) {
    const [kind, text] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)];
    expect(kind === 'help' ? diagnostic.help : diagnostic.notes).toContain(text);
  }
}
