/**
 * Properties (T103): which properties belong in which block, which may be given only once, and
 * the kind of each value (a duration where a duration goes, a word from the property's
 * vocabulary). One grammar serves every block, so this is where a misplaced or misspelt property
 * gets its precise message.
 *
 * `collectBlock` sorts a block's members into properties (by name, the rest reported) and nested
 * declarations (the allowed ones; the rest reported). The `read*` functions turn one value into
 * what the model holds, reporting a value of the wrong kind and returning undefined.
 */
import type {
  AfterProperty,
  AgreeProperty,
  AssignProperty,
  BreakerProperty,
  BudgetProperty,
  CallsProperty,
  Declaration,
  DeclarationKind,
  DocProperty,
  EmitsProperty,
  FallbackProperty,
  FaultsProperty,
  FlagProperty,
  HedgeProperty,
  InputProperty,
  KeyProperty,
  MaxRoundsProperty,
  Member,
  ModelReferenceProperty,
  OutputProperty,
  PriceProperty,
  PromptProperty,
  Property,
  ReadsProperty,
  RetryProperty,
  Span,
  TakesProperty,
  Value,
  ValueProperty,
  WritesProperty,
} from '../syntax/ast.js';
import { isDeclaration } from '../syntax/ast.js';
import type { PropertyName } from '../model.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Reporter } from './reporter.js';


export type BlockKind = 'team' | 'model' | 'store' | 'channel' | 'agent' | 'tool' | 'consensus' | 'work' | 'task';

/** The table "Where each property goes" of docs/language.md. */
export const blockProperties: Readonly<Record<BlockKind, readonly PropertyName[]>> = {
  team: ['doc', 'input', 'output', 'deadline', 'budget'],
  model: ['doc', 'provider', 'name', 'temperature', 'latency', 'max_tokens', 'price'],
  store: ['doc', 'consistency', 'merge'],
  channel: ['doc', 'ordering', 'delivery', 'capacity', 'backpressure', 'max rounds'],
  agent: [
    'doc', 'replicas', 'model', 'takes', 'reads', 'writes', 'emits', 'calls', 'output', 'prompt', 'timeout', 'retry',
    'breaker', 'hedge', 'fallback', 'validate', 'max rounds', 'optional', 'max_tokens',
  ],
  tool: ['doc', 'pure', 'effect', 'key', 'timeout'],
  consensus: ['doc', 'replicas', 'quorum', 'faults', 'agree', 'rounds', 'tie_break', 'protocol'],
  work: ['doc', 'assign', 'lease'],
  task: ['doc', 'after', 'weight', 'writes'],
};

/** Declarations a block may hold; the file's top level is `file`. */
export const blockDeclarations: Readonly<Record<BlockKind | 'file', readonly DeclarationKind[]>> = {
  file: ['Team', 'Model', 'Type', 'Tool'],
  team: ['Model', 'Type', 'Store', 'Channel', 'Agent', 'Tool', 'Consensus', 'Work'],
  model: [],
  store: [],
  channel: [],
  agent: [],
  tool: [],
  consensus: [],
  work: ['Task'],
  task: [],
};

/** Properties that may be written on several lines; their items add up. */
const repeatable: ReadonlySet<PropertyName> = new Set<PropertyName>(['input', 'output', 'takes', 'reads', 'writes', 'emits', 'calls', 'after', 'key']);

