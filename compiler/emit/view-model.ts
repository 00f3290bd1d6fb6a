/**
 * The view model of code generation: exactly what the templates print, as plain data. Every
 * identifier is already a valid, unique TypeScript identifier of its module (see `names.ts`);
 * every other string is raw text that the templates pass through an escaping helper. Absent
 * values are `null`, never missing keys, so a strict template can tell "absent" from "misspelt".
 *
 * `from-model.ts` builds it from the checked model; tests build it by hand.
 */
import type {
  AssignPolicy,
  Backoff,
  Backpressure,
  Consistency,
  Delivery,
  FaultModel,
  Merge,
  Ordering,
  Protocol,
  TieBreak,
} from '../../runtime/definition.js';

/** One generated file. */
export interface ModuleView {
  /** Where it goes, relative to the output directory, `/`-separated: `code-review.ts`. */
  path: string;
  header: HeaderView;
  /** The specifier generated code imports the runtime from: `teamc/runtime`. */
  runtimeModule: string;
  importsZod: boolean;
  importsRuntime: boolean;
  /** Other generated modules this one refers to, each imported as a namespace. */
  imports: ModuleImportView[];
  /** In dependency order: a schema is declared before a non-lazy reference to it. */
  types: TypeDeclarationView[];
  models: ModelView[];
  tools: ToolView[];
  prompts: PromptView[];
  team: TeamView | null;
}

export interface HeaderView {
  /** The `.team` file, relative to the project directory, `/`-separated. */
  source: string;
  /** What the module holds: `team CodeReview`, `shared declarations`. */
  subject: string;
  version: string;
  /** Set when built with `--allow-unsafe` despite errors: one line per error. */
  unsafe: { problems: string[] } | null;
}

export interface ModuleImportView {
  alias: string;
  /** A relative specifier ending in `.js`: `./models.team.js`. */
  from: string;
}

// ---------------------------------------------------------------------------------------------
// Types

export interface TypeDeclarationView {
  id: string;
  type: TypeView;
}

export type TypeView =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'literal'; value: string }
  /** A union of string literals, distinct, in source order. */
  | { kind: 'enum'; values: string[] }
  | { kind: 'union'; members: TypeView[] }
  | { kind: 'array'; element: TypeView }
  | { kind: 'optional'; inner: TypeView }
  | { kind: 'record'; fields: FieldView[] }
  /** A type the checker could not resolve (only in a build forced with `--allow-unsafe`). */
  | { kind: 'unknown' }
  | RefView;

export interface FieldView {
  /** The field's name as written: it is data (the model's JSON keys), not an identifier. */
  name: string;
  optional: boolean;
  type: TypeView;
}

/** A declared type: `module` is the namespace alias when it lives in another generated module. */
export interface RefView {
  kind: 'ref';
  module: string | null;
  id: string;
  /** Wrap in `z.lazy`: the schema is declared later in the module (or this is a recursive use). */
  lazy: boolean;
}

/** Shorthands for building type views, in tests and in `from-model.ts`. */
export const typeViews = {
  string: { kind: 'string' } as TypeView,
  int: { kind: 'int' } as TypeView,
  number: { kind: 'number' } as TypeView,
  bool: { kind: 'bool' } as TypeView,
  unknown: { kind: 'unknown' } as TypeView,
  literal: (value: string): TypeView => ({ kind: 'literal', value }),
  enum: (...values: string[]): TypeView => ({ kind: 'enum', values }),
  union: (...members: TypeView[]): TypeView => ({ kind: 'union', members }),
  array: (element: TypeView): TypeView => ({ kind: 'array', element }),
  optional: (inner: TypeView): TypeView => ({ kind: 'optional', inner }),
  record: (fields: FieldView[]): TypeView => ({ kind: 'record', fields }),
  field: (name: string, type: TypeView, optional = false): FieldView => ({ name, type, optional }),
  ref: (id: string, module: string | null = null, lazy = false): RefView => ({ kind: 'ref', module, id, lazy }),
};

