/**
 * Agents: what they take, read, write, emit and call (each reference resolved against its own
 * kind), their output type, their prompt (inline, or a file read relative to the `.team` file),
 * and their fault policy in milliseconds and counts.
 */
import * as path from 'node:path';
import type { AgentDeclaration, PromptProperty, Span, TakesProperty, Value } from '../syntax/ast.js';
import {
  backoffStrategies,
  consistencies,
  orderings,
  type AgentModel,
  type CallModel,
  type EmitModel,
  type PolicyModel,
  type PromptModel,
  type ReadModel,
  type RetryModel,
  type TakeModel,
  type TeamModel,
  type Type,
  type WriteModel,
} from '../model.js';
import { resolveName } from './binder.js';
import { blockContext, docOf, duplicateItem, origin, type CheckContext, type TeamParts } from './context.js';
import { collectBlock, readCount, readDuration, readWord, requireProperty, type Block } from './properties.js';
import { q } from './reporter.js';
import { arrayOf, optionalOf, unknownType } from './types.js';

/** An agent; every reference that resolves is kept, every value of the wrong kind reported. */
export function buildAgent(declaration: AgentDeclaration, parts: TeamParts, team: TeamModel, ctx: CheckContext): AgentModel {
  const { file, report, scope } = parts;
  const name = declaration.name.name;
  const where = blockContext('agent', name, file);
  const block = collectBlock(declaration.members, where, report, scope.parent.misplaced);
  const props = block.properties;

  const agent: AgentModel = {
    name,
    ...origin(file, declaration),
    replicas: 1,
    takes: [],
    reads: [],
    writes: [],
    fileWrites: [],
    emits: [],
    calls: [],
    output: unknownType,
    policy: { fallback: [], fallbackSpans: [] },
    optional: props.has('optional'),
    roles: { consensus: [], workerOf: [], fallbackFor: [], validatorFor: [], leadOf: [] },
    helperOnly: false,
    spans: props.spans(),
  };
  const doc = docOf(block);
  if (doc !== undefined) agent.doc = doc;

  const modelProperty = props.get('model');
  if (requireProperty(props, 'model', where, declaration.name.span, report, 'model <name>') && modelProperty) {
    const symbol = resolveName(scope, modelProperty.model, ['model'], 'model', report);
    if (symbol !== undefined && team.models.has(symbol.name)) agent.model = symbol.name;
  }
  const replicas = props.get('replicas');
  if (replicas) agent.replicas = readCount(replicas.value, 'replicas', file, report) ?? 1;

  readTakes(agent, props.all('takes'), parts, team);
  readStoreUses(agent, props, parts, team);
  readEmitsAndCalls(agent, props, parts, team);

  const output = props.get('output');
  if (requireProperty(props, 'output', where, declaration.name.span, report, 'output <Type>') && output) {
    if (output.name !== undefined || output.from !== undefined) {
      report({
        code: 'T103',
        args: { message: `an agent's \`output\` is only its type` },
        at: { file, span: output.span },
        label: 'a team output, written in an agent',
        help: ['write `output Type` (e.g. `output Finding[]`); `output name: Type from source` belongs in the team'],
      });
    }
    agent.output = parts.resolveType(output.type);
  }

  if (requireProperty(props, 'prompt', where, declaration.name.span, report, 'prompt """…"""')) {
    const prompt = readPrompt(props.get('prompt')!, parts, name, ctx);
    if (prompt) agent.prompt = prompt;
  }

  agent.policy = readPolicy(props, parts, name);
  const maxRounds = props.get('max rounds');
  if (maxRounds) {
    const value = readCount(maxRounds.rounds, 'max rounds', file, report);
    if (value !== undefined) agent.maxRounds = value;
  }
  const maxTokens = props.get('max_tokens');
  const ownMaxTokens = maxTokens && readCount(maxTokens.value, 'max_tokens', file, report);
  const maxTokensValue = ownMaxTokens ?? (agent.model === undefined ? undefined : team.models.get(agent.model)?.maxTokens);
  if (maxTokensValue !== undefined) agent.maxTokens = maxTokensValue;
  return agent;
}

function unresolved(agent: AgentModel, name: string, parts: TeamParts): void {
  let names = parts.ctx.unresolvedInputs.get(agent);
  if (names === undefined) parts.ctx.unresolvedInputs.set(agent, (names = new Set()));
  names.add(name);
}

