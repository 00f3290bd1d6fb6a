/**
 * The names of one file, read from its syntax tree: every declaration (with the scope it lives
 * in) and every place a name is used (with the kinds of declaration it may mean). Resolution
 * across files is `project.ts`'s job; this module only looks at one tree, so it works on a file
 * the parser had to recover from, and on any file of the workspace, checked or not.
 *
 * Scopes follow docs/language.md: a file's top-level declarations; a team's declarations and
 * inputs; a work graph's tasks. A name is looked up from the innermost scope outwards, then in
 * the imported files.
 */
import * as path from 'node:path';
import type {
  Declaration,
  InputProperty,
  Member,
  OutputProperty,
  Property,
  SourceFileNode,
  Span,
  StringLiteral,
  TypeExpression,
} from '../syntax/ast.js';
import { isDeclaration } from '../syntax/ast.js';

export type SymbolKind =
  | 'team'
  | 'model'
  | 'type'
  | 'store'
  | 'channel'
  | 'agent'
  | 'tool'
  | 'consensus'
  | 'work'
  | 'task'
  | 'input'
  | 'output';

export interface Scope {
  kind: 'file' | 'team' | 'work';
  file: string;
  parent?: Scope;
  /** The team or work graph that opens this scope; none for a file. */
  owner?: DeclaredSymbol;
  /** Declarations by name (a name may be declared twice: T102, still indexed). */
  symbols: Map<string, DeclaredSymbol[]>;
}

export interface DeclaredSymbol {
  /** Unique in a workspace: file and offset of the name. */
  id: string;
  name: string;
  kind: SymbolKind;
  file: string;
  nameSpan: Span;
  span: Span;
  /** Where it is declared. */
  scope: Scope;
  node: Declaration | InputProperty | OutputProperty;
  /** The declaration whose block holds it (a team for its agents, a work graph for its tasks). */
  container?: DeclaredSymbol;
  /** The scope it opens: a team's or a work graph's. */
  inner?: Scope;
}

/** Which property a name is used by; hover and completion speak in these terms. */
export type ReferenceRole =
  | 'model'
  | 'takes'
  | 'reads'
  | 'writes'
  | 'emits'
  | 'calls'
  | 'fallback'
  | 'validate'
  | 'over'
  | 'by'
  | 'lead'
  | 'after'
  | 'from'
  | 'type'
  | 'prompt';

export interface NameReference {
  name: string;
  file: string;
  span: Span;
  /** The kinds of declaration the name may mean here, in the order they are tried. */
  kinds: readonly SymbolKind[];
  role: ReferenceRole;
  /** The innermost scope at the use. */
  scope: Scope;
  /** The declaration whose property holds the use (the agent of a `takes`). */
  owner?: DeclaredSymbol;
}

/** A prompt template of an agent, inline or in a file, and the names its variables may use. */
export interface PromptTemplate {
  agent: DeclaredSymbol;
  scope: Scope;
  source: { kind: 'inline'; literal: StringLiteral } | { kind: 'file'; path: string; literal: StringLiteral };
  /** The agent's inputs, by the name a template uses: what each may mean. */
  variables: Map<string, readonly SymbolKind[]>;
}

export interface FileIndex {
  file: string;
  scope: Scope;
  /** Every declaration, in source order. */
  symbols: DeclaredSymbol[];
  /** Every use of a name in this file's syntax, in source order (prompt variables are not here). */
  references: NameReference[];
  templates: PromptTemplate[];
  /** The imported files, resolved to absolute paths, in the order they are imported. */
  imports: string[];
}

/** The kind of symbol each declaration is. */
const declarationSymbolKind: Record<Declaration['kind'], SymbolKind> = {
  Team: 'team',
  Model: 'model',
  Type: 'type',
  Store: 'store',
  Channel: 'channel',
  Agent: 'agent',
  Tool: 'tool',
  Consensus: 'consensus',
  Work: 'work',
  Task: 'task',
};

