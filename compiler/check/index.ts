/**
 * The checker's entry: bind names, resolve types, build each team's checked model, then check
 * what flows where (types) and what each prompt uses (templates, stand-ins). Diagnostics are
 * T1xx and T2xx; the later rule families read the returned model.
 *
 * Phases, each linear in the size of the program:
 * 1. bind every file's top level and link its imports; bind every team's members (T101–T103);
 * 2. create every type declaration, then resolve their bodies (named references point at the
 *    declarations, so recursion needs no special order), then refuse unguarded cycles;
 * 3. build the models and tools declared at a file's top level, once, in their own file;
 * 4. build each team, check its flows (T200, T204, T205) and its prompts (T201–T203, T206, T207,
 *    and T208 for a stand-in's prompt against what it serves gives it).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileModel, ModelModel, ProgramModel, TeamModel, ToolModel, TypeDeclarationModel } from '../model.js';
import type { SourceFile } from '../source.js';
import type { ModelDeclaration, SourceFileNode, StringLiteral, ToolDeclaration, TypeDeclaration } from '../syntax/ast.js';
import { bindFile, bindTeam, linkImports, type FileScope, type TeamScope } from './binder.js';
import { typeResolver, type CheckContext } from './context.js';
import { buildModel, buildTeam, buildTool } from './declarations.js';
import { checkFlow } from './flow.js';
import { collectBlock } from './properties.js';
import { createReporter, q, type Reporter } from './reporter.js';
import { identityMap, sourceMapOf } from './prompt-positions.js';
import { checkStandIn, promptVariables } from './stand-ins.js';
import { checkTemplate, roleVariableNotes } from './templates.js';
import { unguardedReferences, unknownType } from './types.js';

export interface ParsedFile {
  source: SourceFile;
  ast: SourceFileNode;
  /** Resolved paths of this file's imports that loaded. */
  imports: string[];
}

export interface LoadedProgram {
  files: ReadonlyMap<string, ParsedFile>;
  roots: string[];
  /** For `prompt file`: the path is resolved relative to the `.team` file's directory. */
  readFile(path: string): string | undefined;
}

export function checkProgram(program: LoadedProgram): { diagnostics: Diagnostic[]; model: ProgramModel } {
  const diagnostics: Diagnostic[] = [];
  const report = createReporter(diagnostics);
  const context: CheckContext = {
    report,
    typeModels: new Map(),
    modelModels: new Map(),
    toolModels: new Map(),
    readFile: (path) => program.readFile(path),
    promptFiles: new Map(),
    unresolvedInputs: new WeakMap(),
  };

  // 1. Names.
  const fileScopes = new Map<string, FileScope>();
  for (const [path, parsed] of program.files) fileScopes.set(path, bindFile(path, parsed.ast, report));
  for (const [path, parsed] of program.files) {
    const imported = parsed.imports.map((target) => fileScopes.get(target)).filter((scope): scope is FileScope => scope !== undefined);
    linkImports(fileScopes.get(path)!, parsed.ast, imported, report);
  }
  const teamScopes: TeamScope[] = [];
  for (const scope of fileScopes.values()) {
    for (const team of scope.teams) {
      const block = collectBlock(team.members, { kind: 'team', name: team.name.name, file: scope.file }, report, scope.misplaced);
      teamScopes.push(bindTeam(team, block, scope, report));
    }
  }

  // 2. Types.
  const typeScopes: Array<[TypeDeclaration, TypeDeclarationModel, FileScope | TeamScope]> = [];
  const declareType = (node: TypeDeclaration, file: string, scope: FileScope | TeamScope) => {
    const model: TypeDeclarationModel = { name: node.name.name, file, span: node.span, nameSpan: node.name.span, type: unknownType };
    context.typeModels.set(node, model);
    typeScopes.push([node, model, scope]);
  };
  for (const scope of fileScopes.values()) {
    for (const symbol of scope.ownTypes.values()) declareType(symbol.node as TypeDeclaration, scope.file, scope);
  }
  for (const scope of teamScopes) {
    for (const symbol of scope.types.values()) declareType(symbol.node as TypeDeclaration, scope.file, scope);
  }
  for (const [node, model, scope] of typeScopes) model.type = typeResolver(scope, context)(node.type);
  refuseUnguardedCycles(typeScopes.map(([, model]) => model), report);

  // 3. Shared models and tools, each built once in the file that declares it.
  const files = new Map<string, FileModel>();
  for (const scope of fileScopes.values()) {
    const models = new Map<string, ModelModel>();
    const tools = new Map<string, ToolModel>();
    const types = new Map<string, TypeDeclarationModel>();
    for (const symbol of scope.ownValues.values()) {
      if (symbol.kind === 'model') {
        const model = buildModel(symbol.node as ModelDeclaration, scope.file, scope.misplaced, report);
        if (model) {
          context.modelModels.set(symbol.node as ModelDeclaration, model);
          models.set(model.name, model);
        }
      } else if (symbol.kind === 'tool') {
        const tool = buildTool(symbol.node as ToolDeclaration, scope.file, typeResolver(scope, context), scope.misplaced, report);
        context.toolModels.set(symbol.node as ToolDeclaration, tool);
        tools.set(tool.name, tool);
      }
    }
    for (const symbol of scope.ownTypes.values()) types.set(symbol.name, context.typeModels.get(symbol.node as TypeDeclaration)!);
    files.set(scope.file, { path: scope.file, teams: new Map(), models, types, tools });
  }

  // 4. Teams.
  const visibleByFile = new Map<string, Parameters<typeof buildTeam>[1]>();
  const teams: TeamModel[] = [];
  for (const scope of teamScopes) {
    let visible = visibleByFile.get(scope.file);
    if (visible === undefined) {
      visible = visibleAt(scope.parent, context);
      visibleByFile.set(scope.file, visible);
    }
    const team = buildTeam(scope, visible, context);
    checkFlow(team, report);
    checkPrompts(team, program, context);
    teams.push(team);
    (files.get(scope.file)!.teams as Map<string, TeamModel>).set(team.name, team);
  }

  return { diagnostics, model: { teams, files, promptFiles: context.promptFiles } };
}

