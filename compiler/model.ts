/**
 * The checked semantic model: what every stage after the checker reads (the rules of the T3xx–T9xx
 * families, the analyser, the emitter, the language server). It is plain data — names, resolved
 * types, guarantees with their defaults applied, policies in milliseconds and counts, the team's
 * graph in both directions — plus the file and span of every element, so a rule can label the
 * source without going back to the syntax tree.
 *
 * Conventions:
 * - Maps are keyed by declared name and keep declaration order.
 * - A reference that did not resolve (already reported as T101) is left out, so every name in the
 *   model names something in the same team. When the checker reported errors, the model is
 *   complete for what was well formed and silent about the rest.
 * - A property that was not written is `undefined` where its absence matters to a rule (no
 *   `timeout`, no `backpressure`, no `rounds`); guarantees (ordering, delivery, consistency) get
 *   their documented default, and `spans` says whether they were written.
 * - Spans are offsets into `file` (end exclusive); `nameSpan` is the declared name.
 */
import type { Span } from './syntax/ast.js';

// ---------------------------------------------------------------------------------------------
// Words. The vocabularies are the lexer's (grammar/tokens.ts), so the language has one list of
// each; the guarantee lattices are ordered weakest first, as in runtime/definition.ts.

import {
  assignmentPolicies,
  backoffStrategies,
  backpressures,
  consistencies,
  deliveries,
  faultModels,
  merges,
  orderings,
  protocols,
  providers,
  tieBreaks,
} from '../grammar/tokens.js';

export { assignmentPolicies as assignPolicies, backoffStrategies, backpressures, consistencies, deliveries, faultModels, merges, orderings, protocols, providers, tieBreaks };
export type Ordering = (typeof orderings)[number];
export type Delivery = (typeof deliveries)[number];
export type Consistency = (typeof consistencies)[number];
export type Merge = (typeof merges)[number];
export type Backpressure = (typeof backpressures)[number];
export type BackoffStrategy = (typeof backoffStrategies)[number];
export type AssignPolicy = (typeof assignmentPolicies)[number];
export type FaultModel = (typeof faultModels)[number];
export type TieBreak = (typeof tieBreaks)[number];
export type Protocol = (typeof protocols)[number];
export type Provider = (typeof providers)[number];
/** What `agree on … normalize` accepts: the runtime's normalisers. */
export const normalizers = ['none', 'trim', 'lower', 'trim_lower', 'collapse_whitespace'] as const;
export type Normalizer = (typeof normalizers)[number];

// ---------------------------------------------------------------------------------------------
// Types: structural, resolved. A named type stays a `named` node (for messages and for emitting
// one schema per declaration); its `declaration.type` is the resolved body. Recursion goes only
// through named types, so walking `declaration.type` must guard against revisiting a declaration.

export type Type =
  | PrimitiveType
  | { kind: 'literal'; value: string }
  | RecordTypeModel
  | { kind: 'array'; element: Type }
  | { kind: 'optional'; inner: Type }
  | { kind: 'union'; members: Type[] }
  | { kind: 'named'; name: string; declaration: TypeDeclarationModel }
  /** An unresolved type (already reported), or one the checker cannot know: fits everything. */
  | { kind: 'unknown' };

export type PrimitiveName = 'string' | 'int' | 'number' | 'bool';
export interface PrimitiveType {
  kind: PrimitiveName;
}

export interface RecordTypeModel {
  kind: 'record';
  /** In declaration order; `fieldsByName` indexes the same objects. */
  fields: FieldModel[];
  fieldsByName: ReadonlyMap<string, FieldModel>;
}

export interface FieldModel {
  name: string;
  type: Type;
  optional: boolean;
  /** Absent for fields the checker made up (a work graph's `task`, a validator's verdict). */
  file?: string;
  span?: Span;
}

// ---------------------------------------------------------------------------------------------
// Declarations

/** Where an element is declared. */
export interface Origin {
  file: string;
  /** The whole declaration or property. */
  span: Span;
  /** The declared name. */
  nameSpan: Span;
}

export interface ProgramModel {
  /** Every team of every loaded file, files in load order, teams in declaration order. */
  teams: TeamModel[];
  /** Each loaded file's own top-level declarations. */
  files: ReadonlyMap<string, FileModel>;
  /** The text of every `prompt file` that could be read, by resolved path (for rendering spans in it). */
  promptFiles: ReadonlyMap<string, string>;
}

export interface FileModel {
  path: string;
  teams: ReadonlyMap<string, TeamModel>;
  models: ReadonlyMap<string, ModelModel>;
  types: ReadonlyMap<string, TypeDeclarationModel>;
  tools: ReadonlyMap<string, ToolModel>;
}