/** What each referring property may name, in lookup order. */
export const referenceKinds: Record<Exclude<ReferenceRole, 'prompt'>, readonly SymbolKind[]> = {
  model: ['model'],
  takes: ['input', 'channel'],
  reads: ['store'],
  writes: ['store'],
  emits: ['channel'],
  calls: ['tool'],
  fallback: ['agent'],
  validate: ['agent'],
  over: ['agent'],
  by: ['agent'],
  lead: ['agent'],
  after: ['task'],
  from: ['agent', 'consensus', 'work'],
  type: ['type'],
};

/** Types every file knows without declaring them. */
export const builtinTypes = ['string', 'int', 'number', 'bool'] as const;

export function indexFile(file: string, ast: SourceFileNode): FileIndex {
  const builder = new IndexBuilder(file);
  return builder.build(ast);
}

class IndexBuilder {
  private readonly symbols: DeclaredSymbol[] = [];
  private readonly references: NameReference[] = [];
  private readonly templates: PromptTemplate[] = [];
  private readonly fileScope: Scope;

  constructor(private readonly file: string) {
    this.fileScope = { kind: 'file', file, symbols: new Map() };
  }

  build(ast: SourceFileNode): FileIndex {
    const imports = ast.imports.map((declaration) => path.resolve(path.dirname(this.file), declaration.path.value));
    for (const declaration of ast.declarations) this.declaration(declaration, this.fileScope, undefined);
    this.symbols.sort((a, b) => a.nameSpan.start - b.nameSpan.start);
    this.references.sort((a, b) => a.span.start - b.span.start);
    return { file: this.file, scope: this.fileScope, symbols: this.symbols, references: this.references, templates: this.templates, imports };
  }

  private declare(
    name: { name: string; span: Span },
    kind: SymbolKind,
    span: Span,
    scope: Scope,
    node: DeclaredSymbol['node'],
    container: DeclaredSymbol | undefined,
  ): DeclaredSymbol {
    const symbol: DeclaredSymbol = { id: `${this.file}#${name.span.start}`, name: name.name, kind, file: this.file, nameSpan: name.span, span, scope, node };
    if (container !== undefined) symbol.container = container;
    this.symbols.push(symbol);
    const existing = scope.symbols.get(name.name);
    if (existing === undefined) scope.symbols.set(name.name, [symbol]);
    else existing.push(symbol);
    return symbol;
  }

  private use(name: { name: string; span: Span }, role: Exclude<ReferenceRole, 'prompt'>, scope: Scope, owner: DeclaredSymbol | undefined): void {
    const reference: NameReference = { name: name.name, file: this.file, span: name.span, kinds: referenceKinds[role], role, scope };
    if (owner !== undefined) reference.owner = owner;
    this.references.push(reference);
  }

  private declaration(declaration: Declaration, scope: Scope, container: DeclaredSymbol | undefined): void {
    const symbol = this.declare(declaration.name, declarationSymbolKind[declaration.kind], declaration.span, scope, declaration, container);
    switch (declaration.kind) {
      case 'Team': {
        const inner: Scope = { kind: 'team', file: this.file, parent: scope, owner: symbol, symbols: new Map() };
        symbol.inner = inner;
        this.members(declaration.members, inner, symbol);
        return;
      }
      case 'Work': {
        this.use(declaration.by, 'by', scope, symbol);
        const inner: Scope = { kind: 'work', file: this.file, parent: scope, owner: symbol, symbols: new Map() };
        symbol.inner = inner;
        this.members(declaration.members, inner, symbol);
        return;
      }
      case 'Consensus':
        this.use(declaration.over, 'over', scope, symbol);
        this.members(declaration.members, scope, symbol);
        return;
      case 'Type':
        this.type(declaration.type, scope, symbol);
        return;
      case 'Store':
      case 'Channel':
        this.type(declaration.type, scope, symbol);
        this.members(declaration.members, scope, symbol);
        return;
      case 'Tool':
        for (const parameter of declaration.parameters) this.type(parameter.type, scope, symbol);
        if (declaration.returns !== undefined) this.type(declaration.returns, scope, symbol);
        this.members(declaration.members, scope, symbol);
        return;
      case 'Agent':
        this.members(declaration.members, scope, symbol);
        this.template(declaration.members, scope, symbol);
        return;
      case 'Model':
      case 'Task':
        this.members(declaration.members, scope, symbol);
        return;
    }
  }

