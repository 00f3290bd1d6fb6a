/**
 * The accepted programs the build is tested on: the examples, and the fixed example of every
 * diagnostics page (each a small complete team the checker accepts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explain, explainedCodes } from '../../compiler/diagnostics/explain.js';
import { checkFiles, type CheckedProgram } from '../../compiler/program.js';
import { projectRoot } from './helpers.js';

export interface CorpusProgram {
  /** Where its modules go, under the scratch directory. */
  name: string;
  /** Headers name sources relative to this directory. */
  cwd: string;
  checked: CheckedProgram;
}

export const examplesDirectory = path.join(projectRoot, 'examples');

export function exampleFiles(): string[] {
  return fs
    .readdirSync(examplesDirectory)
    .filter((name) => name.endsWith('.team'))
    .sort()
    .map((name) => path.join(examplesDirectory, name));
}

const diskHost = {
  readFile: (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

export function checkOnDisk(files: readonly string[]): CheckedProgram {
  return checkFiles(files, diskHost);
}

/** The fixed examples of the diagnostics pages, as virtual files under `/docs-examples/<code>/`. */
export function docsPrograms(): CorpusProgram[] {
  const programs: CorpusProgram[] = [];
  for (const code of explainedCodes()) {
    const page = explain(code)!;
    const fixed = page.slice(page.indexOf('## The fix'));
    const files = [...fixed.matchAll(/```team(?: ([^\n]+))?\n([\s\S]*?)```/g)].map((m) => ({ name: m[1] ?? 'example.team', text: m[2]! }));
    if (files.length === 0) continue;
    const directory = path.join(path.parse(projectRoot).root, 'docs-examples', code);
    const texts = new Map(files.map((file) => [path.join(directory, file.name), file.text]));
    programs.push({ name: `docs/${code}`, cwd: directory, checked: checkFiles([...texts.keys()], { readFile: (file) => texts.get(file) }) });
  }
  return programs;
}

export const errorsOf = (checked: CheckedProgram) => checked.diagnostics.filter((d) => d.severity === 'error');
