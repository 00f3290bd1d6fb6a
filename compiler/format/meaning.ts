/**
 * What a file means, for checking that formatting changed nothing but layout: the AST with
 * every span removed (spans move when text moves; nothing else may).
 */
import { isDeepStrictEqual } from 'node:util';
import type { SourceFileNode } from '../syntax/ast.js';

function isSpan(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('start') && keys.includes('end');
}

/** A copy of a syntax tree without its spans (`span`, and the `keyword` spans of declarations and properties). */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'span' || key === 'keyword') && isSpan(value)) continue;
    copy[key] = withoutSpans(value);
  }
  return copy;
}

export function sameMeaning(a: SourceFileNode, b: SourceFileNode): boolean {
  return isDeepStrictEqual(withoutSpans(a), withoutSpans(b));
}