  private members(members: readonly Member[], scope: Scope, owner: DeclaredSymbol): void {
    for (const member of members) {
      if (isDeclaration(member)) this.declaration(member, scope, owner);
      else this.property(member, scope, owner);
    }
  }

  private property(property: Property, scope: Scope, owner: DeclaredSymbol): void {
    switch (property.kind) {
      case 'Input':
        this.declare(property.name, 'input', property.span, scope, property, owner);
        this.type(property.type, scope, owner);
        return;
      case 'Output':
        if (property.name !== undefined) this.declare(property.name, 'output', property.span, scope, property, owner);
        this.type(property.type, scope, owner);
        if (property.from !== undefined) this.use(property.from, 'from', scope, owner);
        return;
      case 'ModelReference':
        this.use(property.model, 'model', scope, owner);
        return;
      case 'Takes':
        for (const item of property.items) this.use(item.source, 'takes', scope, owner);
        return;
      case 'Reads':
        for (const item of property.items) this.use(item.store, 'reads', scope, owner);
        return;
      case 'Writes':
        for (const target of property.targets) if (target.kind === 'Identifier') this.use(target, 'writes', scope, owner);
        return;
      case 'Emits':
        for (const item of property.items) this.use(item.channel, 'emits', scope, owner);
        return;
      case 'Calls':
        for (const tool of property.tools) this.use(tool, 'calls', scope, owner);
        return;
      case 'Fallback':
        for (const agent of property.agents) this.use(agent, 'fallback', scope, owner);
        return;
      case 'Validate':
        this.use(property.validator, 'validate', scope, owner);
        return;
      case 'Assign':
        if (property.lead !== undefined) this.use(property.lead, 'lead', scope, owner);
        return;
      case 'After':
        for (const task of property.tasks) this.use(task, 'after', scope, owner);
        return;
      default:
        return;
    }
  }

  private type(type: TypeExpression, scope: Scope, owner: DeclaredSymbol): void {
    switch (type.kind) {
      case 'TypeReference':
        // Built-ins are not declarations: there is nothing to go to or rename.
        if (!(builtinTypes as readonly string[]).includes(type.name.name)) this.use(type.name, 'type', scope, owner);
        return;
      case 'LiteralType':
        return;
      case 'RecordType':
        for (const field of type.fields) this.type(field.type, scope, owner);
        return;
      case 'ArrayType':
        this.type(type.element, scope, owner);
        return;
      case 'OptionalType':
        this.type(type.inner, scope, owner);
        return;
      case 'UnionType':
        for (const member of type.members) this.type(member, scope, owner);
        return;
    }
  }

  /** An agent's prompt, and its variables: what it takes (by name) and the stores it reads. */
  private template(members: readonly Member[], scope: Scope, agent: DeclaredSymbol): void {
    const variables = new Map<string, readonly SymbolKind[]>();
    let prompt: PromptTemplate['source'] | undefined;
    for (const member of members) {
      if (member.kind === 'Takes') for (const item of member.items) variables.set(item.source.name, referenceKinds.takes);
      else if (member.kind === 'Reads') for (const item of member.items) variables.set(item.store.name, referenceKinds.reads);
      else if (member.kind === 'Prompt' && prompt === undefined) {
        prompt =
          member.source.kind === 'inline'
            ? { kind: 'inline', literal: member.source.text }
            : { kind: 'file', path: path.resolve(path.dirname(this.file), member.source.path.value), literal: member.source.path };
      }
    }
    if (prompt !== undefined) this.templates.push({ agent, scope, source: prompt, variables });
  }
}
