/** The outline of a file: teams, and in each its inputs, outputs, models, types, stores, channels, agents … */
import { SymbolKind as LspSymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { SourceFile } from '../source.js';
import type { Declaration, Member, SourceFileNode, TypeExpression } from '../syntax/ast.js';
import { isDeclaration } from '../syntax/ast.js';
import { rangeOf } from './positions.js';

const declarationKinds: Record<Declaration['kind'], LspSymbolKind> = {
  Team: LspSymbolKind.Module,
  Model: LspSymbolKind.Class,
  Type: LspSymbolKind.Struct,
  Store: LspSymbolKind.Variable,
  Channel: LspSymbolKind.Event,
  Agent: LspSymbolKind.Class,
  Tool: LspSymbolKind.Function,
  Consensus: LspSymbolKind.Object,
  Work: LspSymbolKind.Package,
  Task: LspSymbolKind.Method,
};

export function documentSymbols(source: SourceFile, ast: SourceFileNode): DocumentSymbol[] {
  return ast.declarations.map((declaration) => declarationSymbol(source, declaration));
}

function declarationSymbol(source: SourceFile, declaration: Declaration): DocumentSymbol {
  const symbol: DocumentSymbol = {
    name: declaration.name.name,
    kind: declarationKinds[declaration.kind],
    range: rangeOf(source, declaration.span),
    selectionRange: rangeOf(source, declaration.name.span),
  };
  const detail = detailOf(source, declaration);
  if (detail !== undefined) symbol.detail = detail;
  if ('members' in declaration) {
    const children = declaration.members.flatMap((member) => memberSymbols(source, member));
    if (children.length > 0) symbol.children = children;
  }
  return symbol;
}

function memberSymbols(source: SourceFile, member: Member): DocumentSymbol[] {
  if (isDeclaration(member)) return [declarationSymbol(source, member)];
  if (member.kind === 'Input') {
    return [{ name: member.name.name, detail: `input: ${typeText(source, member.type)}`, kind: LspSymbolKind.Field, range: rangeOf(source, member.span), selectionRange: rangeOf(source, member.name.span) }];
  }
  if (member.kind === 'Output' && member.name !== undefined) {
    const from = member.from === undefined ? '' : ` from ${member.from.name}`;
    return [
      {
        name: member.name.name,
        detail: `output: ${typeText(source, member.type)}${from}`,
        kind: LspSymbolKind.Property,
        range: rangeOf(source, member.span),
        selectionRange: rangeOf(source, member.name.span),
      },
    ];
  }
  return [];
}

/** A line beside the name: the message type of a channel, the agent a consensus replicates … */
function detailOf(source: SourceFile, declaration: Declaration): string | undefined {
  switch (declaration.kind) {
    case 'Store':
    case 'Channel':
      return typeText(source, declaration.type);
    case 'Type':
      return declaration.type.kind === 'RecordType' ? 'record' : typeText(source, declaration.type);
    case 'Consensus':
      return `over ${declaration.over.name}`;
    case 'Work':
      return `by ${declaration.by.name}`;
    case 'Agent': {
      const output = declaration.members.find((member) => member.kind === 'Output');
      return output?.kind === 'Output' ? `→ ${typeText(source, output.type)}` : undefined;
    }
    default:
      return undefined;
  }
}

function typeText(source: SourceFile, type: TypeExpression): string {
  const text = source.text.slice(type.span.start, type.span.end).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
