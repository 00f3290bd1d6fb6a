/**
 * Names and scopes (T101, T102).
 *
 * A file's top level declares teams, and models, types and tools that its teams share; a file
 * sees its own top-level declarations and those of the files it imports directly (teams are not
 * imported). A team's scope holds its members — inputs, models, types, tools, stores, channels,
 * agents, consensus groups, work graphs — over the file's. Types live in their own namespace
 * (they are only ever named in type positions); everything else shares one, so `takes x` or
 * `{{x}}` can never mean two things. A name declared twice anywhere a scope can see it is an
 * error (T102) rather than a shadow: the second declaration would silently win or lose.
 *
 * Scopes are maps, and each reference is one or two map lookups, so binding is linear in the
 * size of the program; candidate lists for "did you mean" are only built when a lookup fails.
 */
import * as path from 'node:path';
import type {
  AgentDeclaration,
  ChannelDeclaration,
  ConsensusDeclaration,
  Identifier,
  ImportDeclaration,
  InputProperty,
  ModelDeclaration,
  SourceFileNode,
  Span,
  StoreDeclaration,
  TeamDeclaration,
  ToolDeclaration,
  TypeDeclaration,
  WorkDeclaration,
} from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Block } from './properties.js';
import { blockDeclarations, reportMisplacedDeclaration } from './properties.js';
import { q, type Reporter } from './reporter.js';
import { builtinTypeNames } from './types.js';

export type SymbolKind = 'model' | 'type' | 'tool' | 'store' | 'channel' | 'agent' | 'consensus' | 'work' | 'input';

export type SymbolNode =
  | ModelDeclaration
  | TypeDeclaration
  | ToolDeclaration
  | StoreDeclaration
  | ChannelDeclaration
  | AgentDeclaration
  | ConsensusDeclaration
  | WorkDeclaration
  | InputProperty;

export interface BoundSymbol {
  kind: SymbolKind;
  name: string;
  file: string;
  nameSpan: Span;
  node: SymbolNode;
}

export interface FileScope {
  file: string;
  teams: TeamDeclaration[];
  /** This file's own top-level models and tools, and types. */
  ownValues: Map<string, BoundSymbol>;
  ownTypes: Map<string, BoundSymbol>;
  /** What the file's teams see at file level: its own declarations and its direct imports'. */
  values: Map<string, BoundSymbol>;
  types: Map<string, BoundSymbol>;
  /** Names of declarations reported as misplaced: a reference to one is not reported again. */
  misplaced: Set<string>;
}

export interface TeamScope {
  team: TeamDeclaration;
  file: string;
  parent: FileScope;
  block: Block;
  values: Map<string, BoundSymbol>;
  types: Map<string, BoundSymbol>;
  /** Names declared more than once here: a reference that finds the wrong one is not reported again. */
  duplicated: Set<string>;
}

const kindOfDeclaration: Record<string, SymbolKind> = {
  Model: 'model',
  Type: 'type',
  Tool: 'tool',
  Store: 'store',
  Channel: 'channel',
  Agent: 'agent',
  Consensus: 'consensus',
  Work: 'work',
};

const builtinTypes: ReadonlySet<string> = new Set(builtinTypeNames);

/** Declares one symbol in a namespace; a clash is reported at the later declaration. */
function declare(into: Map<string, BoundSymbol>, symbol: BoundSymbol, report: Reporter): void {
  if (symbol.kind === 'type' && builtinTypes.has(symbol.name)) {
    report({
      code: 'T102',
      args: { what: 'type', name: symbol.name },
      at: { file: symbol.file, span: symbol.nameSpan },
      label: `${q(symbol.name)} is a built-in type`,
      help: ['choose another name'],
    });
    return;
  }
  const first = into.get(symbol.name);
  if (first === undefined) {
    into.set(symbol.name, symbol);
    return;
  }
  reportDuplicate(first, symbol, report, { file: symbol.file, span: symbol.nameSpan });
}

