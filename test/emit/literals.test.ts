/**
 * Literals and comments: whatever text goes in, the TypeScript that comes out means exactly that
 * text, stays one construct, and is valid UTF-8 (no lone surrogate survives unescaped).
 */
import fc from 'fast-check';
import * as vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { blockCommentLines, lineCommentText, tsNumber, tsString, tsTemplateLiteral } from '../../compiler/emit/literals.js';

const evaluate = (code: string): unknown => vm.runInNewContext(code);

/** Strings heavy in the characters that break literals and comments. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom("'", '"', '`', '$', '{', '}', '\\', '*', '/', '\n', '\r', '\t', '\u2028', '\u2029', '\u0000', '\u001b', '\u007f', '\u0085', '\ufeff', '\ud800', '\udfff', '😀', '0', '1', 'a'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
const anyText = fc.oneof(nasty, fc.string({ unit: 'binary' }));

const rawLineTerminators = /[\r\u2028\u2029]/;

describe('tsString', () => {
  it.each([
    ["it's", "'it\\'s'"],
    ['a\nb', "'a\\nb'"],
    ['`${x}`', "'`${x}`'"],
    ['*/', "'*/'"],
    ['\u2028', "'\\u2028'"],
    ['\ud800', "'\\uD800'"],
    ['\u0000' + '1', "'\\x001'"],
    ['😀', "'😀'"],
  ])('%j → %s', (text, literal) => {
    expect(tsString(text)).toBe(literal);
  });

  it('evaluates back to the same string, on one line, as well-formed Unicode', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const literal = tsString(text);
        expect(evaluate(literal)).toBe(text);
        expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(literal.isWellFormed()).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('tsTemplateLiteral', () => {
  it('keeps line breaks readable and escapes what would end or interpolate', () => {
    expect(tsTemplateLiteral('a\nb `c` ${d} $e \\f')).toBe('`a\nb \\`c\\` \\${d} $e \\\\f`');
    expect(tsTemplateLiteral('\r\n')).toBe('`\\r\n`');
    expect(tsTemplateLiteral('\u0000' + '7')).toBe('`\\x007`');
  });

  it('evaluates back to the same string (CR included), as well-formed Unicode', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const literal = tsTemplateLiteral(text);
        expect(evaluate(literal)).toBe(text);
        expect(literal).not.toMatch(rawLineTerminators);
        expect(literal.isWellFormed()).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('comments', () => {
  it('a doc comment never ends early and keeps the text readable', () => {
    expect(blockCommentLines('a */ b\nsecond line  ')).toEqual(['a *\\/ b', 'second line']);
    fc.assert(
      fc.property(anyText, (text) => {
        const lines = blockCommentLines(text);
        const code = `/**\n${lines.map((line) => ` * ${line}`).join('\n')}\n */ 42`;
        expect(evaluate(code)).toBe(42);
        expect(code.isWellFormed()).toBe(true);
        expect(code).not.toMatch(rawLineTerminators);
      }),
      { numRuns: 300 },
    );
  });

  it('a line comment stays on its line', () => {
    expect(lineCommentText('a\nb\u2028c')).toBe('a\\nb\\u2028c');
    fc.assert(
      fc.property(anyText, (text) => {
        const code = `// ${lineCommentText(text)}\n42`;
        expect(evaluate(code)).toBe(42);
        expect(code.isWellFormed()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('tsNumber', () => {
  it('round-trips finite numbers and refuses the others', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(evaluate(tsNumber(value))).toBe(value === 0 ? 0 : value);
      }),
      { numRuns: 300 },
    );
    expect(() => tsNumber(Number.NaN)).toThrow();
    expect(() => tsNumber(Number.POSITIVE_INFINITY)).toThrow();
    expect(tsNumber(-0)).toBe('0');
  });
});
