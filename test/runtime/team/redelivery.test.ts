/**
 * An at-least-once take is acknowledged once its activation succeeded: a failed activation is a
 * consumer crash, so the message comes back and is handled again (and an un-keyed effect with it);
 * if its sender gives up, the run fails with the activation's error, not silently. The trace says
 * which messages each activation consumed, and which attempt of which activation called a tool.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { defineTeam, type Delivery } from '../../../runtime/definition.js';
import { createTeam } from '../../../runtime/team.js';
import { models } from './teams.js';
import { runnerEvents, scriptedModel } from './helpers.js';

const Comment = z.object({ body: z.string() });
const Receipt = z.object({ id: z.string() });

function commentsTeam(delivery: Delivery, key?: string[]) {
  return defineTeam<{ diff: string }, { posted: z.infer<typeof Receipt> }>({
    name: 'Comments',
    inputs: [{ name: 'diff', schema: z.string() }],
    outputs: [{ name: 'posted', schema: Receipt, from: 'publisher' }],
    models,
    stores: [],
    channels: [{ name: 'comments', schema: Comment, ordering: 'fifo', delivery }],
    tools: [{ name: 'post', kind: 'effect', input: Comment, output: Receipt, ...(key ? { idempotencyKey: key } : {}) }],
    agents: [
      {
        name: 'reviewer',
        model: 'fast',
        replicas: 1,
        optional: false,
        prompt: 'Comment on {{diff}}',
        output: z.array(Comment),
        takes: [{ source: 'diff', from: 'input', all: false, optional: false }],
        reads: [],
        emits: [{ channel: 'comments' }],
        writes: [],
        calls: [],
        policy: {},
      },
      {
        name: 'publisher',
        model: 'fast',
        replicas: 1,
        optional: false,
        prompt: 'Post {{json comments}}',
        output: Receipt,
        takes: [{ source: 'comments', from: 'channel', all: false, optional: false }],
        reads: [],
        emits: [],
        writes: [],
        calls: ['post'],
        policy: {},
      },
    ],
    consensus: [],
    work: [],
  });
}

/** The publisher posts, then its answer fails `failures` times (every time when Infinity). */
function failingPublisher(clock: VirtualClock, failures: number) {
  let failed = 0;
  return scriptedModel(clock, (request) => {
    if (request.agent === 'reviewer') return { output: [{ body: 'off by one' }] };
    if (request.toolResults.length === 0) return { toolCalls: [{ tool: 'post', input: { body: 'off by one' } }] };
    return failed++ < failures ? { error: new Error('the model went away') } : { output: { id: String(request.toolResults[0]!.output) } };
  });
}

describe('at-least-once hand-over', () => {
  it('a failed activation is not acknowledged: the message comes back, is handled again, and the un-keyed effect repeats', async () => {
    const clock = new VirtualClock();
    const posted: unknown[] = [];
    const { provider } = failingPublisher(clock, 1);
    const result = await clock.run(createTeam(commentsTeam('at_least_once'), { provider, clock, tools: { post: (input) => (posted.push(input), { id: 'c1' }) } }).run({ diff: 'd' }));
    expect(result.ok).toBe(true);
    expect(posted).toHaveLength(2);

    const starts = runnerEvents(result.trace, 'activation').filter((e) => e.agent === 'publisher' && e.action === 'start');
    expect(starts.map((e) => e.activation)).toEqual(['publisher:1', 'publisher:2']);
    const message = result.trace.find((e) => e.kind === 'send' && e.channel === 'comments')!;
    expect(message.kind === 'send' && starts.map((e) => e.consumed)).toEqual([[message.kind === 'send' && message.message], [message.kind === 'send' && message.message]]);
    const calls = runnerEvents(result.trace, 'tool').filter((e) => e.action === 'call');
    expect(calls.map((e) => [e.activation, e.instance, e.attempt])).toEqual([
      ['publisher:1', 0, 1],
      ['publisher:2', 0, 1],
    ]);
    expect(calls[0]!.args).toBe(calls[1]!.args);
  });

  it('with an idempotency key, the repeat is skipped by the runtime', async () => {
    const clock = new VirtualClock();
    const posted: unknown[] = [];
    const { provider } = failingPublisher(clock, 1);
    const result = await clock.run(createTeam(commentsTeam('at_least_once', ['body']), { provider, clock, tools: { post: (input) => (posted.push(input), { id: 'c1' }) } }).run({ diff: 'd' }));
    expect(result.ok).toBe(true);
    expect(posted).toHaveLength(1);
    expect(runnerEvents(result.trace, 'tool').map((e) => e.action)).toEqual(['call', 'result', 'deduplicated']);
  });

  it('on an exactly-once channel a failed activation fails the run at once (handed over, never again)', async () => {
    const clock = new VirtualClock();
    const { provider } = failingPublisher(clock, 1);
    const result = await clock.run(createTeam(commentsTeam('exactly_once'), { provider, clock, tools: { post: () => ({ id: 'c1' }) } }).run({ diff: 'd' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'agent_failed', agent: 'publisher', message: expect.stringContaining('the model went away') });
    expect(runnerEvents(result.trace, 'activation').filter((e) => e.agent === 'publisher' && e.action === 'start')).toHaveLength(1);
  });

  it('when the sender gives up redelivering, the run fails with the activation’s error, not as incomplete', async () => {
    const clock = new VirtualClock();
    const { provider } = failingPublisher(clock, Infinity);
    const result = await clock.run(createTeam(commentsTeam('at_least_once'), { provider, clock, tools: { post: () => ({ id: 'c1' }) } }).run({ diff: 'd' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'agent_failed', agent: 'publisher', message: expect.stringContaining('the model went away') });
    expect(result.trace.some((e) => e.kind === 'error' && e.error.name === 'DeliveryGaveUp')).toBe(true);
    expect(runnerEvents(result.trace, 'activation').filter((e) => e.agent === 'publisher' && e.action === 'start').length).toBeGreaterThan(2);
  });
});
