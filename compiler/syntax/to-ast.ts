/**
 * Concrete syntax tree → typed AST (`ast.ts`).
 *
 * The tree may come from error recovery: a node can lack any child, and a token can be one the
 * parser inserted (it has no place in the text). Every conversion here checks what it reads and
 * skips what is missing: a property without its required parts is left out (its syntax error is
 * already reported), and a list keeps the items that are whole. Nothing here throws on a partial
 * tree.
 *
 * Spans are offsets into the text, end exclusive. Literal values are computed here (durations in
 * milliseconds, sizes as counts, strings decoded), with the few problems only decoding can find
 * (a bad escape, a number too large).
 */
import type { CstChildrenDictionary, CstNode, IToken } from 'chevrotain';
import { teamParser } from '../../grammar/parser.js';
import {
  DurationLiteral,
  durationUnits,
  Identifier as IdentifierToken,
  keywordTokens,
  MoneyLiteral,
  NumberLiteral,
  PercentLiteral,
  SizeLiteral,
  sizeUnits,
  StringLiteral as StringLiteralToken,
  TripleStringLiteral,
  UnterminatedStringLiteral,
  UnterminatedTripleStringLiteral,
} from '../../grammar/tokens.js';
import type {
  AfterProperty,
  AgentDeclaration,
  AgreeProperty,
  AssignProperty,
  Backoff,
  BreakerProperty,
  BudgetLimit,
  BudgetProperty,
  CallsProperty,
  ChannelDeclaration,
  ConsensusDeclaration,
  Declaration,
  DocProperty,
  EmitItem,
  EmitsProperty,
  FallbackProperty,
  FaultsProperty,
  FieldPath,
  FlagKey,
  FlagProperty,
  HedgeProperty,
  Identifier,
  ImportDeclaration,
  InputProperty,
  KeyProperty,
  MaxRoundsProperty,
  Member,
  ModelDeclaration,
  ModelReferenceProperty,
  OutputProperty,
  PriceProperty,
  PromptProperty,
  RangeValue,
  ReadItem,
  ReadsProperty,
  RecordField,
  RecordType,
  RetryProperty,
  SourceFileNode,
  Span,
  StoreDeclaration,
  StringLiteral,
  TakeItem,
  TakesProperty,
  TaskDeclaration,
  TeamDeclaration,
  ToolDeclaration,
  TypeDeclaration,
  TypeExpression,
  UnknownProperty,
  ValidateProperty,
  Value,
  ValueProperty,
  ValuePropertyKey,
  WorkDeclaration,
  WritesProperty,
} from './ast.js';
import { decodeQuoted, decodeTripleQuoted, type StringProblem } from './strings.js';

/** A problem found while building the AST, at offsets into the text (end exclusive). */
export type AstProblem = StringProblem;

export interface AstResult {
  ast: SourceFileNode;
  problems: AstProblem[];
}

/** Builds the AST of a whole file from the parser's tree. */
export function buildAst(cst: CstNode, textLength: number): AstResult {
  const problems: AstProblem[] = [];
  builder.problems = problems;
  try {
    const ast = builder.file(cst.children, textLength);
    return { ast, problems };
  } finally {
    builder.problems = [];
  }
}

type Children = CstChildrenDictionary;
type Part = IToken | { span: Span } | undefined;

/** A token that is really in the text (not inserted by error recovery). */
function isReal(token: IToken): boolean {
  return token.isInsertedInRecovery !== true && token.startOffset >= 0;
}

function tokenOf(ctx: Children, key: string, index = 0): IToken | undefined {
  const token = ctx[key]?.[index] as IToken | undefined;
  return token !== undefined && isReal(token) ? token : undefined;
}

function tokensOf(ctx: Children, key: string): IToken[] {
  const all = (ctx[key] ?? []) as IToken[];
  let allReal = true;
  for (const token of all) if (!isReal(token)) allReal = false;
  return allReal ? all : all.filter(isReal);
}

function nodeOf(ctx: Children, key: string, index = 0): CstNode | undefined {
  return ctx[key]?.[index] as CstNode | undefined;
}

function nodesOf(ctx: Children, key: string): CstNode[] {
  return (ctx[key] ?? []) as CstNode[];
}

