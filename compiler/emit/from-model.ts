/**
 * Checked model → view models, one per generated module:
 *
 * - a shared module per loaded file that declares top-level types, models or tools
 *   (`models.team` → `models.team.ts`);
 * - a team module per team of the files the user named (`team CodeReview` → `code-review.ts`).
 *
 * Paths mirror the source tree below the deepest directory holding every source involved, so no
 * output path climbs out of the output directory. All names are decided here, module by module,
 * in a fixed order (see `names.ts`); references between modules go through namespace imports, so
 * a name in one module never collides with a name in another.
 */
import * as path from 'node:path';
import type {
  AgentModel,
  ConsensusModel,
  ModelModel,
  Origin,
  ProgramModel,
  TeamModel,
  ToolModel,
  Type,
  TypeDeclarationModel,
  WorkModel,
} from '../model.js';
import { camelCase, moduleStem, NameScope, pascalCase } from './names.js';
import type {
  AgentView,
  ConsensusView,
  FieldView,
  HeaderView,
  ModelView,
  ModuleImportView,
  ModuleView,
  PolicyView,
  RefView,
  TeamView,
  ToolView,
  TypeDeclarationView,
  TypeView,
  ValueRefView,
  WorkView,
} from './view-model.js';

export interface FromModelOptions {
  /** The project directory: headers name sources relative to it. */
  cwd: string;
  version: string;
  /** Default `teamc/runtime`. */
  runtimeModule?: string;
  /** One line per checker error when forced with `--allow-unsafe`; null for a clean build. */
  unsafeProblems: string[] | null;
}

