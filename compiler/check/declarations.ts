/**
 * Typed declarations: from a bound block of properties to the model's elements (`model.ts`), with
 * every reference resolved (T101), every value read with its kind checked (T103), and required
 * properties and defaults applied. `buildTeam` builds a team's parts in dependency order
 * (channels and stores before the agents that use them, agents before the consensus groups and
 * work graphs over them — see agents.ts and graphs.ts) and then links the graph both ways.
 */
import type {
  AgentDeclaration,
  ChannelDeclaration,
  ConsensusDeclaration,
  Identifier,
  ModelDeclaration,
  Span,
  StoreDeclaration,
  ToolDeclaration,
  TypeExpression,
  WorkDeclaration,
} from '../syntax/ast.js';
import {
  backpressures,
  consistencies,
  deliveries,
  merges,
  orderings,
  providers,
  type AgentModel,
  type BudgetModel,
  type ChannelModel,
  type ConsensusModel,
  type ModelModel,
  type StoreModel,
  type TeamInputModel,
  type TeamModel,
  type TeamOutputModel,
  type ToolModel,
  type Type,
  type TypeDeclarationModel,
  type WorkModel,
} from '../model.js';
import { buildAgent } from './agents.js';
import { resolveName, type BoundSymbol, type TeamScope } from './binder.js';
import { blockContext, checkFieldPath, docOf, origin, typeResolver, word, type CheckContext, type TeamParts } from './context.js';
import { buildConsensus, buildWork } from './graphs.js';
import { collectBlock, readCount, readDuration, readMoney, readNumber, readString, readWord, requireProperty, wrongKind } from './properties.js';
import { q, type Reporter } from './reporter.js';
import { recordOf } from './types.js';

// ---------------------------------------------------------------------------------------------
// Models and tools (at a file's top level or in a team)

/** A model; undefined (after reporting) when it has no valid provider to call. */
export function buildModel(declaration: ModelDeclaration, file: string, misplaced: Set<string>, report: Reporter): ModelModel | undefined {
  const where = blockContext('model', declaration.name.name, file);
  const block = collectBlock(declaration.members, where, report, misplaced);
  const props = block.properties;
  const providerProperty = props.get('provider');
  const provider = providerProperty && readWord(providerProperty.value, 'provider', providers, file, report);
  requireProperty(props, 'provider', where, declaration.name.span, report, 'provider openai');
  const nameProperty = props.get('name');
  const modelName = nameProperty && readString(nameProperty.value, 'name', file, report);
  if (provider !== undefined && provider !== 'sim') requireProperty(props, 'name', where, declaration.name.span, report, 'name "gpt-4o-mini"');

  const model: ModelModel = {
    name: declaration.name.name,
    ...origin(file, declaration),
    provider: provider ?? 'sim',
    modelName: modelName ?? declaration.name.name,
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) model.doc = doc;
  const temperature = props.get('temperature');
  if (temperature) {
    const value = readNumber(temperature.value, 'temperature', file, report, { min: 0, max: 2, example: '0.2' });
    if (value !== undefined) model.temperature = value;
  }
  const latency = props.get('latency');
  if (latency) {
    const value = readDuration(latency.value, 'latency', file, report);
    if (value !== undefined) model.latencyMs = value;
  }
  const maxTokens = props.get('max_tokens');
  if (maxTokens) {
    const value = readCount(maxTokens.value, 'max_tokens', file, report);
    if (value !== undefined) model.maxTokens = value;
  }
  const price = props.get('price');
  if (price) {
    const input = readMoney(price.input, 'price input', file, report);
    const output = readMoney(price.output, 'price output', file, report);
    const per = price.per === undefined ? 1_000_000 : readCount(price.per, 'price … per', file, report);
    if (input !== undefined && output !== undefined && per !== undefined) {
      model.price = { inputPerMillion: (input / per) * 1_000_000, outputPerMillion: (output / per) * 1_000_000 };
    }
  }
  // Without a provider there is no model to call: it is left out (its values were still checked).
  return provider === undefined ? undefined : model;
}

