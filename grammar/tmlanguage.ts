/**
 * The TextMate grammar of `.team` files (scope `source.team`), built from the word lists and
 * tokens of `./tokens.ts` so that highlighting can never disagree with the lexer about what a
 * keyword, a guarantee word or a literal is. `scripts/build-grammar.ts` writes it to
 * `editors/vscode/syntaxes/team.tmLanguage.json`; a test fails if that file drifts from here.
 *
 * TextMate grammars see one line at a time and know no syntax tree, so context comes from
 * regular expressions: a name after `agent` is a declaration, a word after `ordering` is a
 * guarantee, what follows `:`, `=`, `->` or an agent's `output` is a type. Every non-blank
 * character gets a scope beyond `source.team`; a character the lexer rejects is scoped invalid.
 *
 * Regexes are Oniguruma (the engine VS Code uses), written with `String.raw` so a backslash in
 * the source is a backslash in the pattern.
 */
import {
  declarationWords,
  durationUnits,
  flagKeywords,
  guaranteeWords,
  propertyWords,
  punctuationTokens,
  reservedWords,
  sizeUnits,
  type ReservedWord,
} from './tokens.js';

// ---------------------------------------------------------------------------------------------
// The grammar's shape (the subset of the TextMate format this grammar uses)

export interface TextMateCapture {
  name?: string;
  patterns?: TextMateRule[];
}

export type TextMateCaptures = Record<string, TextMateCapture>;

export interface TextMateRule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: TextMateCaptures;
  beginCaptures?: TextMateCaptures;
  endCaptures?: TextMateCaptures;
  patterns?: TextMateRule[];
  include?: string;
  comment?: string;
}

export interface TextMateGrammar {
  information_for_contributors: string[];
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: TextMateRule[];
  repository: Record<string, TextMateRule>;
}

export const teamScopeName = 'source.team';

// ---------------------------------------------------------------------------------------------
// Vocabulary not owned by the lexer

/** Built-in type names (docs/language.md, compiler/syntax/ast.ts `TypeReference`). */
export const builtinTypeNames = ['string', 'int', 'number', 'bool'] as const;

/** Handlebars block helpers a prompt may open with `{{#…}}` (docs/language.md, "Prompt templates"). */
export const handlebarsBlockHelpers = ['if', 'unless', 'each', 'with'] as const;
/** Handlebars helpers called inline: the built-in `lookup` and `log`, and the runtime's `json` and `join`. */
export const handlebarsInlineHelpers = ['lookup', 'log', 'json', 'join'] as const;

// ---------------------------------------------------------------------------------------------
// Regex building blocks

/** Identifier characters of the lexer (ASCII only: Oniguruma's `\w` and `\b` are Unicode-aware). */
const identifier = '[A-Za-z_][A-Za-z0-9_]*';
/** Word boundaries in the lexer's sense: `teamwork` is an identifier, not `team` + `work`. */
const wordStart = '(?<![A-Za-z0-9_])';
const wordEnd = '(?![A-Za-z0-9_])';
const decimal = String.raw`\d+(?:\.\d+)?`;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}

