import { expect } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { createSourceFile, type SourceFile } from '../../compiler/source.js';
import type { Member, SourceFileNode, Span, TeamDeclaration } from '../../compiler/syntax/ast.js';
import { parseSourceFile, type ParseResult } from '../../compiler/syntax/parse.js';

export interface Parsed extends ParseResult {
  source: SourceFile;
}

export function parse(text: string, path = 'test.team'): Parsed {
  const source = createSourceFile(path, text);
  return { ...parseSourceFile(source), source };
}

/** Parses a file that must have no syntax errors. */
export function parseClean(text: string): SourceFileNode {
  const result = parse(text);
  expect(result.diagnostics.map((d) => d.message)).toEqual([]);
  return result.ast;
}

/** The members of `team T { … }` around `body`, which must parse cleanly. */
export function teamMembers(body: string): Member[] {
  const ast = parseClean(`team T {\n${body}\n}`);
  expect(ast.declarations).toHaveLength(1);
  return (ast.declarations[0] as TeamDeclaration).members;
}

/** The one member `body` declares inside a team. */
export function member(body: string): Member {
  const members = teamMembers(body);
  expect(members).toHaveLength(1);
  return members[0]!;
}

/** `line:column` of a diagnostic's start, 1-based. */
export function at(parsed: Parsed, diagnostic: Diagnostic): string {
  const { line, column } = parsed.source.position(diagnostic.span.start);
  return `${line}:${column}`;
}

/** Each diagnostic as `line:column message`. */
export function described(parsed: Parsed): string[] {
  return parsed.diagnostics.map((d) => `${at(parsed, d)} ${d.message}`);
}

/** The text a span covers. */
export function textOf(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** Every span in a tree (any object with a `span` or `keyword` span), for bounds checks. */
export function collectSpans(node: unknown, into: Span[] = []): Span[] {
  if (Array.isArray(node)) {
    for (const item of node) collectSpans(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'span' || key === 'keyword') && isSpan(value)) into.push(value);
      else collectSpans(value, into);
    }
  }
  return into;
}

/**
 * Problems with the nesting of spans: every node's span (and keyword span) must lie inside the
 * span of the node that holds it, and inside the file. Returns a description of each problem.
 */
export function spanNestingProblems(node: unknown, textLength: number): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, outer: Span, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, outer, `${where}[${index}]`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const own = (value as { span?: unknown }).span;
    let inner = outer;
    if (isSpan(own)) {
      if (own.start < outer.start || own.end > outer.end || own.start > own.end) {
        problems.push(`${where}: ${own.start}-${own.end} is not inside ${outer.start}-${outer.end}`);
      }
      inner = own;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'span') continue;
      if (key === 'keyword' && isSpan(child)) {
        if (child.start < inner.start || child.end > inner.end || child.start > child.end) {
          problems.push(`${where}.keyword: ${child.start}-${child.end} is not inside ${inner.start}-${inner.end}`);
        }
        continue;
      }
      visit(child, inner, `${where}.${key}`);
    }
  };
  visit(node, { start: 0, end: textLength }, 'file');
  return problems;
}

function isSpan(value: unknown): value is Span {
  return value !== null && typeof value === 'object' && typeof (value as Span).start === 'number' && typeof (value as Span).end === 'number';
}
