/**
 * A declaration as hover shows it: its header (`channel findings: Finding`), then the
 * properties that say what it guarantees and how it fails (`ordering causal`, `timeout 30s`,
 * `retry 3 backoff …`), quoted from the source so the reader sees exactly what was written;
 * then its `doc`. Prompts and nested declarations are left out: they are long and have their
 * own hover.
 */
import * as path from 'node:path';
import type { Declaration, Property, Span } from '../syntax/ast.js';
import { isDeclaration } from '../syntax/ast.js';
import type { DeclaredSymbol } from './symbols.js';

/** Longest property line quoted before it is cut. */
const maxLineLength = 120;
/** Most lines of a type's definition quoted. */
const maxTypeLines = 12;

/**
 * Markdown for a declaration. `implied` are lines the checker implied (defaults: see
 * `defaults.ts`), shown after what was written.
 */
export function describeSymbol(symbol: DeclaredSymbol, text: string, fromFile: string, implied: readonly string[] = []): string {
  const code: string[] = [];
  let doc: string | undefined;
  const node = symbol.node;
  if (node.kind === 'Input' || node.kind === 'Output') {
    code.push(quote(text, node.span));
  } else if (node.kind === 'Type') {
    code.push(...typeDefinition(text, node.span));
  } else {
    code.push(header(node, text));
    for (const member of node.members) {
      if (isDeclaration(member)) continue;
      if (member.kind === 'Doc') doc ??= member.text.value;
      else if (shownInHover(member, node)) code.push(`  ${quote(text, member.span)}`);
    }
    for (const line of implied) code.push(`  ${line}`);
  }

  const parts = ['```team', ...code, '```'];
  const context = contextLine(symbol, fromFile);
  if (doc !== undefined) parts.push('', doc);
  if (context !== undefined) parts.push('', context);
  return parts.join('\n');
}

/** What a hover over a declaration's properties shows; the rest is structure, not a guarantee. */
function shownInHover(property: Property, owner: Declaration): boolean {
  switch (property.kind) {
    case 'Prompt':
    case 'UnknownProperty':
      return false;
    case 'Input':
    case 'Output':
      // A team's interface; an agent's output type.
      return true;
    default:
      return owner.kind !== 'Team' || property.kind === 'Value' || property.kind === 'Budget';
  }
}

/** `agent reviewer`, `channel findings: Finding`, `tool post(comment: Comment) -> string`. */
function header(node: Exclude<Declaration, { kind: 'Type' }>, text: string): string {
  let end: number;
  switch (node.kind) {
    case 'Channel':
    case 'Store':
      end = node.type.span.end;
      break;
    case 'Consensus':
      end = node.over.span.end;
      break;
    case 'Work':
      end = node.by.span.end;
      break;
    case 'Tool': {
      const afterParameters = node.parameters.at(-1)?.span.end ?? node.name.span.end;
      const close = text.indexOf(')', afterParameters);
      end = node.returns?.span.end ?? (close >= 0 && close < node.span.end ? close + 1 : afterParameters);
      break;
    }
    default:
      end = node.name.span.end;
  }
  return quote(text, { start: node.span.start, end });
}

function typeDefinition(text: string, span: Span): string[] {
  const lines = text.slice(span.start, span.end).split(/\r?\n/);
  if (lines.length <= maxTypeLines) return lines.map((line, i) => (i === 0 ? line : reindent(line, lines)));
  return [...lines.slice(0, maxTypeLines - 1).map((line, i) => (i === 0 ? line : reindent(line, lines))), '  …'];
}

/** Continuation lines of a multi-line type lose the indentation they had in the file. */
function reindent(line: string, lines: readonly string[]): string {
  const indents = lines.slice(1).filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  const trimmed = line.slice(Math.min(common, line.length - line.trimStart().length));
  return trimmed.trim() === '}' ? trimmed.trimStart() : `  ${trimmed}`;
}

/** A span's text on one line: white space collapsed, long text cut. */
function quote(text: string, span: Span): string {
  const single = text.slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  return single.length > maxLineLength ? `${single.slice(0, maxLineLength - 1)}…` : single;
}

function contextLine(symbol: DeclaredSymbol, fromFile: string): string | undefined {
  const where: string[] = [];
  const container = symbol.container;
  if (container !== undefined && symbol.kind !== 'output' && symbol.kind !== 'input') where.push(`in ${container.kind} \`${container.name}\``);
  if (symbol.kind === 'input') where.push(`input of ${container?.kind ?? 'team'} \`${container?.name ?? ''}\``);
  if (symbol.kind === 'output') where.push(`output of ${container?.kind ?? 'team'} \`${container?.name ?? ''}\``);
  if (symbol.file !== fromFile) where.push(`declared in \`${path.basename(symbol.file)}\``);
  return where.length > 0 ? `*${where.join(', ')}*` : undefined;
}
