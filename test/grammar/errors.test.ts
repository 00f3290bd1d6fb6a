/**
 * Syntax errors: each mistake gives one T100 with a message a user can act on, at the right
 * line and column, and parsing goes on past it.
 */
import { describe, expect, it } from 'vitest';
import type { AgentDeclaration, TeamDeclaration } from '../../compiler/syntax/ast.js';
import { maximumNesting } from '../../grammar/parser.js';
import { described, parse, textOf } from '../syntax/helpers.js';

/** [source, the diagnostics as `line:column message`] */
const rows: Array<[source: string, expected: string[]]> = [
  // names
  ['team T {\n  agent model { }\n}', ['2:9 expected a name after `agent`, found keyword `model`']],
  ['team T {\n  agent { model fast }\n}', ['2:9 expected a name after `agent`, found `{`']],
  ['team {\n  agent a { }\n}', ['1:6 expected a name after `team`, found `{`']],
  ['team T {\n  consensus c over { }\n}', ['2:20 expected an agent name after `over`, found `{`']],
  ['team T {\n  work w by { }\n}', ['2:13 expected an agent name after `by`, found `{`']],
  ['team T {\n  agent a { takes all }\n}', ['2:23 expected an input or channel name after `all`, found `}`']],
  ['team T {\n  agent a { output v: T from }\n}', ['2:30 expected a name after `from`, found `}`']],
  ['team T {\n  agent a { emits x when }\n}', ['2:26 expected a field name after `when`, found `}`']],

  // blocks
  ['team T {\n  agent a {\n    model fast\n  }\n', ['5:1 expected `}` to close the `team` block, found the end of the file']],
  ['team T {\n  agent a {\n    timeout 30s, retry 3\n  }\n}', ['3:16 expected `}` to close the `agent` block, found `,`']],
  ['team T {\n  agent a {\n    timeout 30s ) ) retry 3\n  }\n}', ['3:17 expected `}` to close the `agent` block, found `)`']],
  ['team T {\n  "string"\n}', ['2:3 expected `}` to close the `team` block, found the string `"string"`']],
  ['team T {\n  agent a timeout 30s }\n}', ['2:11 expected `{` to open the `agent` block after `a`, found `timeout`']],
  ['model fast\nteam T { }', ['2:1 expected `{` to open the `model` block after `fast`, found `team`']],
  ['team T {\n  agent a { import "x" }\n}', ['2:13 unexpected `import` inside the `agent` block']],

  // the top level
  ['timeout 30s\nteam T { }', ['1:1 unexpected property `timeout` at the top level of the file']],
  ['team T { }\n}', ['2:1 unexpected `}`: there is no open block to close']],
  ['team T { }\n42', ['2:1 expected `import` or a declaration, found `42`']],

  // values and keywords inside properties
  ['team T {\n  agent a { timeout }\n}', ['2:21 expected a value after `timeout`, found `}`']],
  ['team T {\n  agent a { retry 3 backoff }\n}', ['2:29 expected a value after `backoff`, found `}`']],
  ['team T {\n  agent a { breaker 5 in 1m cooldown 30s }\n}', ['2:23 expected `failures` after `5`, found `in`']],
  ['team T {\n  agent a { agree decision }\n}', ['2:19 expected `on` after `agree`, found `decision`']],
  ['team T {\n  agent a { validate checker }\n}', ['2:22 expected `with` after `validate`, found `checker`']],
  ['team T {\n  agent a { max 3 }\n}', ['2:17 expected `rounds` after `max`, found `3`']],
  ['team T {\n  agent a { doc 3 }\n}', ['2:17 expected a string after `doc`, found `3`']],
  ['team T {\n  agent a { prompt }\n}', ['2:20 expected a string or `file "…"` after `prompt`, found `}`']],
  ['team T {\n  agent a { writes }\n}', ['2:20 expected a store name or a quoted file name after `writes`, found `}`']],
  ['team T {\n  agent a { price input $1 $2 }\n}', ['2:28 expected `output` after `$1`, found `$2`']],

  // types
  ['team T {\n  input diff string\n}', ['2:14 expected `:` after `diff`, found `string`']],
  ['team T {\n  type Verdict =\n}', ['3:1 expected a type after `=`, found `}`']],
  ['team T {\n  type Verdict\n}', ['3:1 expected `=` and a type, or a record `{ … }`, after `Verdict`, found `}`']],
  ['team T {\n  output : T\n}', ['2:10 expected a type after `output`, found `:`']],
  ['team T {\n  channel c: { a: int b }\n}', ['2:25 expected `:` after `b`, found `}`']],
  ['team T {\n  tool t(a: int -> string\n}', ['2:17 expected `)` to close the parameter list, found `->`']],
  ['team T {\n  type X = (A | B\n}', ['3:1 expected `)` to close the parenthesised type, found `}`']],
  ['team T {\n  type X = A[\n}', ['3:1 expected `]` after `[`, found `}`']],
  ['type Record { a: int, , b: int }', ['1:23 expected `}` to close the record type, found `,`']],

  // lexical errors: one each, and no second error from the parser
  ['team T {\n  agent a { timeout 30s; }\n}', ['2:24 unexpected character `;`']],
  ['team T {\n  agent a { prompt """\n  hi\n', ['2:20 unterminated triple-quoted string: no closing `"""` before the end of the file']],
  ['team T { /* open\n', ['1:10 unterminated block comment: no closing `*/` before the end of the file']],
  ['team T { doc "open\n}', ['1:14 unterminated string: a string must end with `"` on the line it starts']],
  ['team T { timeout 2x }', ['1:18 `2x` is not a number: unknown unit `x`']],
  ['team T { temperature 3. }', ['1:22 `3.` is not a number: a decimal point must be followed by digits']],
  ['team T { doc "\\q" }', ['1:15 unknown escape `\\q` (escapes: \\" \\\\ \\n \\t \\u{…})']],
  [`team T { replicas ${'9'.repeat(400)} }`, [`1:19 \`${'9'.repeat(24)}…\` is too large a number`]],
];

