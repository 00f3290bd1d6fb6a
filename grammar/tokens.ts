/**
 * The tokens of the `.team` language (docs/language.md, "Lexical structure"), and the word lists
 * the rest of the toolchain derives from them: the TextMate grammar, the language server's
 * completion and the checker's "did you mean" all read these arrays, so there is one source of
 * truth for what a keyword or a guarantee word is.
 *
 * Labels are what a user reads in a syntax error: "expected `}`", never "RCurly". A label in
 * quotes (`'{'`) names literal text; a bare label (`name`) names a kind of token.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------------------------------------
// Word lists (data)

/** Every reserved word, in the order docs/language.md lists them. */
export const reservedWords = [
  'team', 'doc', 'import', 'input', 'output', 'from', 'deadline', 'budget', 'tokens', 'model',
  'type', 'store', 'channel', 'agent', 'tool', 'consensus', 'work', 'task', 'prompt', 'file',
  'provider', 'name', 'temperature', 'latency', 'max_tokens', 'price', 'per', 'replicas', 'takes',
  'all', 'requires', 'reads', 'writes', 'emits', 'when', 'unless', 'calls', 'timeout', 'retry',
  'backoff', 'jitter', 'breaker', 'failures', 'in', 'cooldown', 'hedge', 'after', 'fallback',
  'validate', 'with', 'max', 'rounds', 'optional', 'pure', 'effect', 'ordering', 'delivery',
  'capacity', 'backpressure', 'consistency', 'merge', 'over', 'quorum', 'faults', 'agree', 'on',
  'normalize', 'tie_break', 'protocol', 'by', 'assign', 'weight', 'lease', 'key',
] as const;
export type ReservedWord = (typeof reservedWords)[number];

/** Words that start a declaration (`agent reviewer { … }`). */
export const declarationWords = [
  'team', 'model', 'type', 'store', 'channel', 'agent', 'tool', 'consensus', 'work', 'task',
] as const satisfies readonly ReservedWord[];

/** Keywords of the single-valued properties (`timeout 30s`); the grammar's `valueKey`. */
export const valueKeywords = [
  'deadline', 'provider', 'name', 'temperature', 'latency', 'max_tokens', 'replicas', 'timeout',
  'ordering', 'delivery', 'capacity', 'backpressure', 'consistency', 'merge', 'quorum', 'rounds',
  'tie_break', 'protocol', 'weight', 'lease',
] as const satisfies readonly ReservedWord[];

/** Properties that are a bare keyword. */
export const flagKeywords = ['optional', 'pure', 'effect'] as const satisfies readonly ReservedWord[];

/** Every word a property can start with (a `model` reference is also a property). */
export const propertyWords = [
  'doc', 'input', 'output', ...valueKeywords, 'budget', 'price', 'model', 'takes', 'reads', 'writes',
  'emits', 'calls', 'prompt', 'retry', 'breaker', 'hedge', 'fallback', 'validate', 'max',
  ...flagKeywords, 'faults', 'agree', 'assign', 'after', 'key',
] as const satisfies readonly ReservedWord[];

// Guarantee and policy words are identifiers to the lexer and the parser: the checker checks them,
// so a typo gets "did you mean" instead of a syntax error.
export const orderings = ['unordered', 'fifo', 'causal', 'total'] as const;
export const deliveries = ['at_most_once', 'at_least_once', 'exactly_once'] as const;
export const consistencies = ['eventual', 'causal', 'strong'] as const;
export const merges = ['lww', 'append', 'union'] as const;
export const backpressures = ['block', 'drop_oldest', 'drop_newest', 'reject'] as const;
export const backoffStrategies = ['exponential', 'linear', 'constant'] as const;
/** Quorum words; a quorum may also be a number. (`all` is also a reserved word: see `Value`.) */
export const quorumWords = ['majority', 'all'] as const;
export const faultModels = ['crash', 'byzantine'] as const;
export const tieBreaks = ['first', 'reject'] as const;
export const protocols = ['vote', 'leader'] as const;
export const assignmentPolicies = ['preassigned', 'claim', 'lead'] as const;
export const providers = ['openai', 'sim'] as const;

