/**
 * The examples on the explanation pages are real `.team` code: each one parses, each failing
 * example is reported with its page's code, and each fixed example is not (and has no errors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnosticsDocsDirectory, explain, explainedCodes } from '../../compiler/diagnostics/explain.js';
import { createSourceFile } from '../../compiler/source.js';
import { parseSourceFile } from '../../compiler/syntax/parse.js';

interface ExampleFile {
  name: string;
  text: string;
}

interface PageExamples {
  code: string;
  failing: ExampleFile[];
  fixed: ExampleFile[];
}

/** The `team` fences of a page, before and after `## The fix`; ```` ```team a.team ```` names a file. */
function examplesOf(code: string): PageExamples {
  const page = explain(code)!;
  const fix = page.indexOf('## The fix');
  const fences = (text: string): ExampleFile[] =>
    [...text.matchAll(/```team(?: ([^\n]+))?\n([\s\S]*?)```/g)].map((m) => ({ name: m[1] ?? 'example.team', text: m[2]! }));
  return { code, failing: fences(page.slice(0, fix)), fixed: fences(page.slice(fix)) };
}

const pages = explainedCodes().map(examplesOf);

describe('every example on the explanation pages parses', () => {
  it.each(pages)('$code', ({ code, failing, fixed }) => {
    for (const [which, files] of [['failing', failing], ['fixed', fixed]] as const) {
      for (const file of files) {
        const syntax = parseSourceFile(createSourceFile(file.name, file.text)).diagnostics;
        const expectSyntaxError = code === 'T100' && which === 'failing';
        expect(syntax.length > 0, `${code} ${which} ${file.name}: ${syntax.map((d) => d.message).join('; ')}`).toBe(expectSyntaxError);
      }
    }
  });
});

// The checker (compiler/check) is written in parallel with these pages; these run once it exists.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const checkerReady = fs.existsSync(path.join(repoRoot, 'compiler', 'check', 'index.ts'));

describe.runIf(checkerReady)('the checker agrees with the explanation pages', () => {
  const check = async (code: string, files: ExampleFile[]) => {
    const { checkFiles } = await import('../../compiler/program.js');
    const directory = path.join(path.parse(repoRoot).root, 'docs-examples', code);
    const texts = new Map(files.map((file) => [path.join(directory, file.name), file.text]));
    return checkFiles([...texts.keys()], { readFile: (file) => texts.get(file) }).diagnostics;
  };

  it.each(pages)('$code: the failing example reports it, the fixed one does not', async ({ code, failing, fixed }) => {
    const before = await check(code, failing);
    expect(before.map((d) => d.code)).toContain(code);
    const after = await check(code, fixed);
    expect(after.filter((d) => d.code === code || d.severity === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  });
});

it('the docs folder is the one in this repository', () => {
  expect(diagnosticsDocsDirectory()).toBe(path.join(repoRoot, 'docs', 'diagnostics'));
});
