/**
 * Quick fixes for diagnostics whose fix is mechanical. The table is keyed by diagnostic code:
 * adding a fix is one entry and one function that reads the syntax around the diagnostic's
 * spans and returns text edits. A value the rule already suggests in its `help` (`timeout 40s`,
 * `max rounds 4`) is the value the fix writes, so the editor offers exactly what the help says;
 * the fix computes its own only when the help names none.
 *
 *   T101  replace an unknown name with the one "did you mean" suggests
 *   T207  wrap a read through a value that may be null in the `{{#if}}` the help names
 *   T300  raise a channel's `ordering` to what its consumers require
 *   T301  raise a store's `consistency` to what its readers require
 *   T302  raise the store and the channel of a cross-channel race to `causal`
 *   T303  give a list store that several agents write `merge append`
 *   T403  decide a bounded channel's back-pressure: `backpressure block` (the runtime's default, made explicit)
 *   T500  add a `timeout` to an agent that calls a model without one
 *   T700  add `max rounds` to an agent on an unbounded loop
 */
import type { TokenType } from 'chevrotain';
import Handlebars from 'handlebars';
import { lex } from '../../grammar/lexer.js';
import { consistencies, DurationLiteral, NumberLiteral, orderings } from '../../grammar/tokens.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type {
  AgentDeclaration,
  ChannelDeclaration,
  Declaration,
  Member,
  Span,
  StoreDeclaration,
  TypeExpression,
  Value,
} from '../syntax/ast.js';
import { computeLineStarts } from '../source.js';
import type { Project } from './project.js';
import type { DeclaredSymbol, FileIndex } from './symbols.js';
import { inlineTemplateContent } from './templates.js';

/** A fix's edits, by file: replace `span` with `newText`. */
export interface Fix {
  title: string;
  edits: Array<{ file: string; span: Span; newText: string }>;
  preferred?: boolean;
}

export interface FixContext {
  diagnostic: Diagnostic;
  project: Project;
  /** The current text of a file. */
  text(file: string): string | undefined;
  index(file: string): FileIndex | undefined;
}

type FixFunction = (context: FixContext) => Fix[];

export const quickFixes: Readonly<Record<string, FixFunction>> = {
  T101: replaceWithSuggestion,
  T207: wrapInIf,
  T300: (context) => raiseGuarantee(context, 'channel'),
  T301: (context) => raiseGuarantee(context, 'store'),
  T302: raiseBothToCausal,
  T303: addMergeAppend,
  T403: addBackpressure,
  T500: addTimeout,
  T700: addMaxRounds,
};

