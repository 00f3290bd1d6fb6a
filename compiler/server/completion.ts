/**
 * Completion: what `cursor.ts` says may come next, filled from the data it needs — the table
 * of properties per block, the guarantee word lists of `grammar/tokens.ts`, and the names the
 * file and its imports declare (from the latest parse: see `Workspace.latestParse`).
 */
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { propertyName } from '../check/properties.js';
import { typeToString } from '../check/types.js';
import type { FieldModel, Type } from '../model.js';
import { createSourceFile } from '../source.js';
import { isDeclaration } from '../syntax/ast.js';
import { blockContents, blockSymbolKind, isRepeatable, keywordDetails, type BlockKind } from './block-properties.js';
import { cursorContext, type Block, type CursorContext } from './cursor.js';
import { describeSymbol } from './describe.js';
import { positionAt, touches } from './positions.js';
import { builtinTypes, type DeclaredSymbol, type FileIndex, type Scope, type SymbolKind } from './symbols.js';
import type { ParsedFile, Workspace } from './workspace.js';

const symbolItemKinds: Record<SymbolKind, CompletionItemKind> = {
  team: CompletionItemKind.Module,
  model: CompletionItemKind.Class,
  type: CompletionItemKind.Struct,
  store: CompletionItemKind.Variable,
  channel: CompletionItemKind.Event,
  agent: CompletionItemKind.Class,
  tool: CompletionItemKind.Function,
  consensus: CompletionItemKind.Class,
  work: CompletionItemKind.Module,
  task: CompletionItemKind.Method,
  input: CompletionItemKind.Field,
  output: CompletionItemKind.Field,
};

/**
 * The completions at `offset`. `triggeredBySpace`: the editor asked because a space was typed;
 * then only a slot that a keyword just opened is worth a list (`ordering ` → the orderings), not
 * every property after every value.
 */
export function complete(workspace: Workspace, filePath: string, text: string, offset: number, triggeredBySpace = false): CompletionItem[] {
  const context = cursorContext(text, offset);
  if (triggeredBySpace && context.slot.kind === 'statement') return [];
  // Edits are placed in the text the request was made against, which may be newer than the parse.
  const source = createSourceFile(filePath, text);
  const edit = (label: string): Pick<CompletionItem, 'textEdit'> => ({
    textEdit: { range: { start: positionAt(source, context.replace.start), end: positionAt(source, context.replace.end) }, newText: label },
  });

  switch (context.slot.kind) {
    case 'none':
      return [];
    case 'keywords':
      return context.slot.words.map((word) => ({ label: word, kind: CompletionItemKind.Keyword, ...edit(word) }));
    case 'words':
      return context.slot.words.map((word) => ({ label: word, kind: CompletionItemKind.EnumMember, ...edit(word) }));
    case 'statement':
      return statementItems(workspace, filePath, context, offset, context.slot.continuations).map((item) => ({ ...item, ...edit(item.insertText ?? item.label) }));
    case 'type': {
      const scoped = scopeAt(workspace, filePath, context.blocks);
      const declared = scoped === undefined ? [] : symbolItems(workspace, scoped, ['type'], filePath, undefined);
      const builtins: CompletionItem[] = builtinTypes.map((name) => ({ label: name, kind: CompletionItemKind.TypeParameter, detail: 'built-in type' }));
      return [...builtins, ...declared].map((item) => ({ ...item, ...edit(item.label) }));
    }
    case 'fields':
      return fieldItems(workspace, filePath, context.blocks, context.slot.of).map((item) => ({ ...item, ...edit(item.label) }));
    case 'names': {
      const scoped = scopeAt(workspace, filePath, context.blocks);
      if (scoped === undefined) return [];
      const self = enclosingDeclaration(scoped, context.blocks);
      return symbolItems(workspace, scoped, context.slot.kinds, filePath, self).map((item) => ({ ...item, ...edit(item.label) }));
    }
  }
}

function statementItems(workspace: Workspace, filePath: string, context: CursorContext, offset: number, continuations: readonly string[]): CompletionItem[] {
  const innermost = context.blocks.at(-1);
  const kind = (innermost?.kind ?? 'file') as BlockKind;
  const contents = blockContents(kind);
  const present = presentProperties(workspace, filePath, context.blocks, offset);
  const items: CompletionItem[] = [];
  continuations.forEach((word, i) => items.push({ label: word, kind: CompletionItemKind.Keyword, sortText: `0${i}` }));
  for (const property of contents.properties) {
    if (present.has(property) && !isRepeatable(kind, property)) continue;
    items.push({ label: property, kind: CompletionItemKind.Property, detail: keywordDetails[property] ?? `${kind} property`, sortText: `1${property}` });
  }
  for (const declaration of contents.declarations) {
    items.push({ label: declaration, kind: CompletionItemKind.Keyword, detail: keywordDetails[declaration] ?? 'declaration', sortText: `2${declaration}` });
  }
  return items;
}

interface Scoped {
  parsed: ParsedFile;
  index: FileIndex;
  scope: Scope;
}

