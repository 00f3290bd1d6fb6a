/**
 * Property tests: whatever the input, parsing never throws, every diagnostic and every AST span
 * lies inside the file (and inside its parent), and the shared parser keeps no state between
 * files. Seeds are fixed so a failure reproduces.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Member, TeamDeclaration } from '../../compiler/syntax/ast.js';
import { lex } from '../../grammar/lexer.js';
import { reservedWords } from '../../grammar/tokens.js';
import { parse, spanNestingProblems, type Parsed } from './helpers.js';

const examples = ['code-review', 'math-library', 'models', 'research', 'writer-critic'].map((name) =>
  readFileSync(new URL(`../../examples/${name}.team`, import.meta.url), 'utf8'),
);

/** What must hold for any input. Returns the problems, so a failing case says what broke. */
function invariantProblems(text: string): string[] {
  let parsed: Parsed;
  try {
    parsed = parse(text);
  } catch (error) {
    return [`threw: ${String(error)}`];
  }
  const problems: string[] = [];
  const inside = (span: { start: number; end: number }) => 0 <= span.start && span.start <= span.end && span.end <= text.length;
  let previousStart = 0;
  for (const diagnostic of parsed.diagnostics) {
    if (diagnostic.message.startsWith('internal error')) problems.push(diagnostic.message);
    if (!inside(diagnostic.span)) problems.push(`diagnostic outside the file: ${JSON.stringify(diagnostic.span)} ${diagnostic.message}`);
    for (const label of diagnostic.related) if (!inside(label.span)) problems.push(`related label outside the file: ${label.message}`);
    if (diagnostic.span.start < previousStart) problems.push('diagnostics out of order');
    if (diagnostic.message.length === 0) problems.push('empty message');
    previousStart = diagnostic.span.start;
  }
  for (const comment of parsed.comments) if (!inside(comment.span)) problems.push('comment outside the file');
  problems.push(...spanNestingProblems(parsed.ast, text.length));
  return problems;
}

const vocabulary = [
  ...reservedWords,
  '{', '}', '(', ')', '[', ']', ':', ',', '.', '?', '|', '=', '->', '..',
  'reviewer', 'x', 'causal', 'majority', 'Finding', 'string', 'all',
  '3', '0.2', '500ms', '30s', '1m', '1M', '20k', '$0.50', '95%', '3.', '2x', '1min', '9999999999999999999999',
  '"gpt-4o"', '"esc \\n \\q \\u{1F600} \\u{110000}"', '"""\n  a prompt\n  """', '"unterminated', '"""never closed',
  '// comment', '/* block */', '/* open', ';', '@', '$', '-', 'é', '\u0000', '\\',
];
const separators = [' ', '  ', '\n', '\n  ', '\t', '', '\r\n'];

const tokenSequence = fc
  .array(fc.tuple(fc.constantFrom(...vocabulary), fc.constantFrom(...separators)), { maxLength: 60 })
  .map((pairs) => pairs.map(([token, separator]) => token + separator).join(''));

/** Pieces of real programs, so random sequences reach deep into blocks. */
const fragments = [
  'team T {', 'agent a {', 'model fast {', 'store s: Finding[] {', 'channel c: Finding {', 'tool t(a: int) -> string {',
  'consensus d over a {', 'work w by a {', 'task k {', 'type F {', 'type U = "a" | "b"', '}', '}', '}',
  'timeout 30s', 'retry 3 backoff exponential 500ms..8s jitter', 'takes diff, all findings requires causal, r?',
  'reads notes requires causal', 'writes notes, "a.py"', 'emits f unless ok', 'output v: T from d', 'output T[]',
  'input d: string', 'budget 200k tokens $5', 'price input $1 output $2 per 1M', 'breaker 5 failures in 1m cooldown 30s',
  'hedge after 10s', 'fallback b, c', 'validate with v', 'max rounds 3', 'optional', 'faults 1 crash',
  'agree on a.b normalize x', 'assign lead p', 'after a, b', 'key c.file', 'prompt """\n  hi {{x}}\n  """',
  'prompt file "p.hbs"', 'doc "d"', 'colour red', 'file: string', 'a?: int[]', 'import "m.team"', 'model fast',
];
const fragmentSequence = fc
  .array(fc.tuple(fc.constantFrom(...fragments), fc.constantFrom(...vocabulary), fc.boolean()), { maxLength: 40 })
  .map((items) => items.map(([fragment, noise, noisy]) => (noisy ? `${fragment} ${noise}` : fragment)).join('\n'));

type Mutation = { kind: 'delete' | 'duplicate' | 'swap' | 'insert'; at: number; other: number; token: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'swap', 'insert'),
  at: fc.nat(),
  other: fc.nat(),
  token: fc.constantFrom(...vocabulary),
});

/** Applies token-level mutations to a file, using the lexer's token offsets. */
function mutate(text: string, mutations: Mutation[]): string {
  let current = text;
  for (const m of mutations) {
    const tokens = lex(current).tokens;
    if (tokens.length === 0) break;
    const a = tokens[m.at % tokens.length]!;
    const b = tokens[m.other % tokens.length]!;
    const range = (t: typeof a) => [t.startOffset, t.endOffset! + 1] as const;
    const [aStart, aEnd] = range(a);
    switch (m.kind) {
      case 'delete':
        current = current.slice(0, aStart) + current.slice(aEnd);
        break;
      case 'duplicate':
        current = current.slice(0, aEnd) + ' ' + current.slice(aStart, aEnd) + current.slice(aEnd);
        break;
      case 'insert':
        current = current.slice(0, aStart) + m.token + ' ' + current.slice(aStart);
        break;
      case 'swap': {
        const [first, second] = aStart <= b.startOffset ? [a, b] : [b, a];
        const [fStart, fEnd] = range(first);
        const [sStart, sEnd] = range(second);
        if (fEnd > sStart) break;
        current = current.slice(0, fStart) + current.slice(sStart, sEnd) + current.slice(fEnd, sStart) + current.slice(fStart, fEnd) + current.slice(sEnd);
        break;
      }
    }
  }
  return current;
}

