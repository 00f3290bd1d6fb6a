/** String decoding and the indentation rule of triple-quoted strings. */
import { describe, expect, it } from 'vitest';
import { decodeQuoted, decodeTripleQuoted, stripIndentation, type StringProblem } from '../../compiler/syntax/strings.js';
import { described, member, parse } from './helpers.js';

function decode(image: string): { value: string; problems: StringProblem[] } {
  const problems: StringProblem[] = [];
  return { value: decodeQuoted(image, 0, problems), problems };
}

describe('plain strings', () => {
  it.each([
    ['"gpt-4o"', 'gpt-4o'],
    ['""', ''],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"back\\\\slash"', 'back\\slash'],
    ['"a\\nb\\tc"', 'a\nb\tc'],
    ['"\\u{41}\\u{1F600}"', 'A😀'],
    ['"tail\\\\"', 'tail\\'],
    ['"ünïcödé"', 'ünïcödé'],
  ])('%s decodes to %j', (image, value) => {
    expect(decode(image)).toEqual({ value, problems: [] });
  });

  it('reports an unknown escape where it is and keeps it as written', () => {
    expect(decode('"a\\qb"')).toEqual({
      value: 'a\\qb',
      problems: [{ message: 'unknown escape `\\q` (escapes: \\" \\\\ \\n \\t \\u{…})', start: 2, end: 4 }],
    });
  });

  it('reports a malformed or out-of-range unicode escape', () => {
    expect(decode('"\\u41"').problems).toEqual([{ message: 'a unicode escape is `\\u{…}` with one to six hex digits', start: 1, end: 3 }]);
    expect(decode('"\\u{110000}"').problems).toEqual([{ message: '`\\u{110000}` is not a unicode scalar value', start: 1, end: 11 }]);
    expect(decode('"\\u{D800}"').problems).toHaveLength(1);
  });

  it('decodes what an unterminated string holds', () => {
    expect(decode('"abc')).toEqual({ value: 'abc', problems: [] });
    expect(decode('"abc\\"')).toEqual({ value: 'abc"', problems: [] });
    expect(decode('"abc\\')).toEqual({ value: 'abc\\', problems: [] });
  });

  it('reports a bad escape in a file at its line and column', () => {
    const parsed = parse('team T {\n  doc "bad \\x escape"\n}');
    expect(described(parsed)).toEqual(['2:12 unknown escape `\\x` (escapes: \\" \\\\ \\n \\t \\u{…})']);
  });
});

describe('triple-quoted strings', () => {
  it.each([
    ['drops a blank first line, a white-space last line and the common indentation', '"""\n    one\n      two\n    three\n  """', 'one\n  two\nthree'],
    ['keeps text on the first line and measures indentation from the others', '"""Give: {{x}}\n      and {{y}}\n    """', 'Give: {{x}}\nand {{y}}'],
    ['keeps blank lines inside, emptied', '"""\n  a\n      \n  b\n"""', 'a\n\nb'],
    ['keeps a last line with text', '"""\n  a\n  b"""', 'a\nb'],
    ['reads a one-line string', '"""just this"""', 'just this'],
    ['reads an empty string', '""""""', ''],
    ['reads a string of only a line break', '"""\n"""', ''],
    ['treats CRLF line breaks as \\n', '"""\r\n    a\r\n    b\r\n    """', 'a\nb'],
    ['keeps backslashes: prompts are raw handlebars', '"""\n  \\{{literal}} \\n\n"""', '\\{{literal}} \\n'],
    ['keeps quotes inside', '"""\n  say "hi" and ""this""\n"""', 'say "hi" and ""this""'],
    ['strips mixed tabs only where common', '"""\n\t  a\n\t b\n"""', ' a\nb'],
  ])('%s', (_, image, value) => {
    expect(decodeTripleQuoted(image)).toBe(value);
  });

  it('reads an unterminated string to the end of the file', () => {
    expect(decodeTripleQuoted('"""\n  a\n  b\n')).toBe('a\nb');
  });

  it('does not strip when no common indentation exists', () => {
    expect(stripIndentation('\n  a\nb\n')).toBe('  a\nb');
  });

  it('gives a prompt its decoded text and the span of the whole literal', () => {
    const text = 'prompt """\n      Hello {{name}}.\n    """';
    const prompt = member(text);
    expect(prompt).toMatchObject({ kind: 'Prompt', source: { kind: 'inline', text: { value: 'Hello {{name}}.', triple: true } } });
  });
});