/** Something the model lacks that no generated code can stand in for (only after errors). */
export class EmitError extends Error {
  override readonly name = 'EmitError';
  constructor(readonly problems: string[]) {
    super(`cannot generate code:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

type Declaration = TypeDeclarationModel | ModelModel | ToolModel;

interface ModulePlan {
  path: string;
  source: string;
  subject: string;
  scope: NameScope;
  types: TypeDeclarationModel[];
  models: ModelModel[];
  tools: ToolModel[];
  team: TeamModel | null;
  /** Aliases of the modules this one imports, claimed on first reference. */
  aliases: Map<ModulePlan, string>;
}

interface Owner {
  plan: ModulePlan;
  id: string;
}

/** The key of a declaration: where it is written (the model may hold one declaration in several maps). */
const keyOf = (origin: Origin): string => `${origin.file}\0${origin.span.start}`;

export function viewsFromModel(model: ProgramModel, roots: readonly string[], options: FromModelOptions): ModuleView[] {
  const rootSet = new Set(roots.map((root) => path.resolve(root)));
  const teams = model.teams.filter((team) => rootSet.has(path.resolve(team.file)));
  const sharedFiles = [...model.files.values()].filter((file) => file.types.size + file.models.size + file.tools.size > 0);

  const sources = [...sharedFiles.map((file) => file.path), ...teams.map((team) => team.file)];
  const base = commonDirectory(sources);
  const paths = new UniquePaths();
  const header = (source: string, subject: string): HeaderView => ({
    source: toPosix(path.relative(options.cwd, source)) || path.basename(source),
    subject,
    version: options.version,
    unsafe: options.unsafeProblems === null ? null : { problems: options.unsafeProblems },
  });

  // Plans, and an owner (module and identifier) for every top-level declaration.
  const owners = new Map<string, Owner>();
  const plans: ModulePlan[] = [];
  const newPlan = (source: string, file: string, subject: string, team: TeamModel | null): ModulePlan => {
    const plan: ModulePlan = { path: paths.claim(file), source, subject, scope: new NameScope(), types: [], models: [], tools: [], team, aliases: new Map() };
    plans.push(plan);
    return plan;
  };
  const own = (plan: ModulePlan, declaration: Declaration, preferred: string) => {
    owners.set(keyOf(declaration), { plan, id: plan.scope.claim(preferred) });
  };

  for (const file of sharedFiles) {
    const directory = relativeDirectory(base, file.path);
    const plan = newPlan(file.path, joinPosix(directory, `${path.basename(file.path)}.ts`), 'shared declarations', null);
    plan.types = [...file.types.values()];
    plan.models = [...file.models.values()];
    plan.tools = [...file.tools.values()];
    claimDeclarations(plan, own);
  }
  const teamPlans = teams.map((team) => {
    const directory = relativeDirectory(base, team.file);
    const plan = newPlan(team.file, joinPosix(directory, `${moduleStem(team.name)}.ts`), `team ${team.name}`, team);
    // What the team declares itself; the rest belongs to a shared module.
    plan.types = [...team.types.values()].filter((d) => !owners.has(keyOf(d)));
    plan.models = [...team.models.values()].filter((d) => !owners.has(keyOf(d)));
    plan.tools = [...team.tools.values()].filter((d) => !owners.has(keyOf(d)));
    return { team, plan };
  });
  const apis = new Map<ModulePlan, TeamApi>();
  for (const { team, plan } of teamPlans) {
    // The public API first: it is what users import, so it keeps its natural names.
    apis.set(plan, claimApi(plan.scope, team.name));
    claimDeclarations(plan, own);
  }

  return plans.map((plan) => {
    const builder = new ModuleBuilder(plan, owners);
    const types = builder.typeDeclarations();
    const models = plan.models.map((m) => modelView(m, owners.get(keyOf(m))!.id));
    const tools = plan.tools.map((t) => builder.toolView(t, owners.get(keyOf(t))!.id));
    const teamParts = plan.team ? builder.teamView(plan.team, apis.get(plan)!) : null;
    const view: ModuleView = {
      path: plan.path,
      header: header(plan.source, plan.subject),
      runtimeModule: options.runtimeModule ?? 'teamc/runtime',
      importsZod: types.length > 0 || tools.length > 0 || (teamParts !== null && teamUsesZod(teamParts.team)),
      importsRuntime: models.length > 0 || tools.length > 0 || teamParts !== null,
      imports: builder.imports(),
      types,
      models,
      tools,
      prompts: teamParts?.prompts ?? [],
      team: teamParts?.team ?? null,
    };
    builder.finish();
    return view;
  });
}

function claimDeclarations(plan: ModulePlan, own: (plan: ModulePlan, d: Declaration, preferred: string) => void): void {
  for (const d of plan.types) own(plan, d, pascalCase(d.name));
  for (const d of plan.models) own(plan, d, `${camelCase(d.name)}Model`);
  for (const d of plan.tools) own(plan, d, `${camelCase(d.name)}Tool`);
}

interface TeamApi {
  definitionId: string;
  inputTypeId: string;
  outputTypeId: string;
  createId: string;
  runId: string;
}

function claimApi(scope: NameScope, teamName: string): TeamApi {
  const pascal = pascalCase(teamName);
  return {
    definitionId: scope.claim(camelCase(teamName)),
    inputTypeId: scope.claim(`${pascal}Input`),
    outputTypeId: scope.claim(`${pascal}Output`),
    createId: scope.claim(`create${pascal}`),
    runId: scope.claim(`run${pascal}`),
  };
}

/** Builds one module's views; it knows which declarations are its own and imports the rest. */
class ModuleBuilder {
  /** Position of each own type in emission order, for deciding which references need `z.lazy`. */
  private readonly order = new Map<string, number>();
  private readonly problems: string[] = [];

  constructor(
    private readonly plan: ModulePlan,
    private readonly owners: ReadonlyMap<string, Owner>,
  ) {}

  /** Own types, each after the types it refers to where recursion allows. */
  typeDeclarations(): TypeDeclarationView[] {
    const ordered = dependencyOrder(this.plan.types, (d) => this.ownDependencies(d.type));
    ordered.forEach((d, index) => this.order.set(keyOf(d), index));
    return ordered.map((d, index) => ({ id: this.owner(d).id, type: this.type(d.type, index) }));
  }

  toolView(tool: ToolModel, id: string): ToolView {
    return {
      id,
      name: tool.name,
      kind: tool.kind,
      input: this.type(tool.input),
      output: tool.returns ? this.type(tool.returns) : null,
      idempotencyKey: tool.key ? tool.key.map((segments) => segments.join('.')) : null,
      timeoutMs: tool.timeoutMs ?? null,
      doc: tool.doc ?? null,
    };
  }

  teamView(team: TeamModel, api: TeamApi): { team: TeamView; prompts: Array<{ id: string; text: string }> } {
    const agents = [...team.agents.values()];
    const prompts = agents.map((agent) => {
      if (!agent.prompt) this.problems.push(`agent ${agent.name} of team ${team.name} has no prompt`);
      return { id: this.plan.scope.claim(`${camelCase(agent.name)}Prompt`), text: agent.prompt?.text ?? '' };
    });
    const used = (names: ReadonlyMap<string, string[]>, name: string) => (names.get(name)?.length ?? 0) > 0;
    const view: TeamView = {
      name: team.name,
      doc: team.doc ?? null,
      ...api,
      inputs: [...team.inputs.values()].map((input) => ({ name: input.name, type: this.type(input.type), doc: null })),
      outputs: [...team.outputs.values()].map((output) => ({ name: output.name, type: this.type(output.type), from: output.from, doc: null })),
      deadlineMs: team.deadlineMs ?? null,
      budget: team.budget && (team.budget.tokens !== undefined || team.budget.dollars !== undefined) ? { tokens: team.budget.tokens ?? null, dollars: team.budget.dollars ?? null } : null,
      // Its own models and tools, and the shared ones its agents use.
      models: [...team.models.values()].filter((m) => this.isOwn(m) || used(team.modelUsers, m.name)).map((m) => this.valueRef(m)),
      tools: [...team.tools.values()].filter((t) => this.isOwn(t) || used(team.toolCallers, t.name)).map((t) => this.valueRef(t)),
      channels: [...team.channels.values()].map((c) => ({
        name: c.name,
        doc: c.doc ?? null,
        type: this.type(c.type),
        ordering: c.ordering,
        delivery: c.delivery,
        capacity: c.capacity ?? null,
        backpressure: c.backpressure ?? null,
        maxRounds: c.maxRounds ?? null,
      })),
      stores: [...team.stores.values()].map((s) => ({ name: s.name, doc: s.doc ?? null, type: this.type(s.type), consistency: s.consistency, merge: s.merge ?? null })),
      agents: agents.map((agent, i) => this.agentView(team, agent, prompts[i]!.id)),
      consensus: [...team.consensus.values()].map(consensusView),
      work: [...team.work.values()].map(workView),
    };
    return { team: view, prompts };
  }

  imports(): ModuleImportView[] {
    return [...this.plan.aliases].map(([plan, alias]) => ({ alias, from: importSpecifier(this.plan.path, plan.path) }));
  }

  private agentView(team: TeamModel, agent: AgentModel, promptId: string): AgentView {
    if (agent.model === undefined) this.problems.push(`agent ${agent.name} of team ${team.name} has no model`);
    const { policy } = agent;
    const retry = policy.retry;
    const policyView: PolicyView = {
      timeoutMs: policy.timeoutMs ?? null,
      // Without a back-off, retries follow one another with no pause: a constant zero delay.
      retry: retry
        ? { attempts: retry.attempts, backoff: retry.backoff?.strategy ?? 'constant', minMs: retry.backoff?.minMs ?? 0, maxMs: retry.backoff?.maxMs ?? 0, jitter: retry.jitter }
        : null,
      breaker: policy.breaker ?? null,
      hedgeAfterMs: policy.hedge?.afterMs ?? null,
      fallback: policy.fallback,
      validator: policy.validator ?? null,
    };
    return {
      name: agent.name,
      doc: agent.doc ?? null,
      model: agent.model ?? '',
      replicas: agent.replicas,
      promptId,
      output: this.type(agent.output),
      takes: agent.takes.map((t) => ({ source: t.source, from: t.from, all: t.all, optional: t.optional, requires: t.requires ?? null })),
      reads: agent.reads.map((r) => ({ store: r.store, requires: r.requires ?? null })),
      writes: agent.writes.map((w) => w.store),
      emits: agent.emits.map((e) => ({ channel: e.channel, when: e.when?.join('.') ?? null, unless: e.unless?.join('.') ?? null })),
      calls: agent.calls.map((c) => c.tool),
      policy: policyView,
      maxRounds: agent.maxRounds ?? null,
      optional: agent.optional,
      maxTokens: agent.maxTokens ?? null,
    };
  }

  /**
   * A type as the templates print it. `declaring` is the emission index of the type declaration
   * being printed, if any: a reference to an own type at or after it must be lazy, since its
   * schema constant does not exist yet when this one is built.
   */
  private type(type: Type, declaring?: number): TypeView {
    switch (type.kind) {
      case 'string':
      case 'int':
      case 'number':
      case 'bool':
      case 'unknown':
        return { kind: type.kind };
      case 'literal':
        return { kind: 'literal', value: type.value };
      case 'array':
        return { kind: 'array', element: this.type(type.element, declaring) };
      case 'optional':
        return { kind: 'optional', inner: this.type(type.inner, declaring) };
      case 'record':
        return {
          kind: 'record',
          fields: type.fields.map((field): FieldView => {
            // `name: T?` and `name?: T` both mean the key may be absent (JSON has no undefined):
            // zod's `.optional()` makes the key optional, so the TypeScript type must too.
            const optional = field.optional || field.type.kind === 'optional';
            this.checkFieldName(field.name, optional);
            const inner = field.type.kind === 'optional' ? field.type.inner : field.type;
            return { name: field.name, optional, type: this.type(inner, declaring) };
          }),
        };
      case 'union': {
        const members = flattenUnion(type.members);
        if (members.every((m) => m.kind === 'literal')) {
          const values = [...new Set(members.map((m) => (m as { value: string }).value))];
          return values.length === 1 ? { kind: 'literal', value: values[0]! } : { kind: 'enum', values };
        }
        return members.length === 1 ? this.type(members[0]!, declaring) : { kind: 'union', members: members.map((m) => this.type(m, declaring)) };
      }
      case 'named':
        return this.ref(type.declaration, declaring);
    }
  }

  /**
   * zod reads an object's fields as `input[name]`, prototype included: an absent optional field
   * named `toString` reads Object.prototype's function and fails, and a `__proto__` field is
   * dropped from every parsed value. No schema can carry these; refuse rather than generate one
   * that rejects or loses data at run time.
   */
  private checkFieldName(name: string, mayBeAbsent: boolean): void {
    if (name === '__proto__') this.problems.push(`${this.plan.source}: a field named __proto__ cannot be validated (zod drops it); rename it`);
    else if (mayBeAbsent && prototypeMembers.has(name)) {
      this.problems.push(`${this.plan.source}: the optional field ${name} would read Object.prototype.${name} when absent; rename it or make it required`);
    }
  }

  /** Throws what could not be generated, all of it at once. */
  finish(): void {
    if (this.problems.length > 0) throw new EmitError([...new Set(this.problems)]);
  }

  private ref(declaration: TypeDeclarationModel, declaring: number | undefined): RefView {
    const owner = this.owner(declaration);
    if (owner.plan === this.plan) {
      const position = this.order.get(keyOf(declaration));
      const lazy = declaring !== undefined && position !== undefined && position >= declaring;
      return { kind: 'ref', module: null, id: owner.id, lazy };
    }
    return { kind: 'ref', module: this.alias(owner.plan), id: owner.id, lazy: false };
  }

  private valueRef(declaration: ModelModel | ToolModel): ValueRefView {
    const owner = this.owner(declaration);
    return { module: owner.plan === this.plan ? null : this.alias(owner.plan), id: owner.id };
  }

  private isOwn(declaration: Declaration): boolean {
    return this.owner(declaration).plan === this.plan;
  }

  private owner(declaration: Declaration): Owner {
    const owner = this.owners.get(keyOf(declaration));
    if (!owner) throw new EmitError([`${declaration.name} (${declaration.file}) belongs to no generated module`]);
    return owner;
  }

  private alias(plan: ModulePlan): string {
    let alias = this.plan.aliases.get(plan);
    if (alias === undefined) {
      // `models.team.ts` → `modelsTeam`.
      alias = this.plan.scope.claim(camelCase(path.posix.basename(plan.path, '.ts').replace(/[^A-Za-z0-9]+/g, '_')));
      this.plan.aliases.set(plan, alias);
    }
    return alias;
  }

  /** Own types a type's schema needs (not looking inside other named types). */
  private ownDependencies(type: Type): TypeDeclarationModel[] {
    const found: TypeDeclarationModel[] = [];
    const walk = (t: Type): void => {
      switch (t.kind) {
        case 'array':
          return walk(t.element);
        case 'optional':
          return walk(t.inner);
        case 'record':
          return t.fields.forEach((f) => walk(f.type));
        case 'union':
          return t.members.forEach(walk);
        case 'named':
          if (this.owners.get(keyOf(t.declaration))?.plan === this.plan) found.push(t.declaration);
          return;
        default:
          return;
      }
    };
    walk(type);
    return found;
  }
}

/**
 * Whether a team's definition writes `z.` anywhere: not when every schema is a reference to a
 * shared type, and then importing zod would be an unused import (an error under noUnusedLocals).
 */
function teamUsesZod(team: TeamView): boolean {
  const usesZod = (type: TypeView) => type.kind !== 'ref' || type.lazy;
  return [
    ...team.inputs.map((i) => i.type),
    ...team.outputs.map((o) => o.type),
    ...team.channels.map((c) => c.type),
    ...team.stores.map((s) => s.type),
    ...team.agents.map((a) => a.output),
  ].some(usesZod);
}

const prototypeMembers = new Set(Object.getOwnPropertyNames(Object.prototype));

function flattenUnion(members: Type[]): Type[] {
  return members.flatMap((m) => (m.kind === 'union' ? flattenUnion(m.members) : [m]));
}

/**
 * Declaration order, except that a declaration comes after what it depends on when that is
 * possible (depth first, in declaration order); a cycle keeps the order it was found in, and the
 * back reference becomes lazy.
 */
function dependencyOrder<T extends Origin>(items: readonly T[], dependencies: (item: T) => T[]): T[] {
  const state = new Map<string, 'open' | 'done'>();
  const out: T[] = [];
  const visit = (item: T) => {
    if (state.has(keyOf(item))) return;
    state.set(keyOf(item), 'open');
    for (const dependency of dependencies(item)) visit(dependency);
    state.set(keyOf(item), 'done');
    out.push(item);
  };
  items.forEach(visit);
  return out;
}

function modelView(model: ModelModel, id: string): ModelView {
  return {
    id,
    name: model.name,
    provider: model.provider,
    model: model.modelName,
    temperature: model.temperature ?? null,
    latencyMs: model.latencyMs ?? null,
    maxTokens: model.maxTokens ?? null,
    price: model.price ?? null,
    doc: model.doc ?? null,
  };
}

function consensusView(consensus: ConsensusModel): ConsensusView {
  return {
    name: consensus.name,
    doc: consensus.doc ?? null,
    over: consensus.over,
    replicas: consensus.replicas,
    quorumCount: typeof consensus.quorum === 'number' ? consensus.quorum : null,
    quorumWord: typeof consensus.quorum === 'number' ? null : consensus.quorum,
    faultCount: consensus.faults.count,
    faultModel: consensus.faults.model,
    agreeOn: consensus.agreeOn.map((segments) => segments.join('.')),
    normalize: consensus.normalize ?? null,
    // As in the definition (compiler/definition/from-model.ts): a `tie_break` alone means one
    // round; neither (T604) means no bound, which the runtime refuses unless allowUnsafe.
    rounds: consensus.rounds ?? (consensus.tieBreak !== undefined ? 1 : null),
    tieBreak: consensus.tieBreak ?? 'reject',
    protocol: consensus.protocol,
  };
}

function workView(work: WorkModel): WorkView {
  return {
    name: work.name,
    doc: work.doc ?? null,
    by: work.by,
    assignPolicy: work.assign.policy,
    assignLead: work.assign.lead ?? null,
    leaseMs: work.leaseMs ?? null,
    tasks: [...work.tasks.values()].map((task) => ({ name: task.name, after: task.after, weight: task.weight, writes: task.writes, doc: task.doc ?? null })),
  };
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Output paths, unique even on a case-insensitive file system: a clash gets `-2`, `-3` … */
class UniquePaths {
  private readonly taken = new Set<string>();

  claim(preferred: string): string {
    const extension = preferred.endsWith('.team.ts') ? '.team.ts' : '.ts';
    const stem = preferred.slice(0, -extension.length);
    let candidate = preferred;
    for (let n = 2; this.taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${extension}`;
    this.taken.add(candidate.toLowerCase());
    return candidate;
  }
}

function commonDirectory(files: readonly string[]): string {
  if (files.length === 0) return '';
  const split = files.map((file) => path.dirname(path.resolve(file)).split(path.sep));
  const first = split[0]!;
  let length = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < length && i < parts.length && parts[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join(path.sep) || path.sep;
}

function relativeDirectory(base: string, file: string): string {
  return toPosix(path.relative(base, path.dirname(path.resolve(file))));
}

function joinPosix(directory: string, name: string): string {
  return directory ? `${directory}/${name}` : name;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The specifier one generated module imports another with: relative, `.js` for NodeNext. */
function importSpecifier(from: string, to: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, '.js');
  return relative.startsWith('../') ? relative : `./${relative}`;
}
