/** The lexer: every literal kind, keywords against identifiers, comments, and lexical errors. */
import { describe, expect, it } from 'vitest';
import { lex } from '../../grammar/lexer.js';

/** `Type:image` for each token the parser sees. */
function tokens(text: string): string[] {
  return lex(text).tokens.map((token) => `${token.tokenType.name}:${token.image}`);
}

function problems(text: string): Array<[message: string, text: string]> {
  return lex(text).problems.map((problem) => [problem.message, text.slice(problem.start, problem.end)]);
}

describe('literals', () => {
  it.each([
    ['3', 'NumberLiteral'],
    ['0.2', 'NumberLiteral'],
    ['500ms', 'DurationLiteral'],
    ['30s', 'DurationLiteral'],
    ['1m', 'DurationLiteral'],
    ['2h', 'DurationLiteral'],
    ['1d', 'DurationLiteral'],
    ['1.5s', 'DurationLiteral'],
    ['20k', 'SizeLiteral'],
    ['20K', 'SizeLiteral'],
    ['1M', 'SizeLiteral'],
    ['1.5M', 'SizeLiteral'],
    ['2G', 'SizeLiteral'],
    ['$0.50', 'MoneyLiteral'],
    ['$10', 'MoneyLiteral'],
    ['95%', 'PercentLiteral'],
    ['12.5%', 'PercentLiteral'],
    ['"gpt-4o"', 'StringLiteral'],
    ['"with \\"escapes\\" \\\\ \\n \\t \\u{1F600}"', 'StringLiteral'],
    ['"""\n  a prompt\n"""', 'TripleStringLiteral'],
    ['"""one line"""', 'TripleStringLiteral'],
    ['reviewer', 'Identifier'],
    ['safe_add', 'Identifier'],
    ['_private9', 'Identifier'],
  ])('%j is one %s', (text, type) => {
    expect(tokens(text)).toEqual([`${type}:${text}`]);
    expect(lex(text).problems).toEqual([]);
  });

  it('tells minutes (`1m`) from a size (`1M`) and milliseconds (`1ms`)', () => {
    expect(tokens('1m 1M 1ms')).toEqual(['DurationLiteral:1m', 'SizeLiteral:1M', 'DurationLiteral:1ms']);
  });

  it('lexes a range as duration, `..`, duration', () => {
    expect(tokens('500ms..8s')).toEqual(['DurationLiteral:500ms', 'DotDot:..', 'DurationLiteral:8s']);
    expect(tokens('1..5')).toEqual(['NumberLiteral:1', 'DotDot:..', 'NumberLiteral:5']);
    expect(tokens('1.5..2.5')).toEqual(['NumberLiteral:1.5', 'DotDot:..', 'NumberLiteral:2.5']);
  });

  it('lexes money with cents and without', () => {
    expect(tokens('$0.50 $10 $2.5')).toEqual(['MoneyLiteral:$0.50', 'MoneyLiteral:$10', 'MoneyLiteral:$2.5']);
  });

  it('reports `3.` (a point with no digits) as one malformed number', () => {
    expect(tokens('3.')).toEqual(['MalformedNumber:3.']);
    expect(problems('3.')).toEqual([['`3.` is not a number: a decimal point must be followed by digits', '3.']]);
  });

  it('reports a number run into letters as one malformed number, not a number and a word', () => {
    expect(tokens('1min 2x 10kb')).toEqual(['MalformedNumber:1min', 'MalformedNumber:2x', 'MalformedNumber:10kb']);
    expect(problems('1min')).toEqual([['`1min` is not a number: unknown unit `min`', '1min']]);
  });

  it('splits a dotted number sequence into its parts', () => {
    expect(tokens('1.5.2')).toEqual(['NumberLiteral:1.5', 'Dot:.', 'NumberLiteral:2']);
  });

  it('reads punctuation', () => {
    expect(tokens('{ } ( ) [ ] : , . ? | = -> ..').map((t) => t.split(':')[0])).toEqual([
      'LCurly', 'RCurly', 'LParen', 'RParen', 'LBracket', 'RBracket', 'Colon', 'Comma', 'Dot', 'Question', 'Pipe', 'Equals', 'Arrow', 'DotDot',
    ]);
  });
});