// ---------------------------------------------------------------------------------------------
// Models, tools, prompts

export interface ModelView {
  id: string;
  name: string;
  provider: string;
  model: string;
  temperature: number | null;
  latencyMs: number | null;
  maxTokens: number | null;
  price: { inputPerMillion: number; outputPerMillion: number } | null;
  doc: string | null;
}

export interface ToolView {
  id: string;
  name: string;
  kind: 'pure' | 'effect';
  /** The parameters, as a record. */
  input: TypeView;
  output: TypeView | null;
  idempotencyKey: string[] | null;
  timeoutMs: number | null;
  doc: string | null;
}

export interface PromptView {
  id: string;
  /** Handlebars template text, kept verbatim. */
  text: string;
}

/** A model or tool constant, here or in another generated module. */
export interface ValueRefView {
  module: string | null;
  id: string;
}

// ---------------------------------------------------------------------------------------------
// The team

export interface TeamView {
  name: string;
  doc: string | null;
  /** The `TeamDefinition` constant: `codeReview`. */
  definitionId: string;
  inputTypeId: string;
  outputTypeId: string;
  createId: string;
  runId: string;
  inputs: Array<{ name: string; type: TypeView; doc: string | null }>;
  outputs: Array<{ name: string; type: TypeView; from: string; doc: string | null }>;
  deadlineMs: number | null;
  budget: { tokens: number | null; dollars: number | null } | null;
  models: ValueRefView[];
  tools: ValueRefView[];
  channels: ChannelView[];
  stores: StoreView[];
  agents: AgentView[];
  consensus: ConsensusView[];
  work: WorkView[];
}

export interface ChannelView {
  name: string;
  doc: string | null;
  type: TypeView;
  ordering: Ordering;
  delivery: Delivery;
  capacity: number | null;
  backpressure: Backpressure | null;
  maxRounds: number | null;
}

export interface StoreView {
  name: string;
  doc: string | null;
  type: TypeView;
  consistency: Consistency;
  merge: Merge | null;
}

export interface AgentView {
  name: string;
  doc: string | null;
  model: string;
  replicas: number;
  /** The module constant holding the prompt text. */
  promptId: string;
  output: TypeView;
  takes: Array<{ source: string; from: 'input' | 'channel'; all: boolean; optional: boolean; requires: Ordering | null }>;
  reads: Array<{ store: string; requires: Consistency | null }>;
  writes: string[];
  emits: Array<{ channel: string; when: string | null; unless: string | null }>;
  calls: string[];
  policy: PolicyView;
  maxRounds: number | null;
  optional: boolean;
  maxTokens: number | null;
}

export interface PolicyView {
  timeoutMs: number | null;
  retry: { attempts: number; backoff: Backoff; minMs: number; maxMs: number; jitter: boolean } | null;
  breaker: { failures: number; windowMs: number; cooldownMs: number } | null;
  hedgeAfterMs: number | null;
  /** Empty: no fallback. */
  fallback: string[];
  validator: string | null;
}

export interface ConsensusView {
  name: string;
  doc: string | null;
  over: string;
  replicas: number;
  /** Exactly one of `quorumCount` and `quorumWord` is set. */
  quorumCount: number | null;
  quorumWord: 'majority' | 'all' | null;
  faultCount: number;
  faultModel: FaultModel;
  agreeOn: string[];
  normalize: string | null;
  /** Null when neither `rounds` nor `tie_break` is declared (T604): no bound. */
  rounds: number | null;
  tieBreak: TieBreak;
  protocol: Protocol;
}

export interface WorkView {
  name: string;
  doc: string | null;
  by: string;
  assignPolicy: AssignPolicy;
  assignLead: string | null;
  leaseMs: number | null;
  tasks: Array<{ name: string; after: string[]; weight: number; writes: string[]; doc: string | null }>;
}

/** An agent policy with nothing set. */
export const emptyPolicy = (): PolicyView => ({ timeoutMs: null, retry: null, breaker: null, hedgeAfterMs: null, fallback: [], validator: null });
