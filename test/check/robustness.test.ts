/**
 * Whatever the input, checking never throws, and every diagnostic (and related label) lies inside
 * the file it names: examples cut, repeated and spliced at random (fixed seeds), so a failure
 * reproduces.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTexts } from './helpers.js';

const examples = ['code-review', 'math-library', 'research', 'writer-critic'].map((name) =>
  readFileSync(new URL(`../../examples/${name}.team`, import.meta.url), 'utf8'),
);
const models = readFileSync(new URL('../../examples/models.team', import.meta.url), 'utf8');
const prompt = readFileSync(new URL('../../examples/prompts/implement.hbs', import.meta.url), 'utf8');

function problemsOf(text: string): string[] {
  let checked;
  try {
    checked = checkTexts({ 'main.team': text, 'models.team': models, 'prompts/implement.hbs': prompt });
  } catch (error) {
    return [`threw: ${error instanceof Error ? error.stack : String(error)}`];
  }
  const problems: string[] = [];
  const lengthOf = (file: string) => checked.sources.get(file)?.text.length ?? checked.model.promptFiles.get(file)?.length;
  const inside = (file: string, span: { start: number; end: number }) => {
    const length = lengthOf(file);
    return length !== undefined && 0 <= span.start && span.start <= span.end && span.end <= length;
  };
  for (const d of checked.diagnostics) {
    if (d.message.length === 0) problems.push(`${d.code}: empty message`);
    if (!inside(d.file, d.span)) problems.push(`${d.code} outside ${d.file}: ${JSON.stringify(d.span)} ${d.message}`);
    for (const label of d.related) if (!inside(label.file, label.span)) problems.push(`${d.code} related label outside ${label.file}: ${label.message}`);
  }
  return problems;
}

/** An example with a few of its lines cut, repeated or swapped with another example's. */
const mutated = fc
  .tuple(
    fc.integer({ min: 0, max: examples.length - 1 }),
    fc.array(fc.tuple(fc.constantFrom('cut', 'repeat', 'splice', 'truncate'), fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }),
  )
  .map(([index, edits]) => {
    const lines = examples[index]!.split('\n');
    for (const [edit, at, other] of edits) {
      const i = at % lines.length;
      if (edit === 'cut') lines.splice(i, 1);
      else if (edit === 'repeat') lines.splice(i, 0, lines[i]!);
      else if (edit === 'splice') {
        const source = examples[other % examples.length]!.split('\n');
        lines.splice(i, 0, source[other % source.length]!);
      } else lines[i] = lines[i]!.slice(0, other % (lines[i]!.length + 1));
    }
    return lines.join('\n');
  });

describe('robustness', () => {
  it('never throws, and every span is inside its file', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        expect(problemsOf(text)).toEqual([]);
      }),
      { numRuns: 400, seed: 20_240_611 },
    );
  });

  it('survives arbitrary words where names and values go', () => {
    const word = fc.constantFrom('x', 'all', '"s"', '3', '3s', '$1', '20k', '95%', 'findings', 'judge', 'Finding', '{{', '}}', '?');
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), fc.integer({ min: 0, max: examples.length - 1 }), fc.nat(), (words, index, at) => {
        const lines = examples[index]!.split('\n');
        const i = at % lines.length;
        lines[i] = `${lines[i]} ${words.join(' ')}`;
        expect(problemsOf(lines.join('\n'))).toEqual([]);
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