/** A tool: its parameters as the input record, `pure` or `effect`, its idempotency key checked against its parameters. */
export function buildTool(declaration: ToolDeclaration, file: string, resolveType: (e: TypeExpression) => Type, misplaced: Set<string>, report: Reporter): ToolModel {
  const where = blockContext('tool', declaration.name.name, file);
  const block = collectBlock(declaration.members, where, report, misplaced);
  const props = block.properties;
  const seen = new Map<string, Identifier>();
  const parameterNodes = declaration.parameters.filter((parameter) => {
    const first = seen.get(parameter.name.name);
    if (first === undefined) {
      seen.set(parameter.name.name, parameter.name);
      return true;
    }
    report({
      code: 'T102',
      args: { what: 'parameter', name: parameter.name.name },
      at: { file, span: parameter.name.span },
      label: 'declared again here',
      related: [{ file, span: first.span, message: 'first declared here' }],
      help: ['rename one of them'],
    });
    return false;
  });
  const parameters = parameterNodes.map((parameter) => ({
    name: parameter.name.name,
    type: resolveType(parameter.type),
    optional: parameter.optional,
    file,
    span: parameter.name.span,
  }));
  const pure = props.get('pure');
  const effect = props.get('effect');
  if (pure && effect) {
    const [first, second] = pure.span.start < effect.span.start ? [pure, effect] : [effect, pure];
    report({
      code: 'T103',
      args: { message: `tool ${q(declaration.name.name)} cannot be both \`pure\` and \`effect\`` },
      at: { file, span: second.keyword },
      label: 'contradicts the other flag',
      related: [{ file, span: first.keyword, message: `declared \`${first.flag}\` here` }],
      help: ['keep `effect` if the tool changes anything outside the team, `pure` if it only computes'],
    });
  }
  const tool: ToolModel = {
    name: declaration.name.name,
    ...origin(file, declaration),
    parameters,
    input: recordOf(parameters),
    kind: pure && !effect ? 'pure' : 'effect',
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) tool.doc = doc;
  if (declaration.returns) tool.returns = resolveType(declaration.returns);
  const timeout = props.get('timeout');
  if (timeout) {
    const value = readDuration(timeout.value, 'timeout', file, report);
    if (value !== undefined) tool.timeoutMs = value;
  }
  const keys = props.all('key');
  if (keys.length > 0) {
    tool.key = [];
    for (const key of keys) {
      for (const fieldPath of key.fields) {
        if (checkFieldPath(tool.input, fieldPath.segments, `tool ${q(tool.name)}`, 'parameter', file, report) !== undefined) {
          tool.key.push(fieldPath.segments.map((s) => s.name));
        }
      }
    }
  }
  return tool;
}

// ---------------------------------------------------------------------------------------------
// Teams

/**
 * Builds a team's model. `visible` holds the models, types and tools the team's file sees (its
 * own and its imports'), already built.
 */
export function buildTeam(
  scope: TeamScope,
  visible: { models: ReadonlyMap<string, ModelModel>; types: ReadonlyMap<string, TypeDeclarationModel>; tools: ReadonlyMap<string, ToolModel> },
  ctx: CheckContext,
): TeamModel {
  const file = scope.file;
  const report = ctx.report;
  const team = scope.team;
  const parts: TeamParts = {
    scope,
    file,
    report,
    ctx,
    resolveType: typeResolver(scope, ctx),
    owns: (node) => {
      const symbol = node.kind === 'Type' ? scope.types.get(node.name.name) : scope.values.get(node.name.name);
      return symbol?.node === node;
    },
  };
  const props = scope.block.properties;
  const misplaced = scope.parent.misplaced;

  const inputs = new Map<string, TeamInputModel>();
  for (const input of props.all('input')) {
    const type = parts.resolveType(input.type);
    if (parts.owns(input)) inputs.set(input.name.name, { name: input.name.name, ...origin(file, input), type, consumers: [] });
  }

  // Declarations that depend on nothing but types come first.
  const models = layered(visible.models);
  const types = layered(visible.types);
  const tools = layered(visible.tools);
  const stores = new Map<string, StoreModel>();
  const channels = new Map<string, ChannelModel>();
  const agentDeclarations: AgentDeclaration[] = [];
  const consensusDeclarations: ConsensusDeclaration[] = [];
  const workDeclarations: WorkDeclaration[] = [];
  for (const declaration of scope.block.declarations) {
    if (!parts.owns(declaration as BoundSymbol['node'])) continue;
    switch (declaration.kind) {
      case 'Model': {
        const model = buildModel(declaration, file, misplaced, report);
        if (model) models.own().set(model.name, model);
        break;
      }
      case 'Type':
        types.own().set(declaration.name.name, ctx.typeModels.get(declaration)!);
        break;
      case 'Tool':
        tools.own().set(declaration.name.name, buildTool(declaration, file, parts.resolveType, misplaced, report));
        break;
      case 'Store':
        stores.set(declaration.name.name, buildStore(declaration, parts, misplaced));
        break;
      case 'Channel':
        channels.set(declaration.name.name, buildChannel(declaration, parts, misplaced));
        break;
      case 'Agent':
        agentDeclarations.push(declaration);
        break;
      case 'Consensus':
        consensusDeclarations.push(declaration);
        break;
      case 'Work':
        workDeclarations.push(declaration);
        break;
      default:
        break;
    }
  }

  const model: TeamModel = {
    name: team.name.name,
    ...origin(file, team),
    inputs,
    outputs: new Map(),
    models: models.result(),
    types: types.result(),
    tools: tools.result(),
    stores,
    channels,
    agents: new Map(),
    consensus: new Map(),
    work: new Map(),
    toolCallers: new Map(),
    modelUsers: new Map(),
    spans: props.spans(),
  };
  const doc = docOf(scope.block);
  if (doc !== undefined) model.doc = doc;

  const agents = model.agents as Map<string, AgentModel>;
  for (const declaration of agentDeclarations) agents.set(declaration.name.name, buildAgent(declaration, parts, model, ctx));
  const consensus = model.consensus as Map<string, ConsensusModel>;
  for (const declaration of consensusDeclarations) {
    const built = buildConsensus(declaration, parts, model, misplaced);
    if (built) consensus.set(built.name, built);
  }
  const work = model.work as Map<string, WorkModel>;
  for (const declaration of workDeclarations) {
    const built = buildWork(declaration, parts, model, misplaced);
    if (built) work.set(built.name, built);
  }

  buildTeamProperties(model, parts);
  link(model);
  return model;
}

