import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Delivery as DeliveryGuarantee, Ordering } from '../../../runtime/definition.js';
import { createReorderBuffer, createSequencer, type OrderedItem } from '../../../runtime/ordering/index.js';
import { createChannel } from '../../../runtime/delivery/index.js';
import { causalViolations, effective, fifoViolations, propertyRuns, simulation, totalOrderViolations } from './helpers.js';
import { gaveUp, runWorkload, type WorkloadOptions } from './workload.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });
const delivery = fc.constantFrom<DeliveryGuarantee>('at_most_once', 'at_least_once', 'exactly_once');
// Consumers reply to what they handle, so messages depend on each other across senders.
const chatty: Partial<WorkloadOptions> = {
  publishers: ['p1', 'p2', 'c1'],
  consumers: ['c1', 'c2', 'c3'],
  messagesPerPublisher: 6,
  replyChance: 0.5,
  maxReplies: 10,
  crashChance: 0.05,
};

const run = (s: number, ordering: Ordering, guarantee: DeliveryGuarantee) =>
  runWorkload({ ...chatty, seed: s, ordering, delivery: guarantee });

/** Nothing the sender did not give up on is missing, at any consumer. */
function expectComplete(result: Awaited<ReturnType<typeof runWorkload>>) {
  const abandoned = gaveUp(result);
  for (const { id } of result.published) {
    for (const [consumer, applied] of result.effects) {
      if (!abandoned.has(`${id} ${consumer}`)) expect(applied.get(id) ?? 0, `${id} at ${consumer}`).toBeGreaterThanOrEqual(1);
    }
  }
}

/** Runs `check` on seeds 1..n and returns the first seed it finds a violation for. */
async function firstViolatingSeed(n: number, ordering: Ordering, check: (r: Awaited<ReturnType<typeof runWorkload>>) => string[]) {
  for (let s = 1; s <= n; s++) {
    if (check(await run(s, ordering, 'exactly_once')).length > 0) return s;
  }
  return undefined;
}

describe('FIFO', () => {
  it('delivers each sender’s messages in the order sent, on the adversarial network', async () => {
    await fc.assert(
      fc.asyncProperty(seed, delivery, async (s, guarantee) => {
        const result = await run(s, 'fifo', guarantee);
        expect(fifoViolations(effective(result.deliveries))).toEqual([]);
        if (guarantee !== 'at_most_once') expectComplete(result);
      }),
      propertyRuns(150),
    );
  });

  it('at most once, a lost message holds later ones back only until the gap timeout', async () => {
    const { clock, random, net } = simulation(1, { delayMs: [1, 5] });
    const channel = createChannel({
      name: 'ch',
      ordering: 'fifo',
      delivery: 'at_most_once',
      transport: net,
      clock,
      random,
      consumers: ['c'],
      gapTimeoutMs: 500,
    });
    const got: Array<[number, number]> = [];
    await channel.subscribe('c', (m) => void got.push([m.payload as number, clock.now()]));
    await clock.run(async () => {
      await channel.publish('p', 1);
      await clock.sleep(10);
      net.isolate('c'); // 2 is lost on the way
      await channel.publish('p', 2);
      await clock.sleep(10);
      net.heal('c');
      for (const n of [3, 4]) await channel.publish('p', n);
      await clock.sleep(1_000);
    });
    expect(got.map(([n]) => n)).toEqual([1, 3, 4]);
    expect(got[1]![1]).toBeGreaterThanOrEqual(500); // 3 waited for 2, then gave up on it
  });

  it('negative control: an unordered channel breaks FIFO for some seed', async () => {
    expect(await firstViolatingSeed(20, 'unordered', (r) => fifoViolations(effective(r.deliveries)))).toBeDefined();
  });
});