/** Where a token ends, exclusive (the lexer tracks full positions, so `endOffset` is set). */
function tokenEnd(token: IToken): number {
  return token.endOffset! + 1;
}

function tokenSpan(token: IToken): Span {
  return { start: token.startOffset, end: tokenEnd(token) };
}

function endOfPart(part: IToken | { span: Span }): number {
  return 'span' in part ? part.span.end : tokenEnd(part);
}

/** The span from `start` to the furthest end among the parts that are present. */
function spanFrom(start: number, ...parts: Part[]): Span {
  let end = start;
  for (const part of parts) {
    if (part === undefined) continue;
    const partEnd = endOfPart(part);
    if (partEnd > end) end = partEnd;
  }
  return { start, end };
}

function lastOf<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}

function identifier(token: IToken): Identifier {
  return { kind: 'Identifier', name: token.image, span: tokenSpan(token) };
}

function identifiers(tokens: IToken[]): Identifier[] {
  return tokens.map(identifier);
}

/** Adds numbers written with a fraction without binary noise: `1.1s` is 1100 ms, not 1100.0000000000002. */
function scale(numberText: string, factor: number): number {
  const value = Number(numberText) * factor;
  return Number.isInteger(value) ? value : Number(value.toPrecision(15));
}

/** The rules whose nodes a block holds directly (see `block` in the parser). */
const memberRules = [
  'teamDeclaration',
  'modelMember',
  'typeDeclaration',
  'storeDeclaration',
  'channelDeclaration',
  'agentDeclaration',
  'toolDeclaration',
  'consensusDeclaration',
  'workDeclaration',
  'taskDeclaration',
  'docProperty',
  'inputProperty',
  'outputProperty',
  'valueProperty',
  'budgetProperty',
  'priceProperty',
  'takesProperty',
  'readsProperty',
  'writesProperty',
  'emitsProperty',
  'callsProperty',
  'promptProperty',
  'retryProperty',
  'breakerProperty',
  'hedgeProperty',
  'fallbackProperty',
  'validateProperty',
  'maxRoundsProperty',
  'flagProperty',
  'faultsProperty',
  'agreeProperty',
  'assignProperty',
  'afterProperty',
  'keyProperty',
  'unknownProperty',
  // `misplacedImport` is left out: the parser reported it, and a block holds no imports.
] as const;

const topLevelDeclarationRules = [
  'teamDeclaration',
  'modelDeclaration',
  'typeDeclaration',
  'storeDeclaration',
  'channelDeclaration',
  'agentDeclaration',
  'toolDeclaration',
  'consensusDeclaration',
  'workDeclaration',
  'taskDeclaration',
] as const;

function byStart(a: { span: Span }, b: { span: Span }): number {
  return a.span.start - b.span.start;
}

interface BlockContent {
  members: Member[];
  end: number;
}

const BaseVisitor = teamParser.getBaseCstVisitorConstructor();

