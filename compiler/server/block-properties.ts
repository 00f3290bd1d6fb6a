/**
 * Which properties and declarations each block holds, for completion: the checker's own table
 * (check/properties.ts, docs/language.md "Where each property goes"), so completion offers
 * exactly what passes T103.
 */
import { blockDeclarations, blockProperties } from '../check/properties.js';
import type { SymbolKind } from './symbols.js';

export type BlockKind = 'file' | 'team' | 'model' | 'store' | 'channel' | 'agent' | 'tool' | 'consensus' | 'work' | 'task';

export interface BlockContents {
  /** Property keywords, as written at the start of the property (`max rounds` is two words). */
  properties: readonly string[];
  /** Declaration keywords. */
  declarations: readonly string[];
}

export function blockContents(kind: BlockKind): BlockContents {
  const declarations = blockDeclarations[kind].map((declaration) => declaration.toLowerCase());
  return { properties: kind === 'file' ? ['import'] : blockProperties[kind], declarations };
}

/**
 * Properties a block may hold more than once (their items add up, as the checker reads them);
 * every other one is written at most once. An agent has one `output`; a team, many.
 */
export function isRepeatable(block: BlockKind, property: string): boolean {
  if (property === 'input' || property === 'output') return block === 'team';
  return listProperties.has(property);
}

const listProperties: ReadonlySet<string> = new Set(['takes', 'reads', 'writes', 'emits', 'calls', 'after', 'key']);

/** A few words on each keyword, shown beside a completion. */
export const keywordDetails: Record<string, string> = {
  import: 'import "file.team" — share types and models',
  team: 'team Name { … } — a team of agents',
  model: 'a model: `model fast { … }` declares one, `model fast` in an agent names one',
  type: 'type Name = … | type Name { field: type }',
  store: 'store name: Type { consistency …  merge … }',
  channel: 'channel name: Type { ordering …  delivery … }',
  agent: 'agent name { model …  takes …  output …  prompt … }',
  tool: 'tool name(param: Type) -> Type { pure | effect  key … }',
  consensus: 'consensus name over agent { quorum …  faults … }',
  work: 'work name by agent { assign …  task … }',
  task: 'task name { after …  writes … }',
  doc: 'doc "…" — documentation',
  input: 'input name: Type — a team input',
  output: 'output name: Type from source (team) | output Type (agent)',
  deadline: 'deadline 5m — the whole run’s time limit',
  budget: 'budget 200k tokens $5 — the run’s spending limit',
  provider: 'provider openai | sim',
  name: 'name "gpt-4o" — the provider’s model name',
  temperature: 'temperature 0.2',
  latency: 'latency 4s — the expected time of one call',
  max_tokens: 'max_tokens 2k',
  price: 'price input $0.15 output $0.60 per 1M',
  consistency: 'consistency eventual | causal | strong',
  merge: 'merge lww | append | union',
  ordering: 'ordering unordered | fifo | causal | total',
  delivery: 'delivery at_most_once | at_least_once | exactly_once',
  capacity: 'capacity 16 — messages held at most',
  backpressure: 'backpressure block | drop_oldest | drop_newest | reject',
  'max rounds': 'max rounds 4 — bounds a loop',
  replicas: 'replicas 3 — independent instances',
  takes: 'takes input, channel?, all channel requires causal',
  reads: 'reads store requires causal',
  writes: 'writes store (or, in a task, writes "file")',
  emits: 'emits channel [when | unless field]',
  calls: 'calls tool, …',
  prompt: 'prompt """…""" | prompt file "path.hbs"',
  timeout: 'timeout 30s — one call’s time limit',
  retry: 'retry 3 backoff exponential 500ms..8s jitter',
  breaker: 'breaker 5 failures in 1m cooldown 30s',
  hedge: 'hedge after 10s',
  fallback: 'fallback agent, … — tried in order',
  validate: 'validate with agent',
  optional: 'optional — the run goes on without it',
  pure: 'pure — no side effect',
  effect: 'effect — a side effect: needs an idempotency key',
  key: 'key param.field, … — the idempotency key',
  quorum: 'quorum majority | all | N',
  faults: 'faults 1 crash | byzantine',
  agree: 'agree on field, … [normalize …]',
  rounds: 'rounds 2 — voting rounds',
  tie_break: 'tie_break first | reject',
  protocol: 'protocol vote | leader',
  assign: 'assign preassigned | claim | lead agent',
  lease: 'lease 5m',
  after: 'after task, … — dependencies',
  weight: 'weight 2 — relative size of the task',
};

/** The symbol kind a block's declaration is (for finding it in the index). */
export const blockSymbolKind: Partial<Record<BlockKind, SymbolKind>> = {
  team: 'team',
  model: 'model',
  store: 'store',
  channel: 'channel',
  agent: 'agent',
  tool: 'tool',
  consensus: 'consensus',
  work: 'work',
  task: 'task',
};
