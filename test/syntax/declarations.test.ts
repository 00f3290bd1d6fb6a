/** Every declaration and type form of docs/language.md: source → AST fragment. */
import { describe, expect, it } from 'vitest';
import type { TeamDeclaration } from '../../compiler/syntax/ast.js';
import { member, parse, parseClean } from './helpers.js';

const id = (name: string) => ({ kind: 'Identifier', name });
const ref = (name: string) => ({ kind: 'TypeReference', name: id(name) });
const lit = (value: string) => ({ kind: 'LiteralType', value: { kind: 'String', value } });
const field = (name: string, type: object, optional = false) => ({ kind: 'RecordField', name: id(name), optional, type });

describe('top level', () => {
  it('reads imports and declarations in order', () => {
    const ast = parseClean('import "models.team"\nimport "types.team"\nmodel m { }\ntype T = string\ntool t()\nteam A { }');
    expect(ast.imports).toMatchObject([{ kind: 'Import', path: { value: 'models.team' } }, { kind: 'Import', path: { value: 'types.team' } }]);
    expect(ast.declarations.map((d) => d.kind)).toEqual(['Model', 'Type', 'Tool', 'Team']);
  });

  it('reads an empty file', () => {
    expect(parseClean('')).toEqual({ kind: 'File', imports: [], declarations: [], span: { start: 0, end: 0 } });
    expect(parseClean('  // only a comment\n')).toMatchObject({ declarations: [], span: { start: 0, end: 20 } });
  });

  it('parses every declaration kind at the top level (placement is the checker’s question)', () => {
    const ast = parseClean(
      'team A { }\nmodel B { }\ntype C = string\nstore D: int\nchannel E: int\nagent F { }\ntool G()\nconsensus H over F { }\nwork I by F { }\ntask J',
    );
    expect(ast.declarations.map((d) => [d.kind, d.name.name])).toEqual([
      ['Team', 'A'], ['Model', 'B'], ['Type', 'C'], ['Store', 'D'], ['Channel', 'E'],
      ['Agent', 'F'], ['Tool', 'G'], ['Consensus', 'H'], ['Work', 'I'], ['Task', 'J'],
    ]);
  });
});

describe('declarations', () => {
  const rows: Array<[source: string, expected: object]> = [
    ['team Inner { doc "d" }', { kind: 'Team', name: id('Inner'), members: [{ kind: 'Doc' }] }],
    [
      'model fast { provider openai  temperature 0.2 }',
      { kind: 'Model', name: id('fast'), members: [{ kind: 'Value', key: 'provider' }, { kind: 'Value', key: 'temperature' }] },
    ],
    ['type Severity = "info" | "warning"', { kind: 'Type', name: id('Severity'), type: { kind: 'UnionType', members: [lit('info'), lit('warning')] } }],
    ['type Alias = Finding', { kind: 'Type', name: id('Alias'), type: ref('Finding') }],
    [
      'type Finding { file: string  line: int }',
      { kind: 'Type', name: id('Finding'), type: { kind: 'RecordType', fields: [field('file', ref('string')), field('line', ref('int'))] } },
    ],
    ['type Empty { }', { kind: 'Type', name: id('Empty'), type: { kind: 'RecordType', fields: [] } }],
    ['store notes: Finding[]', { kind: 'Store', name: id('notes'), type: { kind: 'ArrayType', element: ref('Finding') }, members: [] }],
    [
      'store notes: Finding[] { consistency causal  merge append }',
      { kind: 'Store', name: id('notes'), members: [{ kind: 'Value', key: 'consistency' }, { kind: 'Value', key: 'merge' }] },
    ],
    ['channel findings: Finding', { kind: 'Channel', name: id('findings'), type: ref('Finding'), members: [] }],
    [
      'channel drafts: Draft { ordering fifo  delivery exactly_once  max rounds 4 }',
      { kind: 'Channel', name: id('drafts'), members: [{ kind: 'Value' }, { kind: 'Value' }, { kind: 'MaxRounds' }] },
    ],
    ['channel inline: { a: int }', { kind: 'Channel', type: { kind: 'RecordType', fields: [field('a', ref('int'))] } }],
    ['agent reviewer { replicas 3 }', { kind: 'Agent', name: id('reviewer'), members: [{ kind: 'Value', key: 'replicas' }] }],
    ['agent empty { }', { kind: 'Agent', name: id('empty'), members: [] }],
    ['tool now()', { kind: 'Tool', name: id('now'), parameters: [], members: [] }],
    ['tool now() -> string', { kind: 'Tool', name: id('now'), parameters: [], returns: ref('string') }],
    [
      'tool post_comment(comment: Comment, dry?: bool) -> string { effect  key comment.file }',
      {
        kind: 'Tool',
        name: id('post_comment'),
        parameters: [field('comment', ref('Comment')), field('dry', ref('bool'), true)],
        returns: ref('string'),
        members: [{ kind: 'Flag', flag: 'effect' }, { kind: 'Key' }],
      },
    ],
    ['tool lookup(key: string) { pure }', { kind: 'Tool', parameters: [field('key', ref('string'))], members: [{ kind: 'Flag', flag: 'pure' }] }],
    [
      'consensus decide over judge { quorum majority }',
      { kind: 'Consensus', name: id('decide'), over: id('judge'), members: [{ kind: 'Value', key: 'quorum' }] },
    ],
    [
      'work library by dev { assign claim  task core { writes "core.py" }  task add { after core } task docs }',
      {
        kind: 'Work',
        name: id('library'),
        by: id('dev'),
        members: [
          { kind: 'Assign' },
          { kind: 'Task', name: id('core'), members: [{ kind: 'Writes' }] },
          { kind: 'Task', name: id('add'), members: [{ kind: 'After' }] },
          { kind: 'Task', name: id('docs'), members: [] },
        ],
      },
    ],
    ['task core { doc "Parsing"  weight 2 }', { kind: 'Task', name: id('core'), members: [{ kind: 'Doc' }, { kind: 'Value', key: 'weight' }] }],
    ['task bare', { kind: 'Task', name: id('bare'), members: [] }],
  ];

  it.each(rows)('%s', (source, expected) => {
    expect(member(source)).toMatchObject(expected);
  });

  it('tells `model fast` (a reference) from `model fast { … }` (a declaration)', () => {
    const ast = parseClean('team T {\n  model fast { provider openai }\n  agent a { model fast }\n}');
    const team = ast.declarations[0] as TeamDeclaration;
    expect(team.members[0]).toMatchObject({ kind: 'Model', name: id('fast') });
    expect(team.members[1]).toMatchObject({ kind: 'Agent', members: [{ kind: 'ModelReference', model: id('fast') }] });
  });

  it('tells `output name: T from x` from `output T`', () => {
    expect(member('output v: T from x')).toMatchObject({ kind: 'Output', name: id('v'), type: ref('T'), from: id('x') });
    expect(member('output T')).toMatchObject({ kind: 'Output', type: ref('T') });
    expect(member('output T')).not.toHaveProperty('name');
  });
});