/** One method per grammar rule; `validateVisitor` proves none is missing. */
class AstBuilder extends BaseVisitor {
  problems: AstProblem[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  // The rule under a key is known, so its method is called directly: the same as `this.visit`
  // without looking the method up by the node's name, which shows on a large file.

  private sub<T>(ctx: Children, key: string, method: (ctx: Children) => T | undefined): T | undefined {
    const node = nodeOf(ctx, key);
    return node === undefined ? undefined : method.call(this, node.children);
  }

  /** Visits every node under `key` and keeps the results that are whole. */
  private subs<T>(ctx: Children, key: string, method: (ctx: Children) => T | undefined): T[] {
    const results: T[] = [];
    for (const node of nodesOf(ctx, key)) {
      const result = method.call(this, node.children);
      if (result !== undefined) results.push(result);
    }
    return results;
  }

  private methodFor<T>(rule: string): (ctx: Children) => T | undefined {
    return (this as unknown as Record<string, (ctx: Children) => T | undefined>)[rule]!;
  }

  /** The method for each rule whose nodes a block holds. */
  private readonly memberMethods = new Map(memberRules.map((rule) => [rule as string, this.methodFor<Member>(rule)]));

  // -------------------------------------------------------------------------------------------
  // Literals

  private string(token: IToken): StringLiteral {
    const span = tokenSpan(token);
    if (token.tokenType === TripleStringLiteral || token.tokenType === UnterminatedTripleStringLiteral) {
      return { kind: 'String', value: decodeTripleQuoted(token.image), triple: true, span };
    }
    return { kind: 'String', value: decodeQuoted(token.image, token.startOffset, this.problems), triple: false, span };
  }

  private stringOf(ctx: Children, key: string): StringLiteral | undefined {
    const token = tokenOf(ctx, key);
    return token === undefined ? undefined : this.string(token);
  }

  /** A value slot's token as a value; a malformed number (reported by the lexer) gives none. */
  private value(token: IToken | undefined): Value | undefined {
    if (token === undefined || !isReal(token)) return undefined;
    const text = token.image;
    const span = tokenSpan(token);
    switch (token.tokenType) {
      case IdentifierToken:
      case keywordTokens.all:
        return { kind: 'Identifier', name: text, span };
      case StringLiteralToken:
      case UnterminatedStringLiteral:
      case TripleStringLiteral:
      case UnterminatedTripleStringLiteral:
        return this.string(token);
      case NumberLiteral:
        return this.finite({ kind: 'Number', value: Number(text), text, span }, token);
      case DurationLiteral: {
        const unit = text.endsWith('ms') ? 'ms' : (text.charAt(text.length - 1) as keyof typeof durationUnits);
        return this.finite({ kind: 'Duration', ms: scale(text.slice(0, -unit.length), durationUnits[unit]), text, span }, token);
      }
      case SizeLiteral: {
        const unit = text.charAt(text.length - 1) as keyof typeof sizeUnits;
        return this.finite({ kind: 'Size', value: scale(text.slice(0, -1), sizeUnits[unit]), text, span }, token);
      }
      case MoneyLiteral:
        return this.finite({ kind: 'Money', dollars: Number(text.slice(1)), text, span }, token);
      case PercentLiteral:
        return this.finite({ kind: 'Percent', value: Number(text.slice(0, -1)), text, span }, token);
      default:
        return undefined;
    }
  }

  /** Hundreds of digits overflow to Infinity: reported, and the value left out. */
  private finite<T extends Value>(value: T, token: IToken): T | undefined {
    const number = value.kind === 'Duration' ? value.ms : value.kind === 'Money' ? value.dollars : 'value' in value ? value.value : 0;
    if (!Number.isFinite(number)) {
      this.problems.push({ message: `\`${shortText(token.image)}\` is too large a number`, ...tokenSpan(token) });
      return undefined;
    }
    return value;
  }

  private valueAt(ctx: Children, key: string, index = 0): Value | undefined {
    return this.value(ctx[key]?.[index] as IToken | undefined);
  }

  private identifierOf(ctx: Children, key: string): Identifier | undefined {
    const token = tokenOf(ctx, key);
    return token === undefined ? undefined : identifier(token);
  }

  // -------------------------------------------------------------------------------------------
  // File and declarations

  file(ctx: Children, textLength: number): SourceFileNode {
    const imports = this.subs(ctx, 'importDeclaration', this.importDeclaration);
    const declarations: Declaration[] = [];
    for (const rule of topLevelDeclarationRules) {
      const nodes = ctx[rule] as CstNode[] | undefined;
      if (nodes === undefined) continue;
      const method = this.methodFor<Declaration>(rule);
      for (const node of nodes) {
        const declaration = method.call(this, node.children);
        if (declaration !== undefined) declarations.push(declaration);
      }
    }
    declarations.sort(byStart);
    return { kind: 'File', imports, declarations, span: { start: 0, end: textLength } };
  }

  importDeclaration(ctx: Children): ImportDeclaration | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const path = this.stringOf(ctx, 'path');
    if (keyword === undefined || path === undefined) return undefined;
    return { kind: 'Import', path, span: spanFrom(keyword.startOffset, path) };
  }

  /** Reported by the parser; not part of the tree. */
  misplacedImport(): undefined {
    return undefined;
  }