export function fixesFor(context: FixContext): Fix[] {
  const fix = quickFixes[context.diagnostic.code];
  if (fix === undefined) return [];
  try {
    return fix(context);
  } catch {
    // A fix that cannot read the tree it expected offers nothing rather than a wrong edit.
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// T300, T301: raise the provision to the strongest requirement

const guaranteeOf = {
  channel: { property: 'ordering', ladder: orderings, use: 'takes' },
  store: { property: 'consistency', ladder: consistencies, use: 'reads' },
} as const;

function raiseGuarantee(context: FixContext, kind: 'channel' | 'store'): Fix[] {
  const { property, ladder, use } = guaranteeOf[kind];
  const spans = spansOf(context.diagnostic);
  const index = context.index(context.diagnostic.file);
  if (index === undefined) return [];

  // The provider is named where the diagnostic points: at a use that states a requirement, or at the declaration.
  let provider: DeclaredSymbol | undefined;
  for (const reference of context.project.referencesIn(index)) {
    if (reference.role !== use || !spans.some((span) => overlaps(span, reference.span) || contains(span, reference.span))) continue;
    provider = context.project.resolve(reference);
    if (provider !== undefined) break;
  }
  provider ??= declarationAt(context, spans, [kind]);
  if (provider === undefined || (provider.node.kind !== 'Channel' && provider.node.kind !== 'Store')) return [];

  // The strongest requirement any consumer states.
  let required = -1;
  for (const reference of context.project.referencesTo(provider)) {
    if (reference.role !== use || reference.owner?.node.kind !== 'Agent') continue;
    for (const member of reference.owner.node.members) {
      const items = member.kind === 'Takes' ? member.items.map((i) => ({ name: i.source, requires: i.requires })) : member.kind === 'Reads' ? member.items.map((i) => ({ name: i.store, requires: i.requires })) : [];
      for (const item of items) {
        if (item.name.span.start !== reference.span.start || item.requires?.kind !== 'Identifier') continue;
        required = Math.max(required, (ladder as readonly string[]).indexOf(item.requires.name));
      }
    }
  }
  if (required < 0) return [];
  const word = ladder[required]!;
  const edit = atLeast(context, provider, property, ladder, word);
  return edit === undefined ? [] : [{ title: `Raise \`${provider.name}\` to \`${property} ${word}\``, edits: [edit], preferred: true }];
}

/** An edit that makes `property` at least `minimum` on its ladder, or nothing when it already is. */
function atLeast(
  context: FixContext,
  symbol: DeclaredSymbol,
  property: 'ordering' | 'consistency',
  ladder: readonly string[],
  minimum: string,
): { file: string; span: Span; newText: string } | undefined {
  const declaration = symbol.node as ChannelDeclaration | StoreDeclaration;
  const current = valueOf(declaration.members, property);
  // Unwritten, a guarantee is the weakest of its ladder (model.ts).
  const rank = current?.kind === 'Identifier' ? ladder.indexOf(current.name) : 0;
  if (rank >= ladder.indexOf(minimum)) return undefined;
  if (current !== undefined) return { file: symbol.file, span: current.span, newText: minimum };
  const text = context.text(symbol.file);
  return text === undefined ? undefined : insertProperty(symbol.file, text, declaration, `${property} ${minimum}`);
}

// ---------------------------------------------------------------------------------------------
// T302: both sides of a cross-channel race to causal

function raiseBothToCausal(context: FixContext): Fix[] {
  const spans = spansOf(context.diagnostic);
  const store = declarationAt(context, spans, ['store'], true);
  const channel = declarationAt(context, spans, ['channel'], true);
  if (store === undefined || channel === undefined) return [];
  const edits = [atLeast(context, store, 'consistency', consistencies, 'causal'), atLeast(context, channel, 'ordering', orderings, 'causal')].filter(
    (edit): edit is NonNullable<typeof edit> => edit !== undefined,
  );
  if (edits.length === 0) return [];
  return [{ title: `Make \`${store.name}\` and \`${channel.name}\` causal`, edits, preferred: true }];
}

// ---------------------------------------------------------------------------------------------
// T303: a merge rule for a list store

function addMergeAppend(context: FixContext): Fix[] {
  const store = declarationAt(context, spansOf(context.diagnostic), ['store']);
  if (store === undefined || store.node.kind !== 'Store') return [];
  // `append` keeps every writer's items; for a single value the right rule is a design decision, not a fix.
  if (!isList(context, store, store.node.type)) return [];
  const text = context.text(store.file);
  if (text === undefined) return [];
  return [{ title: `Add \`merge append\` to \`${store.name}\``, edits: [insertProperty(store.file, text, store.node, 'merge append')], preferred: true }];
}

function isList(context: FixContext, from: DeclaredSymbol, type: TypeExpression): boolean {
  if (type.kind === 'ArrayType') return true;
  if (type.kind !== 'TypeReference') return false;
  const declared = context.project.lookup(type.name.name, ['type'], from.scope);
  return declared?.node.kind === 'Type' && declared.node.type.kind === 'ArrayType';
}

// ---------------------------------------------------------------------------------------------
// T403: decide back-pressure

function addBackpressure(context: FixContext): Fix[] {
  const channel = declarationAt(context, spansOf(context.diagnostic), ['channel']);
  if (channel === undefined || channel.node.kind !== 'Channel') return [];
  const text = context.text(channel.file);
  if (text === undefined) return [];
  return [{ title: `Add \`backpressure block\` to \`${channel.name}\``, edits: [insertProperty(channel.file, text, channel.node, 'backpressure block')] }];
}

// ---------------------------------------------------------------------------------------------
// T500: add a timeout

/** As the rule suggests: ten times the model's expected latency, and never under 30 s (provider tails). */
const timeoutPerLatency = 10;
const minimumTimeoutMs = 30_000;

function addTimeout(context: FixContext): Fix[] {
  const agent = declarationAt(context, spansOf(context.diagnostic), ['agent']);
  if (agent === undefined || agent.node.kind !== 'Agent') return [];
  const text = context.text(agent.file);
  if (text === undefined) return [];
  const timeout = suggestedByHelp(context.diagnostic, /`timeout ([^`]+)`/, DurationLiteral) ?? suggestedTimeout(context, agent, agent.node);
  return [{ title: `Add \`timeout ${timeout}\` to \`${agent.name}\``, edits: [insertProperty(agent.file, text, agent.node, `timeout ${timeout}`)], preferred: true }];
}

