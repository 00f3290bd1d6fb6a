/**
 * Where the cursor is, for completion: the blocks around it (an `agent` inside a `team`), the
 * word being typed, and what may be written next (a property, a declared name of some kind, a
 * guarantee word, a type).
 *
 * This reads tokens, not the syntax tree: while a line is being typed the file rarely parses,
 * and Chevrotain no longer offers syntactic content assist (v12). Only the text before the
 * cursor is lexed, so the answer costs a few milliseconds even in a large file.
 */
import type { IToken, TokenType } from 'chevrotain';
import { lex } from '../../grammar/lexer.js';
import {
  assignmentPolicies,
  backoffStrategies,
  consistencies,
  faultModels,
  guaranteeWords,
  Identifier,
  keywordTokens,
  LineComment,
  orderings,
  UnterminatedBlockComment,
} from '../../grammar/tokens.js';
import type { Span } from '../syntax/ast.js';
import type { BlockKind } from './block-properties.js';
import { referenceKinds, type ReferenceRole, type SymbolKind } from './symbols.js';

export interface Block {
  kind: BlockKind | 'record' | 'parameters' | 'parentheses' | 'unknown';
  /** The declared name, for a declaration's block. */
  name?: string;
}

export type Slot =
  /** Nothing to complete: inside a string, a comment, a number, a new name. */
  | { kind: 'none' }
  /** A property or a declaration may start here; `continuations` go on the property before. */
  | { kind: 'statement'; continuations: readonly string[] }
  | { kind: 'names'; role: Exclude<ReferenceRole, 'prompt' | 'type'>; kinds: readonly SymbolKind[] }
  | { kind: 'words'; words: readonly string[] }
  | { kind: 'type' }
  /** A field of the message an agent emits (`emits ch when |`), or of the decided value (`agree on |`). */
  | { kind: 'fields'; of: 'emitted' | 'decided' }
  /** Only these keywords can come next (`max` → `rounds`). */
  | { kind: 'keywords'; words: readonly string[] };

export interface CursorContext {
  /** The part of a word already typed before the cursor, and its span (what a completion replaces). */
  prefix: string;
  replace: Span;
  /** The blocks around the cursor, outermost first (the file is implicit). */
  blocks: Block[];
  slot: Slot;
}

const keywordTypes: ReadonlySet<TokenType> = new Set(Object.values(keywordTokens));
const keywordWithBlock = new Set(['team', 'model', 'agent', 'task']);

/** Properties whose items are comma-separated names (or field paths). */
const listKeywords = new Set(['takes', 'reads', 'writes', 'emits', 'calls', 'fallback', 'after', 'agree', 'key']);
/** Words that may sit inside such a list (`takes all x? requires causal, …`). */
const listInnerKeywords = new Set(['all', 'requires', 'when', 'unless', 'normalize', 'on']);

/** Keywords after which one of these keywords must follow. */
const forcedNext: Record<string, readonly string[]> = {
  max: ['rounds'],
  hedge: ['after'],
  validate: ['with'],
  agree: ['on'],
  failures: ['in'],
};

const nameSlots: Partial<Record<string, Exclude<ReferenceRole, 'prompt' | 'type'>>> = {
  takes: 'takes',
  reads: 'reads',
  writes: 'writes',
  emits: 'emits',
  calls: 'calls',
  fallback: 'fallback',
  over: 'over',
  by: 'by',
  from: 'from',
};

function end(token: IToken): number {
  return token.endOffset! + 1;
}

function isKeyword(token: IToken | undefined, word?: string): boolean {
  return token !== undefined && keywordTypes.has(token.tokenType) && (word === undefined || token.image === word);
}

function isWord(token: IToken | undefined): boolean {
  return token !== undefined && (token.tokenType === Identifier || keywordTypes.has(token.tokenType));
}

function is(token: IToken | undefined, image: string): boolean {
  return token !== undefined && token.image === image && !isWord(token);
}

function names(role: Exclude<ReferenceRole, 'prompt' | 'type'>): Slot {
  return { kind: 'names', role, kinds: referenceKinds[role] };
}

const none: Slot = { kind: 'none' };