/** The models, types and tools a file's teams see, as built models. */
function visibleAt(scope: FileScope, context: CheckContext): Parameters<typeof buildTeam>[1] {
  const models = new Map<string, ModelModel>();
  const tools = new Map<string, ToolModel>();
  const types = new Map<string, TypeDeclarationModel>();
  for (const symbol of scope.values.values()) {
    if (symbol.kind === 'model') {
      const model = context.modelModels.get(symbol.node as ModelDeclaration);
      if (model) models.set(symbol.name, model);
    } else if (symbol.kind === 'tool') {
      const tool = context.toolModels.get(symbol.node as ToolDeclaration);
      if (tool) tools.set(symbol.name, tool);
    }
  }
  for (const symbol of scope.types.values()) types.set(symbol.name, context.typeModels.get(symbol.node as TypeDeclaration)!);
  return { models, tools, types };
}

/**
 * `type A = B?` with `type B = A | string` has no finite values (and would make structural walks
 * loop): a cycle must pass through a record field or a list element. Each such cycle is reported
 * once and its declarations become `unknown`.
 */
function refuseUnguardedCycles(declarations: readonly TypeDeclarationModel[], report: Reporter): void {
  const state = new Map<TypeDeclarationModel, 'visiting' | 'done'>();
  const edges = new Map<TypeDeclarationModel, TypeDeclarationModel[]>();
  for (const declaration of declarations) edges.set(declaration, unguardedReferences(declaration.type));
  const inCycle = new Set<TypeDeclarationModel>();

  for (const root of declarations) {
    if (state.has(root)) continue;
    // Iterative depth-first search: a long chain of aliases must not overflow the stack.
    const stack: Array<{ node: TypeDeclarationModel; next: number }> = [{ node: root, next: 0 }];
    state.set(root, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = edges.get(top.node) ?? [];
      if (top.next >= targets.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      const seen = state.get(target);
      if (seen === undefined) {
        state.set(target, 'visiting');
        stack.push({ node: target, next: 0 });
      } else if (seen === 'visiting') {
        const from = stack.findIndex((frame) => frame.node === target);
        const cycle = stack.slice(from).map((frame) => frame.node);
        if (cycle.some((node) => inCycle.has(node))) continue;
        for (const node of cycle) inCycle.add(node);
        const names = [...cycle, target].map((node) => q(node.name)).join(' → ');
        report({
          code: 'T103',
          args: { message: `type ${q(target.name)} is defined in terms of itself (${names}) with no record or list in between` },
          at: { file: target.file, span: target.nameSpan },
          label: 'a type with no finite values',
          related: cycle.slice(1).map((node) => ({ file: node.file, span: node.nameSpan, message: `${q(node.name)} is part of the cycle` })),
          help: ['a recursive type must go through a record field or a list: `type Tree { children: Tree[] }`'],
        });
      }
    }
  }
  for (const declaration of inCycle) declaration.type = unknownType;
}

function checkPrompts(team: TeamModel, program: LoadedProgram, context: CheckContext): void {
  for (const agent of team.agents.values()) {
    const prompt = agent.prompt;
    if (prompt === undefined) continue;
    let toSource: (index: number) => number;
    if (prompt.inline) {
      const text = program.files.get(prompt.file)?.source.text ?? '';
      const literal: StringLiteral = { kind: 'String', value: prompt.text, triple: text.startsWith('"""', prompt.textSpan.start), span: prompt.textSpan };
      toSource = sourceMapOf(text, literal);
    } else {
      toSource = identityMap(prompt.text.length);
    }
    // A take or read that did not resolve is reported once, at the take, not again at each use.
    const incomplete = context.unresolvedInputs.has(agent);
    const variables = promptVariables(agent, team);
    const uses = checkTemplate({ agent: agent.name, text: prompt.text, file: prompt.file, toSource, variables, missingNotes: roleVariableNotes, incomplete }, context.report);
    // A stand-in renders with what it serves gives it, not with its own declarations (T208).
    if (!incomplete) {
      const unresolved = (name: string) => {
        const other = team.agents.get(name);
        return other === undefined || context.unresolvedInputs.has(other);
      };
      checkStandIn({ agent, team, declared: variables, uses, incomplete: unresolved }, context.report);
    }
  }
}