function suggestedTimeout(context: FixContext, agent: DeclaredSymbol, node: AgentDeclaration): string {
  const reference = node.members.find((member) => member.kind === 'ModelReference');
  const model = reference?.kind === 'ModelReference' ? context.project.lookup(reference.model.name, ['model'], agent.scope) : undefined;
  const latency = model?.node.kind === 'Model' ? valueOf(model.node.members, 'latency') : undefined;
  return durationText(Math.max(minimumTimeoutMs, latency?.kind === 'Duration' ? latency.ms * timeoutPerLatency : 0));
}

/** A duration in one unit, rounded up: `40s`, `2m`. */
function durationText(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${Math.max(1, seconds)}s`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

// ---------------------------------------------------------------------------------------------
// T700: bound a loop

const defaultRounds = '4';

function addMaxRounds(context: FixContext): Fix[] {
  // The rule points at the channel that carries the loop, or at an agent that feeds itself.
  const found = declarationAt(context, [context.diagnostic.span], ['agent', 'channel']);
  if (found === undefined || (found.node.kind !== 'Agent' && found.node.kind !== 'Channel')) return [];
  const text = context.text(found.file);
  if (text === undefined) return [];
  const property = `max rounds ${suggestedByHelp(context.diagnostic, /`max rounds ([^`]+)`/, NumberLiteral) ?? defaultRounds}`;
  return [{ title: `Bound the loop: add \`${property}\` to \`${found.name}\``, edits: [insertProperty(found.file, text, found.node, property)], preferred: true }];
}

/** The value a help line suggests (`add \`timeout 40s\``), when it is one token of the expected kind. */
function suggestedByHelp(diagnostic: Diagnostic, pattern: RegExp, kind: TokenType): string | undefined {
  for (const help of diagnostic.help) {
    const value = pattern.exec(help)?.[1];
    if (value === undefined) continue;
    const tokens = lex(value).tokens;
    if (tokens.length === 1 && tokens[0]!.tokenType === kind) return value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// T101: did you mean

function replaceWithSuggestion(context: FixContext): Fix[] {
  const fixes: Fix[] = [];
  for (const help of context.diagnostic.help) {
    for (const match of help.matchAll(/did you mean `([A-Za-z_][A-Za-z0-9_]*)`/g)) {
      const name = match[1]!;
      fixes.push({ title: `Change to \`${name}\``, edits: [{ file: context.diagnostic.file, span: context.diagnostic.span, newText: name }], preferred: fixes.length === 0 });
    }
  }
  return fixes;
}

// ---------------------------------------------------------------------------------------------
// T207: guard a read through a value that may be null

/**
 * Wraps the statement that reads through the value — the mustache, or the whole block whose
 * opening tag does — in the `{{#if …}}` the help names. The template is parsed as written (an
 * inline prompt between its quotes, escapes untouched), so its positions are the file's.
 */
function wrapInIf(context: FixContext): Fix[] {
  const { file, span } = context.diagnostic;
  const guard = context.diagnostic.help.map((help) => /^wrap it in `\{\{#if ([^`{}]+)\}\}…\{\{\/if\}\}`$/.exec(help)?.[1]).find((g) => g !== undefined);
  const text = context.text(file);
  if (guard === undefined || text === undefined) return [];
  const literal = context.index(file)?.templates.find((t) => t.source.kind === 'inline' && contains(t.source.literal.span, span))?.source.literal;
  // A diagnostic in a `.team` file is in an inline prompt; anywhere else, the file is the prompt.
  const content = literal !== undefined ? inlineTemplateContent(text, literal) : file.endsWith('.team') ? undefined : { text, offset: 0 };
  if (content === undefined) return [];
  const program = Handlebars.parseWithoutProcessing(content.text);
  const statement = statementAt(program, computeLineStarts(content.text), span.start - content.offset);
  if (statement === undefined) return [];
  const start = content.offset + statement.start;
  const end = content.offset + statement.end;
  return [
    {
      title: `Wrap in \`{{#if ${guard}}}\``,
      edits: [
        { file, span: { start, end: start }, newText: `{{#if ${guard}}}` },
        { file, span: { start: end, end }, newText: '{{/if}}' },
      ],
      preferred: true,
    },
  ];
}

