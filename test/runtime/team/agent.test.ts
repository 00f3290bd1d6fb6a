import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { EmissionError, Mailbox, planEmissions, ToolError, ToolRunner, effectKey, type ToolEvent } from '../../../runtime/agent.js';
import type { AgentDefinition, ChannelDefinition, ToolDefinition } from '../../../runtime/definition.js';

describe('Mailbox', () => {
  it('handles one item at a time, in arrival order, even when handlers take different times', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    let active = 0;
    const mailbox = new Mailbox<number, number>(async (n) => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${n}`);
      await clock.sleep(n === 1 ? 300 : 100);
      log.push(`end ${n}`);
      active--;
      return n * 10;
    });
    const results = clock.run(Promise.all([mailbox.post(1), mailbox.post(2), mailbox.post(3)]));
    expect(mailbox.queued).toBe(2);
    expect(await results).toEqual([10, 20, 30]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(clock.now()).toBe(500);
  });

  it('a failing item rejects only its own post; clear rejects what waits', async () => {
    const clock = new VirtualClock();
    const mailbox = new Mailbox<number, number>(async (n) => {
      await clock.sleep(10);
      if (n === 1) throw new Error('boom');
      return n;
    });
    const first = mailbox.post(1);
    const second = mailbox.post(2);
    const third = mailbox.post(3).catch((e: Error) => e.message);
    const fourth = mailbox.post(4).catch((e: Error) => e.message);
    await expect(clock.run(first)).rejects.toThrow('boom');
    mailbox.clear(new Error('run over'));
    await expect(clock.run(second)).resolves.toBe(2);
    expect(await third).toBe('run over');
    expect(await fourth).toBe('run over');
  });
});

describe('planEmissions', () => {
  const Finding = z.object({ file: z.string(), fixed: z.boolean() });
  const channels = new Map<string, ChannelDefinition>([
    ['findings', { name: 'findings', schema: Finding, ordering: 'causal', delivery: 'exactly_once' }],
    ['batches', { name: 'batches', schema: z.array(Finding), ordering: 'fifo', delivery: 'at_least_once' }],
    ['words', { name: 'words', schema: z.string(), ordering: 'unordered', delivery: 'at_most_once' }],
  ]);
  const agent = (emits: AgentDefinition['emits']) => ({ name: 'a', emits }) as AgentDefinition;
  const output = [
    { file: 'x', fixed: true },
    { file: 'y', fixed: false },
  ];

  it('sends T[] on a channel of T one element at a time, in order, and whole on a channel of T[]', () => {
    expect(planEmissions(agent([{ channel: 'findings' }, { channel: 'batches' }]), output, channels)).toEqual([
      { channel: 'findings', messages: output },
      { channel: 'batches', messages: [output] },
    ]);
  });

  it('gates on a boolean field with when / unless, per element', () => {
    expect(planEmissions(agent([{ channel: 'findings', when: 'fixed' }]), output, channels)[0]!.messages).toEqual([output[0]]);
    expect(planEmissions(agent([{ channel: 'findings', unless: 'fixed' }]), output, channels)[0]!.messages).toEqual([output[1]]);
    expect(planEmissions(agent([{ channel: 'findings', unless: 'fixed' }]), output[0], channels)[0]!.messages).toEqual([]);
  });

  it('refuses an output that fits the channel neither whole nor element-wise', () => {
    expect(() => planEmissions(agent([{ channel: 'words' }]), output, channels)).toThrow(EmissionError);
  });
});

describe('ToolRunner', () => {
  const post: ToolDefinition = { name: 'post', kind: 'effect', input: z.object({ pr: z.number(), text: z.string() }), output: z.string(), idempotencyKey: ['pr'], timeoutMs: 1_000 };
  const search: ToolDefinition = { name: 'search', kind: 'pure', input: z.object({ q: z.string() }) };
  const caller = { name: 'bot', calls: ['post', 'search'] } as AgentDefinition;
  const signal = new AbortController().signal;

  it('runs a keyed effect at most once per key, even concurrently, and every caller gets the first outcome', async () => {
    const clock = new VirtualClock();
    const effects: unknown[] = [];
    const events: ToolEvent[] = [];
    const runner = new ToolRunner(
      [post, search],
      { post: async (input) => { const n = effects.push(input); await clock.sleep(100); return `posted #${n}`; }, search: (input) => `found ${(input as { q: string }).q}` },
      clock,
      new Map(),
      (e) => events.push(e),
    );
    const results = await clock.run(
      Promise.all([runner.call(caller, 'post', { pr: 1, text: 'a' }, signal), runner.call(caller, 'post', { pr: 1, text: 'b' }, signal), runner.call(caller, 'post', { pr: 2, text: 'a' }, signal)]),
    );
    expect(results).toEqual(['posted #1', 'posted #1', 'posted #2']);
    expect(effects).toEqual([{ pr: 1, text: 'a' }, { pr: 2, text: 'a' }]);
    expect(events.filter((e) => e.type === 'tool_deduplicated')).toHaveLength(1);
    // A pure tool has no key: it runs every time.
    expect(await runner.call(caller, 'search', { q: 'x' }, signal)).toBe('found x');
    expect(await runner.call(caller, 'search', { q: 'x' }, signal)).toBe('found x');
  });

  it('remembers a failed effect: at most once does not guess whether it happened', async () => {
    const clock = new VirtualClock();
    let runs = 0;
    const runner = new ToolRunner([post], { post: () => (runs++, Promise.reject(new Error('network'))) }, clock);
    await expect(runner.call(caller, 'post', { pr: 1, text: 'a' }, signal)).rejects.toThrow('network');
    await expect(runner.call(caller, 'post', { pr: 1, text: 'a' }, signal)).rejects.toThrow('network');
    expect(runs).toBe(1);
  });

  it('shares its effect log across runners when given one (a re-run of the same request)', async () => {
    const clock = new VirtualClock();
    const log = new Map<string, Promise<unknown>>();
    let runs = 0;
    const implementation = { post: () => `done ${++runs}` };
    await new ToolRunner([post], implementation, clock, log).call(caller, 'post', { pr: 7, text: 'a' }, signal);
    expect(await new ToolRunner([post], implementation, clock, log).call(caller, 'post', { pr: 7, text: 'a' }, signal)).toBe('done 1');
    expect(log.has(effectKey(post, { pr: 7 }))).toBe(true);
  });

  it('enforces least privilege, schemas and the timeout', async () => {
    const clock = new VirtualClock();
    const runner = new ToolRunner([post, search], { post: () => new Promise(() => {}), search: () => 'x' }, clock);
    const stranger = { name: 'stranger', calls: ['search'] } as AgentDefinition;
    await expect(runner.call(stranger, 'post', { pr: 1, text: '' }, signal)).rejects.toMatchObject({ reason: 'not_granted' });
    await expect(runner.call(caller, 'nope', {}, signal)).rejects.toMatchObject({ reason: 'not_declared' });
    await expect(runner.call(caller, 'search', { q: 1 }, signal)).rejects.toMatchObject({ reason: 'invalid_input' });
    await expect(clock.run(runner.call(caller, 'post', { pr: 1, text: '' }, signal))).rejects.toBeInstanceOf(ToolError);
    expect(clock.now()).toBe(1_000);
  });
});