export function cursorContext(text: string, offset: number): CursorContext {
  const lexed = lex(text.slice(0, offset));
  let tokens = lexed.tokens;
  let prefix = '';
  let replace: Span = { start: offset, end: offset };

  const lastComment = lexed.comments.at(-1);
  const inComment =
    lastComment !== undefined &&
    end(lastComment) === offset &&
    (lastComment.tokenType === LineComment || lastComment.tokenType === UnterminatedBlockComment);

  const last = tokens.at(-1);
  let inLiteral = false;
  if (last !== undefined && end(last) === offset) {
    if (isWord(last)) {
      prefix = last.image;
      // A word that goes on past the cursor is replaced whole.
      let wordEnd = offset;
      while (wordEnd < text.length && /[A-Za-z0-9_]/.test(text.charAt(wordEnd))) wordEnd++;
      replace = { start: last.startOffset, end: wordEnd };
      tokens = tokens.slice(0, -1);
    } else if (!isPunctuation(last)) {
      inLiteral = true;
    }
  }

  const blocks = blockStack(tokens);
  const slot = inComment || inLiteral ? none : slotAfter(tokens, blocks.at(-1));
  return { prefix, replace, blocks, slot };
}

function isPunctuation(token: IToken): boolean {
  return /^[{}()[\]:,.?|=]$|^->$|^\.\.$/.test(token.image) && !isWord(token) && token.image.length <= 2;
}

/** The blocks open at the end of `tokens`, outermost first. */
function blockStack(tokens: readonly IToken[]): Block[] {
  const stack: Block[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (is(token, '{')) stack.push(blockOpenedAt(tokens, i));
    else if (is(token, '(')) {
      const isParameters = isWord(tokens[i - 1]) && isKeyword(tokens[i - 2], 'tool');
      stack.push({ kind: isParameters ? 'parameters' : 'parentheses' });
    } else if (is(token, '}')) {
      while (stack.length > 0) {
        const popped = stack.pop()!;
        if (popped.kind !== 'parameters' && popped.kind !== 'parentheses') break;
      }
    } else if (is(token, ')')) {
      const top = stack.at(-1);
      if (top?.kind === 'parameters' || top?.kind === 'parentheses') stack.pop();
    }
  }
  return stack;
}

/** What the `{` at `i` opens: a declaration's block (which one), or a record type. */
function blockOpenedAt(tokens: readonly IToken[], i: number): Block {
  const previous = tokens[i - 1];
  const before = tokens[i - 2];
  if (previous === undefined) return { kind: 'unknown' };
  if ([':', '|', '=', '(', '->', ','].some((p) => is(previous, p))) return { kind: 'record' };
  if (isWord(previous) && isKeyword(before, 'type')) return { kind: 'record' };
  if (isWord(previous) && before !== undefined && isKeyword(before) && keywordWithBlock.has(before.image)) {
    return { kind: before.image as BlockKind, name: previous.image };
  }
  if (isWord(previous) && isKeyword(before, 'over') && isKeyword(tokens[i - 4], 'consensus')) return { kind: 'consensus', name: tokens[i - 3]!.image };
  if (isWord(previous) && isKeyword(before, 'by') && isKeyword(tokens[i - 4], 'work')) return { kind: 'work', name: tokens[i - 3]!.image };

  // `channel c: Type {`, `store s: Type {`, `tool t(…) -> Type {`: back over the type to the keyword.
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const token = tokens[j]!;
    if (is(token, ')') || is(token, ']') || is(token, '}')) depth++;
    else if (is(token, '(') || is(token, '[') || is(token, '{')) {
      if (depth === 0) return { kind: 'unknown' };
      depth--;
    } else if (depth === 0 && isKeyword(token)) {
      if (token.image === 'channel' || token.image === 'store' || token.image === 'tool') {
        const name = tokens[j + 1];
        return isWord(name) ? { kind: token.image, name: name!.image } : { kind: token.image };
      }
      return { kind: 'unknown' };
    }
  }
  return { kind: 'unknown' };
}

