/**
 * The formatter on input / expected-output pairs (`cases/<name>.team` → `<name>.expected.team`),
 * and on the edges of its rules: the width limit, line endings, files it must refuse.
 * Regenerate the expected files after an intended change with `UPDATE_FORMAT_CASES=1`, then
 * review the diff.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatSource, lineWidth } from '../../compiler/format/index.js';
import { withoutSpans } from '../../compiler/format/meaning.js';
import { createSourceFile } from '../../compiler/source.js';
import { parseSourceFile } from '../../compiler/syntax/parse.js';

const casesDir = path.join(import.meta.dirname, 'cases');
const cases = fs
  .readdirSync(casesDir)
  .filter((name) => name.endsWith('.team') && !name.endsWith('.expected.team'))
  .sort();

function format(text: string): string {
  const result = formatSource(text, 'test.team');
  if (typeof result !== 'string') throw new Error(`syntax errors: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result;
}

function meaning(text: string): unknown {
  const parsed = parseSourceFile(createSourceFile('test.team', text));
  expect(parsed.diagnostics).toEqual([]);
  return withoutSpans(parsed.ast);
}

describe('cases', () => {
  test('there are cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  test.each(cases)('%s', (name) => {
    const input = fs.readFileSync(path.join(casesDir, name), 'utf8');
    const expectedPath = path.join(casesDir, name.replace(/\.team$/, '.expected.team'));
    const output = format(input);
    if (process.env.UPDATE_FORMAT_CASES) fs.writeFileSync(expectedPath, output);
    expect(output).toBe(fs.readFileSync(expectedPath, 'utf8'));
    // The expected output is a fixed point, and means what the input meant.
    expect(format(output)).toBe(output);
    expect(meaning(output)).toEqual(meaning(input));
  });
});

describe('rules', () => {
  /** A channel whose one-line form is exactly `width` columns long at the top level. */
  function channelOfWidth(width: number): string {
    const head = 'channel c: string { ordering fifo  delivery exactly_once  capacity ';
    const digits = '9'.repeat(width - head.length - ' }'.length);
    return `${head}${digits} }\n`;
  }

  test(`a block that fits in ${lineWidth} columns stays on one line; one column more breaks it`, () => {
    const fits = channelOfWidth(lineWidth);
    expect(fits.length).toBe(lineWidth + 1);
    expect(format(fits)).toBe(fits);
    const tooLong = channelOfWidth(lineWidth + 1);
    const capacity = /capacity (\d+)/.exec(tooLong)![1]!;
    expect(format(tooLong)).toBe(`channel c: string {\n  ordering fifo\n  delivery exactly_once\n  capacity ${capacity}\n}\n`);
  });

  test('a trailing comment does not count against the width', () => {
    const text = `${channelOfWidth(lineWidth).trimEnd()} // a comment past the limit\n`;
    expect(format(text)).toBe(text);
  });

  test('the indentation counts against the width', () => {
    const inner = channelOfWidth(lineWidth - 2).trimEnd();
    expect(format(`team T {\n${inner}\n}\n`)).toBe(`team T {\n  ${inner}\n}\n`);
    const tooLong = channelOfWidth(lineWidth - 1).trimEnd();
    expect(format(`team T {\n${tooLong}\n}\n`)).toContain('channel c: string {\n    ordering fifo\n');
  });

  test('CRLF line endings stay CRLF; prompts keep theirs', () => {
    const text = 'team T {\r\n  agent a   {\r\n    prompt """\r\n      hi\r\n    """\r\n  }\r\n}\r\n';
    expect(format(text)).toBe('team T {\r\n  agent a {\r\n    prompt """\r\n      hi\r\n    """\r\n  }\r\n}\r\n');
  });

  test('a byte-order mark is kept', () => {
    expect(format('\ufeffmodel m   { provider sim }')).toBe('\ufeffmodel m {\n  provider sim\n}\n');
  });

  test('a file of comments only, and an empty file', () => {
    expect(format('\n\n// just a note   \n\n\n/* and another */\n\n')).toBe('// just a note\n\n/* and another */\n');
    expect(format('')).toBe('');
    expect(format('  \n\n')).toBe('');
  });

  test('exactly one line break at the end of the file', () => {
    expect(format('model m { provider sim }')).toBe('model m {\n  provider sim\n}\n');
    expect(format('model m { provider sim }\n\n\n\n')).toBe('model m {\n  provider sim\n}\n');
  });

  test('a union inside `[]`, `?` or another union keeps its parentheses; redundant ones go', () => {
    expect(format('type T = (A | B)[]')).toBe('type T = (A | B)[]\n');
    expect(format('type T = ((A))')).toBe('type T = A\n');
    expect(format('type T = (A | B) | C')).toBe('type T = (A | B) | C\n');
    expect(meaning(format('type T = (A | B) | C'))).toEqual(meaning('type T = (A | B) | C'));
    expect(meaning(format('type T = (A | B) | C'))).not.toEqual(meaning('type T = A | B | C'));
  });

  test('a block stays multi-line where one line would merge two properties', () => {
    // On one line, `colour` would be read as a second budget limit, a back-off delay, a lead.
    for (const first of ['budget $3', 'retry 3 backoff constant', 'assign lead', 'colour red']) {
      const text = `task t {\n  ${first}\n  colour red\n}\n`;
      expect(format(text)).toBe(text);
    }
    // These cannot take another value: the block goes on one line.
    for (const first of ['retry 3 backoff constant 1s', 'assign lead planner', 'weight 2']) {
      expect(format(`task t {\n  ${first}\n  colour red\n}\n`)).toBe(`task t { ${first}  colour red }\n`);
    }
  });

  test('a record declared with `=` is written without it', () => {
    expect(format('type T = { a: int, b: string }')).toBe('type T { a: int  b: string }\n');
  });

  test('a model declared in a block keeps its braces, even empty: without them it is a reference', () => {
    const text = 'team T {\n  model inner {}\n\n  agent a {\n    model inner\n  }\n}\n';
    expect(format(text)).toBe(text);
    expect(meaning(format(text))).toEqual(meaning(text));
  });
});

describe('refusal', () => {
  test('a file with syntax errors is not formatted: its errors come back', () => {
    const result = formatSource('team T {\n  agent a { timeout 30s\n', 'broken.team');
    expect(typeof result).toBe('object');
    const diagnostics = (result as { diagnostics: Array<{ code: string; file: string; message: string }> }).diagnostics;
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => d.code === 'T100' && d.file === 'broken.team')).toBe(true);
  });

  test('a bad escape or an unterminated prompt is a syntax error, so the file is left alone', () => {
    expect(typeof formatSource('model m { name "a\\q" }', 'x.team')).toBe('object');
    expect(typeof formatSource('team T { agent a { prompt """ never closed } }', 'x.team')).toBe('object');
  });
});