describe('types', () => {
  const rows: Array<[source: string, expected: object]> = [
    ['string', ref('string')],
    ['"approve"', lit('approve')],
    ['Finding[]', { kind: 'ArrayType', element: ref('Finding') }],
    ['Finding?', { kind: 'OptionalType', inner: ref('Finding') }],
    ['Finding[]?', { kind: 'OptionalType', inner: { kind: 'ArrayType', element: ref('Finding') } }],
    ['Finding?[]', { kind: 'ArrayType', element: { kind: 'OptionalType', inner: ref('Finding') } }],
    ['string[][]', { kind: 'ArrayType', element: { kind: 'ArrayType', element: ref('string') } }],
    ['"a" | "b" | "c"', { kind: 'UnionType', members: [lit('a'), lit('b'), lit('c')] }],
    ['(A | B)[]', { kind: 'ArrayType', element: { kind: 'UnionType', members: [ref('A'), ref('B')] } }],
    ['A | B[]', { kind: 'UnionType', members: [ref('A'), { kind: 'ArrayType', element: ref('B') }] }],
    ['((A))', ref('A')],
    ['{ a: int, b?: string, }', { kind: 'RecordType', fields: [field('a', ref('int')), field('b', ref('string'), true)] }],
    ['{ inner: { x: int }[] }', { kind: 'RecordType', fields: [field('inner', { kind: 'ArrayType', element: { kind: 'RecordType' } })] }],
    // Record field names may be reserved words.
    [
      '{ file: string  type: string  model?: int  all: bool }',
      { kind: 'RecordType', fields: [field('file', ref('string')), field('type', ref('string')), field('model', ref('int'), true), field('all', ref('bool'))] },
    ],
  ];

  it.each(rows)('type T = %s', (source, expected) => {
    expect(member(`type T = ${source}`)).toMatchObject({ kind: 'Type', type: expected });
  });
});

describe('keywords and identifiers', () => {
  it('takes a word that starts with a keyword as an identifier', () => {
    expect(member('agent teamwork { }')).toMatchObject({ name: id('teamwork') });
    expect(member('agent inputs { }')).toMatchObject({ name: id('inputs') });
    expect(member('agent max_tokens_used { }')).toMatchObject({ name: id('max_tokens_used') });
    expect(member('agent _team { }')).toMatchObject({ name: id('_team') });
  });

  it('rejects a reserved word as a name, but keeps the declaration', () => {
    const parsed = parse('team T {\n  agent team { replicas 2 }\n}');
    expect(parsed.diagnostics.map((d) => d.message)).toEqual(['expected a name after `agent`, found keyword `team`']);
    const team = parsed.ast.declarations[0] as TeamDeclaration;
    expect(team.members).toMatchObject([{ kind: 'Agent', name: id('team'), members: [{ kind: 'Value', key: 'replicas' }] }]);
  });

  it('accepts keywords as record field names and in field paths', () => {
    expect(parse('type T { file: string  input: int }').diagnostics).toEqual([]);
    expect(member('key comment.file')).toMatchObject({ fields: [{ segments: [id('comment'), id('file')] }] });
    expect(member('agree on name')).toMatchObject({ fields: [{ segments: [id('name')] }] });
  });
});