/** What may follow the last token before the cursor. */
function slotAfter(tokens: readonly IToken[], block: Block | undefined): Slot {
  const previous = tokens.at(-1);
  const before = tokens.at(-2);
  const blockKind = block?.kind ?? 'file';
  const statement = (continuations: readonly string[] = []): Slot => (blockKind === 'unknown' ? none : { kind: 'statement', continuations });

  if (blockKind === 'parameters' || blockKind === 'record') {
    return previous !== undefined && [':', '|', '->'].some((p) => is(previous, p)) ? { kind: 'type' } : none;
  }
  if (blockKind === 'parentheses') {
    return previous !== undefined && ['(', '|'].some((p) => is(previous, p)) ? { kind: 'type' } : none;
  }
  if (previous === undefined) return statement();

  if (!isWord(previous)) {
    switch (previous.image) {
      case '{':
      case '}':
      case ']':
        return statement();
      case ':':
      case '|':
      case '=':
      case '->':
        return { kind: 'type' };
      case ',': {
        const list = listKeyword(tokens);
        const role = list === undefined ? undefined : nameSlots[list];
        if (role !== undefined) return names(role);
        if (list === 'after') return names('after');
        if (list === 'agree' && blockKind === 'consensus') return { kind: 'fields', of: 'decided' };
        return none;
      }
      case '?':
        return statement(['requires']);
      default:
        break;
    }
    if (isPunctuation(previous)) return none;
    // A literal: a value just written.
    if (isKeyword(before, 'faults')) return { kind: 'words', words: faultModels };
    if (isKeyword(before, 'retry')) return statement(['backoff', 'jitter']);
    if (isKeyword(before, 'breaker')) return { kind: 'keywords', words: ['failures'] };
    if (isKeyword(before, 'in')) return { kind: 'keywords', words: ['cooldown'] };
    if (isKeyword(before, 'budget')) return statement(['tokens']);
    return statement();
  }

  if (isKeyword(previous)) {
    const word = previous.image;
    const forced = forcedNext[word];
    if (forced !== undefined) return { kind: 'keywords', words: forced };
    const role = nameSlots[word];
    if (role !== undefined) return names(role);
    if (word in guaranteeWords && word !== 'faults' && word !== 'backoff' && word !== 'assign') {
      return { kind: 'words', words: guaranteeWords[word as keyof typeof guaranteeWords] };
    }
    switch (word) {
      case 'model':
        return blockKind === 'agent' ? names('model') : none;
      case 'all':
        return { kind: 'names', role: 'takes', kinds: ['channel'] };
      case 'with':
        return isKeyword(before, 'validate') ? names('validate') : none;
      case 'after':
        return isKeyword(before, 'hedge') ? none : names('after');
      case 'output':
        return blockKind === 'agent' ? { kind: 'type' } : none;
      case 'requires':
        return { kind: 'words', words: listKeyword(tokens) === 'reads' ? consistencies : orderings };
      case 'backoff':
        return { kind: 'words', words: backoffStrategies };
      case 'assign':
        return { kind: 'words', words: assignmentPolicies };
      case 'prompt':
        return { kind: 'keywords', words: ['file'] };
      case 'when':
      case 'unless':
        return blockKind === 'agent' ? { kind: 'fields', of: 'emitted' } : none;
      case 'on':
        return blockKind === 'consensus' && isKeyword(before, 'agree') ? { kind: 'fields', of: 'decided' } : none;
      case 'optional':
      case 'pure':
      case 'effect':
      case 'jitter':
      case 'tokens':
        return statement();
      default:
        return none;
    }
  }

  // An identifier: a name or a word just written.
  if (previous.image === 'lead' && isKeyword(before, 'assign')) return names('lead');
  if (isKeyword(before, 'model') && blockKind !== 'agent') return none;
  const list = listKeyword(tokens);
  if (list === 'takes' || list === 'reads') return statement(['requires']);
  if (list === 'emits') return statement(['when', 'unless']);
  if (isKeyword(before, 'backoff')) return statement(['jitter']);
  return statement();
}

/** The list property the end of `tokens` is inside (`takes a, b` → `takes`), if any. */
function listKeyword(tokens: readonly IToken[]): string | undefined {
  for (let j = tokens.length - 1; j >= 0; j--) {
    const token = tokens[j]!;
    if (isKeyword(token)) {
      if (listKeywords.has(token.image)) {
        if (token.image === 'after' && isKeyword(tokens[j - 1], 'hedge')) return undefined;
        return token.image;
      }
      if (listInnerKeywords.has(token.image)) continue;
      return undefined;
    }
    if (isWord(token) || is(token, ',') || is(token, '?') || is(token, '.')) continue;
    // A value after `requires`, or a task's `writes "file"`.
    if (!isPunctuation(token)) continue;
    return undefined;
  }
  return undefined;
}