/** The syntax node each property name stands for. */
export interface PropertyNodes {
  doc: DocProperty;
  input: InputProperty;
  output: OutputProperty;
  budget: BudgetProperty;
  price: PriceProperty;
  model: ModelReferenceProperty;
  takes: TakesProperty;
  reads: ReadsProperty;
  writes: WritesProperty;
  emits: EmitsProperty;
  calls: CallsProperty;
  prompt: PromptProperty;
  retry: RetryProperty;
  breaker: BreakerProperty;
  hedge: HedgeProperty;
  fallback: FallbackProperty;
  validate: import('../syntax/ast.js').ValidateProperty;
  'max rounds': MaxRoundsProperty;
  optional: FlagProperty;
  pure: FlagProperty;
  effect: FlagProperty;
  faults: FaultsProperty;
  agree: AgreeProperty;
  assign: AssignProperty;
  after: AfterProperty;
  key: KeyProperty;
  deadline: ValueProperty;
  provider: ValueProperty;
  name: ValueProperty;
  temperature: ValueProperty;
  latency: ValueProperty;
  max_tokens: ValueProperty;
  replicas: ValueProperty;
  timeout: ValueProperty;
  ordering: ValueProperty;
  delivery: ValueProperty;
  capacity: ValueProperty;
  backpressure: ValueProperty;
  consistency: ValueProperty;
  merge: ValueProperty;
  quorum: ValueProperty;
  rounds: ValueProperty;
  tie_break: ValueProperty;
  protocol: ValueProperty;
  weight: ValueProperty;
  lease: ValueProperty;
}

/** A block's properties by name (for a once-only property, the first one written). */
export class PropertyBag {
  private readonly byName = new Map<PropertyName, Property[]>();

  add(name: PropertyName, property: Property): void {
    const list = this.byName.get(name);
    if (list === undefined) this.byName.set(name, [property]);
    else list.push(property);
  }

  get<K extends PropertyName>(name: K): PropertyNodes[K] | undefined {
    return this.byName.get(name)?.[0] as PropertyNodes[K] | undefined;
  }

  all<K extends PropertyName>(name: K): PropertyNodes[K][] {
    return (this.byName.get(name) ?? []) as PropertyNodes[K][];
  }

  has(name: PropertyName): boolean {
    return this.byName.has(name);
  }

  /** Where each property was first written. */
  spans(): Partial<Record<PropertyName, Span>> {
    const spans: Partial<Record<PropertyName, Span>> = {};
    for (const [name, list] of this.byName) spans[name] = list[0]!.span;
    return spans;
  }
}

export interface Block {
  properties: PropertyBag;
  /** Nested declarations this block may hold, in order. */
  declarations: Declaration[];
}

/** What a block is called in messages: `agent \`judge\``. */
export interface BlockContext {
  kind: BlockKind;
  name: string;
  file: string;
}

/** The name a property is written with. */
export function propertyName(property: Property): PropertyName | undefined {
  switch (property.kind) {
    case 'Doc': return 'doc';
    case 'Input': return 'input';
    case 'Output': return 'output';
    case 'Value': return property.key;
    case 'Budget': return 'budget';
    case 'Price': return 'price';
    case 'ModelReference': return 'model';
    case 'Takes': return 'takes';
    case 'Reads': return 'reads';
    case 'Writes': return 'writes';
    case 'Emits': return 'emits';
    case 'Calls': return 'calls';
    case 'Prompt': return 'prompt';
    case 'Retry': return 'retry';
    case 'Breaker': return 'breaker';
    case 'Hedge': return 'hedge';
    case 'Fallback': return 'fallback';
    case 'Validate': return 'validate';
    case 'MaxRounds': return 'max rounds';
    case 'Flag': return property.flag;
    case 'Faults': return 'faults';
    case 'Agree': return 'agree';
    case 'Assign': return 'assign';
    case 'After': return 'after';
    case 'Key': return 'key';
    case 'UnknownProperty': return undefined;
  }
}