describe('keywords and identifiers', () => {
  it('lexes reserved words as keywords', () => {
    expect(tokens('team agent max_tokens tie_break in input max')).toEqual([
      'Team:team', 'Agent:agent', 'MaxTokens:max_tokens', 'TieBreak:tie_break', 'In:in', 'Input:input', 'Max:max',
    ]);
  });

  it('lexes words that only start with a keyword as identifiers', () => {
    expect(tokens('teamwork inputs intake maxi docs rounds_left Team')).toEqual([
      'Identifier:teamwork', 'Identifier:inputs', 'Identifier:intake', 'Identifier:maxi', 'Identifier:docs', 'Identifier:rounds_left', 'Identifier:Team',
    ]);
  });

  it('lexes guarantee and policy words as identifiers', () => {
    expect(tokens('causal exactly_once majority crash lww')).toEqual([
      'Identifier:causal', 'Identifier:exactly_once', 'Identifier:majority', 'Identifier:crash', 'Identifier:lww',
    ]);
  });
});

describe('white space and comments', () => {
  it('skips white space and keeps comments apart, in order, with positions', () => {
    const text = 'team // line\n/* block\n spans */ T';
    const result = lex(text);
    expect(result.tokens.map((t) => t.image)).toEqual(['team', 'T']);
    expect(result.comments.map((c) => [c.image, c.startOffset, c.startLine])).toEqual([
      ['// line', 5, 1],
      ['/* block\n spans */', 13, 2],
    ]);
    expect(result.tokens[1]!.startLine).toBe(3);
  });

  it('tracks lines across CRLF, tabs and a byte-order mark', () => {
    const result = lex('\ufeffteam\r\n\tT');
    expect(result.tokens.map((t) => [t.image, t.startLine, t.startColumn])).toEqual([
      ['team', 1, 2],
      ['T', 2, 2],
    ]);
  });

  it('does not end a line comment inside a string or a string inside a comment', () => {
    expect(tokens('"http://x" // "not a string"')).toEqual(['StringLiteral:"http://x"']);
  });
});

describe('lexical errors', () => {
  it('reports an unexpected character once, with a hint, and goes on', () => {
    const result = lex('team T; agent');
    expect(result.tokens.map((t) => t.image)).toEqual(['team', 'T', 'agent']);
    expect(result.problems).toEqual([
      { message: 'unexpected character `;`', start: 6, end: 7, help: ['no semicolons are needed: line breaks are white space'] },
    ]);
  });

  it('reports a run of unexpected characters as one problem', () => {
    expect(problems('a @@# b')).toEqual([['unexpected characters `@@#`', '@@#']]);
    expect(problems('a @ b # c')).toHaveLength(2);
  });

  it('shows invisible characters by their code', () => {
    expect(problems('a \u0007 b')).toEqual([['unexpected character `\\u{7}`', '\u0007']]);
  });

  it('reports an unterminated string to the end of its line, and lexes the next line', () => {
    const result = lex('doc "never closed\ntimeout 3s');
    expect(result.tokens.map((t) => `${t.tokenType.name}:${t.image}`)).toEqual([
      'Doc:doc', 'UnterminatedStringLiteral:"never closed', 'Timeout:timeout', 'DurationLiteral:3s',
    ]);
    expect(result.problems).toEqual([
      {
        message: 'unterminated string: a string must end with `"` on the line it starts',
        start: 4,
        end: 17,
        help: ['close it with `"`; text over several lines goes in a triple-quoted string `"""…"""`'],
      },
    ]);
    expect(result.swallowedRestOfFile).toBe(false);
  });

  it('reports an unterminated triple-quoted string at its opening quotes', () => {
    const result = lex('prompt """\n  never closed\n');
    expect(result.tokens.map((t) => t.tokenType.name)).toEqual(['Prompt', 'UnterminatedTripleStringLiteral']);
    expect(result.problems).toMatchObject([{ message: 'unterminated triple-quoted string: no closing `"""` before the end of the file', start: 7, end: 10 }]);
    expect(result.swallowedRestOfFile).toBe(true);
  });

  it('reports an unterminated block comment at its opening', () => {
    const result = lex('team /* never closed\n team');
    expect(result.tokens.map((t) => t.image)).toEqual(['team']);
    expect(result.comments.map((c) => c.image)).toEqual(['/* never closed\n team']);
    expect(result.problems).toMatchObject([{ message: 'unterminated block comment: no closing `*/` before the end of the file', start: 5, end: 7 }]);
    expect(result.swallowedRestOfFile).toBe(true);
  });

  it('orders problems by position', () => {
    const result = lex('"open\n@ 2x');
    expect(result.problems.map((p) => p.start)).toEqual([0, 6, 8]);
  });
});