describe('causal', () => {
  it('never delivers a message before one that happened-before it', async () => {
    await fc.assert(
      fc.asyncProperty(seed, delivery, async (s, guarantee) => {
        const result = await run(s, 'causal', guarantee);
        const reliable = guarantee !== 'at_most_once';
        expect(causalViolations(result.published, effective(result.deliveries), reliable && gaveUp(result).size === 0)).toEqual([]);
        expect(fifoViolations(effective(result.deliveries))).toEqual([]); // causal ⇒ FIFO
        if (reliable) expectComplete(result);
      }),
      propertyRuns(150),
    );
  });

  it('negative control: delivering on arrival (unordered) violates happened-before for some seed', async () => {
    const check = (r: Awaited<ReturnType<typeof runWorkload>>) => causalViolations(r.published, effective(r.deliveries), false);
    expect(await firstViolatingSeed(20, 'unordered', check)).toBeDefined();
  });

  it('negative control: FIFO alone also violates happened-before for some seed', async () => {
    const check = (r: Awaited<ReturnType<typeof runWorkload>>) => causalViolations(r.published, effective(r.deliveries), false);
    expect(await firstViolatingSeed(30, 'fifo', check)).toBeDefined();
  });
});

describe('total', () => {
  it('gives every consumer one order, which is also causal and FIFO', async () => {
    await fc.assert(
      fc.asyncProperty(seed, delivery, async (s, guarantee) => {
        const result = await run(s, 'total', guarantee);
        const reliable = guarantee !== 'at_most_once';
        expect(totalOrderViolations(effective(result.deliveries))).toEqual([]);
        expect(causalViolations(result.published, effective(result.deliveries), reliable && gaveUp(result).size === 0)).toEqual([]);
        expect(fifoViolations(effective(result.deliveries))).toEqual([]);
        if (reliable) expectComplete(result);
      }),
      propertyRuns(150),
    );
  });

  it('negative control: a causal channel lets consumers disagree on concurrent messages for some seed', async () => {
    expect(await firstViolatingSeed(20, 'causal', (r) => totalOrderViolations(effective(r.deliveries)))).toBeDefined();
  });
});

describe('reorder buffers', () => {
  const item = (sender: string, seq: number, vc: Record<string, number> = { [sender]: seq }): OrderedItem => ({
    id: `${sender}${seq}`,
    sender,
    seq,
    vc,
  });

  it('FIFO holds a message until its predecessor arrives, and forgets uncommitted work on a crash', () => {
    const buffer = createReorderBuffer('fifo');
    expect(buffer.offer(item('a', 2), 0)).toEqual([]);
    expect(buffer.offer(item('a', 1), 0).map((i) => i.id)).toEqual(['a1', 'a2']);
    buffer.commit(item('a', 1));
    buffer.reset(); // crashed while a2 was waiting in the mailbox
    expect(buffer.isCommitted(item('a', 1))).toBe(true);
    expect(buffer.isCommitted(item('a', 2))).toBe(false);
    expect(buffer.offer(item('a', 2), 0).map((i) => i.id)).toEqual(['a2']);
  });

  it('causal holds a reply until the message it answers', () => {
    const buffer = createReorderBuffer('causal');
    const reply = item('b', 1, { a: 1, b: 1 });
    expect(buffer.offer(reply, 0)).toEqual([]);
    expect(buffer.offer(item('a', 1), 0).map((i) => i.id)).toEqual(['a1', 'b1']);
  });

  it('skips a lost predecessor only after the gap timeout, and never releases it afterwards', () => {
    const buffer = createReorderBuffer('causal');
    buffer.offer(item('b', 1, { a: 2, b: 1 }), 100); // waits for a1 and a2
    buffer.offer(item('a', 2), 150); // a1 is the one lost
    expect(buffer.skipGaps(50)).toEqual({ released: [], skipped: [] }); // nothing held that long
    const { released, skipped } = buffer.skipGaps(120);
    expect(skipped).toEqual([{ sender: 'a', seq: 1 }]);
    expect(released.map((i) => i.id)).toEqual(['a2', 'b1']);
    expect(buffer.isCommitted(item('a', 1))).toBe(true); // a late copy of a1 is a duplicate now
  });

  it('numbers each message once', () => {
    const sequencer = createSequencer();
    expect([sequencer.assign('x'), sequencer.assign('y'), sequencer.assign('x')]).toEqual([1, 2, 1]);
  });
});
