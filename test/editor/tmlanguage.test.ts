/**
 * The TextMate grammar, run through the engine VS Code uses (vscode-textmate + Oniguruma):
 * scopes on real lines, every example without gaps, agreement with the lexer on literals, and
 * the generated file on disk matching its generator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import oniguruma from 'vscode-oniguruma';
import { beforeAll, describe, expect, test } from 'vitest';
import { lex } from '../../grammar/lexer.js';
import { buildTextMateGrammar, textMateGrammarJson } from '../../grammar/tmlanguage.js';
import {
  DurationLiteral,
  guaranteeWords,
  MalformedNumber,
  MoneyLiteral,
  NumberLiteral,
  PercentLiteral,
  reservedWords,
  SizeLiteral,
} from '../../grammar/tokens.js';
import { createTokenizer, grammarRegexes, innermost, loadOniguruma, scopesOf, type ScopedToken, type Tokenizer } from './textmate.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const examplesDir = path.join(root, 'examples');
const casesDir = path.join(root, 'test', 'format', 'cases');
/** The examples, and the formatter's cases: every construct of the language, validly written. */
const exampleFiles = [
  ...fs.readdirSync(examplesDir).filter((name) => name.endsWith('.team')).sort().map((name) => path.join(examplesDir, name)),
  ...fs.readdirSync(casesDir).filter((name) => name.endsWith('.team')).sort().map((name) => path.join(casesDir, name)),
];

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await createTokenizer();
});

/** The tokens of a one-line snippet. */
function line(text: string): ScopedToken[] {
  return tokenizer.tokenize(text)[0]!;
}

/** The innermost scope of `word` in `text`. */
function scopeOf(text: string, word: string, occurrence = 1): string {
  return innermost(scopesOf(line(text), word, occurrence));
}

describe('the generated file', () => {
  test('editors/vscode/syntaxes/team.tmLanguage.json is exactly what grammar/tmlanguage.ts builds', () => {
    const onDisk = fs.readFileSync(path.join(root, 'editors', 'vscode', 'syntaxes', 'team.tmLanguage.json'), 'utf8');
    expect(onDisk, 'run `npm run build:grammar`').toBe(textMateGrammarJson());
  });

  test('the extension contributes that file as source.team for .team files', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'editors', 'vscode', 'package.json'), 'utf8'));
    expect(manifest.contributes.grammars).toEqual([{ language: 'team', scopeName: 'source.team', path: './syntaxes/team.tmLanguage.json' }]);
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'team', extensions: ['.team'] });
  });
});

describe('regular expressions', () => {
  test('every regex of the grammar compiles under Oniguruma', async () => {
    await loadOniguruma();
    // The check can fail: a broken pattern does throw.
    expect(() => new oniguruma.OnigScanner(['(unclosed'])).toThrow();
    const regexes = grammarRegexes(buildTextMateGrammar());
    expect(regexes.length).toBeGreaterThan(40);
    for (const { where, source } of regexes) {
      expect(() => new oniguruma.OnigScanner([source]).dispose(), `${where}: ${source}`).not.toThrow();
    }
  });
});

describe('whole files', () => {
  test.each(exampleFiles.map((file) => path.relative(root, file)))('%s: every non-blank character has a scope, and none is invalid', (name) => {
    const text = fs.readFileSync(path.join(root, name), 'utf8');
    const lines = tokenizer.tokenize(text);
    expect(lines.length).toBe(text.split('\n').length);
    for (const tokens of lines) {
      for (const token of tokens) {
        const at = `${name}:${token.line}:${token.column} ${JSON.stringify(token.text)}`;
        if (token.text.trim() !== '') expect(token.scopes.length, `${at} has only source.team`).toBeGreaterThan(1);
        expect(token.scopes.filter((scope) => scope.startsWith('invalid')), at).toEqual([]);
      }
    }
  });
});

