/**
 * Names across files: resolving a use to its declaration (innermost scope first, then the
 * imported files), what is visible at a point (for completion), and every use of a declaration
 * in the workspace (for references and rename), prompt templates included.
 */
import type { Span } from '../syntax/ast.js';
import type { DeclaredSymbol, FileIndex, NameReference, PromptTemplate, Scope, SymbolKind } from './symbols.js';
import { inlineTemplateContent, templateReferences } from './templates.js';

export interface IndexProvider {
  /** The index of a file's current text, or undefined when it cannot be read. */
  index(file: string): FileIndex | undefined;
  /** The current text of any file (a `.team` file or a prompt template). */
  text(file: string): string | undefined;
  /** The `.team` files a search for uses covers: open documents and the workspace's files. */
  files(): Iterable<string>;
}

/** What the cursor is on: a declaration's name, or a use of a name. */
export type Target = { kind: 'declaration'; symbol: DeclaredSymbol; span: Span } | { kind: 'reference'; reference: NameReference; span: Span };

export class Project {
  private readonly templateCache = new WeakMap<PromptTemplate, { text: string; references: NameReference[] }>();

  constructor(private readonly provider: IndexProvider) {}

  index(file: string): FileIndex | undefined {
    return this.provider.index(file);
  }

  /** The `.team` files searched for uses. */
  files(): string[] {
    return [...new Set(this.provider.files())];
  }

  /** The declaration a use means, or undefined when it names nothing of the right kind (T101). */
  resolve(reference: NameReference): DeclaredSymbol | undefined {
    return this.lookup(reference.name, reference.kinds, reference.scope);
  }

  /** The first declaration of `name` (of one of `kinds`, any kind when omitted) seen from `scope`. */
  lookup(name: string, kinds: readonly SymbolKind[] | undefined, scope: Scope): DeclaredSymbol | undefined {
    const matches = (symbol: DeclaredSymbol) => kinds === undefined || kinds.includes(symbol.kind);
    for (const current of this.scopesFrom(scope)) {
      const found = current.symbols.get(name)?.find(matches);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Every declaration of one of `kinds` visible from `scope`, an inner one hiding an outer of the same name. */
  visible(scope: Scope, kinds: readonly SymbolKind[]): DeclaredSymbol[] {
    const seen = new Set<string>();
    const result: DeclaredSymbol[] = [];
    for (const current of this.scopesFrom(scope)) {
      for (const [name, symbols] of current.symbols) {
        if (seen.has(name)) continue;
        const symbol = symbols.find((candidate) => kinds.includes(candidate.kind));
        if (symbol === undefined) continue;
        seen.add(name);
        result.push(symbol);
      }
    }
    return result;
  }

  /**
   * The scope chain (innermost first), then the file scopes of the files the file imports
   * directly: as check/binder.ts says, a file sees its imports' declarations, not theirs.
   */
  *scopesFrom(scope: Scope): Generator<Scope> {
    let fileScope = scope;
    for (let current: Scope | undefined = scope; current !== undefined; current = current.parent) {
      yield current;
      fileScope = current;
    }
    const seen = new Set([fileScope.file]);
    for (const file of this.provider.index(fileScope.file)?.imports ?? []) {
      if (seen.has(file)) continue;
      seen.add(file);
      const imported = this.provider.index(file);
      if (imported !== undefined) yield imported.scope;
    }
  }

  /** The uses of inputs in a template (cached while the template's text is unchanged). */
  templateReferences(index: FileIndex, template: PromptTemplate): NameReference[] {
    const file = template.source.kind === 'file' ? template.source.path : index.file;
    const text = this.provider.text(file);
    if (text === undefined) return [];
    const cached = this.templateCache.get(template);
    if (cached !== undefined && cached.text === text) return cached.references;
    const content =
      template.source.kind === 'inline' ? inlineTemplateContent(text, template.source.literal) : { text, offset: 0 };
    const references = templateReferences(template, file, content.text, content.offset);
    this.templateCache.set(template, { text, references });
    return references;
  }

  /** Uses in the file's syntax and in its inline templates, in source order. */
  referencesIn(index: FileIndex): NameReference[] {
    const inline = index.templates.filter((template) => template.source.kind === 'inline').flatMap((template) => this.templateReferences(index, template));
    if (inline.length === 0) return index.references;
    return [...index.references, ...inline].sort((a, b) => a.span.start - b.span.start);
  }

  /** The name under the cursor: a use (inline template variables included) or a declaration. */
  targetAt(file: string, offset: number): Target | undefined {
    const index = this.provider.index(file);
    if (index === undefined) return undefined;
    const reference = pickTouching(this.referencesIn(index), offset, (r) => r.span);
    const declaration = pickTouching(index.symbols, offset, (s) => s.nameSpan);
    if (reference !== undefined && (declaration === undefined || inside(reference.span, offset))) {
      return { kind: 'reference', reference, span: reference.span };
    }
    if (declaration !== undefined) return { kind: 'declaration', symbol: declaration, span: declaration.nameSpan };
    return undefined;
  }

  /** The declaration the target is, or means. */
  symbolOf(target: Target): DeclaredSymbol | undefined {
    return target.kind === 'declaration' ? target.symbol : this.resolve(target.reference);
  }

  /** Every use of `symbol` in the workspace, template variables and prompt files included. */
  referencesTo(symbol: DeclaredSymbol): NameReference[] {
    const found: NameReference[] = [];
    const files = new Set([symbol.file, ...this.provider.files()]);
    for (const file of files) {
      const index = this.provider.index(file);
      if (index === undefined) continue;
      const candidates = [
        ...index.references,
        ...index.templates.filter((template) => template.variables.has(symbol.name)).flatMap((template) => this.templateReferences(index, template)),
      ];
      for (const reference of candidates) {
        if (reference.name === symbol.name && this.resolve(reference)?.id === symbol.id) found.push(reference);
      }
    }
    return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start));
  }
}

function inside(span: Span, offset: number): boolean {
  return span.start <= offset && offset < span.end;
}

/** The item whose span holds the offset, or else one that ends right at it (the cursor after a word). */
function pickTouching<T>(items: readonly T[], offset: number, spanOf: (item: T) => Span): T | undefined {
  let touching: T | undefined;
  for (const item of items) {
    const span = spanOf(item);
    if (inside(span, offset)) return item;
    if (span.end === offset) touching = item;
  }
  return touching;
}