/** `(?:a|b|c)`, longest first so a shorter alternative never shadows a longer one. */
function alternation(words: readonly string[]): string {
  const unique = [...new Set(words)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return `(?:${unique.map(escapeRegex).join('|')})`;
}

function wordsPattern(words: readonly string[]): string {
  return `${wordStart}${alternation(words)}${wordEnd}`;
}

function scopes(...names: Array<string | undefined>): TextMateCaptures {
  const captures: TextMateCaptures = {};
  names.forEach((name, index) => {
    if (name !== undefined) captures[String(index + 1)] = { name };
  });
  return captures;
}

// ---------------------------------------------------------------------------------------------
// Declarations: the scope of each declaration's name

type DeclarationWord = (typeof declarationWords)[number];

/**
 * How each declaration's name is coloured: named types and the team as types, the things that
 * act (agents, tools, votes, work graphs, tasks) as functions, the things that hold data
 * (channels, stores) as variables. Typed as a full record, so a new declaration word in
 * `tokens.ts` fails the type check until it is given a scope here.
 */
const declarationNameScopes: Record<DeclarationWord, string> = {
  team: 'entity.name.type.team.team',
  model: 'entity.name.type.model.team',
  type: 'entity.name.type.team',
  store: 'entity.name.variable.store.team',
  channel: 'entity.name.variable.channel.team',
  agent: 'entity.name.function.agent.team',
  tool: 'entity.name.function.tool.team',
  consensus: 'entity.name.function.consensus.team',
  work: 'entity.name.function.work.team',
  task: 'entity.name.function.task.team',
};

function declarationRules(): TextMateRule[] {
  return declarationWords.map((word) => ({
    comment: `\`${word} Name\``,
    // `model fast` inside an agent is a reference: only `model fast {` declares one.
    match: `${wordStart}(${word})\\s+(${identifier})${wordEnd}${word === 'model' ? String.raw`(?=\s*\{)` : ''}`,
    captures: scopes(`keyword.declaration.${word}.team`, declarationNameScopes[word]),
  }));
}

// ---------------------------------------------------------------------------------------------
// Keywords

const controlWords = ['import', 'when', 'unless'] as const satisfies readonly ReservedWord[];

/** Every reserved word falls in exactly one group; the last group is whatever is left. */
function keywordGroups(): Array<{ scope: string; words: string[] }> {
  const declarations = new Set<string>(declarationWords);
  const flags = new Set<string>(flagKeywords);
  const controls = new Set<string>(controlWords);
  const properties = new Set<string>(propertyWords);
  const groups = [
    { scope: 'keyword.control.team', words: reservedWords.filter((w) => controls.has(w)) },
    { scope: 'keyword.declaration.team', words: reservedWords.filter((w) => declarations.has(w)) },
    { scope: 'storage.modifier.team', words: reservedWords.filter((w) => flags.has(w) && !declarations.has(w)) },
    {
      scope: 'keyword.other.property.team',
      words: reservedWords.filter((w) => properties.has(w) && !flags.has(w) && !declarations.has(w) && !controls.has(w)),
    },
  ];
  const grouped = new Set(groups.flatMap((group) => group.words));
  groups.push({ scope: 'keyword.other.team', words: reservedWords.filter((w) => !grouped.has(w)) });
  return groups.filter((group) => group.words.length > 0);
}

/**
 * Guarantee and policy words, coloured only where the property that takes them puts them
 * (`ordering causal`, `faults 1 crash`, `requires causal`): elsewhere they are ordinary names
 * (a channel may be called `total`), and a misspelt guarantee stays uncoloured, a hint before
 * the checker's error.
 */
function guaranteeRules(): TextMateRule[] {
  const contexts: Array<[string, readonly string[]]> = Object.entries(guaranteeWords);
  const requirementWords = [...guaranteeWords.ordering, ...guaranteeWords.delivery, ...guaranteeWords.consistency];
  contexts.push(['requires', requirementWords]);
  return contexts.map(([key, words]) => ({
    comment: `\`${key} …\` takes ${words.join(', ')}`,
    // An optional count may come between (`faults 1 crash`).
    match: `${wordStart}(${escapeRegex(key)})(?:\\s+(${decimal}))?\\s+(${alternation(words)})${wordEnd}`,
    captures: {
      '1': { name: propertyWords.includes(key as never) ? 'keyword.other.property.team' : 'keyword.other.team' },
      '2': { patterns: [{ include: '#numbers' }] },
      '3': { name: `constant.language.${key === 'requires' ? 'requirement' : key.replace(/_/g, '-')}.team` },
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// Literals

function numberRules(): TextMateRule[] {
  const durationSuffixes = alternation(Object.keys(durationUnits));
  const sizeSuffixes = alternation(Object.keys(sizeUnits));
  return [
    {
      comment: 'money: `$0.50`',
      match: `(\\$)${decimal}`,
      name: 'constant.numeric.money.team',
      captures: scopes('keyword.other.unit.currency.team'),
    },
    {
      // Atomic groups stop backtracking into a shorter number: `1mx` is one malformed token for
      // the lexer (its `longer_alt`), never `1m` followed by `x`.
      comment: 'duration: `500ms`, `30s`, `1m`, `2h`, `1d`',
      match: `(?>${decimal}(${durationSuffixes}))${wordEnd}`,
      name: 'constant.numeric.duration.team',
      captures: scopes('keyword.other.unit.duration.team'),
    },
    {
      comment: 'size: `20k`, `1.5M`, `2G`',
      match: `(?>${decimal}(${sizeSuffixes}))${wordEnd}`,
      name: 'constant.numeric.size.team',
      captures: scopes('keyword.other.unit.size.team'),
    },
    {
      comment: 'percentage: `95%`',
      match: `${decimal}(%)`,
      name: 'constant.numeric.percent.team',
      captures: scopes('keyword.other.unit.percent.team'),
    },
    {
      comment: 'number: `3`, `0.2` (a `.` that starts `..` belongs to a range)',
      match: String.raw`(?>${decimal})(?![A-Za-z0-9_]|\.(?![.\d]))`,
      name: 'constant.numeric.decimal.team',
    },
    {
      comment: 'a number run into letters (`10kb`, `1min`) or with a trailing point (`3.`): the lexer rejects it',
      match: String.raw`${decimal}(?:[A-Za-z_][A-Za-z0-9_]*|\.(?![.\d]))`,
      name: 'invalid.illegal.number.team',
    },
  ];
}

function plainString(): TextMateRule {
  return {
    name: 'string.quoted.double.team',
    begin: '"',
    beginCaptures: { '0': { name: 'punctuation.definition.string.begin.team' } },
    // A plain string ends on its line: an unclosed one ends there too, its last character marked.
    end: String.raw`(")|((?:[^\\\n])?$)`,
    endCaptures: scopes('punctuation.definition.string.end.team', 'invalid.illegal.newline.team'),
    patterns: [
      { match: String.raw`\\(?:["\\nt]|u\{[0-9A-Fa-f]{1,6}\})`, name: 'constant.character.escape.team' },
      { match: String.raw`\\.`, name: 'invalid.illegal.unknown-escape.team' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Prompts: triple-quoted strings are handlebars templates

/** Handlebars' own identifier characters (its lexer's `ID`): `-`, `$`, `:` and digits included. */
const handlebarsId = String.raw`[^\s!"#%-,\./;->@\[-\^\x60\{-~]+`;
const promptEnd = '(?=""")';

function tripleString(): TextMateRule {
  return {
    name: 'string.quoted.triple.team',
    begin: '"""',
    beginCaptures: { '0': { name: 'punctuation.definition.string.begin.team' } },
    end: '"""',
    endCaptures: { '0': { name: 'punctuation.definition.string.end.team' } },
    patterns: [{ include: '#handlebars' }],
  };
}

function handlebarsRules(): TextMateRule[] {
  return [
    {
      comment: '`\\{{` prints `{{` literally',
      match: String.raw`\\\{\{`,
      name: 'constant.character.escape.team',
    },
    {
      name: 'comment.block.handlebars.team',
      begin: String.raw`\{\{~?!--`,
      beginCaptures: { '0': { name: 'punctuation.definition.comment.begin.team' } },
      end: String.raw`--~?\}\}|${promptEnd}`,
      endCaptures: { '0': { name: 'punctuation.definition.comment.end.team' } },
    },
    {
      name: 'comment.block.handlebars.team',
      begin: String.raw`\{\{~?!`,
      beginCaptures: { '0': { name: 'punctuation.definition.comment.begin.team' } },
      end: String.raw`\}\}|${promptEnd}`,
      endCaptures: { '0': { name: 'punctuation.definition.comment.end.team' } },
    },
    {
      name: 'meta.embedded.expression.team',
      begin: String.raw`\{\{\{?~?`,
      beginCaptures: { '0': { name: 'punctuation.section.embedded.begin.team' } },
      // A mustache left open must not swallow the prompt's closing quotes.
      end: String.raw`~?\}\}\}?|${promptEnd}`,
      endCaptures: { '0': { name: 'punctuation.section.embedded.end.team' } },
      patterns: [{ include: '#handlebars-expression' }],
    },
  ];
}

/** Right after the mustache's opening braces, where handlebars reads `#`, `/`, `^` and `>`. */
const afterOpen = String.raw`(?<=\{\{|\{\{~)`;
/** A handlebars word ends at white space, the closing braces, a strip mark or a parenthesis. */
const hbStart = String.raw`(?<![^\s{~(])`;
const hbEnd = String.raw`(?![^\s}~)])`;

function handlebarsExpressionRules(): TextMateRule[] {
  return [
    {
      match: `${afterOpen}([#/])(${alternation(handlebarsBlockHelpers)})${hbEnd}`,
      captures: scopes('punctuation.definition.block.team', 'keyword.control.handlebars.team'),
    },
    {
      match: String.raw`${afterOpen}([#/>])\s*(${handlebarsId})`,
      captures: scopes('punctuation.definition.block.team', 'entity.name.function.handlebars.team'),
    },
    { match: String.raw`${afterOpen}\^`, name: 'keyword.control.handlebars.team' },
    {
      match: String.raw`${hbStart}else(?:\s+${alternation(handlebarsBlockHelpers)})?${hbEnd}`,
      name: 'keyword.control.handlebars.team',
    },
    { match: String.raw`${hbStart}as(?=\s+\|)`, name: 'keyword.control.handlebars.team' },
    { match: `${hbStart}${alternation(handlebarsInlineHelpers)}${hbEnd}`, name: 'support.function.builtin.handlebars.team' },
    { match: `${hbStart}${alternation(['true', 'false', 'null', 'undefined'])}${hbEnd}`, name: 'constant.language.handlebars.team' },
    { match: String.raw`(?<![^\s{~(=])-?\d+(?:\.\d+)?${hbEnd}`, name: 'constant.numeric.handlebars.team' },
    { match: `@${handlebarsId}`, name: 'variable.language.data.handlebars.team' },
    { match: String.raw`(?<![^\s{~(./])(?:this|\.\.)(?=[\s}~)./]|$)`, name: 'variable.language.this.handlebars.team' },
    { match: String.raw`"(?:[^"\\]|\\.)*"`, name: 'string.quoted.double.handlebars.team' },
    { match: String.raw`'(?:[^'\\]|\\.)*'`, name: 'string.quoted.single.handlebars.team' },
    {
      match: String.raw`(${handlebarsId})\s*(=)`,
      captures: scopes('variable.parameter.handlebars.team', 'keyword.operator.assignment.handlebars.team'),
    },
    { match: String.raw`\[[^\]]*\]`, name: 'variable.other.handlebars.team' },
    { match: handlebarsId, name: 'variable.other.handlebars.team' },
    { match: '[./]', name: 'punctuation.accessor.handlebars.team' },
    { match: '[()]', name: 'punctuation.section.parens.handlebars.team' },
    { match: String.raw`\|`, name: 'punctuation.definition.parameters.handlebars.team' },
  ];
}

// ---------------------------------------------------------------------------------------------
// Types: what follows `:`, `=`, `->` and an agent's `output`

/**
 * A type ends after a complete type (a name, a string, `]`, `?`, `)` or `}`) that no `|`, `[]`
 * or `?` continues, or before a character that cannot be in a type. Types are one line; a
 * union broken over lines is coloured up to the line break.
 */
const typeEnd = String.raw`(?<=[A-Za-z0-9_"\]?)}])(?!\s*[|\[?])|(?=[}),=:]|->)`;

function typeRegion(begin: string, beginScope: string | undefined): TextMateRule {
  return {
    name: 'meta.type.team',
    begin,
    beginCaptures: beginScope === undefined ? {} : scopes(beginScope),
    end: typeEnd,
    patterns: [{ include: '#type-expression' }],
  };
}

function typeExpressionRules(): TextMateRule[] {
  return [
    { include: '#comments' },
    { match: wordsPattern(builtinTypeNames), name: 'support.type.primitive.team' },
    { match: identifier, name: 'entity.name.type.team' },
    { include: '#string' },
    {
      match: String.raw`(\[)\s*(\])`,
      captures: scopes('punctuation.section.brackets.begin.team', 'punctuation.section.brackets.end.team'),
    },
    { match: String.raw`\?`, name: 'keyword.operator.optional.team' },
    { match: String.raw`\|`, name: 'keyword.operator.union.team' },
    {
      name: 'meta.type.record.team',
      begin: String.raw`\{`,
      beginCaptures: { '0': { name: 'punctuation.section.block.begin.team' } },
      end: String.raw`\}`,
      endCaptures: { '0': { name: 'punctuation.section.block.end.team' } },
      patterns: [{ include: '$self' }],
    },
    {
      begin: String.raw`\(`,
      beginCaptures: { '0': { name: 'punctuation.section.parens.begin.team' } },
      end: String.raw`\)`,
      endCaptures: { '0': { name: 'punctuation.section.parens.end.team' } },
      patterns: [{ include: '#type-expression' }],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Punctuation, from the lexer's punctuation tokens

const punctuationScopes: Record<string, string> = {
  Arrow: 'keyword.operator.arrow.team',
  DotDot: 'keyword.operator.range.team',
  Dot: 'punctuation.accessor.team',
  LCurly: 'punctuation.section.block.begin.team',
  RCurly: 'punctuation.section.block.end.team',
  LParen: 'punctuation.section.parens.begin.team',
  RParen: 'punctuation.section.parens.end.team',
  LBracket: 'punctuation.section.brackets.begin.team',
  RBracket: 'punctuation.section.brackets.end.team',
  Colon: 'punctuation.separator.colon.team',
  Comma: 'punctuation.separator.comma.team',
  Question: 'keyword.operator.optional.team',
  Pipe: 'keyword.operator.union.team',
  Equals: 'keyword.operator.assignment.team',
};

function punctuationRules(): TextMateRule[] {
  return punctuationTokens.map((token) => {
    const scope = punctuationScopes[token.name];
    const pattern = token.PATTERN;
    if (scope === undefined) throw new Error(`tmlanguage: no scope for the punctuation token ${token.name}`);
    if (typeof pattern !== 'string') throw new Error(`tmlanguage: punctuation token ${token.name} has no literal pattern`);
    return { match: escapeRegex(pattern), name: scope };
  });
}

// ---------------------------------------------------------------------------------------------
// The grammar

export function buildTextMateGrammar(): TextMateGrammar {
  const keywordRules: TextMateRule[] = keywordGroups().map((group) => ({
    match: wordsPattern(group.words),
    name: group.scope,
  }));

  return {
    information_for_contributors: [
      'Generated from grammar/tmlanguage.ts by scripts/build-grammar.ts (npm run build:grammar).',
      'Do not edit by hand: change the generator, rebuild, and commit both.',
    ],
    name: 'Team',
    scopeName: teamScopeName,
    fileTypes: ['team'],
    patterns: [{ include: '#main' }],
    repository: {
      main: {
        patterns: [
          { include: '#comments' },
          { include: '#triple-string' },
          { include: '#string' },
          { include: '#declarations' },
          { include: '#properties' },
          { include: '#types' },
          { include: '#guarantees' },
          { include: '#keywords' },
          { include: '#numbers' },
          { include: '#field-access' },
          { include: '#punctuation' },
          { match: identifier, name: 'variable.other.team' },
          // Lexer-compatible white space is `[ \t\r\n\f\v\u00a0\ufeff]`; anything else unmatched is an error.
          { match: String.raw`[^\s\x{feff}]`, name: 'invalid.illegal.character.team' },
        ],
      },
      comments: {
        patterns: [
          {
            name: 'comment.block.team',
            begin: String.raw`/\*`,
            beginCaptures: { '0': { name: 'punctuation.definition.comment.begin.team' } },
            end: String.raw`\*/`,
            endCaptures: { '0': { name: 'punctuation.definition.comment.end.team' } },
          },
          {
            name: 'comment.line.double-slash.team',
            match: '(//).*',
            captures: scopes('punctuation.definition.comment.team'),
          },
        ],
      },
      'triple-string': tripleString(),
      string: plainString(),
      handlebars: { patterns: handlebarsRules() },
      'handlebars-expression': { patterns: handlebarsExpressionRules() },
      declarations: { patterns: declarationRules() },
      properties: {
        patterns: [
          {
            comment: '`input diff: string`, `output verdict: Verdict from decide`: a team input or output',
            match: `${wordStart}(input|output)\\s+(${identifier})(?=\\s*:)`,
            captures: scopes('keyword.other.property.team', 'variable.parameter.team'),
          },
          // `model fast` in an agent refers to a model (`model fast {` was taken by #declarations).
          { match: `${wordStart}model${wordEnd}`, name: 'keyword.other.property.team' },
          {
            comment: 'a record field or tool parameter: `severity: Severity`, `line?: int` (keywords allowed)',
            match: String.raw`${wordStart}(${identifier})\s*(\?)?(?=\s*:)`,
            captures: scopes('variable.other.property.team', 'keyword.operator.optional.team'),
          },
        ],
      },
      types: {
        patterns: [
          typeRegion('(:)', 'punctuation.separator.colon.team'),
          typeRegion('(=)', 'keyword.operator.assignment.team'),
          typeRegion('(->)', 'keyword.operator.arrow.team'),
          // An agent's `output Finding[]` (not `price … output $0.60`).
          typeRegion(`${wordStart}(output)\\s+(?=[A-Za-z_"({])`, 'keyword.other.property.team'),
        ],
      },
      'type-expression': { patterns: typeExpressionRules() },
      guarantees: { patterns: guaranteeRules() },
      keywords: { patterns: keywordRules },
      numbers: { patterns: numberRules() },
      'field-access': {
        comment: 'the fields of a path: `.file` in `comment.file` (keywords allowed)',
        match: String.raw`(\.)\s*(${identifier})`,
        captures: scopes('punctuation.accessor.team', 'variable.other.property.team'),
      },
      punctuation: { patterns: punctuationRules() },
    },
  };
}

/** The grammar file's text: what `scripts/build-grammar.ts` writes, byte for byte. */
export function textMateGrammarJson(): string {
  return `${JSON.stringify(buildTextMateGrammar(), null, 2)}\n`;
}