/** The words each policy property accepts, keyed by the property that takes them. */
export const guaranteeWords = {
  ordering: orderings,
  delivery: deliveries,
  consistency: consistencies,
  merge: merges,
  backpressure: backpressures,
  backoff: backoffStrategies,
  quorum: quorumWords,
  faults: faultModels,
  tie_break: tieBreaks,
  protocol: protocols,
  assign: assignmentPolicies,
  provider: providers,
} as const;

/** Duration suffixes and their length in milliseconds (`1m` is a minute; `1M` is a size). */
export const durationUnits = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Size suffixes and their magnitude: a size is a count (`2k` tokens). */
export const sizeUnits = { k: 1e3, K: 1e3, M: 1e6, G: 1e9 } as const;

// ---------------------------------------------------------------------------------------------
// Categories: never produced by the lexer, matched by the parser.

/** Any reserved word. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA, label: 'keyword' });
/** An identifier or a keyword: record field names and field paths (`comment.file`). */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'field name' });
/** Anything that fills a property's value slot: a literal or a bare word. */
export const Value = createToken({ name: 'Value', pattern: Lexer.NA, label: 'value' });
/** A plain or a triple-quoted string. */
export const StringToken = createToken({ name: 'String', pattern: Lexer.NA, label: 'string', categories: [Value] });
/** The keywords of `valueKeywords`, so the parser matches them with one token test. */
export const ValueKey = createToken({ name: 'ValueKey', pattern: Lexer.NA, label: 'property' });
/** The keywords of `flagKeywords`. */
export const FlagKey = createToken({ name: 'FlagKey', pattern: Lexer.NA, label: 'flag' });

// ---------------------------------------------------------------------------------------------
// Trivia

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** Comments go to their own group: the parser never sees them, the formatter keeps them. */
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments', label: 'comment' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
  label: 'comment',
});
/** A block comment never closed: kept as a comment to the end of the file, and reported by the lexer. */
export const UnterminatedBlockComment = createToken({
  name: 'UnterminatedBlockComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
  line_breaks: true,
  label: 'comment',
});

// ---------------------------------------------------------------------------------------------
// Identifiers and literals

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'name',
  categories: [Name, Value],
});