describe('scopes', () => {
  test('declarations: keyword and name', () => {
    expect(scopeOf('team CodeReview {', 'team')).toBe('keyword.declaration.team.team');
    expect(scopeOf('team CodeReview {', 'CodeReview')).toBe('entity.name.type.team.team');
    expect(scopeOf('  agent reviewer {', 'reviewer')).toBe('entity.name.function.agent.team');
    expect(scopeOf('  channel findings: Finding { ordering causal }', 'findings')).toBe('entity.name.variable.channel.team');
    expect(scopeOf('  store notes: Finding[]', 'notes')).toBe('entity.name.variable.store.team');
    expect(scopeOf('  type Severity = "info"', 'Severity')).toBe('entity.name.type.team');
    expect(scopeOf('  consensus decide over judge {', 'decide')).toBe('entity.name.function.consensus.team');
    expect(scopeOf('  consensus decide over judge {', 'over')).toBe('keyword.other.team');
    expect(scopeOf('  work library by dev {', 'library')).toBe('entity.name.function.work.team');
    expect(scopeOf('    task safe_add { after add }', 'safe_add')).toBe('entity.name.function.task.team');
    expect(scopeOf('tool post_comment(comment: Comment) -> string { effect }', 'post_comment')).toBe('entity.name.function.tool.team');
  });

  test('`model fast {` declares a model; `model fast` in an agent refers to one', () => {
    expect(scopeOf('model fast {', 'fast')).toBe('entity.name.type.model.team');
    expect(scopeOf('model fast {', 'model')).toBe('keyword.declaration.model.team');
    expect(scopeOf('    model fast', 'fast')).toBe('variable.other.team');
    expect(scopeOf('    model fast', 'model')).toBe('keyword.other.property.team');
  });

  test('a keyword inside a longer word is part of an identifier', () => {
    expect(line('teamwork')).toHaveLength(1);
    expect(scopeOf('teamwork', 'teamwork')).toBe('variable.other.team');
    expect(scopeOf('takes input_text', 'input_text')).toBe('variable.other.team');
  });

  test('types after `:`, `=`, `->` and an agent output', () => {
    expect(scopeOf('  input  diff: string', 'diff')).toBe('variable.parameter.team');
    expect(scopeOf('  input  diff: string', 'string')).toBe('support.type.primitive.team');
    const output = line('  output verdict: Verdict from decide');
    expect(innermost(scopesOf(output, 'Verdict'))).toBe('entity.name.type.team');
    expect(scopesOf(output, 'Verdict')).toContain('meta.type.team');
    expect(innermost(scopesOf(output, 'from'))).toBe('keyword.other.team');
    expect(scopesOf(output, 'from')).not.toContain('meta.type.team');
    expect(innermost(scopesOf(output, 'decide'))).toBe('variable.other.team');

    const union = line('type Severity = "info" | "warning" | "error"');
    expect(innermost(scopesOf(union, '|', 2))).toBe('keyword.operator.union.team');
    expect(scopesOf(union, 'error')).toContain('string.quoted.double.team');

    expect(scopeOf('    output Finding[]', 'Finding')).toBe('entity.name.type.team');
    expect(scopeOf('    output Finding[]', '[')).toBe('punctuation.section.brackets.begin.team');
    expect(scopeOf('tool search(query: string) -> Result[] { pure }', 'Result')).toBe('entity.name.type.team');
    expect(scopeOf('tool search(query: string) -> Result[] { pure }', 'pure')).toBe('storage.modifier.team');
    // `price … output $0.60` is not an output type.
    const price = line('  price input $0.15 output $0.60 per 1M');
    expect(innermost(scopesOf(price, 'output'))).toBe('keyword.other.property.team');
    expect(scopesOf(price, 'output')).not.toContain('meta.type.team');
  });

  test('record fields, including keywords as field names, and optional fields', () => {
    const record = line('  type Finding { file: string  line?: int  severity: Severity }');
    expect(innermost(scopesOf(record, 'file'))).toBe('variable.other.property.team');
    expect(innermost(scopesOf(record, 'line'))).toBe('variable.other.property.team');
    expect(innermost(scopesOf(record, '?'))).toBe('keyword.operator.optional.team');
    expect(innermost(scopesOf(record, 'Severity'))).toBe('entity.name.type.team');
    expect(scopesOf(record, 'Severity')).not.toContain('meta.type.record.team');
    // An inline record in a type position.
    const inline = line('  channel c: { a: string, b: int[] }? { ordering fifo }');
    expect(scopesOf(inline, 'a')).toContain('meta.type.record.team');
    expect(innermost(scopesOf(inline, 'int'))).toBe('support.type.primitive.team');
    expect(innermost(scopesOf(inline, 'fifo'))).toBe('constant.language.ordering.team');
    expect(scopesOf(inline, 'fifo')).not.toContain('meta.type.team');
  });

  test('field paths: fields after a dot, keywords included', () => {
    const key = line('    key comment.file, comment.line');
    expect(innermost(scopesOf(key, 'file'))).toBe('variable.other.property.team');
    expect(innermost(scopesOf(key, '.'))).toBe('punctuation.accessor.team');
    expect(innermost(scopesOf(key, 'comment'))).toBe('variable.other.team');
    expect(scopeOf('    emits reviews unless approved', 'unless')).toBe('keyword.control.team');
  });

  test('guarantee words are constants where their property puts them, and names elsewhere', () => {
    expect(scopeOf('ordering causal', 'causal')).toBe('constant.language.ordering.team');
    expect(scopeOf('delivery exactly_once', 'exactly_once')).toBe('constant.language.delivery.team');
    expect(scopeOf('consistency causal', 'causal')).toBe('constant.language.consistency.team');
    expect(scopeOf('quorum all', 'all')).toBe('constant.language.quorum.team');
    expect(scopeOf('faults 1 crash', 'crash')).toBe('constant.language.faults.team');
    expect(scopeOf('faults 1 crash', '1')).toBe('constant.numeric.decimal.team');
    expect(scopeOf('retry 3 backoff exponential 500ms..8s jitter', 'exponential')).toBe('constant.language.backoff.team');
    expect(scopeOf('takes all findings requires causal', 'causal')).toBe('constant.language.requirement.team');
    expect(scopeOf('takes all findings requires causal', 'all')).toBe('keyword.other.team');
    expect(scopeOf('assign lead planner', 'lead')).toBe('constant.language.assign.team');
    expect(scopeOf('assign lead planner', 'planner')).toBe('variable.other.team');
    // Out of context, or misspelt: an ordinary name.
    expect(scopeOf('takes causal', 'causal')).toBe('variable.other.team');
    expect(scopeOf('ordering casual', 'casual')).toBe('variable.other.team');
  });

  test('every guarantee word is a constant after its property', () => {
    for (const [property, words] of Object.entries(guaranteeWords)) {
      for (const word of words) {
        const text = property === 'faults' ? `${property} 1 ${word}` : `${property} ${word}`;
        expect(scopeOf(text, word), text).toMatch(/^constant\.language\./);
      }
    }
  });

  test('every reserved word, on its own, is a keyword', () => {
    for (const word of reservedWords) {
      const scope = scopeOf(`${word} `, word);
      expect(scope, word).toMatch(/^(keyword\.|storage\.modifier\.)/);
    }
  });

  test('numbers, durations, sizes, money, percentages, and malformed numbers', () => {
    expect(scopesOf(line('timeout 30s'), '30')).toContain('constant.numeric.duration.team');
    expect(scopeOf('timeout 30s', 's')).toBe('keyword.other.unit.duration.team');
    expect(scopesOf(line('timeout 500ms'), 'ms')).toContain('constant.numeric.duration.team');
    expect(scopesOf(line('max_tokens 1.5M'), '1.5')).toContain('constant.numeric.size.team');
    expect(scopeOf('budget $0.50', '$')).toBe('keyword.other.unit.currency.team');
    expect(scopesOf(line('budget $0.50'), '0.50')).toContain('constant.numeric.money.team');
    expect(scopesOf(line('quorum 95%'), '95')).toContain('constant.numeric.percent.team');
    expect(scopeOf('temperature 0.2', '0.2')).toBe('constant.numeric.decimal.team');
    const range = line('retry 3 backoff linear 1s..10s');
    expect(innermost(scopesOf(range, '..'))).toBe('keyword.operator.range.team');
    expect(scopeOf('timeout 10min', '10min')).toBe('invalid.illegal.number.team');
    expect(scopeOf('timeout 3.', '3.')).toBe('invalid.illegal.number.team');
  });

  test('strings: escapes, unknown escapes, and a string left open', () => {
    const escaped = line(String.raw`doc "say \"hi\"\n \u{1F600} \q"`);
    expect(innermost(scopesOf(escaped, String.raw`\"`))).toBe('constant.character.escape.team');
    expect(innermost(scopesOf(escaped, String.raw`\u{1F600}`))).toBe('constant.character.escape.team');
    expect(innermost(scopesOf(escaped, String.raw`\q`))).toBe('invalid.illegal.unknown-escape.team');
    const open = line('name "gpt-4o');
    expect(innermost(open[open.length - 1]!.scopes)).toBe('invalid.illegal.newline.team');
    // The next line is not inside the string.
    const lines = tokenizer.tokenize('name "gpt-4o\nagent a {');
    expect(innermost(scopesOf(lines[1]!, 'agent'))).toBe('keyword.declaration.agent.team');
  });

  test('comments: line and block, a block over several lines', () => {
    expect(scopesOf(line('agent a { // the reviewer'), ' the reviewer')).toContain('comment.line.double-slash.team');
    const lines = tokenizer.tokenize('/* one\n   two agent */ agent b {');
    expect(scopesOf(lines[1]!, '   two agent ')).toContain('comment.block.team');
    expect(innermost(scopesOf(lines[1]!, 'agent'))).toBe('keyword.declaration.agent.team');
    expect(scopeOf('x: /* inline */ string', 'string')).toBe('support.type.primitive.team');
  });

  test('prompts: triple-quoted strings with handlebars inside', () => {
    const lines = tokenizer.tokenize(
      [
        'prompt """',
        '  {{#each answers}} {{join sources ", "}} {{this.title}} {{@index}} {{else}}',
        '  \\{{literal}} {{! a comment }} {{!-- another --}} {{> partial}} {{/each}}',
        '"""',
        'timeout 30s',
      ].join('\n'),
    );
    const [open, body, more, close, after] = lines as [ScopedToken[], ScopedToken[], ScopedToken[], ScopedToken[], ScopedToken[]];
    expect(scopesOf(open, '"""')).toContain('string.quoted.triple.team');
    const opening = scopesOf(body, '{{');
    expect(opening).toContain('meta.embedded.expression.team');
    expect(innermost(opening)).toBe('punctuation.section.embedded.begin.team');
    expect(innermost(scopesOf(body, '}}'))).toBe('punctuation.section.embedded.end.team');
    expect(innermost(scopesOf(body, '#'))).toBe('punctuation.definition.block.team');
    expect(innermost(scopesOf(body, 'each'))).toBe('keyword.control.handlebars.team');
    expect(innermost(scopesOf(body, 'answers'))).toBe('variable.other.handlebars.team');
    expect(innermost(scopesOf(body, 'join'))).toBe('support.function.builtin.handlebars.team');
    expect(innermost(scopesOf(body, '", "'))).toBe('string.quoted.double.handlebars.team');
    expect(innermost(scopesOf(body, 'this'))).toBe('variable.language.this.handlebars.team');
    expect(innermost(scopesOf(body, 'title'))).toBe('variable.other.handlebars.team');
    expect(innermost(scopesOf(body, '@index'))).toBe('variable.language.data.handlebars.team');
    expect(innermost(scopesOf(body, 'else'))).toBe('keyword.control.handlebars.team');
    expect(innermost(scopesOf(more, '\\{{'))).toBe('constant.character.escape.team');
    expect(scopesOf(more, 'literal}} ')).not.toContain('meta.embedded.expression.team');
    expect(innermost(scopesOf(more, ' a comment '))).toBe('comment.block.handlebars.team');
    expect(innermost(scopesOf(more, '{{!--'))).toBe('punctuation.definition.comment.begin.team');
    expect(innermost(scopesOf(more, ' another '))).toBe('comment.block.handlebars.team');
    expect(innermost(scopesOf(more, 'partial'))).toBe('entity.name.function.handlebars.team');
    expect(innermost(scopesOf(close, '"""'))).toBe('punctuation.definition.string.end.team');
    expect(innermost(scopesOf(after, 'timeout'))).toBe('keyword.other.property.team');
  });

  test('an unclosed mustache does not swallow the end of the prompt', () => {
    const lines = tokenizer.tokenize('prompt """ {{diff """\nagent a {');
    expect(innermost(scopesOf(lines[0]!, '"""', 2))).toBe('punctuation.definition.string.end.team');
    expect(innermost(scopesOf(lines[1]!, 'agent'))).toBe('keyword.declaration.agent.team');
  });

  test('punctuation and characters the lexer rejects', () => {
    const tokens = line('takes a, b? ; @');
    expect(innermost(scopesOf(tokens, ','))).toBe('punctuation.separator.comma.team');
    expect(innermost(scopesOf(tokens, '?'))).toBe('keyword.operator.optional.team');
    expect(innermost(scopesOf(tokens, ';'))).toBe('invalid.illegal.character.team');
    expect(innermost(scopesOf(tokens, '@'))).toBe('invalid.illegal.character.team');
  });
});