describe('syntax errors', () => {
  it.each(rows)('%j', (source, expected) => {
    const parsed = parse(source);
    expect(described(parsed)).toEqual(expected);
    for (const diagnostic of parsed.diagnostics) {
      expect(diagnostic.code).toBe('T100');
      expect(diagnostic.severity).toBe('error');
      expect(diagnostic.file).toBe('test.team');
    }
  });

  it('spans the offending token', () => {
    const source = 'team T {\n  agent model { }\n}';
    const parsed = parse(source);
    expect(textOf(source, parsed.diagnostics[0]!.span)).toBe('model');
  });

  it('says a reserved word is reserved, and how to fix it', () => {
    const parsed = parse('team T {\n  agent model { }\n}');
    expect(parsed.diagnostics[0]!.help).toEqual(['`model` is a reserved word and cannot be a name; rename it, for example `my_model`']);
  });

  it('points a missing `}` at the end of the file, and at the block it would close', () => {
    const source = 'team T {\n  agent a {\n    model fast\n  }\n';
    const parsed = parse(source);
    const [diagnostic] = parsed.diagnostics;
    expect(diagnostic!.span).toEqual({ start: source.length, end: source.length });
    expect(diagnostic!.related).toEqual([{ file: 'test.team', span: { start: 7, end: 8 }, message: 'the `team` block opens here' }]);
  });

  it('explains a comma between properties', () => {
    const parsed = parse('team T { timeout 30s, retry 3 }');
    expect(parsed.diagnostics[0]!.help).toEqual(['properties are separated by spaces or line breaks, not commas']);
  });
});

