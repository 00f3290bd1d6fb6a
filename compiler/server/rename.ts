/**
 * Rename: every use of a declaration in the workspace, prompt templates included, or a refusal
 * that says why. A rename is refused when it cannot be made safely by editing names: on a
 * keyword, a built-in type, a guarantee word or a record field, to a name that is not a name
 * or is reserved, and to a name that would collide with (or capture a use of) another
 * declaration.
 */
import * as path from 'node:path';
import { reservedWords } from '../../grammar/tokens.js';
import type { RecordField, SourceFileNode, Span, TypeExpression } from '../syntax/ast.js';
import type { Project, Target } from './project.js';
import { builtinTypes, type DeclaredSymbol, type NameReference, type Scope, type SymbolKind } from './symbols.js';
import { guaranteeWordSet, wordAt } from './words.js';

export type Refusal = { ok: false; reason: string };
export type RenameTarget = { ok: true; symbol: DeclaredSymbol; span: Span; placeholder: string } | Refusal;

/** One change of a rename: the name at `span` in `file` becomes the new name. */
export interface NameEdit {
  file: string;
  span: Span;
}

export type RenamePlan = { ok: true; symbol: DeclaredSymbol; edits: NameEdit[] } | Refusal;

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved: ReadonlySet<string> = new Set(reservedWords);
const builtins: ReadonlySet<string> = new Set(builtinTypes);
/** Names a template resolves as helpers before variables: an input named so is unreachable from a prompt. */
const templateHelpers: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'json', 'join', 'this']);

const kindArticle = (symbol: DeclaredSymbol) => `${symbol.kind} \`${symbol.name}\``;

/** What a rename at the cursor would rename, or why it cannot. */
export function renameTarget(project: Project, file: string, text: string, ast: SourceFileNode, offset: number): RenameTarget {
  const target: Target | undefined = project.targetAt(file, offset);
  if (target === undefined) return { ok: false, reason: whyNotAName(text, ast, offset) };
  const symbol = project.symbolOf(target);
  if (symbol === undefined) {
    const name = target.kind === 'reference' ? target.reference.name : '';
    return { ok: false, reason: `\`${name}\` is not declared (T101), so there is nothing to rename` };
  }
  return { ok: true, symbol, span: target.span, placeholder: symbol.name };
}

export function planRename(project: Project, file: string, text: string, ast: SourceFileNode, offset: number, newName: string): RenamePlan {
  const target = renameTarget(project, file, text, ast, offset);
  if (!target.ok) return target;
  const symbol = target.symbol;

  if (!identifierPattern.test(newName)) return refuse(`\`${newName}\` is not a name: a name is a letter or \`_\`, then letters, digits or \`_\``);
  if (reserved.has(newName)) return refuse(`\`${newName}\` is a keyword of the language`);
  if (builtins.has(newName)) return refuse(`\`${newName}\` is a built-in type`);
  if (newName === symbol.name) return { ok: true, symbol, edits: [] };

  const references = project.referencesTo(symbol);
  const collision = findCollision(project, symbol, references, newName);
  if (collision !== undefined) return refuse(collision);

  const edits: NameEdit[] = [{ file: symbol.file, span: symbol.nameSpan }, ...references.map((reference) => ({ file: reference.file, span: reference.span }))];
  return { ok: true, symbol, edits };
}

function refuse(reason: string): Refusal {
  return { ok: false, reason };
}

/**
 * The checker's scope rules (check/binder.ts) allow no shadowing: a name declared twice where one
 * scope can see both is T102. So the new name collides with any declaration of the same
 * namespace that the renamed one can see, or that can see it.
 */