describe('agreement with the lexer', () => {
  const literalScopes = new Map([
    [DurationLiteral, 'constant.numeric.duration.team'],
    [SizeLiteral, 'constant.numeric.size.team'],
    [MoneyLiteral, 'constant.numeric.money.team'],
    [PercentLiteral, 'constant.numeric.percent.team'],
    [NumberLiteral, 'constant.numeric.decimal.team'],
    [MalformedNumber, 'invalid.illegal.number.team'],
  ]);

  // Words built to sit on the edges of the number rules: units, near-units, trailing points, ranges.
  const digits = fc.stringMatching(/^\d{1,3}$/);
  const numberWord = fc
    .tuple(
      fc.constantFrom('', '$'),
      digits,
      fc.option(digits, { nil: undefined }),
      fc.constantFrom('', '', 'ms', 's', 'm', 'h', 'd', 'k', 'K', 'M', 'G', '%', 'min', 'kb', 'x', '_1', '.', 'mss', 'Mb', '..'),
      fc.constantFrom('', '', '', '..', '.', 'a'),
    )
    .map(([sign, whole, fraction, suffix, tail]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${suffix}${tail}`);
  const word = fc.oneof(numberWord, numberWord, fc.constantFrom('x', 'causal', 'team', 'max_tokens', 'all', 'timeout'));
  const snippet = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(' '));

  test('numbers, units and malformed numbers split and classify exactly as the lexer does', () => {
    fc.assert(
      fc.property(snippet, (text) => {
        const tokens = tokenizer.tokenize(text)[0]!;
        const starts = new Set(tokens.map((token) => token.column - 1));
        const ends = new Set(tokens.map((token) => token.column - 1 + token.text.length));
        for (const token of lex(text).tokens) {
          const start = token.startOffset;
          const end = token.endOffset! + 1;
          expect(starts.has(start) && ends.has(end), `${text}: ${token.image} is not a token of its own`).toBe(true);
          const covering = tokens.filter((t) => t.column - 1 >= start && t.column - 1 < end);
          const expected = literalScopes.get(token.tokenType);
          for (const piece of covering) {
            if (expected !== undefined) expect(piece.scopes, `${text}: ${token.image}`).toContain(expected);
            else expect(piece.scopes.join(' '), `${text}: ${token.image}`).not.toMatch(/constant\.numeric|invalid/);
          }
        }
      }),
      { numRuns: 400, seed: 20240611 },
    );
  });
});
