/**
 * What building a team's declarations shares: the program-wide context, the per-team parts, and
 * small readers used by every kind of declaration.
 */
import type { Identifier, ModelDeclaration, Span, ToolDeclaration, TypeDeclaration, TypeExpression, Value } from '../syntax/ast.js';
import type { AgentModel, ModelModel, ToolModel, Type, TypeDeclarationModel } from '../model.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { resolveTypeName, type BoundSymbol, type FileScope, type TeamScope } from './binder.js';
import { readWord, type Block, type BlockContext, type BlockKind } from './properties.js';
import { q, type Reporter } from './reporter.js';
import { fieldOf, resolveTypeExpression, typeToString } from './types.js';

/** What building declarations needs from the whole program. */
export interface CheckContext {
  report: Reporter;
  /** Every type declaration of the program, created before any body is resolved. */
  typeModels: Map<TypeDeclaration, TypeDeclarationModel>;
  /** Models and tools declared at a file's top level, built once in their own file. */
  modelModels: Map<ModelDeclaration, ModelModel>;
  toolModels: Map<ToolDeclaration, ToolModel>;
  /** A `prompt file`'s text, resolved relative to its `.team` file; undefined when unreadable. */
  readFile(filePath: string): string | undefined;
  /** Prompt files read so far. */
  promptFiles: Map<string, string>;
  /**
   * Per agent, names it takes or reads that did not resolve (reported as T101): its prompt's
   * unknown names are not reported a second time.
   */
  unresolvedInputs: WeakMap<AgentModel, Set<string>>;
}

/** Resolves type expressions in a scope, reporting unknown names. */
export function typeResolver(scope: TeamScope | FileScope, context: CheckContext): (expression: TypeExpression) => Type {
  const file = 'parent' in scope ? scope.parent.file : scope.file;
  const lookup = (name: string, span: Span) => {
    const symbol = resolveTypeName(scope, name, span, context.report);
    return symbol === undefined ? undefined : context.typeModels.get(symbol.node as TypeDeclaration);
  };
  return (expression) => resolveTypeExpression(expression, lookup, file);
}

/** The file, span and name span every model element carries. */
export function origin(file: string, node: { span: Span; name: Identifier }) {
  return { file, span: node.span, nameSpan: node.name.span };
}

export function docOf(block: Block): string | undefined {
  return block.properties.get('doc')?.text.value;
}

export function blockContext(kind: BlockKind, name: string, file: string): BlockContext {
  return { kind, name, file };
}

/**
 * Checks a dotted path of field names against a type; the first unknown segment is reported
 * (T101, with the closest field name).
 */
export function checkFieldPath(
  type: Type,
  segments: ReadonlyArray<{ name: string; span: Span }>,
  owner: string,
  firstWhat: string,
  file: string,
  report: Reporter,
): Type | undefined {
  let current: Type = type;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const found = fieldOf(current, segment.name);
    if (found.kind === 'found') {
      current = found.type;
      continue;
    }
    const suggestion = found.kind === 'missing' ? didYouMean(segment.name, found.candidates) : undefined;
    const what = i === 0 ? firstWhat : 'field';
    report({
      code: 'T101',
      args: { what, name: segments.slice(0, i + 1).map((s) => s.name).join('.') },
      at: { file, span: segment.span },
      label: found.kind === 'missing' ? `not ${i === 0 ? `a ${firstWhat} of ${owner}` : `a field of \`${typeToString(current)}\``}` : `\`${typeToString(current)}\` has no fields`,
      help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
    });
    return undefined;
  }
  return current;
}

/** What every part of a team's building shares. */
export interface TeamParts {
  scope: TeamScope;
  file: string;
  report: Reporter;
  ctx: CheckContext;
  resolveType: (expression: TypeExpression) => Type;
  /** Whether a symbol is the declaration that owns its name (a duplicate is reported and skipped). */
  owns(node: BoundSymbol['node']): boolean;
}

/** An optional word property: its value when written and valid (T103 otherwise), else undefined. */
export function word<W extends string>(value: Value | undefined, label: string, words: readonly W[], file: string, report: Reporter): W | undefined {
  return value === undefined ? undefined : readWord(value, label, words, file, report);
}

/** An item listed twice in a list property (`takes diff, diff`). */
export function duplicateItem(name: string, span: Span, first: Span, verb: string, parts: TeamParts): void {
  parts.report({
    code: 'T103',
    args: { message: `${q(name)} is ${verb} twice` },
    at: { file: parts.file, span },
    label: 'listed again here',
    related: [{ file: parts.file, span: first, message: 'first listed here' }],
    help: ['list it once'],
  });
}