/** The scope at the cursor: the enclosing team's (a work graph's inside one), or the file's. */
function scopeAt(workspace: Workspace, filePath: string, blocks: readonly Block[]): Scoped | undefined {
  const parsed = workspace.latestParse(filePath);
  if (parsed === undefined) return undefined;
  const index = workspace.indexOf(parsed);
  let scope = index.scope;
  for (const block of blocks) {
    if ((block.kind !== 'team' && block.kind !== 'work') || block.name === undefined) continue;
    const owner = scope.symbols.get(block.name)?.find((symbol) => symbol.kind === block.kind);
    if (owner?.inner === undefined) break;
    scope = owner.inner;
  }
  return { parsed, index, scope };
}

/** The declaration the cursor is in (an agent never falls back on itself). */
function enclosingDeclaration(scoped: Scoped, blocks: readonly Block[]): DeclaredSymbol | undefined {
  const block = blocks.at(-1);
  if (block?.name === undefined) return undefined;
  const kind = blockSymbolKind[block.kind as BlockKind];
  return scoped.scope.symbols.get(block.name)?.find((symbol) => symbol.kind === kind);
}

function symbolItems(workspace: Workspace, scoped: Scoped, kinds: readonly SymbolKind[], filePath: string, exclude: DeclaredSymbol | undefined): CompletionItem[] {
  return workspace.project
    .visible(scoped.scope, kinds)
    .filter((symbol) => symbol.id !== exclude?.id)
    .map((symbol) => {
      const text = symbol.file === filePath ? scoped.parsed.source.text : workspace.read(symbol.file);
      const item: CompletionItem = { label: symbol.name, kind: symbolItemKinds[symbol.kind], detail: symbol.kind, insertTextFormat: InsertTextFormat.PlainText };
      if (text !== undefined) item.documentation = { kind: 'markdown', value: describeSymbol(symbol, text, filePath) };
      return item;
    });
}

/**
 * The fields a gate or an agreement can name, from the checked model of the document's last
 * check: for `emits … when`, the boolean fields of one emitted message (an element, when the
 * agent outputs a list); for `agree on`, the fields of the value the consensus decides.
 */
function fieldItems(workspace: Workspace, filePath: string, blocks: readonly Block[], of: 'emitted' | 'decided'): CompletionItem[] {
  // The models of the last check and of the last one without syntax errors: a half-typed line
  // (`emits x when ` before a keyword) can cost the tree the very output being asked about.
  const checks = [workspace.lastCheck(filePath), workspace.lastCleanCheck(filePath)];
  if (checks[0] === undefined && workspace.document(filePath) !== undefined) checks[0] = workspace.check(filePath);
  const teamName = blocks.find((block) => block.kind === 'team')?.name;
  const owner = blocks.at(-1)?.name;
  if (owner === undefined) return [];
  let record: ReturnType<typeof recordOf>;
  for (const checked of checks) {
    const team = checked?.model.teams.find((candidate) => candidate.name === teamName && candidate.file === filePath);
    let type: Type | undefined;
    if (of === 'emitted') {
      type = team?.agents.get(owner)?.output;
      if (type?.kind === 'array') type = type.element;
    } else {
      type = team?.consensus.get(owner)?.output;
    }
    record = recordOf(type);
    if (record !== undefined) break;
  }
  if (record === undefined) return [];
  return record.fields
    .filter((field) => of === 'decided' || recordOf(field.type, true)?.kind === 'bool')
    .map((field) => ({ label: field.name, kind: CompletionItemKind.Field, detail: typeToString(field.type) }));
}

/** A type with names and optionality looked through: the record (or, with `primitives`, the primitive) it is. */
function recordOf(type: Type | undefined, primitives = false): { kind: string; fields: FieldModel[] } | undefined {
  const seen = new Set<unknown>();
  while (type !== undefined) {
    if (type.kind === 'named') {
      if (seen.has(type.declaration)) return undefined;
      seen.add(type.declaration);
      type = type.declaration.type;
    } else if (type.kind === 'optional') {
      type = type.inner;
    } else if (type.kind === 'record') {
      return type;
    } else {
      return primitives ? { kind: type.kind, fields: [] } : undefined;
    }
  }
  return undefined;
}

/** The properties already written in the enclosing declaration (so single ones are not offered twice). */
function presentProperties(workspace: Workspace, filePath: string, blocks: readonly Block[], offset: number): Set<string> {
  const present = new Set<string>();
  const block = blocks.at(-1);
  if (block?.name === undefined) return present;
  const scoped = scopeAt(workspace, filePath, blocks.slice(0, -1));
  if (scoped === undefined) return present;
  const kind = blockSymbolKind[block.kind as BlockKind];
  const symbol = scoped.scope.symbols.get(block.name)?.find((candidate) => candidate.kind === kind);
  const node = symbol?.node;
  if (node === undefined || !('members' in node)) return present;
  for (const member of node.members) {
    if (touches(member.span, offset)) continue;
    const name = isDeclaration(member) ? undefined : propertyName(member);
    if (name !== undefined) present.add(name);
  }
  return present;
}