const article = (kind: string) => (/^`?[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);
const q = (text: string) => `\`${text}\``;

/** The blocks a property belongs in, for "`quorum` goes in a `consensus`". */
function blocksOf(name: PropertyName): BlockKind[] {
  return (Object.keys(blockProperties) as BlockKind[]).filter((kind) => blockProperties[kind].includes(name));
}

const declarationKeyword: Record<DeclarationKind, string> = {
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

/** Where a declaration of each kind may go, for the message about one that is elsewhere. */
function homeOf(kind: DeclarationKind): string {
  if (kind === 'Task') return 'inside a `work` block';
  if (kind === 'Team') return 'at the top of a file';
  if (blockDeclarations.file.includes(kind)) return 'inside a `team` or at the top of a file';
  return 'inside a `team`';
}

/**
 * Sorts a block's members. Reports (T103) an unknown property, a property that belongs in
 * another kind of block, a once-only property given twice, and a declaration that cannot be
 * nested here. `misplaced` collects the names of such declarations, so references to them are
 * not reported a second time as unknown.
 */
export function collectBlock(members: readonly Member[], where: BlockContext, report: Reporter, misplaced: Set<string>): Block {
  const properties = new PropertyBag();
  const declarations: Declaration[] = [];
  const allowed = blockProperties[where.kind];
  const here = `${where.kind} ${q(where.name)}`;

  for (const member of members) {
    if (isDeclaration(member)) {
      if (blockDeclarations[where.kind].includes(member.kind)) declarations.push(member);
      else reportMisplacedDeclaration(member, where.kind, where.file, report, misplaced);
      continue;
    }
    const name = propertyName(member);
    if (name === undefined) {
      const written = member.kind === 'UnknownProperty' ? member.name.name : '';
      const suggestion = didYouMean(written, allowed.map((p) => p.split(' ')[0]!));
      report({
        code: 'T103',
        args: { message: `unknown property ${q(written)} in ${here}` },
        at: { file: where.file, span: member.kind === 'UnknownProperty' ? member.name.span : member.keyword },
        label: 'not a property',
        notes: [`${article(where.kind)} takes: ${allowed.map(q).join(', ')}`],
        ...(suggestion === undefined ? {} : { help: [`did you mean ${q(suggestion)}?`] }),
      });
      continue;
    }
    if (!allowed.includes(name)) {
      const homes = blocksOf(name);
      report({
        code: 'T103',
        args: { message: `${q(name)} does not belong in ${article(where.kind)}` },
        at: { file: where.file, span: member.keyword },
        label: `not a property of ${article(where.kind)}`,
        notes: [`${article(where.kind)} takes: ${allowed.map(q).join(', ')}`],
        help: homes.length > 0 ? [`${q(name)} goes in ${homes.map((h) => article(`\`${h}\``)).join(' or ')}`] : [],
      });
      continue;
    }
    const first = properties.get(name);
    if (first !== undefined && !repeatable.has(name) && !(name === 'output' && where.kind === 'team')) {
      report({
        code: 'T103',
        args: { message: `${q(name)} is given more than once in ${here}` },
        at: { file: where.file, span: member.keyword },
        label: 'given again here',
        related: [{ file: where.file, span: first.keyword, message: 'first given here' }],
        help: ['keep one of them'],
      });
      continue;
    }
    properties.add(name, member);
  }
  return { properties, declarations };
}

export function reportMisplacedDeclaration(
  declaration: Declaration,
  inside: BlockKind | 'file',
  file: string,
  report: Reporter,
  misplaced: Set<string>,
): void {
  const keyword = declarationKeyword[declaration.kind];
  misplaced.add(declaration.name.name);
  const container = inside === 'file' ? 'at the top of a file' : `inside ${article(`\`${inside}\``)}`;
  report({
    code: 'T103',
    args: { message: `${article(`\`${keyword}\``)} cannot be declared ${container}` },
    at: { file, span: declaration.keyword },
    label: `${keyword} ${q(declaration.name.name)} is not part of any team`,
    help: [`declare ${q(declaration.name.name)} ${homeOf(declaration.kind)}`],
  });
}

/** A block lacks a property it cannot do without. */
export function requireProperty(bag: PropertyBag, name: PropertyName, where: BlockContext, at: Span, report: Reporter, example: string): boolean {
  if (bag.has(name)) return true;
  report({
    code: 'T103',
    args: { message: `${where.kind} ${q(where.name)} has no ${q(name)}` },
    at: { file: where.file, span: at },
    label: `needs ${q(name)}`,
    help: [`add \`${example}\``],
  });
  return false;
}

// ---------------------------------------------------------------------------------------------
// Values

function describeValue(value: Value): string {
  switch (value.kind) {
    case 'Identifier': return `the word ${q(value.name)}`;
    case 'String': return `the string ${JSON.stringify(value.value)}`;
    case 'Number': return `the number ${q(value.text)}`;
    case 'Duration': return `the duration ${q(value.text)}`;
    case 'Size': return `the size ${q(value.text)}`;
    case 'Money': return `the amount ${q(value.text)}`;
    case 'Percent': return `the percentage ${q(value.text)}`;
  }
}

/** Reports a value that is not of the kind `label` takes (`expected` says which). */
export function wrongKind(value: Value, label: string, expected: string, file: string, report: Reporter, help: string[] = []): undefined {
  report({
    code: 'T103',
    args: { message: `${q(label)} takes ${expected}, found ${describeValue(value)}` },
    at: { file, span: value.span },
    label: `expected ${expected}`,
    help,
  });
  return undefined;
}

/** Milliseconds. A bare number is refused: `30` could be seconds or milliseconds. */
export function readDuration(value: Value, label: string, file: string, report: Reporter): number | undefined {
  if (value.kind === 'Duration') {
    if (value.ms > 0) return value.ms;
    return wrongKind(value, label, 'a duration above zero', file, report);
  }
  const help = value.kind === 'Number' ? [`write the unit: \`${value.text}s\` for seconds, \`${value.text}ms\` for milliseconds`] : [];
  return wrongKind(value, label, 'a duration such as `30s`', file, report, help);
}

/** A whole number (`3`, or a size such as `20k`) of at least `min`. */
export function readCount(value: Value, label: string, file: string, report: Reporter, min = 1): number | undefined {
  if (value.kind !== 'Number' && value.kind !== 'Size') return wrongKind(value, label, 'a whole number such as `3`', file, report);
  if (!Number.isInteger(value.value)) return wrongKind(value, label, 'a whole number', file, report);
  if (value.value < min) return wrongKind(value, label, `a whole number of at least ${min}`, file, report);
  return value.value;
}

/** A plain number within bounds. */
export function readNumber(value: Value, label: string, file: string, report: Reporter, range: { min: number; max: number; example: string }): number | undefined {
  if (value.kind !== 'Number') return wrongKind(value, label, `a number such as \`${range.example}\``, file, report);
  if (value.value < range.min || value.value > range.max) {
    return wrongKind(value, label, `a number from ${range.min} to ${range.max}`, file, report);
  }
  return value.value;
}

export function readMoney(value: Value, label: string, file: string, report: Reporter): number | undefined {
  if (value.kind === 'Money') return value.dollars;
  return wrongKind(value, label, 'an amount such as `$0.50`', file, report);
}

export function readString(value: Value, label: string, file: string, report: Reporter): string | undefined {
  if (value.kind === 'String') return value.value;
  const help = value.kind === 'Identifier' ? [`quote it: \`"${value.name}"\``] : [];
  return wrongKind(value, label, 'a string such as `"gpt-4o"`', file, report, help);
}

/** A word from a closed vocabulary, with a suggestion for a near miss (`casual` → `causal`). */
export function readWord<W extends string>(value: Value, label: string, words: readonly W[], file: string, report: Reporter): W | undefined {
  const expected = `one of ${words.map(q).join(', ')}`;
  const written = value.kind === 'Identifier' ? value.name : value.kind === 'String' ? value.value : undefined;
  if (value.kind === 'Identifier' && (words as readonly string[]).includes(value.name)) return value.name as W;
  const help: string[] = [];
  if (value.kind === 'String' && (words as readonly string[]).includes(value.value)) help.push(`write it without quotes: \`${value.value}\``);
  else if (written !== undefined) {
    const suggestion = didYouMean(written, words);
    if (suggestion !== undefined) help.push(`did you mean ${q(suggestion)}?`);
  }
  return wrongKind(value, label, expected, file, report, help);
}