function readTakes(agent: AgentModel, properties: TakesProperty[], parts: TeamParts, team: TeamModel): void {
  const { file, report, scope } = parts;
  const seen = new Map<string, Span>();
  for (const property of properties) {
    for (const item of property.items) {
      const symbol = resolveName(scope, item.source, ['input', 'channel'], 'channel or input', report);
      const requires = item.requires && readWord(item.requires, 'takes … requires', orderings, file, report);
      if (symbol === undefined) {
        unresolved(agent, item.source.name, parts);
        continue;
      }
      const first = seen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, item.source.span, first, 'taken', parts);
        continue;
      }
      seen.set(symbol.name, item.source.span);
      if (symbol.kind === 'input') {
        const input = team.inputs.get(symbol.name);
        const misuse = item.all ? '`all`' : item.optional ? '`?`' : item.requires ? '`requires`' : undefined;
        if (misuse !== undefined) {
          report({
            code: 'T103',
            args: { message: `${misuse} applies to a channel, but ${q(symbol.name)} is a team input` },
            at: { file, span: item.span },
            label: 'a team input is there from the start, once',
            help: [`write \`takes ${symbol.name}\``],
          });
        }
        if (input === undefined) continue;
        agent.takes.push({ source: symbol.name, from: 'input', all: false, optional: false, span: item.span, variableType: input.type });
        continue;
      }
      const channel = team.channels.get(symbol.name);
      if (channel === undefined) continue;
      let variableType: Type = item.all ? arrayOf(channel.type) : channel.type;
      // `takes all ch?` is a list, empty when nothing came: only one message may be null.
      if (item.optional && !item.all) variableType = optionalOf(variableType);
      const take: TakeModel = { source: symbol.name, from: 'channel', all: item.all, optional: item.optional, span: item.span, variableType };
      if (requires !== undefined) take.requires = requires;
      agent.takes.push(take);
    }
  }
}

function readStoreUses(agent: AgentModel, props: Block['properties'], parts: TeamParts, team: TeamModel): void {
  const { file, report, scope } = parts;
  const readSeen = new Map<string, Span>();
  for (const property of props.all('reads')) {
    for (const item of property.items) {
      const symbol = resolveName(scope, item.store, ['store'], 'store', report);
      const requires = item.requires && readWord(item.requires, 'reads … requires', consistencies, file, report);
      if (symbol === undefined || !team.stores.has(symbol.name)) {
        unresolved(agent, item.store.name, parts);
        continue;
      }
      const first = readSeen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, item.store.span, first, 'read', parts);
        continue;
      }
      readSeen.set(symbol.name, item.store.span);
      const read: ReadModel = { store: symbol.name, span: item.span };
      if (requires !== undefined) read.requires = requires;
      agent.reads.push(read);
    }
  }
  const writeSeen = new Map<string, Span>();
  for (const property of props.all('writes')) {
    for (const target of property.targets) {
      if (target.kind === 'String') {
        const first = writeSeen.get(`"${target.value}`);
        if (first !== undefined) {
          duplicateItem(target.value, target.span, first, 'written', parts);
          continue;
        }
        writeSeen.set(`"${target.value}`, target.span);
        agent.fileWrites.push({ target: target.value, span: target.span });
        continue;
      }
      const symbol = resolveName(scope, target, ['store'], 'store', report);
      if (symbol === undefined || !team.stores.has(symbol.name)) continue;
      const first = writeSeen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, target.span, first, 'written', parts);
        continue;
      }
      writeSeen.set(symbol.name, target.span);
      agent.writes.push({ store: symbol.name, span: target.span } satisfies WriteModel);
    }
  }
}

function readEmitsAndCalls(agent: AgentModel, props: Block['properties'], parts: TeamParts, team: TeamModel): void {
  const { report, scope } = parts;
  const emitSeen = new Map<string, Span>();
  for (const property of props.all('emits')) {
    for (const item of property.items) {
      const symbol = resolveName(scope, item.channel, ['channel'], 'channel', report);
      if (symbol === undefined || !team.channels.has(symbol.name)) continue;
      const first = emitSeen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, item.channel.span, first, 'emitted on', parts);
        continue;
      }
      emitSeen.set(symbol.name, item.channel.span);
      const emit: EmitModel = { channel: symbol.name, perElement: false, span: item.span };
      if (item.condition) {
        const segments = item.condition.field.segments.map((s) => s.name);
        if (item.condition.negated) emit.unless = segments;
        else emit.when = segments;
        emit.conditionSpan = item.condition.field.span;
      }
      agent.emits.push(emit);
    }
  }
  const callSeen = new Map<string, Span>();
  for (const property of props.all('calls')) {
    for (const tool of property.tools) {
      const symbol = resolveName(scope, tool, ['tool'], 'tool', report);
      if (symbol === undefined || !team.tools.has(symbol.name)) continue;
      const first = callSeen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, tool.span, first, 'called', parts);
        continue;
      }
      callSeen.set(symbol.name, tool.span);
      agent.calls.push({ tool: symbol.name, span: tool.span } satisfies CallModel);
    }
  }
}

