/**
 * Property tests of the formatter over the examples and random mutations of them (and of the
 * formatter's cases) that still
 * parse: members deleted, every token re-laid with random white space, comments added between
 * random tokens. For each: formatting is idempotent, the syntax tree without spans is
 * unchanged, and every comment survives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { tokenMatcher } from 'chevrotain';
import { lex } from '../../grammar/lexer.js';
import { Comma, Value } from '../../grammar/tokens.js';
import { formatSource } from '../../compiler/format/index.js';
import { withoutSpans } from '../../compiler/format/meaning.js';
import { createSourceFile } from '../../compiler/source.js';
import type { Member, RecordField, SourceFileNode, Span, TypeExpression } from '../../compiler/syntax/ast.js';
import { parseSourceFile, type ParseResult } from '../../compiler/syntax/parse.js';
import { seededRandom, type Random } from '../../runtime/random.js';

const examplesDir = path.resolve(import.meta.dirname, '..', '..', 'examples');
const casesDir = path.join(import.meta.dirname, 'cases');

function teamFiles(dir: string): Array<{ name: string; text: string }> {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.team') && !name.endsWith('.expected.team'))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') }));
}

const examples = teamFiles(examplesDir);
/** The examples, and the formatter's own cases: comments, tools, records and odd layouts. */
const seeds = [...examples, ...teamFiles(casesDir)];

function parse(text: string): ParseResult {
  return parseSourceFile(createSourceFile('mutant.team', text));
}

function format(text: string): string {
  const result = formatSource(text, 'mutant.team');
  if (typeof result !== 'string') throw new Error(`syntax errors: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result;
}

function commentTexts(parsed: ParseResult): string[] {
  // The formatter trims the white space at the end of a line comment, and changes nothing else.
  return parsed.comments.map((comment) => comment.text.trimEnd()).sort();
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Every span that may be deleted and leave a file that parses: members, record fields, imports. */
function deletableSpans(ast: SourceFileNode): Span[] {
  const spans: Span[] = ast.imports.map((i) => i.span);
  const visitType = (type: TypeExpression) => {
    if (type.kind === 'RecordType') type.fields.forEach(visitField);
    else if (type.kind === 'ArrayType') visitType(type.element);
    else if (type.kind === 'OptionalType') visitType(type.inner);
    else if (type.kind === 'UnionType') type.members.forEach(visitType);
  };
  const visitField = (field: RecordField) => {
    spans.push(field.span);
    visitType(field.type);
  };
  const visitMember = (member: Member, deletable: boolean) => {
    if (deletable) spans.push(member.span);
    if ('members' in member) member.members.forEach((inner) => visitMember(inner, true));
    if ('type' in member && member.type !== undefined) visitType(member.type);
  };
  ast.declarations.forEach((declaration) => visitMember(declaration, true));
  return spans;
}

function deleteSpans(text: string, spans: Span[]): string {
  let out = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue; // inside one already deleted
    out += text.slice(at, span.start);
    at = span.end;
  }
  return out + text.slice(at);
}

const separators = [' ', ' ', ' ', '  ', '\t', '\n', '\n', '\n  ', '\n\n', '\n\n\n    ', ' \n '];
/** Without blank lines, which the formatter keeps (and which keep a short block multi-line). */
const separatorsWithoutBlankLines = separators.filter((s) => !/\n\s*\n/.test(s));

/**
 * The file's tokens and comments, in order, with fresh white space and some new comments.
 * Line breaks matter in one place: a value or a comma continues a property only on the line of
 * the token before it (see `continuesLine` in grammar/parser.ts). Before those, whether there
 * is a line break is kept as it was; everywhere else it is random.
 */
function relayout(text: string, random: Random, commentRate: number, choices: readonly string[] = separators): string {
  const lexed = lex(text);
  const pieces = [
    ...lexed.tokens.map((token, index) => {
      const previous = lexed.tokens[index - 1];
      const lineSensitive = tokenMatcher(token, Value) || tokenMatcher(token, Comma);
      const breakBefore = previous !== undefined && token.startLine !== previous.endLine;
      return { at: token.startOffset, text: token.image, line: false, keep: lineSensitive ? breakBefore : undefined };
    }),
    ...lexed.comments.map((c) => ({ at: c.startOffset, text: c.image, line: c.image.startsWith('//'), keep: undefined })),
  ].sort((a, b) => a.at - b.at);
  let out = '';
  let needsBreak = false;
  let counter = 0;
  const separator = (keep: boolean | undefined) => {
    const options = keep === undefined ? choices : choices.filter((s) => s.includes('\n') === keep);
    const chosen = random.pick(options);
    const result = needsBreak && !chosen.includes('\n') ? `${chosen}\n` : chosen;
    needsBreak = false;
    return result;
  };
  for (const piece of pieces) {
    // Before a token that must stay on the line, only a block comment, on that line.
    if (random.chance(commentRate) && out !== '') {
      const lineComment = piece.keep !== false && random.chance(0.5);
      out += separator(piece.keep === false ? false : undefined) + (lineComment ? `// added ${counter++}` : `/* added ${counter++} */`);
      needsBreak = lineComment;
      if (piece.keep === false) {
        out += ' ' + piece.text;
        needsBreak = piece.line;
        continue;
      }
    }
    out += (out === '' ? '' : separator(piece.keep)) + piece.text;
    needsBreak = piece.line;
  }
  return out + (needsBreak ? '\n' : '');
}