  /** The parts every declaration has: keyword, name, and the block's members and end. */
  private declared(ctx: Children): { keyword: IToken; name: Identifier; block?: BlockContent } | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const name = this.identifierOf(ctx, 'name');
    if (keyword === undefined || name === undefined) return undefined;
    const block = this.sub(ctx, 'block', this.block);
    return block === undefined ? { keyword, name } : { keyword, name, block };
  }

  private blockEnd(block: BlockContent | undefined): Part {
    return block === undefined ? undefined : { span: { start: block.end, end: block.end } };
  }

  teamDeclaration(ctx: Children): TeamDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    return {
      kind: 'Team',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, d.name, this.blockEnd(d.block)),
    };
  }

  modelDeclaration(ctx: Children): ModelDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    return {
      kind: 'Model',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, d.name, this.blockEnd(d.block)),
    };
  }

  /** `model fast { … }` declares a model; `model fast` names one. */
  modelMember(ctx: Children): ModelDeclaration | ModelReferenceProperty | undefined {
    if (nodeOf(ctx, 'block') !== undefined) return this.modelDeclaration(ctx);
    const keyword = tokenOf(ctx, 'keyword');
    const model = this.identifierOf(ctx, 'name');
    if (keyword === undefined || model === undefined) return undefined;
    return { kind: 'ModelReference', keyword: tokenSpan(keyword), model, span: spanFrom(keyword.startOffset, model) };
  }

  typeDeclaration(ctx: Children): TypeDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    const type = this.sub(ctx, 'typeExpression', this.typeExpression) ?? this.sub(ctx, 'recordType', this.recordType);
    if (type === undefined) return undefined;
    return { kind: 'Type', name: d.name, keyword: tokenSpan(d.keyword), type, span: spanFrom(d.keyword.startOffset, d.name, type) };
  }

  storeDeclaration(ctx: Children): StoreDeclaration | undefined {
    const d = this.declared(ctx);
    const type = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (d === undefined || type === undefined) return undefined;
    return {
      kind: 'Store',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      type,
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, type, this.blockEnd(d.block)),
    };
  }

  channelDeclaration(ctx: Children): ChannelDeclaration | undefined {
    const d = this.declared(ctx);
    const type = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (d === undefined || type === undefined) return undefined;
    return {
      kind: 'Channel',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      type,
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, type, this.blockEnd(d.block)),
    };
  }

  agentDeclaration(ctx: Children): AgentDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    return {
      kind: 'Agent',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, d.name, this.blockEnd(d.block)),
    };
  }

  toolDeclaration(ctx: Children): ToolDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    const parameters = this.subs(ctx, 'recordField', this.recordField);
    const returns = this.sub(ctx, 'typeExpression', this.typeExpression);
    const tool: ToolDeclaration = {
      kind: 'Tool',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      parameters,
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, d.name, lastOf(parameters), tokenOf(ctx, 'RParen'), returns, this.blockEnd(d.block)),
    };
    if (returns !== undefined) tool.returns = returns;
    return tool;
  }

  consensusDeclaration(ctx: Children): ConsensusDeclaration | undefined {
    const d = this.declared(ctx);
    const over = this.identifierOf(ctx, 'over');
    if (d === undefined || over === undefined) return undefined;
    return {
      kind: 'Consensus',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      over,
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, over, this.blockEnd(d.block)),
    };
  }

  workDeclaration(ctx: Children): WorkDeclaration | undefined {
    const d = this.declared(ctx);
    const by = this.identifierOf(ctx, 'by');
    if (d === undefined || by === undefined) return undefined;
    return {
      kind: 'Work',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      by,
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, by, this.blockEnd(d.block)),
    };
  }

  taskDeclaration(ctx: Children): TaskDeclaration | undefined {
    const d = this.declared(ctx);
    if (d === undefined) return undefined;
    return {
      kind: 'Task',
      name: d.name,
      keyword: tokenSpan(d.keyword),
      members: d.block?.members ?? [],
      span: spanFrom(d.keyword.startOffset, d.name, this.blockEnd(d.block)),
    };
  }

  /** The block's members in source order, and where the block ends. */
  block(ctx: Children): BlockContent | undefined {
    const open = tokenOf(ctx, 'LCurly');
    const close = tokenOf(ctx, 'RCurly');
    const members: Member[] = [];
    let sorted = true;
    // Only the keys present: a block holds a few kinds of member, out of the dozens there are.
    for (const key in ctx) {
      const method = this.memberMethods.get(key);
      if (method === undefined) continue;
      for (const node of ctx[key] as CstNode[]) {
        const member = method.call(this, node.children);
        if (member === undefined) continue;
        const previous = lastOf(members);
        if (previous !== undefined && previous.span.start > member.span.start) sorted = false;
        members.push(member);
      }
    }
    if (!sorted) members.sort(byStart);
    if (open === undefined && members.length === 0) return undefined;
    const start = open?.startOffset ?? members[0]!.span.start;
    const end = close !== undefined ? tokenEnd(close) : spanFrom(start, open, lastOf(members)).end;
    return { members, end };
  }

  // -------------------------------------------------------------------------------------------
  // Properties

  docProperty(ctx: Children): DocProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const text = this.stringOf(ctx, 'text');
    if (keyword === undefined || text === undefined) return undefined;
    return { kind: 'Doc', keyword: tokenSpan(keyword), text, span: spanFrom(keyword.startOffset, text) };
  }

  inputProperty(ctx: Children): InputProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const name = this.identifierOf(ctx, 'name');
    const type = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (keyword === undefined || name === undefined || type === undefined) return undefined;
    return { kind: 'Input', keyword: tokenSpan(keyword), name, type, span: spanFrom(keyword.startOffset, type) };
  }

  outputProperty(ctx: Children): OutputProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const type = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (keyword === undefined || type === undefined) return undefined;
    const output: OutputProperty = { kind: 'Output', keyword: tokenSpan(keyword), type, span: { start: 0, end: 0 } };
    const name = this.identifierOf(ctx, 'name');
    const from = this.identifierOf(ctx, 'from');
    if (name !== undefined) output.name = name;
    if (from !== undefined) output.from = from;
    output.span = spanFrom(keyword.startOffset, type, tokenOf(ctx, 'From'), from);
    return output;
  }

  valueProperty(ctx: Children): ValueProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const value = this.valueAt(ctx, 'value');
    if (keyword === undefined || value === undefined) return undefined;
    return {
      kind: 'Value',
      keyword: tokenSpan(keyword),
      key: keyword.image as ValuePropertyKey,
      value,
      span: spanFrom(keyword.startOffset, value),
    };
  }

  budgetProperty(ctx: Children): BudgetProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const limits = this.subs(ctx, 'budgetLimit', this.budgetLimit);
    if (keyword === undefined || limits.length === 0) return undefined;
    return { kind: 'Budget', keyword: tokenSpan(keyword), limits, span: spanFrom(keyword.startOffset, lastOf(limits)) };
  }

  budgetLimit(ctx: Children): BudgetLimit | undefined {
    const value = this.valueAt(ctx, 'value');
    if (value === undefined) return undefined;
    const tokens = tokenOf(ctx, 'tokens');
    return { value, tokens: tokens !== undefined, span: spanFrom(value.span.start, value, tokens) };
  }

  priceProperty(ctx: Children): PriceProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const input = this.valueAt(ctx, 'input');
    const output = this.valueAt(ctx, 'output');
    if (keyword === undefined || input === undefined || output === undefined) return undefined;
    const per = this.valueAt(ctx, 'per');
    const price: PriceProperty = { kind: 'Price', keyword: tokenSpan(keyword), input, output, span: spanFrom(keyword.startOffset, output, per) };
    if (per !== undefined) price.per = per;
    return price;
  }

  takesProperty(ctx: Children): TakesProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const items = this.subs(ctx, 'takeItem', this.takeItem);
    if (keyword === undefined || items.length === 0) return undefined;
    return { kind: 'Takes', keyword: tokenSpan(keyword), items, span: spanFrom(keyword.startOffset, lastOf(items)) };
  }

  takeItem(ctx: Children): TakeItem | undefined {
    const all = tokenOf(ctx, 'all');
    const sourceToken = tokenOf(ctx, 'source');
    if (sourceToken === undefined) return undefined;
    const optional = tokenOf(ctx, 'optional');
    const requires = this.valueAt(ctx, 'requires');
    const item: TakeItem = {
      all: all !== undefined,
      source: identifier(sourceToken),
      optional: optional !== undefined,
      span: spanFrom((all ?? sourceToken).startOffset, sourceToken, optional, tokenOf(ctx, 'Requires'), requires),
    };
    if (requires !== undefined) item.requires = requires;
    return item;
  }

  readsProperty(ctx: Children): ReadsProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const items = this.subs(ctx, 'readItem', this.readItem);
    if (keyword === undefined || items.length === 0) return undefined;
    return { kind: 'Reads', keyword: tokenSpan(keyword), items, span: spanFrom(keyword.startOffset, lastOf(items)) };
  }

  readItem(ctx: Children): ReadItem | undefined {
    const store = this.identifierOf(ctx, 'store');
    if (store === undefined) return undefined;
    const requires = this.valueAt(ctx, 'requires');
    const item: ReadItem = { store, span: spanFrom(store.span.start, store, tokenOf(ctx, 'Requires'), requires) };
    if (requires !== undefined) item.requires = requires;
    return item;
  }

  writesProperty(ctx: Children): WritesProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    if (keyword === undefined) return undefined;
    const targets = tokensOf(ctx, 'target').map((token) => (token.tokenType === IdentifierToken ? identifier(token) : this.string(token)));
    if (targets.length === 0) return undefined;
    return { kind: 'Writes', keyword: tokenSpan(keyword), targets, span: spanFrom(keyword.startOffset, lastOf(targets)) };
  }

  emitsProperty(ctx: Children): EmitsProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const items = this.subs(ctx, 'emitItem', this.emitItem);
    if (keyword === undefined || items.length === 0) return undefined;
    return { kind: 'Emits', keyword: tokenSpan(keyword), items, span: spanFrom(keyword.startOffset, lastOf(items)) };
  }

  emitItem(ctx: Children): EmitItem | undefined {
    const channel = this.identifierOf(ctx, 'channel');
    if (channel === undefined) return undefined;
    const item: EmitItem = { channel, span: channel.span };
    const condition = tokenOf(ctx, 'condition');
    const field = this.sub(ctx, 'fieldPath', this.fieldPath);
    if (condition !== undefined && field !== undefined) {
      item.condition = { negated: condition.image === 'unless', field, span: spanFrom(condition.startOffset, field) };
      item.span = spanFrom(channel.span.start, field);
    }
    return item;
  }

  callsProperty(ctx: Children): CallsProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const tools = identifiers(tokensOf(ctx, 'tool'));
    if (keyword === undefined || tools.length === 0) return undefined;
    return { kind: 'Calls', keyword: tokenSpan(keyword), tools, span: spanFrom(keyword.startOffset, lastOf(tools)) };
  }

  promptProperty(ctx: Children): PromptProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    if (keyword === undefined) return undefined;
    const text = this.stringOf(ctx, 'text');
    if (text !== undefined) {
      return { kind: 'Prompt', keyword: tokenSpan(keyword), source: { kind: 'inline', text }, span: spanFrom(keyword.startOffset, text) };
    }
    const path = this.stringOf(ctx, 'path');
    if (path === undefined) return undefined;
    return { kind: 'Prompt', keyword: tokenSpan(keyword), source: { kind: 'file', path }, span: spanFrom(keyword.startOffset, path) };
  }

  retryProperty(ctx: Children): RetryProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const attempts = this.valueAt(ctx, 'attempts');
    if (keyword === undefined || attempts === undefined) return undefined;
    const jitter = tokenOf(ctx, 'jitter');
    const retry: RetryProperty = { kind: 'Retry', keyword: tokenSpan(keyword), attempts, jitter: jitter !== undefined, span: { start: 0, end: 0 } };
    const backoffToken = tokenOf(ctx, 'backoff');
    const strategy = this.valueAt(ctx, 'strategy');
    if (backoffToken !== undefined && strategy !== undefined) {
      const backoff: Backoff = { strategy, span: spanFrom(backoffToken.startOffset, strategy) };
      const min = this.valueAt(ctx, 'delay');
      const max = this.valueAt(ctx, 'maxDelay');
      if (min !== undefined && max !== undefined) {
        const range: RangeValue = { kind: 'Range', min, max, span: spanFrom(min.span.start, max) };
        backoff.delay = range;
      } else if (min !== undefined) {
        backoff.delay = min;
      }
      if (backoff.delay !== undefined) backoff.span = spanFrom(backoffToken.startOffset, backoff.delay);
      retry.backoff = backoff;
    }
    retry.span = spanFrom(keyword.startOffset, attempts, retry.backoff, jitter);
    return retry;
  }

  breakerProperty(ctx: Children): BreakerProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const failures = this.valueAt(ctx, 'failures');
    const window = this.valueAt(ctx, 'window');
    const cooldown = this.valueAt(ctx, 'cooldown');
    if (keyword === undefined || failures === undefined || window === undefined || cooldown === undefined) return undefined;
    return { kind: 'Breaker', keyword: tokenSpan(keyword), failures, window, cooldown, span: spanFrom(keyword.startOffset, cooldown) };
  }

  hedgeProperty(ctx: Children): HedgeProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const after = this.valueAt(ctx, 'after');
    if (keyword === undefined || after === undefined) return undefined;
    return { kind: 'Hedge', keyword: tokenSpan(keyword), after, span: spanFrom(keyword.startOffset, after) };
  }

  fallbackProperty(ctx: Children): FallbackProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const agents = identifiers(tokensOf(ctx, 'agent'));
    if (keyword === undefined || agents.length === 0) return undefined;
    return { kind: 'Fallback', keyword: tokenSpan(keyword), agents, span: spanFrom(keyword.startOffset, lastOf(agents)) };
  }

  validateProperty(ctx: Children): ValidateProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const validator = this.identifierOf(ctx, 'validator');
    if (keyword === undefined || validator === undefined) return undefined;
    return { kind: 'Validate', keyword: tokenSpan(keyword), validator, span: spanFrom(keyword.startOffset, validator) };
  }

  maxRoundsProperty(ctx: Children): MaxRoundsProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const rounds = this.valueAt(ctx, 'rounds');
    if (keyword === undefined || rounds === undefined) return undefined;
    return { kind: 'MaxRounds', keyword: tokenSpan(keyword), rounds, span: spanFrom(keyword.startOffset, rounds) };
  }

  flagProperty(ctx: Children): FlagProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    if (keyword === undefined) return undefined;
    return { kind: 'Flag', keyword: tokenSpan(keyword), flag: keyword.image as FlagKey, span: tokenSpan(keyword) };
  }

  faultsProperty(ctx: Children): FaultsProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const count = this.valueAt(ctx, 'count');
    const model = this.valueAt(ctx, 'model');
    if (keyword === undefined || count === undefined || model === undefined) return undefined;
    return { kind: 'Faults', keyword: tokenSpan(keyword), count, model, span: spanFrom(keyword.startOffset, model) };
  }

  agreeProperty(ctx: Children): AgreeProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const fields = this.subs(ctx, 'fieldPath', this.fieldPath);
    if (keyword === undefined || fields.length === 0) return undefined;
    const normalize = this.valueAt(ctx, 'normalize');
    const agree: AgreeProperty = { kind: 'Agree', keyword: tokenSpan(keyword), fields, span: spanFrom(keyword.startOffset, lastOf(fields), normalize) };
    if (normalize !== undefined) agree.normalize = normalize;
    return agree;
  }

  assignProperty(ctx: Children): AssignProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const policy = this.valueAt(ctx, 'policy');
    if (keyword === undefined || policy === undefined) return undefined;
    const lead = this.identifierOf(ctx, 'lead');
    const assign: AssignProperty = { kind: 'Assign', keyword: tokenSpan(keyword), policy, span: spanFrom(keyword.startOffset, policy, lead) };
    if (lead !== undefined) assign.lead = lead;
    return assign;
  }

  afterProperty(ctx: Children): AfterProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const tasks = identifiers(tokensOf(ctx, 'task'));
    if (keyword === undefined || tasks.length === 0) return undefined;
    return { kind: 'After', keyword: tokenSpan(keyword), tasks, span: spanFrom(keyword.startOffset, lastOf(tasks)) };
  }

  keyProperty(ctx: Children): KeyProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    const fields = this.subs(ctx, 'fieldPath', this.fieldPath);
    if (keyword === undefined || fields.length === 0) return undefined;
    return { kind: 'Key', keyword: tokenSpan(keyword), fields, span: spanFrom(keyword.startOffset, lastOf(fields)) };
  }

  unknownProperty(ctx: Children): UnknownProperty | undefined {
    const keyword = tokenOf(ctx, 'keyword');
    if (keyword === undefined) return undefined;
    const values: Value[] = [];
    for (const token of tokensOf(ctx, 'values')) {
      const value = this.value(token);
      if (value !== undefined) values.push(value);
    }
    // A block or record after it (`agnet reviewer { … }`, `Finding { … }`) is part of its span, not of the tree.
    const block = this.sub(ctx, 'block', this.block);
    return {
      kind: 'UnknownProperty',
      keyword: tokenSpan(keyword),
      name: identifier(keyword),
      values,
      span: spanFrom(keyword.startOffset, keyword, lastOf(values), this.sub(ctx, 'recordType', this.recordType), this.blockEnd(block)),
    };
  }

  fieldPath(ctx: Children): FieldPath | undefined {
    const segments = identifiers(tokensOf(ctx, 'segment'));
    if (segments.length === 0) return undefined;
    return { kind: 'FieldPath', segments, span: spanFrom(segments[0]!.span.start, lastOf(segments)) };
  }

  // -------------------------------------------------------------------------------------------
  // Types

  /** The parser reads a union's first member in place (see `typeExpression` there), the rest as `postfixType`s. */
  typeExpression(ctx: Children): TypeExpression | undefined {
    const first = this.postfixType(ctx);
    const rest = this.subs(ctx, 'postfixType', this.postfixType);
    if (rest.length === 0) return first;
    const members = first === undefined ? rest : [first, ...rest];
    if (members.length === 1) return members[0];
    return { kind: 'UnionType', members, span: spanFrom(members[0]!.span.start, lastOf(members)) };
  }

  postfixType(ctx: Children): TypeExpression | undefined {
    const primary = this.primaryType(ctx);
    if (primary === undefined) return undefined;
    let type: TypeExpression = primary;
    const closers = (ctx['RBracket'] ?? []) as IToken[];
    let arrays = 0;
    for (const suffix of tokensOf(ctx, 'suffix')) {
      const start: number = type.span.start;
      if (suffix.image === '[') {
        const close = closers[arrays++];
        type = { kind: 'ArrayType', element: type, span: spanFrom(start, suffix, close !== undefined && isReal(close) ? close : undefined) };
      } else {
        type = { kind: 'OptionalType', inner: type, span: spanFrom(start, suffix) };
      }
    }
    return type;
  }

  /** The grammar's `primaryType`, which the parser reads in place with its suffixes. */
  private primaryType(ctx: Children): TypeExpression | undefined {
    const name = tokenOf(ctx, 'name');
    if (name !== undefined) return { kind: 'TypeReference', name: identifier(name), span: tokenSpan(name) };
    const literal = this.stringOf(ctx, 'literal');
    if (literal !== undefined) return { kind: 'LiteralType', value: literal, span: literal.span };
    const record = this.sub(ctx, 'recordType', this.recordType);
    if (record !== undefined) return record;
    const inner = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (inner === undefined) return undefined;
    // `(A | B)` is the type inside; its span takes in the parentheses, so `(A | B)[]` starts at `(`.
    const open = tokenOf(ctx, 'LParen');
    return { ...inner, span: spanFrom(open?.startOffset ?? inner.span.start, inner, tokenOf(ctx, 'RParen')) };
  }

  recordType(ctx: Children): RecordType | undefined {
    const open = tokenOf(ctx, 'LCurly');
    const fields = this.subs(ctx, 'recordField', this.recordField);
    const start = open?.startOffset ?? fields[0]?.span.start;
    if (start === undefined) return undefined;
    return { kind: 'RecordType', fields, span: spanFrom(start, open, lastOf(fields), tokenOf(ctx, 'RCurly')) };
  }

  recordField(ctx: Children): RecordField | undefined {
    const name = tokenOf(ctx, 'name');
    const type = this.sub(ctx, 'typeExpression', this.typeExpression);
    if (name === undefined || type === undefined) return undefined;
    return {
      kind: 'RecordField',
      name: identifier(name),
      optional: tokenOf(ctx, 'optional') !== undefined,
      type,
      span: spanFrom(name.startOffset, type),
    };
  }
}

function shortText(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

const builder = new AstBuilder();
