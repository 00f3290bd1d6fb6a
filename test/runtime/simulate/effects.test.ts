/**
 * The effect half of exactly-once, on hand-written traces: an un-keyed effect repeated by a retry
 * or hedge of one activation (T401) or by two activations handling one message (T400) is flagged;
 * what is not a repeat — replicas, consensus rounds, work tasks, stand-ins, two calls in one
 * attempt, pure tools, keyed effects the runtime de-duplicated — is not.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TeamDefinition, ToolDefinition } from '../../../runtime/definition.js';
import { exactlyOnceChecker } from '../../../runtime/simulate/index.js';
import { repeatedEffects } from '../../../runtime/simulate/checkers/effects.js';
import type { TeamTraceEvent } from '../../../runtime/team.js';
import * as t from './traces.js';

const tools: ToolDefinition[] = [
  { name: 'post', kind: 'effect', input: z.object({ body: z.string() }) },
  { name: 'charge', kind: 'effect', input: z.object({ order: z.string() }), idempotencyKey: ['order'] },
  { name: 'search', kind: 'pure', input: z.object({ q: z.string() }) },
];
const team = { name: 'T', inputs: [], outputs: [], models: [], channels: [], stores: [], tools, agents: [], consensus: [], work: [] } as unknown as TeamDefinition<unknown, unknown>;

/** A tool call by `agent` in `attempt` of `activation` (instance 0 unless given). */
const call = (time: number, agent: string, tool: string, activation: string, attempt: number, extra: Partial<Extract<TeamTraceEvent, { kind: 'tool' }>> = {}): TeamTraceEvent => ({
  kind: 'tool',
  agent,
  time,
  tool,
  action: 'call',
  activation,
  instance: 0,
  attempt,
  args: 'a1b2c3d4e5f60718',
  ...extra,
});
const started = (time: number, agent: string, activation: string, consumed: string[], instance = 0): TeamTraceEvent => ({
  kind: 'activation',
  agent,
  time,
  action: 'start',
  activation,
  instance,
  consumed,
});

describe('an un-keyed effect repeated within one activation (retry, hedge: T401)', () => {
  it('is flagged when two attempts of one activation call it, with both calls as evidence', () => {
    const trace = [t.start(), started(1, 'notifier', 'notifier:1', []), call(2, 'notifier', 'post', 'notifier:1', 1), t.noise(3, 'notifier'), call(4, 'notifier', 'post', 'notifier:1', 2)];
    const found = repeatedEffects(trace, team);
    expect(found).toEqual([expect.objectContaining({ kind: 'exactly-once', subject: 'tool:post', evidence: [2, 4] })]);
    expect(found[0]!.message).toContain('ran in attempts 1 and 2 of one activation notifier:1 of notifier');
    // Through the exactly-once checker, as simulation runs it.
    expect(exactlyOnceChecker.check(trace, team)).toEqual(found);
  });

  it('is not flagged for two calls in one attempt, replicas, consensus rounds, stand-ins or a pure tool', () => {
    const oneAttempt = [t.start(), call(1, 'notifier', 'post', 'notifier:1', 1), call(2, 'notifier', 'post', 'notifier:1', 1)];
    const replicas = [t.start(), call(1, 'notifier', 'post', 'notifier:1', 1), call(2, 'notifier', 'post', 'notifier:1', 2, { instance: 1 })];
    const rounds = [t.start(), call(1, 'judge', 'post', 'judge:1/r1', 1), call(2, 'judge', 'post', 'judge:1/r2', 2)];
    const standIn = [t.start(), call(1, 'notifier', 'post', 'notifier:1', 1), call(2, 'backup', 'post', 'notifier:1', 2)];
    const pure = [t.start(), call(1, 'notifier', 'search', 'notifier:1', 1), call(2, 'notifier', 'search', 'notifier:1', 2)];
    for (const trace of [oneAttempt, replicas, rounds, standIn, pure]) expect(repeatedEffects(trace, team)).toEqual([]);
  });
});

describe('an un-keyed effect repeated for one message (redelivery: T400)', () => {
  const redelivered = [
    t.start(),
    t.publish(1, 'reviewer', 'comments', 1),
    t.deliver(2, 'publisher', 'reviewer', 'comments', 1),
    started(2, 'publisher', 'publisher:1', ['reviewer#1']),
    call(3, 'publisher', 'post', 'publisher:1', 1),
    t.deliver(9, 'publisher', 'reviewer', 'comments', 1),
    started(9, 'publisher', 'publisher:2', ['reviewer#1']),
    call(10, 'publisher', 'post', 'publisher:2', 1),
  ];

  it('is flagged when two activations that handled the same message both call it', () => {
    const found = repeatedEffects(redelivered, team);
    expect(found).toEqual([expect.objectContaining({ subject: 'tool:post', evidence: [2, 3, 4, 5, 6, 7] })]);
    expect(found[0]!.message).toContain('ran in activations publisher:1 and publisher:2 of publisher, both handling message reviewer#1');
  });

  it('is not flagged for activations of different messages, or for tasks and rounds of one activation', () => {
    const distinct = redelivered.map((e) => (e.kind === 'activation' && e.activation === 'publisher:2' ? { ...e, consumed: ['reviewer#2'] } : e));
    expect(repeatedEffects(distinct, team)).toEqual([]);
    const tasks = [t.start(), started(1, 'worker', 'worker:1/a', ['m#1']), call(2, 'worker', 'post', 'worker:1/a', 1), started(3, 'worker', 'worker:1/b', ['m#1'], 1), call(4, 'worker', 'post', 'worker:1/b', 1, { instance: 1 })];
    expect(repeatedEffects(tasks, team)).toEqual([]);
  });

  it('does not judge tool calls that carry no activation (traces from before they did)', () => {
    const bare = redelivered.map((e) => (e.kind === 'tool' ? ({ kind: 'tool', agent: e.agent, time: e.time, tool: e.tool, action: 'call' } as TeamTraceEvent) : e));
    expect(repeatedEffects(bare, team)).toEqual([]);
  });
});

describe('a keyed effect', () => {
  it('runs once per key: two executions with one key are flagged, a deduplicated repeat and another key are not', () => {
    const once = [t.start(), call(1, 'a', 'charge', 'a:1', 1, { key: 'k1' }), call(2, 'a', 'charge', 'a:1', 2, { key: 'k2' })];
    expect(repeatedEffects(once, team)).toEqual([]);
    const deduplicated: TeamTraceEvent = { kind: 'tool', agent: 'a', time: 3, tool: 'charge', action: 'deduplicated', key: 'k1', activation: 'a:2', attempt: 1 };
    expect(repeatedEffects([...once, deduplicated], team)).toEqual([]);
    // Redelivered or retried, the runtime must skip it; an execution is a violation even across activations.
    const twice = [...once, call(4, 'a', 'charge', 'a:2', 1, { key: 'k1' })];
    expect(repeatedEffects(twice, team)).toEqual([expect.objectContaining({ subject: 'tool:charge', evidence: [1, 3] })]);
  });
});
