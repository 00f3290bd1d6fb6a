/**
 * Whatever the text and wherever the cursor, every feature answers and none throws (a refused
 * rename excepted, which is an answer): an editor asks on every keystroke of half-typed text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RefusedError } from '../../compiler/server/service.js';
import { positionOf, serviceWith, uriOf } from './helpers.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
const files = Object.fromEntries(
  fs
    .readdirSync(examples)
    .filter((name) => name.endsWith('.team'))
    .map((name) => [name, fs.readFileSync(path.join(examples, name), 'utf8')]),
);
files['prompts/implement.hbs'] = fs.readFileSync(path.join(examples, 'prompts/implement.hbs'), 'utf8');

function everyFeatureAt(text: string, offset: number): void {
  const service = serviceWith({ ...files, 'edited.team': text }, ['edited.team']);
  const uri = uriOf('edited.team');
  const position = positionOf(text, offset);
  service.diagnostics(uri);
  service.hover(uri, position);
  service.definition(uri, position);
  service.references(uri, position, true);
  service.completion(uri, position);
  service.documentSymbols(uri);
  service.format(uri);
  service.codeActions(uri, { start: position, end: position });
  for (const rename of [() => service.prepareRename(uri, position), () => service.rename(uri, position, 'renamed')]) {
    try {
      rename();
    } catch (error) {
      if (!(error instanceof RefusedError)) throw error;
    }
  }
}

describe('no feature throws', () => {
  test.each(Object.keys(files).filter((name) => name.endsWith('.team')))('at any point of %s', (name) => {
    const text = files[name]!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), (offset) => {
        everyFeatureAt(text, offset);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  test('in a file cut anywhere, at any point', () => {
    const text = files['code-review.team']!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.integer({ min: 0, max: 200 }), fc.nat(), (start, length, at) => {
        const cut = text.slice(0, start) + text.slice(Math.min(text.length, start + length));
        everyFeatureAt(cut, at % (cut.length + 1));
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  test('a position past the end of a line or of the file', () => {
    const service = serviceWith({ ...files }, ['code-review.team']);
    const uri = uriOf('code-review.team');
    for (const position of [{ line: 0, character: 10_000 }, { line: 10_000, character: 0 }]) {
      expect(() => service.hover(uri, position)).not.toThrow();
      expect(() => service.completion(uri, position)).not.toThrow();
    }
  });
});
