/** Offsets in a source file ↔ LSP positions (0-based line, UTF-16 character, as `source.ts` counts). */
import type { Position, Range } from 'vscode-languageserver';
import type { SourceFile } from '../source.js';
import type { Span } from '../syntax/ast.js';

export function positionAt(source: SourceFile, offset: number): Position {
  const { line, column } = source.position(offset);
  return { line: line - 1, character: column - 1 };
}

/**
 * The offset of a position. A character past the end of its line stops at the line's end (LSP
 * says so; `source.offset` alone would run on into the next line), and a line past the end of
 * the file is the end of the file.
 */
export function offsetAt(source: SourceFile, position: Position): number {
  const lastLine = source.position(source.text.length).line - 1;
  if (position.line > lastLine) return source.text.length;
  const lineStart = source.offset(Math.max(0, position.line) + 1, 1);
  const text = source.text;
  let lineEnd = lineStart;
  while (lineEnd < text.length && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
  return Math.min(lineStart + Math.max(0, position.character), lineEnd);
}

export function rangeOf(source: SourceFile, span: Span): Range {
  return { start: positionAt(source, span.start), end: positionAt(source, span.end) };
}

/** Whether the cursor at `offset` touches the span (either end included, as editors expect). */
export function touches(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}
