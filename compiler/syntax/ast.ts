/**
 * The typed syntax tree of a `.team` file. It is faithful to the source: members keep their
 * order, and a block holds whatever properties and declarations were written in it. Whether a
 * property belongs in that block, appears twice or has a value of the right kind is the
 * checker's question (T103), so one grammar serves every block and error recovery stays simple.
 *
 * Every node has a span: offsets into the file's text, end exclusive.
 */

export interface Span {
  start: number;
  end: number;
}

interface Node {
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// Names and values

export interface Identifier extends Node {
  kind: 'Identifier';
  name: string;
}

/** A dotted path of field names, e.g. `finding.severity` in `agree on finding.severity`. */
export interface FieldPath extends Node {
  kind: 'FieldPath';
  segments: Identifier[];
}

export interface StringLiteral extends Node {
  kind: 'String';
  /** The decoded value: escapes resolved; for triple-quoted strings, indentation stripped. */
  value: string;
  triple: boolean;
}

export interface NumberLiteral extends Node {
  kind: 'Number';
  value: number;
  text: string;
}

export interface DurationLiteral extends Node {
  kind: 'Duration';
  /** Milliseconds. */
  ms: number;
  text: string;
}

/** `20k`, `1.5M`: a count with a magnitude suffix. */
export interface SizeLiteral extends Node {
  kind: 'Size';
  value: number;
  text: string;
}

export interface MoneyLiteral extends Node {
  kind: 'Money';
  /** US dollars. */
  dollars: number;
  text: string;
}

export interface PercentLiteral extends Node {
  kind: 'Percent';
  /** 0..100 as written. */
  value: number;
  text: string;
}

export type Literal = StringLiteral | NumberLiteral | DurationLiteral | SizeLiteral | MoneyLiteral | PercentLiteral;

/** A property's value slot: any literal, or a bare word such as `causal` or `exponential`. */
export type Value = Literal | Identifier;

export interface RangeValue extends Node {
  kind: 'Range';
  min: Value;
  max: Value;
}

// ---------------------------------------------------------------------------------------------
// Types

export type TypeExpression = TypeReference | LiteralType | RecordType | ArrayType | OptionalType | UnionType;

/** `Finding`, or a built-in: `string`, `int`, `number`, `bool`. */
export interface TypeReference extends Node {
  kind: 'TypeReference';
  name: Identifier;
}

/** `"approve"` as a type: the literal string itself. */
export interface LiteralType extends Node {
  kind: 'LiteralType';
  value: StringLiteral;
}

export interface RecordType extends Node {
  kind: 'RecordType';
  fields: RecordField[];
}

export interface RecordField extends Node {
  kind: 'RecordField';
  /** Field names may be keywords (`file: string`): they are never references. */
  name: Identifier;
  optional: boolean;
  type: TypeExpression;
}

export interface ArrayType extends Node {
  kind: 'ArrayType';
  element: TypeExpression;
}

/** `T?` */
export interface OptionalType extends Node {
  kind: 'OptionalType';
  inner: TypeExpression;
}

export interface UnionType extends Node {
  kind: 'UnionType';
  members: TypeExpression[];
}

// ---------------------------------------------------------------------------------------------
// Files and declarations

export interface SourceFileNode extends Node {
  kind: 'File';
  imports: ImportDeclaration[];
  declarations: Declaration[];
}

export interface ImportDeclaration extends Node {
  kind: 'Import';
  path: StringLiteral;
}

export type Declaration =
  | TeamDeclaration
  | ModelDeclaration
  | TypeDeclaration
  | StoreDeclaration
  | ChannelDeclaration
  | AgentDeclaration
  | ToolDeclaration
  | ConsensusDeclaration
  | WorkDeclaration
  | TaskDeclaration;

export type DeclarationKind = Declaration['kind'];

/** What a block may hold: properties and nested declarations, in source order. */
export type Member = Property | Declaration;

interface DeclarationNode extends Node {
  name: Identifier;
  /** Span of the leading keyword (`agent`, `channel`, …). */
  keyword: Span;
}

export interface TeamDeclaration extends DeclarationNode {
  kind: 'Team';
  members: Member[];
}

export interface ModelDeclaration extends DeclarationNode {
  kind: 'Model';
  members: Member[];
}

/** `type Severity = "info" | "error"` or `type Finding { file: string }` (a record). */
export interface TypeDeclaration extends DeclarationNode {
  kind: 'Type';
  type: TypeExpression;
}

export interface StoreDeclaration extends DeclarationNode {
  kind: 'Store';
  type: TypeExpression;
  members: Member[];
}

export interface ChannelDeclaration extends DeclarationNode {
  kind: 'Channel';
  type: TypeExpression;
  members: Member[];
}

export interface AgentDeclaration extends DeclarationNode {
  kind: 'Agent';
  members: Member[];
}

/** `tool post_comment(comment: Comment) -> string { effect  key comment.file }` */
export interface ToolDeclaration extends DeclarationNode {
  kind: 'Tool';
  parameters: RecordField[];
  returns?: TypeExpression;
  members: Member[];
}

/** `consensus decide over judge { … }` */
export interface ConsensusDeclaration extends DeclarationNode {
  kind: 'Consensus';
  over: Identifier;
  members: Member[];
}

/** `work library by dev { assign claim  task add { … } }` */
export interface WorkDeclaration extends DeclarationNode {
  kind: 'Work';
  by: Identifier;
  members: Member[];
}

export interface TaskDeclaration extends DeclarationNode {
  kind: 'Task';
  members: Member[];
}

// ---------------------------------------------------------------------------------------------
// Properties. Each has `keyword`: the span of its leading keyword.

export type Property =
  | DocProperty
  | InputProperty
  | OutputProperty
  | ValueProperty
  | BudgetProperty
  | PriceProperty
  | ModelReferenceProperty
  | TakesProperty
  | ReadsProperty
  | WritesProperty
  | EmitsProperty
  | CallsProperty
  | PromptProperty
  | RetryProperty
  | BreakerProperty
  | HedgeProperty
  | FallbackProperty
  | ValidateProperty
  | MaxRoundsProperty
  | FlagProperty
  | FaultsProperty
  | AgreeProperty
  | AssignProperty
  | AfterProperty
  | KeyProperty
  | UnknownProperty;

export type PropertyKind = Property['kind'];

interface PropertyNode extends Node {
  keyword: Span;
}

/** `doc "…"` */
export interface DocProperty extends PropertyNode {
  kind: 'Doc';
  text: StringLiteral;
}

/** `input diff: string` (a team input). */
export interface InputProperty extends PropertyNode {
  kind: 'Input';
  name: Identifier;
  type: TypeExpression;
}

/** `output verdict: Verdict from decide` (a team output) or `output Finding[]` (an agent's). */
export interface OutputProperty extends PropertyNode {
  kind: 'Output';
  name?: Identifier;
  type: TypeExpression;
  from?: Identifier;
}

/** Single-valued properties. The value's kind (duration, count, word …) is checked later. */
export const valuePropertyKeys = [
  'deadline',
  'provider',
  'name',
  'temperature',
  'latency',
  'max_tokens',
  'replicas',
  'timeout',
  'ordering',
  'delivery',
  'capacity',
  'backpressure',
  'consistency',
  'merge',
  'quorum',
  'rounds',
  'tie_break',
  'protocol',
  'weight',
  'lease',
] as const;
export type ValuePropertyKey = (typeof valuePropertyKeys)[number];

export interface ValueProperty extends PropertyNode {
  kind: 'Value';
  key: ValuePropertyKey;
  value: Value;
}

/** `budget 200k tokens`, `budget $5`, `budget 200k tokens $5` */
export interface BudgetProperty extends PropertyNode {
  kind: 'Budget';
  limits: BudgetLimit[];
}

export interface BudgetLimit extends Node {
  value: Value;
  /** Written with the `tokens` unit. */
  tokens: boolean;
}

/** `price input $0.15 output $0.60 per 1M` */
export interface PriceProperty extends PropertyNode {
  kind: 'Price';
  input: Value;
  output: Value;
  per?: Value;
}

/** `model fast` inside an agent (a reference, not a declaration). */
export interface ModelReferenceProperty extends PropertyNode {
  kind: 'ModelReference';
  model: Identifier;
}

/** `takes diff, all findings requires causal, review?` */
export interface TakesProperty extends PropertyNode {
  kind: 'Takes';
  items: TakeItem[];
}

export interface TakeItem extends Node {
  all: boolean;
  source: Identifier;
  optional: boolean;
  requires?: Value;
}

/** `reads notes requires causal` */
export interface ReadsProperty extends PropertyNode {
  kind: 'Reads';
  items: ReadItem[];
}

export interface ReadItem extends Node {
  store: Identifier;
  requires?: Value;
}

/** `writes notes` (a store) or, in a task, `writes "add.py"` (a file or key). */
export interface WritesProperty extends PropertyNode {
  kind: 'Writes';
  targets: Array<Identifier | StringLiteral>;
}

/** `emits findings`, `emits review unless approved` */
export interface EmitsProperty extends PropertyNode {
  kind: 'Emits';
  items: EmitItem[];
}

export interface EmitItem extends Node {
  channel: Identifier;
  condition?: EmitCondition;
}

export interface EmitCondition extends Node {
  negated: boolean;
  field: FieldPath;
}

/** `calls post_comment, search` */
export interface CallsProperty extends PropertyNode {
  kind: 'Calls';
  tools: Identifier[];
}

/** `prompt """…"""` or `prompt file "prompts/judge.hbs"` */
export interface PromptProperty extends PropertyNode {
  kind: 'Prompt';
  source: { kind: 'inline'; text: StringLiteral } | { kind: 'file'; path: StringLiteral };
}

/** `retry 3 backoff exponential 500ms..8s jitter` */
export interface RetryProperty extends PropertyNode {
  kind: 'Retry';
  attempts: Value;
  backoff?: Backoff;
  jitter: boolean;
}

export interface Backoff extends Node {
  strategy: Value;
  /** `500ms..8s`, or a single `1s` for a constant delay. */
  delay?: RangeValue | Value;
}

/** `breaker 5 failures in 1m cooldown 30s` */
export interface BreakerProperty extends PropertyNode {
  kind: 'Breaker';
  failures: Value;
  window: Value;
  cooldown: Value;
}

/** `hedge after 10s` */
export interface HedgeProperty extends PropertyNode {
  kind: 'Hedge';
  after: Value;
}

/** `fallback reviewer_lite, reviewer_cache` — tried in order. */
export interface FallbackProperty extends PropertyNode {
  kind: 'Fallback';
  agents: Identifier[];
}

/** `validate with checker` — a validator agent after the schema check. */
export interface ValidateProperty extends PropertyNode {
  kind: 'Validate';
  validator: Identifier;
}

/** `max rounds 3` */
export interface MaxRoundsProperty extends PropertyNode {
  kind: 'MaxRounds';
  rounds: Value;
}

export const flagKeys = ['optional', 'pure', 'effect'] as const;
export type FlagKey = (typeof flagKeys)[number];

/** A bare keyword: `optional`, `pure`, `effect`. */
export interface FlagProperty extends PropertyNode {
  kind: 'Flag';
  flag: FlagKey;
}

/** `faults 1 crash`, `faults 1 byzantine` */
export interface FaultsProperty extends PropertyNode {
  kind: 'Faults';
  count: Value;
  model: Value;
}

/** `agree on decision`, `agree on summary normalize trim_lower` */
export interface AgreeProperty extends PropertyNode {
  kind: 'Agree';
  fields: FieldPath[];
  normalize?: Value;
}

/** `assign preassigned`, `assign claim`, `assign lead planner` */
export interface AssignProperty extends PropertyNode {
  kind: 'Assign';
  policy: Value;
  lead?: Identifier;
}

/** `after add, safe_add` (a task's dependencies). */
export interface AfterProperty extends PropertyNode {
  kind: 'After';
  tasks: Identifier[];
}

/** `key comment.file, comment.line` (a tool's idempotency key). */
export interface KeyProperty extends PropertyNode {
  kind: 'Key';
  fields: FieldPath[];
}

/** An identifier where a property keyword should be: kept so the checker can suggest one. */
export interface UnknownProperty extends PropertyNode {
  kind: 'UnknownProperty';
  name: Identifier;
  values: Value[];
}

export function isDeclaration(member: Member): member is Declaration {
  return declarationKinds.has(member.kind);
}

const declarationKinds: ReadonlySet<string> = new Set<DeclarationKind>([
  'Team',
  'Model',
  'Type',
  'Store',
  'Channel',
  'Agent',
  'Tool',
  'Consensus',
  'Work',
  'Task',
]);