function readPrompt(property: PromptProperty, parts: TeamParts, agent: string, ctx: CheckContext): PromptModel | undefined {
  const { file, report } = parts;
  if (property.source.kind === 'inline') {
    return { text: property.source.text.value, file, inline: true, span: property.span, textSpan: property.source.text.span };
  }
  const written = property.source.path.value;
  const resolved = path.resolve(path.dirname(file), written);
  const text = ctx.promptFiles.get(resolved) ?? ctx.readFile(resolved);
  if (text === undefined) {
    report({
      code: 'T206',
      args: { message: `cannot read the prompt file ${q(written)} of ${q(agent)}` },
      at: { file, span: property.source.path.span },
      label: `resolved to ${resolved}`,
      help: ['a prompt file is found relative to the `.team` file that names it; check the path'],
    });
    return undefined;
  }
  ctx.promptFiles.set(resolved, text);
  return { text, file: resolved, inline: false, span: property.span, textSpan: property.source.path.span };
}

/** Back-off delays when the `backoff` names a strategy but no delay. */
export const defaultBackoffMs: Readonly<Record<'exponential' | 'linear' | 'constant', { minMs: number; maxMs: number }>> = {
  exponential: { minMs: 1000, maxMs: 30_000 },
  linear: { minMs: 1000, maxMs: 30_000 },
  constant: { minMs: 1000, maxMs: 1000 },
};

function readPolicy(props: Block['properties'], parts: TeamParts, agent: string): PolicyModel {
  const { file, report, scope } = parts;
  const policy: PolicyModel = { fallback: [], fallbackSpans: [] };
  const timeout = props.get('timeout');
  if (timeout) {
    const value = readDuration(timeout.value, 'timeout', file, report);
    if (value !== undefined) policy.timeoutMs = value;
  }
  const retry = props.get('retry');
  if (retry) {
    const attempts = readCount(retry.attempts, 'retry', file, report);
    let backoff: RetryModel['backoff'];
    let backoffOk = true;
    if (retry.backoff) {
      const strategy = readWord(retry.backoff.strategy, 'retry … backoff', backoffStrategies, file, report);
      const delay = retry.backoff.delay;
      let minMs: number | undefined;
      let maxMs: number | undefined;
      if (delay === undefined) {
        if (strategy) ({ minMs, maxMs } = defaultBackoffMs[strategy]);
      } else if (delay.kind === 'Range') {
        minMs = readDuration(delay.min, 'retry … backoff', file, report);
        maxMs = readDuration(delay.max, 'retry … backoff', file, report);
        if (minMs !== undefined && maxMs !== undefined && minMs > maxMs) {
          report({
            code: 'T103',
            args: { message: 'the back-off range runs backwards: its first delay is longer than its last' },
            at: { file, span: delay.span },
            label: 'the shortest delay comes first',
            help: [`write \`${textOf(delay.max)}..${textOf(delay.min)}\``],
          });
          minMs = undefined;
        }
      } else {
        minMs = maxMs = readDuration(delay, 'retry … backoff', file, report);
      }
      if (strategy !== undefined && minMs !== undefined && maxMs !== undefined) backoff = { strategy, minMs, maxMs };
      else backoffOk = false;
    }
    if (attempts !== undefined && backoffOk) {
      policy.retry = { attempts, jitter: retry.jitter, ...(backoff ? { backoff } : {}) };
    }
  }
  const breaker = props.get('breaker');
  if (breaker) {
    const failures = readCount(breaker.failures, 'breaker', file, report);
    const windowMs = readDuration(breaker.window, 'breaker … in', file, report);
    const cooldownMs = readDuration(breaker.cooldown, 'breaker … cooldown', file, report);
    if (failures !== undefined && windowMs !== undefined && cooldownMs !== undefined) policy.breaker = { failures, windowMs, cooldownMs };
  }
  const hedge = props.get('hedge');
  if (hedge) {
    const afterMs = readDuration(hedge.after, 'hedge after', file, report);
    if (afterMs !== undefined) policy.hedge = { afterMs };
  }
  const fallback = props.get('fallback');
  if (fallback) {
    const seen = new Map<string, Span>();
    for (const reference of fallback.agents) {
      const symbol = resolveName(scope, reference, ['agent'], 'agent', report);
      if (symbol === undefined) continue;
      const first = seen.get(symbol.name);
      if (first !== undefined) {
        duplicateItem(symbol.name, reference.span, first, 'a fallback', parts);
        continue;
      }
      seen.set(symbol.name, reference.span);
      policy.fallback.push(symbol.name);
      policy.fallbackSpans.push(reference.span);
    }
  }
  const validate = props.get('validate');
  if (validate) {
    const symbol = resolveName(scope, validate.validator, ['agent'], 'agent', report);
    if (symbol !== undefined) {
      if (symbol.name === agent) {
        report({
          code: 'T103',
          args: { message: `${q(agent)} cannot validate its own output` },
          at: { file, span: validate.validator.span },
          label: 'the agent itself',
          help: ['name another agent, one that judges the output'],
        });
      } else {
        policy.validator = symbol.name;
      }
    }
  }
  return policy;
}

function textOf(value: Value): string {
  return value.kind === 'Identifier' ? value.name : value.kind === 'String' ? JSON.stringify(value.value) : value.text;
}