/** The innermost mustache or block around `at`, where `at` is outside any inner block's body. */
function statementAt(program: hbs.AST.Program | undefined, lineStarts: readonly number[], at: number): Span | undefined {
  for (const node of program?.body ?? []) {
    const start = (lineStarts[node.loc.start.line - 1] ?? 0) + node.loc.start.column;
    const end = (lineStarts[node.loc.end.line - 1] ?? 0) + node.loc.end.column;
    if (at < start || at >= end) continue;
    if (node.type === 'MustacheStatement') return { start, end };
    if (node.type !== 'BlockStatement') return undefined;
    const block = node as hbs.AST.BlockStatement;
    return statementAt(block.program, lineStarts, at) ?? statementAt(block.inverse, lineStarts, at) ?? { start, end };
  }
  return undefined;
}


// ---------------------------------------------------------------------------------------------
// Reading and editing the tree

function spansOf(diagnostic: Diagnostic): Span[] {
  return [diagnostic.span, ...diagnostic.related.filter((label) => label.file === diagnostic.file).map((label) => label.span)];
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

function contains(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * The innermost declaration of one of `kinds` whose span holds one of the spans (tried in order).
 * With `related`, the related labels are tried before the primary span (they name the other side).
 */
function declarationAt(context: FixContext, spans: readonly Span[], kinds: readonly string[], related = false): DeclaredSymbol | undefined {
  const index = context.index(context.diagnostic.file);
  if (index === undefined) return undefined;
  for (const span of related ? [...spans.slice(1), spans[0]!] : spans) {
    let best: DeclaredSymbol | undefined;
    for (const symbol of index.symbols) {
      // The span starts inside the declaration; the innermost such declaration starts last.
      if (!kinds.includes(symbol.kind) || span.start < symbol.span.start || span.start > symbol.span.end) continue;
      if (best === undefined || symbol.span.start >= best.span.start) best = symbol;
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

function valueOf(members: readonly Member[], key: string): Value | undefined {
  for (const member of members) if (member.kind === 'Value' && member.key === key) return member.value;
  return undefined;
}

/**
 * An edit that adds a property to a declaration's block, laid out as the block already is: on a
 * line of its own, indented like its siblings, in a block written over several lines; after the
 * last member (two spaces apart) in a one-line block; in a new block when there is none.
 */
export function insertProperty(file: string, text: string, declaration: Declaration, property: string): { file: string; span: Span; newText: string } {
  const span = declaration.span;
  const hasBlock = text.charAt(span.end - 1) === '}';
  if (!hasBlock) return { file, span: { start: span.end, end: span.end }, newText: ` { ${property} }` };

  const close = span.end - 1;
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const beforeClose = text.slice(lineStart, close);
  if (beforeClose.trim() === '') {
    // `}` alone on its line: a new line above it, indented like the members.
    const members = 'members' in declaration ? declaration.members : [];
    const indent = members.length > 0 ? indentationAt(text, members[members.length - 1]!.span.start) : `${beforeClose}  `;
    return { file, span: { start: lineStart, end: lineStart }, newText: `${indent}${property}\n` };
  }
  // A one-line block: `{ ordering fifo }` → `{ ordering fifo  delivery … }`.
  let end = close;
  while (end > 0 && (text.charAt(end - 1) === ' ' || text.charAt(end - 1) === '\t')) end--;
  const opensHere = text.charAt(end - 1) === '{';
  return { file, span: { start: end, end: close }, newText: opensHere ? ` ${property} ` : `  ${property} ` };
}

function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const match = /^[ \t]*/.exec(text.slice(lineStart, offset));
  return match?.[0] ?? '';
}