function findCollision(project: Project, symbol: DeclaredSymbol, references: readonly NameReference[], newName: string): string | undefined {
  for (const file of new Set([symbol.file, ...project.files()])) {
    const index = project.index(file);
    if (index === undefined) continue;
    for (const other of index.symbols) {
      if (other.name !== newName || other.id === symbol.id || namespaceOf(other.kind) !== namespaceOf(symbol.kind)) continue;
      const related = symbol.kind === 'team' ? other.file === symbol.file : sees(project, other.scope, symbol.scope) || sees(project, symbol.scope, other.scope);
      if (related) {
        const where = other.file === symbol.file ? '' : ` in ${path.basename(other.file)}`;
        return `${kindArticle(other)} is already declared${where}, where ${kindArticle(symbol)} is visible: the new name would be declared twice (T102)`;
      }
    }
  }

  for (const reference of references) {
    if (reference.role === 'prompt' && templateHelpers.has(newName)) {
      return `\`${symbol.name}\` is used in the prompt of \`${reference.owner?.name ?? ''}\`, where \`${newName}\` is a template helper`;
    }
  }

  // A use of `newName` that names nothing today would come to mean the renamed declaration.
  for (const file of project.files()) {
    const index = project.index(file);
    if (index === undefined) continue;
    for (const reference of project.referencesIn(index)) {
      if (reference.name !== newName || !reference.kinds.includes(symbol.kind) || !sees(project, reference.scope, symbol.scope)) continue;
      if (project.resolve(reference) !== undefined) continue;
      const where = reference.owner === undefined ? '' : ` in ${kindArticle(reference.owner)}`;
      return `\`${newName}\` is used${where} without a declaration; the renamed ${symbol.kind} would silently become what it means`;
    }
  }
  return undefined;
}

/** Names live in separate namespaces: types, teams, a work graph's tasks, team outputs, and everything else. */
function namespaceOf(kind: SymbolKind): string {
  return kind === 'type' || kind === 'team' || kind === 'task' || kind === 'output' ? kind : 'value';
}

/** Whether a lookup from `scope` reaches `target` (its own chain, then the imports). */
function sees(project: Project, scope: Scope, target: Scope): boolean {
  for (const current of project.scopesFrom(scope)) if (current === target) return true;
  return false;
}

/** Why the word at the cursor cannot be renamed. */
function whyNotAName(text: string, ast: SourceFileNode, offset: number): string {
  const word = wordAt(text, offset)?.word;
  if (word === undefined) return 'there is no name under the cursor';
  // Field names may be keywords (`file: string`), so fields are recognised first.
  if (isFieldName(ast, offset)) return `\`${word}\` is a record field: renaming it would also change prompts and field paths that use it, which rename does not track`;
  if (reserved.has(word)) return `\`${word}\` is a keyword of the language, not a name`;
  if (builtins.has(word)) return `\`${word}\` is a built-in type`;
  if (guaranteeWordSet.has(word)) return `\`${word}\` is a guarantee or policy word of the language, not a name`;
  return `\`${word}\` is not a name that rename can follow`;
}

/** Whether the offset is on a record field's name or on a segment of a field path. */
export function isFieldName(ast: SourceFileNode, offset: number): boolean {
  const on = (span: Span) => span.start <= offset && offset <= span.end;
  let found = false;
  const visitType = (type: TypeExpression): void => {
    if (found || !on(type.span)) return;
    switch (type.kind) {
      case 'RecordType':
        for (const field of type.fields) visitField(field);
        return;
      case 'ArrayType':
        visitType(type.element);
        return;
      case 'OptionalType':
        visitType(type.inner);
        return;
      case 'UnionType':
        type.members.forEach(visitType);
        return;
      default:
        return;
    }
  };
  const visitField = (field: RecordField): void => {
    if (on(field.name.span)) found = true;
    else visitType(field.type);
  };
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const record = node as { kind?: string; span?: Span; segments?: Array<{ span: Span }> };
    if (record.span !== undefined && !on(record.span)) return;
    if (record.kind === 'FieldPath' && record.segments!.some((segment) => on(segment.span))) {
      found = true;
      return;
    }
    if (record.kind === 'RecordType' || record.kind === 'RecordField') {
      if (record.kind === 'RecordField') visitField(node as RecordField);
      else visitType(node as TypeExpression);
      return;
    }
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value);
  };
  visit(ast.declarations);
  return found;
}