function reportDuplicate(first: BoundSymbol, second: BoundSymbol, report: Reporter, at: { file: string; span: Span }, label = 'declared again here'): void {
  const sameKind = first.kind === second.kind;
  report({
    code: 'T102',
    args: { what: sameKind ? second.kind : 'the name', name: second.name },
    at,
    label: sameKind ? label : `${label}, as ${article(second.kind)}`,
    related: [
      ...(at.span === second.nameSpan && at.file === second.file ? [] : [{ file: second.file, span: second.nameSpan, message: `declared here as ${article(second.kind)}` }]),
      { file: first.file, span: first.nameSpan, message: sameKind ? 'first declared here' : `first declared here, as ${article(first.kind)}` },
    ],
    help: ['rename one of them'],
  });
}

const article = (kind: string) => (/^`?[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

function symbolOf(node: SymbolNode, file: string): BoundSymbol {
  const kind = node.kind === 'Input' ? 'input' : kindOfDeclaration[node.kind]!;
  return { kind, name: node.name.name, file, nameSpan: node.name.span, node };
}

/** A file's own top level: its teams (names unique in the file) and its shared declarations. */
export function bindFile(file: string, ast: SourceFileNode, report: Reporter): FileScope {
  const scope: FileScope = {
    file,
    teams: [],
    ownValues: new Map(),
    ownTypes: new Map(),
    values: new Map(),
    types: new Map(),
    misplaced: new Set(),
  };
  const teamNames = new Map<string, TeamDeclaration>();
  for (const declaration of ast.declarations) {
    if (!blockDeclarations.file.includes(declaration.kind)) {
      reportMisplacedDeclaration(declaration, 'file', file, report, scope.misplaced);
      continue;
    }
    if (declaration.kind === 'Team') {
      const first = teamNames.get(declaration.name.name);
      if (first !== undefined) {
        report({
          code: 'T102',
          args: { what: 'team', name: declaration.name.name },
          at: { file, span: declaration.name.span },
          label: 'declared again here',
          related: [{ file, span: first.name.span, message: 'first declared here' }],
          help: ['rename one of them'],
        });
        continue;
      }
      teamNames.set(declaration.name.name, declaration);
      scope.teams.push(declaration);
      continue;
    }
    const symbol = symbolOf(declaration as SymbolNode, file);
    declare(symbol.kind === 'type' ? scope.ownTypes : scope.ownValues, symbol, report);
  }
  return scope;
}

/**
 * Completes what a file sees: its own declarations, then each directly imported file's. Two
 * imports declaring the same name clash at the later import; an import clashing with the file's
 * own declaration is reported at the file's declaration.
 */
export function linkImports(scope: FileScope, ast: SourceFileNode, imported: readonly FileScope[], report: Reporter): void {
  for (const [name, symbol] of scope.ownValues) scope.values.set(name, symbol);
  for (const [name, symbol] of scope.ownTypes) scope.types.set(name, symbol);
  const importOf = new Map<string, ImportDeclaration>();
  for (const declaration of ast.imports) importOf.set(path.resolve(path.dirname(scope.file), declaration.path.value), declaration);

  for (const other of imported) {
    const statement = importOf.get(other.file);
    for (const [own, into] of [
      [other.ownValues, scope.values],
      [other.ownTypes, scope.types],
    ] as const) {
      for (const [name, symbol] of own) {
        const first = into.get(name);
        if (first === undefined) {
          into.set(name, symbol);
        } else if (first !== symbol) {
          if (first.file === scope.file) {
            reportDuplicate(symbol, first, report, { file: first.file, span: first.nameSpan }, `also declared in ${path.basename(symbol.file)}`);
          } else {
            const at = { file: scope.file, span: statement?.span ?? { start: 0, end: 0 } };
            reportDuplicate(first, symbol, report, at, `this import declares ${q(name)} again`);
          }
        }
      }
    }
  }
}

/** A team's own scope: its inputs and member declarations, over the file's. */
export function bindTeam(team: TeamDeclaration, block: Block, parent: FileScope, report: Reporter): TeamScope {
  const scope: TeamScope = { team, file: parent.file, parent, block, values: new Map(), types: new Map(), duplicated: new Set() };
  const add = (symbol: BoundSymbol) => {
    const into = symbol.kind === 'type' ? scope.types : scope.values;
    const outer = (symbol.kind === 'type' ? parent.types : parent.values).get(symbol.name);
    if (outer !== undefined || into.has(symbol.name)) scope.duplicated.add(symbol.name);
    if (outer !== undefined && !into.has(symbol.name)) {
      reportDuplicate(outer, symbol, report, { file: symbol.file, span: symbol.nameSpan });
      return;
    }
    declare(into, symbol, report);
  };
  for (const input of block.properties.all('input')) add(symbolOf(input, parent.file));
  for (const declaration of block.declarations) add(symbolOf(declaration as SymbolNode, parent.file));
  return scope;
}

export function lookupValue(scope: TeamScope, name: string): BoundSymbol | undefined {
  return scope.values.get(name) ?? scope.parent.values.get(name);
}

export function lookupType(scope: TeamScope | FileScope, name: string): BoundSymbol | undefined {
  if ('parent' in scope) return scope.types.get(name) ?? scope.parent.types.get(name);
  return scope.types.get(name);
}

/** Every visible value of the given kinds (for suggestions only: this walks the scope). */
function candidatesOf(scope: TeamScope, kinds: readonly SymbolKind[]): string[] {
  const names: string[] = [];
  for (const map of [scope.values, scope.parent.values]) {
    for (const symbol of map.values()) if (kinds.includes(symbol.kind)) names.push(symbol.name);
  }
  return names;
}

/**
 * Resolves a reference that must name one of `kinds`; otherwise reports T101 with the closest
 * name of the right kind. `what` names the kinds in the message (`channel or input`).
 */
export function resolveName(
  scope: TeamScope,
  reference: Identifier,
  kinds: readonly SymbolKind[],
  what: string,
  report: Reporter,
): BoundSymbol | undefined {
  const found = lookupValue(scope, reference.name);
  if (found !== undefined && kinds.includes(found.kind)) return found;
  if (found === undefined && scope.parent.misplaced.has(reference.name)) return undefined;
  if (found !== undefined && scope.duplicated.has(reference.name)) return undefined;
  const suggestion = didYouMean(reference.name, candidatesOf(scope, kinds));
  report({
    code: 'T101',
    args: { what, name: reference.name },
    at: { file: scope.file, span: reference.span },
    label: found === undefined ? `not declared in team ${q(scope.team.name.name)}` : `${q(reference.name)} is ${article(found.kind)}, not ${article(what)}`,
    related: found === undefined ? [] : [{ file: found.file, span: found.nameSpan, message: `${q(found.name)} is declared here as ${article(found.kind)}` }],
    help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
  });
  return undefined;
}

/** Resolves a type name (not a built-in) in a team's or a file's scope, reporting T101. */
export function resolveTypeName(scope: TeamScope | FileScope, name: string, span: Span, report: Reporter): BoundSymbol | undefined {
  const found = lookupType(scope, name);
  if (found !== undefined) return found;
  const file = 'parent' in scope ? scope.parent : scope;
  if (file.misplaced.has(name)) return undefined;
  const names = [...builtinTypeNames, ...('parent' in scope ? scope.types.keys() : []), ...file.types.keys()];
  const suggestion = didYouMean(name, names);
  const where = 'parent' in scope ? `team ${q(scope.team.name.name)}` : path.basename(file.file);
  report({
    code: 'T101',
    args: { what: 'type', name },
    at: { file: file.file, span },
    label: `not declared in ${where}`,
    notes: ['the built-in types are `string`, `int`, `number` and `bool`'],
    help: suggestion === undefined ? [] : [`did you mean ${q(suggestion)}?`],
  });
  return undefined;
}