describe('error recovery', () => {
  it('reports five independent mistakes as five errors, and keeps what surrounds them', () => {
    const source = [
      'team Review {', //                                     1
      '  input diff string', //                               2  missing `:`
      '  agent reviewer {', //                                3
      '    timeout', //                                       4  missing value
      '    retry 3 backoff exponential 500ms..8s jitter', //  5
      '    model fast', //                                    6
      '  }', //                                               7
      '  agent {', //                                         8  missing name
      '    model smart', //                                   9
      '  }', //                                               10
      '  channel findings: { file: string, line: } { ordering fifo }', // 11  missing type
      '  agent judge { takes findings, }', //                 12 trailing comma
      '  agent last { replicas 2 }', //                       13
      '}', //                                                 14
    ].join('\n');
    const parsed = parse(source);
    expect(described(parsed)).toEqual([
      '2:14 expected `:` after `diff`, found `string`',
      '5:5 expected a value after `timeout`, found `retry`',
      '8:9 expected a name after `agent`, found `{`',
      '11:43 expected a type after `:`, found `}`',
      '12:33 expected an input or channel name after `,`, found `}`',
    ]);

    const team = parsed.ast.declarations[0] as TeamDeclaration;
    expect(team.members.map((m) => [m.kind, 'name' in m && m.name !== undefined ? m.name.name : undefined])).toEqual([
      ['Input', 'diff'],
      ['Agent', 'reviewer'],
      ['Channel', 'findings'],
      ['Agent', 'judge'],
      ['Agent', 'last'],
    ]);
    const reviewer = team.members[1] as AgentDeclaration;
    expect(reviewer.members.map((m) => m.kind)).toEqual(['Retry', 'ModelReference']);
    expect(team.members[2]).toMatchObject({ kind: 'Channel', type: { kind: 'RecordType', fields: [{ name: { name: 'file' } }] }, members: [{ kind: 'Value' }] });
    expect(team.members[3]).toMatchObject({ kind: 'Agent', members: [{ kind: 'Takes', items: [{ source: { name: 'findings' } }] }] });
  });

  it('goes on after a bad token in a block, at the next property', () => {
    const parsed = parse('team T { agent a { timeout 30s ) ) ( retry 3 } agent b { } }');
    expect(parsed.diagnostics).toHaveLength(1);
    const team = parsed.ast.declarations[0] as TeamDeclaration;
    expect(team.members.map((m) => m.kind)).toEqual(['Agent', 'Agent']);
    expect((team.members[0] as AgentDeclaration).members.map((m) => m.kind)).toEqual(['Value', 'Retry']);
  });

  it('deletes a word written twice rather than reading it as something else', () => {
    const parsed = parse('team T {\n  agent reviewer reviewer { timeout 3s }\n}');
    expect(described(parsed)).toEqual(['2:18 expected `{` to open the `agent` block after `reviewer`, found `reviewer`']);
    const team = parsed.ast.declarations[0] as TeamDeclaration;
    expect(team.members).toMatchObject([{ kind: 'Agent', name: { name: 'reviewer' }, members: [{ kind: 'Value' }] }]);
  });

  it('deletes a stray word before expected punctuation', () => {
    const parsed = parse('type F { file: string  string line: int  ok: bool }');
    expect(described(parsed)).toEqual(['1:31 expected `:` after `string`, found `line`']);
    expect(parsed.ast.declarations[0]).toMatchObject({
      type: { fields: [{ name: { name: 'file' } }, { name: { name: 'string' } }, { name: { name: 'ok' } }] },
    });
  });

  it('inserts a missing value rather than taking the next property’s keyword', () => {
    const parsed = parse('team T {\n  timeout\n  retry 3 backoff exponential 1s..2s\n}');
    expect(described(parsed)).toEqual(['3:3 expected a value after `timeout`, found `retry`']);
    expect((parsed.ast.declarations[0] as TeamDeclaration).members).toMatchObject([{ kind: 'Retry', backoff: { strategy: { name: 'exponential' } } }]);
  });

  it('reads a misspelt declaration keyword with its block as one unknown property, for the checker', () => {
    const parsed = parse('team T {\n  agnet reviewer { timeout 3s }\n  agent judge { }\n}');
    expect(parsed.diagnostics).toEqual([]);
    const team = parsed.ast.declarations[0] as TeamDeclaration;
    expect(team.members).toMatchObject([
      { kind: 'UnknownProperty', name: { name: 'agnet' }, values: [{ name: 'reviewer' }], span: { start: 11, end: 40 } },
      { kind: 'Agent', name: { name: 'judge' } },
    ]);
  });

  it('names the unknown word in an error inside its block', () => {
    expect(described(parse('team T {\n  agnet reviewer { timeout 3s ) }\n}'))).toEqual(['2:31 expected `}` to close the `agnet` block, found `)`']);
  });

  it('says a record type without `type` needs it', () => {
    const parsed = parse('team T {\n  Finding { file: string  line: int }\n  agent a { }\n}');
    expect(described(parsed)).toEqual(['2:3 `Finding { … }` is not a declaration: a record type needs `type`']);
    expect(parsed.diagnostics[0]!.help).toEqual(['declare it as `type Finding { … }`']);
    expect((parsed.ast.declarations[0] as TeamDeclaration).members.map((m) => m.kind)).toEqual(['UnknownProperty', 'Agent']);
  });

  it('reads a list without its keyword as one unknown property', () => {
    const parsed = parse('work w by dev {\n  task sqrt { div, mul  weight 2 }\n}');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.ast.declarations[0]).toMatchObject({
      members: [{ kind: 'Task', members: [{ kind: 'UnknownProperty', name: { name: 'div' }, values: [{ name: 'mul' }] }, { kind: 'Value', key: 'weight' }] }],
    });
  });

  it('reports an `import` inside a block once and goes on', () => {
    const parsed = parse('team T {\n  import "models.team"\n  agent a { }\n}');
    expect(described(parsed)).toEqual(['2:3 unexpected `import` inside the `team` block']);
    expect(parsed.ast.imports).toEqual([]);
    expect((parsed.ast.declarations[0] as TeamDeclaration).members.map((m) => m.kind)).toEqual(['Agent']);
  });

  it('suggests `type` for an alias written without it', () => {
    const parsed = parse('team T {\n  Level = "low" | "high"\n}');
    expect(parsed.diagnostics[0]!.help).toEqual(['a type is declared as `type Level = …`']);
  });

  it('stops at nesting deeper than the limit with one error, instead of overflowing the stack', () => {
    const tooDeep = 'team T {\n'.repeat(maximumNesting + 1);
    expect(described(parse(tooDeep))).toEqual([`${maximumNesting + 1}:8 nested too deeply: more than 64 levels of \`{\`, \`(\` and \`[\``]);
    for (const depth of [1_000, 50_000]) {
      expect(parse('type X = '.concat('('.repeat(depth))).diagnostics.map((d) => d.message)).toEqual([
        'nested too deeply: more than 64 levels of `{`, `(` and `[`',
      ]);
    }
  });

  it('reads nesting up to the limit', () => {
    const deepest = 'team T {\n'.repeat(maximumNesting) + '}\n'.repeat(maximumNesting);
    expect(parse(deepest).diagnostics).toEqual([]);
    const deepType = `type X = ${'('.repeat(maximumNesting)}A${')'.repeat(maximumNesting)}`;
    expect(parse(deepType).diagnostics).toEqual([]);
  });

  it('recovers from mistakes in many blocks of one file', () => {
    const blocks = Array.from({ length: 20 }, (_, i) => `agent a${i} { timeout ${i % 2 === 0 ? '' : '30s'} retry ${i % 3 === 0 ? '' : '2'} }`);
    const parsed = parse(`team T {\n${blocks.join('\n')}\n}`);
    const expectedErrors = blocks.filter((_, i) => i % 2 === 0).length + blocks.filter((_, i) => i % 3 === 0).length;
    expect(parsed.diagnostics).toHaveLength(expectedErrors);
    expect((parsed.ast.declarations[0] as TeamDeclaration).members).toHaveLength(20);
  });
});