/** A map that starts as a shared one and is copied only when the team adds its own entries. */
function layered<V>(shared: ReadonlyMap<string, V>): { own(): Map<string, V>; result(): ReadonlyMap<string, V> } {
  let copy: Map<string, V> | undefined;
  return {
    own: () => (copy ??= new Map(shared)),
    result: () => copy ?? shared,
  };
}

function buildTeamProperties(team: TeamModel, parts: TeamParts): void {
  const { file, report, scope } = parts;
  const props = scope.block.properties;
  const outputs = team.outputs as Map<string, TeamOutputModel>;
  const outputNames = new Map<string, Identifier>();
  for (const output of props.all('output')) {
    const type = parts.resolveType(output.type);
    if (output.name === undefined || output.from === undefined) {
      report({
        code: 'T103',
        args: { message: 'a team output needs a name and a source' },
        at: { file, span: output.span },
        label: 'no name or no `from`',
        help: ['write `output name: Type from source`, where the source is an agent, a consensus or a work graph'],
      });
      continue;
    }
    const first = outputNames.get(output.name.name);
    if (first !== undefined) {
      report({
        code: 'T102',
        args: { what: 'output', name: output.name.name },
        at: { file, span: output.name.span },
        label: 'declared again here',
        related: [{ file, span: first.span, message: 'first declared here' }],
        help: ['rename one of them'],
      });
      continue;
    }
    outputNames.set(output.name.name, output.name);
    const source = resolveName(scope, output.from, ['agent', 'consensus', 'work'], 'agent, consensus or work', report);
    if (source === undefined) continue;
    const fromKind = source.kind as 'agent' | 'consensus' | 'work';
    const known = fromKind === 'agent' ? team.agents.has(source.name) : fromKind === 'consensus' ? team.consensus.has(source.name) : team.work.has(source.name);
    if (!known) continue;
    outputs.set(output.name.name, {
      name: output.name.name,
      file,
      span: output.span,
      nameSpan: output.name.span,
      type,
      from: source.name,
      fromKind,
      fromSpan: output.from.span,
    });
  }

  const deadline = props.get('deadline');
  if (deadline) {
    const value = readDuration(deadline.value, 'deadline', file, report);
    if (value !== undefined) team.deadlineMs = value;
  }
  const budget = props.get('budget');
  if (budget) {
    const model: BudgetModel = { span: budget.span };
    const seen = new Map<'tokens' | 'dollars', Span>();
    for (const limit of budget.limits) {
      const unit = limit.tokens ? 'tokens' : limit.value.kind === 'Money' ? 'dollars' : undefined;
      if (unit === undefined) {
        const help = limit.value.kind === 'Number' || limit.value.kind === 'Size' ? [`write the unit: \`${limit.value.text} tokens\`, or an amount such as \`$5\``] : [];
        wrongKind(limit.value, 'budget', 'tokens or dollars', file, report, help);
        continue;
      }
      const again = seen.get(unit);
      if (again !== undefined) {
        report({
          code: 'T103',
          args: { message: `the budget limits ${unit} twice` },
          at: { file, span: limit.span },
          label: 'a second limit of the same kind',
          related: [{ file, span: again, message: 'first limit' }],
          help: ['keep one limit of tokens and at most one of dollars: `budget 200k tokens $5`'],
        });
        continue;
      }
      seen.set(unit, limit.span);
      if (unit === 'dollars') {
        const dollars = readMoney(limit.value, 'budget', file, report);
        if (dollars !== undefined) model.dollars = dollars;
      } else {
        const tokens = readCount(limit.value, 'budget … tokens', file, report);
        if (tokens !== undefined) model.tokens = tokens;
      }
    }
    team.budget = model;
  }
}