interface Mutant {
  example: string;
  text: string;
}

const mutant: fc.Arbitrary<Mutant> = fc
  .record({
    example: fc.constantFrom(...seeds),
    deletions: fc.array(fc.nat(), { maxLength: 4 }),
    seed: fc.integer(),
    relayout: fc.boolean(),
    commentRate: fc.constantFrom(0, 0.02, 0.1, 0.3),
  })
  .map(({ example, deletions, seed, relayout: relay, commentRate }) => {
    const spans = deletableSpans(parse(example.text).ast);
    let text = deleteSpans(
      example.text,
      deletions.map((n) => spans[n % spans.length]!),
    );
    if (relay) text = relayout(text, seededRandom(seed), commentRate);
    return { example: example.name, text };
  });

// ---------------------------------------------------------------------------------------------

describe('on the examples', () => {
  test.each(examples.map((e) => [e.name, e.text]))('%s: idempotent, same meaning, same comments', (_name, text) => {
    const once = format(text);
    expect(format(once)).toBe(once);
    expect(withoutSpans(parse(once).ast)).toEqual(withoutSpans(parse(text).ast));
    expect(commentTexts(parse(once))).toEqual(commentTexts(parse(text)));
  });
});

describe('on random mutations of the examples', () => {
  test('the mutations are real: they parse, and most change the text', () => {
    const samples = fc.sample(mutant, { numRuns: 60, seed: 7 });
    expect(samples.every((m) => parse(m.text).diagnostics.length === 0)).toBe(true);
    const changed = samples.filter((m) => m.text !== seeds.find((e) => e.name === m.example)!.text);
    expect(changed.length).toBeGreaterThan(40);
  });

  test('fmt(fmt(x)) = fmt(x), the syntax tree without spans is unchanged, and every comment is kept', () => {
    fc.assert(
      fc.property(mutant, ({ text }) => {
        const parsed = parse(text);
        fc.pre(parsed.diagnostics.length === 0);
        const once = format(text);
        expect(format(once)).toBe(once);
        const reparsed = parse(once);
        expect(reparsed.diagnostics).toEqual([]);
        expect(withoutSpans(reparsed.ast)).toEqual(withoutSpans(parsed.ast));
        expect(commentTexts(reparsed)).toEqual(commentTexts(parsed));
      }),
      { numRuns: 250, seed: 424242 },
    );
  });

  test('the layout of the input does not matter: re-laid copies of a file format the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.integer(), fc.integer(), (example, seedA, seedB) => {
        fc.pre(seedA !== seedB);
        // Without comments or blank lines, only white space differs between the two copies.
        const withoutComments = example.text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
        const a = relayout(withoutComments, seededRandom(seedA), 0, separatorsWithoutBlankLines);
        const b = relayout(withoutComments, seededRandom(seedB), 0, separatorsWithoutBlankLines);
        expect(format(a)).toBe(format(b));
      }),
      { numRuns: 60, seed: 99 },
    );
  });
});