export const TripleStringLiteral = createToken({
  name: 'TripleStringLiteral',
  pattern: /"""[\s\S]*?"""/,
  line_breaks: true,
  label: 'triple-quoted string',
  categories: [StringToken],
});
/** `"""` never closed: the rest of the file. Kept as a string so the parser does not cascade. */
export const UnterminatedTripleStringLiteral = createToken({
  name: 'UnterminatedTripleStringLiteral',
  pattern: /"""[\s\S]*/,
  line_breaks: true,
  label: 'triple-quoted string',
  categories: [StringToken],
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  label: 'string',
  categories: [StringToken],
});
/** `"` never closed on its line: the rest of the line, kept as a string and reported. */
export const UnterminatedStringLiteral = createToken({
  name: 'UnterminatedStringLiteral',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  label: 'string',
  categories: [StringToken],
});

/**
 * A number run into letters it cannot take (`2x`, `10kb`, `1min`) or a trailing point (`3.`).
 * Numeric tokens name it as their `longer_alt`, so `1min` is one bad token, not `1m` + `in`.
 * It still fills a value slot, so the parser does not add a second error; the lexer reports it.
 */
export const MalformedNumber = createToken({
  name: 'MalformedNumber',
  pattern: /\d+(?:\.\d+)?(?:[A-Za-z_][A-Za-z0-9_]*|\.(?![.\d]))/,
  label: 'number',
  categories: [Value],
});
export const MoneyLiteral = createToken({
  name: 'MoneyLiteral',
  pattern: /\$\d+(?:\.\d+)?/,
  label: 'amount of money',
  categories: [Value],
});
export const DurationLiteral = createToken({
  name: 'DurationLiteral',
  pattern: /\d+(?:\.\d+)?(?:ms|s|m|h|d)/,
  longer_alt: MalformedNumber,
  label: 'duration',
  categories: [Value],
});
export const SizeLiteral = createToken({
  name: 'SizeLiteral',
  pattern: /\d+(?:\.\d+)?[kKMG]/,
  longer_alt: MalformedNumber,
  label: 'size',
  categories: [Value],
});
export const PercentLiteral = createToken({
  name: 'PercentLiteral',
  pattern: /\d+(?:\.\d+)?%/,
  label: 'percentage',
  categories: [Value],
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?/,
  longer_alt: MalformedNumber,
  label: 'number',
  categories: [Value],
});

// ---------------------------------------------------------------------------------------------
// Punctuation

export const Arrow = createToken({ name: 'Arrow', pattern: '->', label: "'->'" });
export const DotDot = createToken({ name: 'DotDot', pattern: '..', label: "'..'" });
export const Dot = createToken({ name: 'Dot', pattern: '.', label: "'.'" });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Question = createToken({ name: 'Question', pattern: '?', label: "'?'" });
export const Pipe = createToken({ name: 'Pipe', pattern: '|', label: "'|'" });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: "'='" });

/** Punctuation tokens, for tools that colour or complete them. */
export const punctuationTokens: readonly TokenType[] = [
  Arrow, DotDot, Dot, LCurly, RCurly, LParen, RParen, LBracket, RBracket, Colon, Comma, Question, Pipe, Equals,
];

// ---------------------------------------------------------------------------------------------
// Keywords

function tokenName(word: string): string {
  return word
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

const valueKeywordSet: ReadonlySet<string> = new Set(valueKeywords);
const flagKeywordSet: ReadonlySet<string> = new Set(flagKeywords);

function keywordToken(word: ReservedWord): TokenType {
  const categories = [Keyword, Name];
  if (valueKeywordSet.has(word)) categories.push(ValueKey);
  if (flagKeywordSet.has(word)) categories.push(FlagKey);
  // `all` is reserved (`takes all findings`) but is also a quorum word (`quorum all`).
  if (word === 'all') categories.push(Value);
  return createToken({
    name: tokenName(word),
    pattern: new RegExp(word),
    // `teamwork` is an identifier, not `team` + `work`.
    longer_alt: Identifier,
    label: `'${word}'`,
    categories,
  });
}

/** The token of each reserved word: `keywordTokens.agent`, `keywordTokens.max_tokens`. */
export const keywordTokens = Object.fromEntries(reservedWords.map((word) => [word, keywordToken(word)])) as Record<
  ReservedWord,
  TokenType
>;

/**
 * The keyword tokens in lexing order. Chevrotain takes the first pattern that matches, and a
 * keyword that matches only a prefix of a longer one (`in` in `input`, `max` in `max_tokens`)
 * would hand the word to its `longer_alt` (an identifier). Longest first avoids that.
 */
const keywordsInLexingOrder: TokenType[] = [...reservedWords]
  .sort((a, b) => b.length - a.length)
  .map((word) => keywordTokens[word]);

// ---------------------------------------------------------------------------------------------
// The vocabulary

/** The lexer's token types, in matching order (the first pattern that matches wins). */
export const lexerTokens: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  TripleStringLiteral,
  UnterminatedTripleStringLiteral,
  StringLiteral,
  UnterminatedStringLiteral,
  MoneyLiteral,
  DurationLiteral,
  SizeLiteral,
  PercentLiteral,
  NumberLiteral,
  MalformedNumber,
  ...punctuationTokens,
  ...keywordsInLexingOrder,
  Identifier,
];

/** Every token type the parser knows: the lexer's, and the categories. */
export const tokenVocabulary: readonly TokenType[] = [Keyword, Name, Value, StringToken, ValueKey, FlagKey, ...lexerTokens];

/** Literal token types (for highlighting and completion). */
export const literalTokens: readonly TokenType[] = [
  TripleStringLiteral,
  StringLiteral,
  MoneyLiteral,
  DurationLiteral,
  SizeLiteral,
  PercentLiteral,
  NumberLiteral,
];

/** Tokens that stand for a construct that was never closed or does not form a literal. */
export const malformedTokens: readonly TokenType[] = [
  UnterminatedBlockComment,
  UnterminatedTripleStringLiteral,
  UnterminatedStringLiteral,
  MalformedNumber,
];