// ---------------------------------------------------------------------------------------------
// Stores and channels

function buildStore(declaration: StoreDeclaration, parts: TeamParts, misplaced: Set<string>): StoreModel {
  const { file, report } = parts;
  const block = collectBlock(declaration.members, blockContext('store', declaration.name.name, file), report, misplaced);
  const props = block.properties;
  const store: StoreModel = {
    name: declaration.name.name,
    ...origin(file, declaration),
    type: parts.resolveType(declaration.type),
    consistency: word(props.get('consistency')?.value, 'consistency', consistencies, file, report) ?? 'eventual',
    writers: [],
    readers: [],
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) store.doc = doc;
  const merge = word(props.get('merge')?.value, 'merge', merges, file, report);
  if (merge !== undefined) store.merge = merge;
  return store;
}

function buildChannel(declaration: ChannelDeclaration, parts: TeamParts, misplaced: Set<string>): ChannelModel {
  const { file, report } = parts;
  const block = collectBlock(declaration.members, blockContext('channel', declaration.name.name, file), report, misplaced);
  const props = block.properties;
  const channel: ChannelModel = {
    name: declaration.name.name,
    ...origin(file, declaration),
    type: parts.resolveType(declaration.type),
    ordering: word(props.get('ordering')?.value, 'ordering', orderings, file, report) ?? 'unordered',
    delivery: word(props.get('delivery')?.value, 'delivery', deliveries, file, report) ?? 'at_most_once',
    producers: [],
    consumers: [],
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) channel.doc = doc;
  const capacity = props.get('capacity');
  if (capacity) {
    const value = readCount(capacity.value, 'capacity', file, report);
    if (value !== undefined) channel.capacity = value;
  }
  const backpressure = word(props.get('backpressure')?.value, 'backpressure', backpressures, file, report);
  if (backpressure !== undefined) channel.backpressure = backpressure;
  const maxRounds = props.get('max rounds');
  if (maxRounds) {
    const value = readCount(maxRounds.rounds, 'max rounds', file, report);
    if (value !== undefined) channel.maxRounds = value;
  }
  return channel;
}

// ---------------------------------------------------------------------------------------------
// The graph, both ways

/** Fills producers/consumers, writers/readers, callers, users and roles from the agents' declarations. */
function link(team: TeamModel): void {
  const toolCallers = team.toolCallers as Map<string, string[]>;
  const modelUsers = team.modelUsers as Map<string, string[]>;
  const push = (map: Map<string, string[]>, key: string, value: string) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  for (const agent of team.agents.values()) {
    for (const take of agent.takes) {
      if (take.from === 'input') team.inputs.get(take.source)?.consumers.push(agent.name);
      else team.channels.get(take.source)?.consumers.push(agent.name);
    }
    for (const emit of agent.emits) team.channels.get(emit.channel)?.producers.push(agent.name);
    for (const read of agent.reads) team.stores.get(read.store)?.readers.push(agent.name);
    for (const write of agent.writes) team.stores.get(write.store)?.writers.push(agent.name);
    for (const call of agent.calls) push(toolCallers, call.tool, agent.name);
    if (agent.model !== undefined) push(modelUsers, agent.model, agent.name);
    for (const fallback of agent.policy.fallback) team.agents.get(fallback)?.roles.fallbackFor.push(agent.name);
    if (agent.policy.validator !== undefined) team.agents.get(agent.policy.validator)?.roles.validatorFor.push(agent.name);
  }
  for (const consensus of team.consensus.values()) team.agents.get(consensus.over)?.roles.consensus.push(consensus.name);
  for (const work of team.work.values()) {
    team.agents.get(work.by)?.roles.workerOf.push(work.name);
    if (work.assign.lead !== undefined) team.agents.get(work.assign.lead)?.roles.leadOf.push(work.name);
  }
  for (const agent of team.agents.values()) {
    const { fallbackFor, validatorFor, leadOf } = agent.roles;
    agent.helperOnly = fallbackFor.length > 0 || validatorFor.length > 0 || leadOf.length > 0;
  }
}
