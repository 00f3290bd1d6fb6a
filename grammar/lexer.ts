/**
 * The `.team` lexer: text → tokens, comments, and the lexical problems found on the way.
 * Lexing never stops at a problem: an unexpected character is skipped, and an unterminated
 * string or comment becomes a token of its own so the parser sees one string, not a cascade.
 */
import { Lexer, type IToken, type TokenType } from 'chevrotain';
import {
  lexerTokens,
  MalformedNumber,
  UnterminatedBlockComment,
  UnterminatedStringLiteral,
  UnterminatedTripleStringLiteral,
} from './tokens.js';

/** A lexical problem: offsets into the text, end exclusive. */
export interface LexProblem {
  message: string;
  start: number;
  end: number;
  label?: string;
  help?: string[];
}

export interface LexResult {
  /** The tokens the parser reads (no white space, no comments). */
  tokens: IToken[];
  /** Line and block comments, in order. */
  comments: IToken[];
  problems: LexProblem[];
  /** An unterminated triple-quoted string or block comment ran to the end of the file. */
  swallowedRestOfFile: boolean;
}

export const teamLexer = new Lexer(lexerTokens as TokenType[], {
  ensureOptimizations: true,
  positionTracking: 'full',
});

export function lex(text: string): LexResult {
  const result = teamLexer.tokenize(text);
  const tokens = result.tokens;
  const comments = (result.groups['comments'] as IToken[] | undefined) ?? [];
  const problems: LexProblem[] = [];
  let swallowedRestOfFile = false;

  for (const error of result.errors) {
    problems.push(unexpectedCharacters(text, error.offset, error.length));
  }
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === UnterminatedStringLiteral) {
      problems.push({
        message: 'unterminated string: a string must end with `"` on the line it starts',
        start: token.startOffset,
        end: token.endOffset! + 1,
        help: ['close it with `"`; text over several lines goes in a triple-quoted string `"""…"""`'],
      });
    } else if (type === UnterminatedTripleStringLiteral) {
      swallowedRestOfFile = true;
      problems.push({
        message: 'unterminated triple-quoted string: no closing `"""` before the end of the file',
        start: token.startOffset,
        end: token.startOffset + 3,
        label: 'this string is never closed',
        help: ['close it with `"""`'],
      });
    } else if (type === MalformedNumber) {
      problems.push(malformedNumber(token));
    }
  }
  for (const comment of comments) {
    if (comment.tokenType === UnterminatedBlockComment) {
      swallowedRestOfFile = true;
      problems.push({
        message: 'unterminated block comment: no closing `*/` before the end of the file',
        start: comment.startOffset,
        end: comment.startOffset + 2,
        label: 'this comment is never closed',
        help: ['close it with `*/`'],
      });
    }
  }
  if (result.errors.length > 0 && problems.length > result.errors.length) {
    problems.sort((a, b) => a.start - b.start);
  }
  return { tokens, comments, problems, swallowedRestOfFile };
}

const characterHelp: Record<string, string> = {
  ';': 'no semicolons are needed: line breaks are white space',
  "'": 'strings use double quotes: "…"',
  '#': 'comments start with `//`',
  '-': 'only `->` uses `-`; numbers are never negative',
  '$': 'an amount of money is `$` followed by digits, as in `$0.50`',
};

function unexpectedCharacters(text: string, offset: number, length: number): LexProblem {
  const characters = text.slice(offset, offset + length);
  const shown = [...characters].slice(0, 20).map(showCharacter).join('');
  const more = [...characters].length > 20 ? '…' : '';
  const problem: LexProblem = {
    message: `unexpected character${[...characters].length === 1 ? '' : 's'} \`${shown}${more}\``,
    start: offset,
    end: offset + length,
  };
  const help = characterHelp[characters.charAt(0)];
  if (help !== undefined) problem.help = [help];
  return problem;
}

/** Control and invisible characters are shown as `\u{…}` so the message says what is there. */
function showCharacter(character: string): string {
  const code = character.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0x60 || (code >= 0x2000 && code <= 0x200f) || code === 0x2028 || code === 0x2029) {
    return `\\u{${code.toString(16)}}`;
  }
  return character;
}

function malformedNumber(token: IToken): LexProblem {
  const image = token.image;
  const start = token.startOffset;
  const end = token.endOffset! + 1;
  if (image.endsWith('.')) {
    return {
      message: `\`${image}\` is not a number: a decimal point must be followed by digits`,
      start,
      end,
      help: [`write \`${image.slice(0, -1)}\` or \`${image}0\``],
    };
  }
  const unit = /[A-Za-z_][A-Za-z0-9_]*$/.exec(image)?.[0] ?? image;
  return {
    message: `\`${image}\` is not a number: unknown unit \`${unit}\``,
    start,
    end,
    help: ['durations end in `ms`, `s`, `m`, `h` or `d`; sizes in `k`, `M` or `G`; percentages in `%`'],
  };
}
