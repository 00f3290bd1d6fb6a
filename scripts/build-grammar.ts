/**
 * Writes the TextMate grammar built by `grammar/tmlanguage.ts` to
 * `editors/vscode/syntaxes/team.tmLanguage.json`. Run with `npm run build:grammar`;
 * `--check` exits 1 (writing nothing) when the file on disk is out of date, for CI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { textMateGrammarJson } from '../grammar/tmlanguage.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const grammarPath = path.join(repositoryRoot, 'editors', 'vscode', 'syntaxes', 'team.tmLanguage.json');

/** Writes the grammar if it changed; says whether it did. */
export function writeGrammar(): 'written' | 'up to date' {
  const expected = textMateGrammarJson();
  if (readIfPresent(grammarPath) === expected) return 'up to date';
  fs.mkdirSync(path.dirname(grammarPath), { recursive: true });
  // Write beside the target and rename, so an editor never reads half a grammar.
  const temporary = `${grammarPath}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, expected);
  fs.renameSync(temporary, grammarPath);
  return 'written';
}

function readIfPresent(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

function main(argv: string[]): number {
  const shown = path.relative(process.cwd(), grammarPath);
  if (argv.includes('--check')) {
    if (readIfPresent(grammarPath) === textMateGrammarJson()) return 0;
    process.stderr.write(`${shown} is out of date: run \`npm run build:grammar\`\n`);
    return 1;
  }
  process.stdout.write(`${shown}: ${writeGrammar()}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