export interface TeamModel extends Origin {
  name: string;
  doc?: string;
  inputs: ReadonlyMap<string, TeamInputModel>;
  outputs: ReadonlyMap<string, TeamOutputModel>;
  deadlineMs?: number;
  budget?: BudgetModel;
  /** Every model, type and tool the team can name: its own, its file's and its file's imports'. */
  models: ReadonlyMap<string, ModelModel>;
  types: ReadonlyMap<string, TypeDeclarationModel>;
  tools: ReadonlyMap<string, ToolModel>;
  stores: ReadonlyMap<string, StoreModel>;
  channels: ReadonlyMap<string, ChannelModel>;
  agents: ReadonlyMap<string, AgentModel>;
  consensus: ReadonlyMap<string, ConsensusModel>;
  work: ReadonlyMap<string, WorkModel>;
  /** Agents of this team that call each tool (a tool may be shared by several teams). */
  toolCallers: ReadonlyMap<string, string[]>;
  /** Agents of this team that use each model. */
  modelUsers: ReadonlyMap<string, string[]>;
  spans: PropertySpans;
}

/** Where each property of a block was written (first occurrence); absent when it was not. */
export type PropertySpans = Readonly<Partial<Record<PropertyName, Span>>>;

export type PropertyName =
  | 'doc' | 'input' | 'output' | 'deadline' | 'budget' | 'provider' | 'name' | 'temperature' | 'latency'
  | 'max_tokens' | 'price' | 'replicas' | 'model' | 'takes' | 'reads' | 'writes' | 'emits' | 'calls'
  | 'prompt' | 'timeout' | 'retry' | 'breaker' | 'hedge' | 'fallback' | 'validate' | 'max rounds'
  | 'optional' | 'pure' | 'effect' | 'key' | 'ordering' | 'delivery' | 'capacity' | 'backpressure'
  | 'consistency' | 'merge' | 'quorum' | 'faults' | 'agree' | 'rounds' | 'tie_break' | 'protocol'
  | 'assign' | 'lease' | 'after' | 'weight';

export interface TeamInputModel extends Origin {
  name: string;
  type: Type;
  /** Agents that take this input. */
  consumers: string[];
}

export interface TeamOutputModel extends Origin {
  name: string;
  type: Type;
  from: string;
  fromKind: 'agent' | 'consensus' | 'work';
  /** The span of the `from` name. */
  fromSpan: Span;
}

export interface BudgetModel {
  tokens?: number;
  dollars?: number;
  span: Span;
}

export interface TypeDeclarationModel extends Origin {
  name: string;
  /** The resolved body; `unknown` when it could not be resolved. */
  type: Type;
}

export interface ModelModel extends Origin {
  name: string;
  doc?: string;
  provider: Provider;
  /** The provider's model identifier (`gpt-4o-mini`); for `sim`, the declared name when not given. */
  modelName: string;
  temperature?: number;
  latencyMs?: number;
  maxTokens?: number;
  /** US dollars per million tokens. */
  price?: { inputPerMillion: number; outputPerMillion: number };
  spans: PropertySpans;
}

export interface ToolModel extends Origin {
  name: string;
  doc?: string;
  parameters: FieldModel[];
  /** The parameters as one record (what the model sends as the call's input). */
  input: RecordTypeModel;
  returns?: Type;
  /** `effect` unless declared `pure`: a tool is assumed to change the world unless it says it does not. */
  kind: 'pure' | 'effect';
  /** Idempotency key: field paths into the input (`comment.file`), each as its segments. */
  key?: string[][];
  timeoutMs?: number;
  spans: PropertySpans;
}

export interface StoreModel extends Origin {
  name: string;
  doc?: string;
  type: Type;
  /** Default `eventual`. */
  consistency: Consistency;
  merge?: Merge;
  /** Agents that write / read it, in declaration order. */
  writers: string[];
  readers: string[];
  spans: PropertySpans;
}

export interface ChannelModel extends Origin {
  name: string;
  doc?: string;
  type: Type;
  /** Default `unordered`. */
  ordering: Ordering;
  /** Default `at_most_once`. */
  delivery: Delivery;
  /** Absent: unbounded. */
  capacity?: number;
  backpressure?: Backpressure;
  maxRounds?: number;
  /** Agents that emit on it / take it, in declaration order. */
  producers: string[];
  consumers: string[];
  spans: PropertySpans;
}

export interface TakeModel {
  /** A team input or a channel of the team. */
  source: string;
  from: 'input' | 'channel';
  all: boolean;
  optional: boolean;
  /** Absent: the weakest, `unordered`. */
  requires?: Ordering;
  span: Span;
  /** What the prompt sees under `source`: the value, the message, or the list for `takes all`. */
  variableType: Type;
}