describe('parsing any input', () => {
  it('never throws on random token sequences, and keeps every span inside the file', () => {
    fc.assert(
      fc.property(tokenSequence, (text) => {
        expect(invariantProblems(text)).toEqual([]);
      }),
      { numRuns: 600, seed: 1 },
    );
  });

  it('never throws on random sequences of program fragments', () => {
    fc.assert(
      fc.property(fragmentSequence, (text) => {
        expect(invariantProblems(text)).toEqual([]);
      }),
      { numRuns: 600, seed: 2 },
    );
  });

  it('never throws on the examples with tokens deleted, duplicated, swapped or inserted', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        expect(invariantProblems(mutate(examples[index]!, mutations))).toEqual([]);
      }),
      { numRuns: 600, seed: 3 },
    );
  });

  it('never throws on the examples cut short anywhere', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.nat(), (index, cut) => {
        const example = examples[index]!;
        expect(invariantProblems(example.slice(0, cut % (example.length + 1)))).toEqual([]);
      }),
      { numRuns: 300, seed: 4 },
    );
  });

  it('never throws on deep nesting', () => {
    const openers = fc.constantFrom('{', '(', '[', 'team T {', 'agent a {', 'type X = (', '{ a: ', 'x: {', '}', ')');
    fc.assert(
      fc.property(fc.array(openers, { minLength: 40, maxLength: 200 }), (pieces) => {
        expect(invariantProblems(pieces.join(' '))).toEqual([]);
      }),
      { numRuns: 100, seed: 9 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(invariantProblems(text)).toEqual([]);
      }),
      { numRuns: 400, seed: 5 },
    );
  });

  it('gives the same result for a file whatever was parsed before it', () => {
    const reference = parse(examples[0]!);
    fc.assert(
      fc.property(fragmentSequence, (noise) => {
        parse(noise);
        const again = parse(examples[0]!);
        expect(again.ast).toEqual(reference.ast);
        expect(again.diagnostics).toEqual(reference.diagnostics);
      }),
      { numRuns: 100, seed: 6 },
    );
  });
});

describe('parsing valid input', () => {
  /** Valid members and the AST kind each gives. */
  const validMembers: Array<[source: string, kind: Member['kind']]> = [
    ['timeout 30s', 'Value'], ['quorum all', 'Value'], ['doc "d"', 'Doc'], ['input d: string', 'Input'],
    ['output v: T from d', 'Output'], ['output T[]?', 'Output'], ['budget 2M tokens $3', 'Budget'],
    ['price input $1 output $2 per 1M', 'Price'], ['model fast', 'ModelReference'], ['takes a, all b?', 'Takes'],
    ['reads s requires causal', 'Reads'], ['writes s, "f.py"', 'Writes'], ['emits c when ok', 'Emits'], ['calls t', 'Calls'],
    ['prompt """\n  x\n  """', 'Prompt'], ['prompt file "p.hbs"', 'Prompt'], ['retry 2 backoff constant 1s', 'Retry'],
    ['breaker 5 failures in 1m cooldown 30s', 'Breaker'], ['hedge after 1s', 'Hedge'], ['fallback b', 'Fallback'],
    ['validate with v', 'Validate'], ['max rounds 2', 'MaxRounds'], ['pure', 'Flag'], ['faults 1 crash', 'Faults'],
    ['agree on x.y', 'Agree'], ['assign claim', 'Assign'], ['after a, b', 'After'], ['key c.file', 'Key'],
    ['colour red', 'UnknownProperty'], ['agent a { timeout 1s }', 'Agent'], ['model m { provider sim }', 'Model'],
    ['type F { file: string }', 'Type'], ['store s: F[] { merge append }', 'Store'], ['channel c: F', 'Channel'],
    ['tool t(a: int) -> string { effect }', 'Tool'], ['consensus d over a { quorum 2 }', 'Consensus'],
    ['work w by a { task k { after j } }', 'Work'], ['task k', 'Task'],
  ];

  it('reads any sequence of valid members, one per line, in order, with no diagnostics', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...validMembers), { maxLength: 25 }), fc.constantFrom('\n', '\n\n  // note\n', ' /* c */\n'), (members, separator) => {
        const parsed = parse(`team T {\n${members.map(([source]) => source).join(separator)}\n}`);
        expect(parsed.diagnostics).toEqual([]);
        const team = parsed.ast.declarations[0] as TeamDeclaration;
        expect(team.members.map((m) => m.kind)).toEqual(members.map(([, kind]) => kind));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('reads valid members written on one line, when none starts with a bare name', () => {
    // On one line, `budget $3 colour red` is a budget of three values: a bare name continues the
    // property before it. Members that start with a keyword never do.
    const keywordLed = validMembers.filter(([, kind]) => kind !== 'UnknownProperty');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...keywordLed), { maxLength: 25 }), (members) => {
        const parsed = parse(`team T { ${members.map(([source]) => source).join('  ')} }`);
        expect(parsed.diagnostics).toEqual([]);
        const team = parsed.ast.declarations[0] as TeamDeclaration;
        expect(team.members.map((m) => m.kind)).toEqual(members.map(([, kind]) => kind));
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});