export interface ReadModel {
  store: string;
  /** Absent: the weakest, `eventual`. */
  requires?: Consistency;
  span: Span;
}

export interface WriteModel {
  store: string;
  span: Span;
}

/** `writes "add.py"` in an agent: a file or key the agent may write (what its tasks may ask of it). */
export interface FileWriteModel {
  target: string;
  span: Span;
}

export interface EmitModel {
  channel: string;
  /** Gate: emit only when this boolean field (segments) of the message is true / false. */
  when?: string[];
  unless?: string[];
  /** True when an output `T[]` is sent as one message per element on a channel of `T`. */
  perElement: boolean;
  span: Span;
  /** The span of the `when`/`unless` field path. */
  conditionSpan?: Span;
}

export interface CallModel {
  tool: string;
  span: Span;
}

export interface RetryModel {
  /** Total attempts, the first included (`retry 3` = up to 3 attempts). */
  attempts: number;
  /** Absent: retries follow one another with no pause. */
  backoff?: { strategy: BackoffStrategy; minMs: number; maxMs: number };
  jitter: boolean;
}

export interface PolicyModel {
  timeoutMs?: number;
  retry?: RetryModel;
  breaker?: { failures: number; windowMs: number; cooldownMs: number };
  hedge?: { afterMs: number };
  /** Agents that stand in, in order. */
  fallback: string[];
  /** Where each of `fallback` is named. */
  fallbackSpans: Span[];
  validator?: string;
}

export interface PromptModel {
  /** The template text (a triple-quoted string's indentation already stripped). */
  text: string;
  /** Where the text lives: the `.team` file for an inline prompt, the template file otherwise. */
  file: string;
  inline: boolean;
  /** The `prompt …` property in the `.team` file. */
  span: Span;
  /** In the `.team` file: the string literal of an inline prompt, or the path of a prompt file. */
  textSpan: Span;
}

/** The roles an agent plays besides activating on its own. */
export interface AgentRoles {
  /** The consensus whose replicas are instances of this agent. */
  consensus: string[];
  /** The work graphs it is the worker of (`work … by agent`). */
  workerOf: string[];
  fallbackFor: string[];
  validatorFor: string[];
  /** Work graphs it leads (`assign lead agent`). */
  leadOf: string[];
}

export interface AgentModel extends Origin {
  name: string;
  doc?: string;
  model?: string;
  /** Default 1. */
  replicas: number;
  takes: TakeModel[];
  reads: ReadModel[];
  /** Stores it writes. */
  writes: WriteModel[];
  /** Files or keys it may write (string targets of `writes`). */
  fileWrites: FileWriteModel[];
  emits: EmitModel[];
  calls: CallModel[];
  /** `unknown` when not declared or not resolvable (both reported). */
  output: Type;
  prompt?: PromptModel;
  policy: PolicyModel;
  maxRounds?: number;
  optional: boolean;
  /** The agent's own `max_tokens`, else its model's. */
  maxTokens?: number;
  roles: AgentRoles;
  /** Named only as a fallback, validator or work lead: it stands in and never activates on its own. */
  helperOnly: boolean;
  spans: PropertySpans;
}

export interface ConsensusModel extends Origin {
  name: string;
  doc?: string;
  /** The agent whose instances vote. */
  over: string;
  overSpan: Span;
  replicas: number;
  quorum: number | 'majority' | 'all';
  /** The quorum as a count of replicas (`majority` = ⌊n/2⌋ + 1, `all` = n). */
  quorumSize: number;
  /** Default `0 crash`. */
  faults: { count: number; model: FaultModel };
  /** Field paths (segments) that must agree; empty: the whole output. */
  agreeOn: string[][];
  normalize?: Normalizer;
  rounds?: number;
  tieBreak?: TieBreak;
  /** Default `vote`. */
  protocol: Protocol;
  /** The decided value's type: the output of `over`. */
  output: Type;
  spans: PropertySpans;
}

export interface TaskModel extends Origin {
  name: string;
  doc?: string;
  after: string[];
  /** Where each of `after` is named. */
  afterSpans: Span[];
  /** Default 1. */
  weight: number;
  /** Files or keys. */
  writes: string[];
  spans: PropertySpans;
}

export interface WorkModel extends Origin {
  name: string;
  doc?: string;
  /** The agent whose instances are the workers. */
  by: string;
  bySpan: Span;
  /** Default `preassigned`. */
  assign: { policy: AssignPolicy; lead?: string };
  leaseMs?: number;
  tasks: ReadonlyMap<string, TaskModel>;
  /** What the graph produces: the list of its tasks' outputs (`T[]` for a worker of output `T`). */
  output: Type;
  spans: PropertySpans;
}
