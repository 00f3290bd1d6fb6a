import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../runtime/clock.js';
import { createChannel, Deduplicator, SequenceWindow, type ChannelEvent } from '../../../runtime/delivery/index.js';
import { seededRandom } from '../../../runtime/random.js';
import { createAdversarialNetwork, createMemoryTransport } from '../../../runtime/transport/index.js';
import { duplicateDeliveries, propertyRuns } from './helpers.js';
import { gaveUp, runWorkload } from './workload.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });
const crashy = { crashChance: 0.1, replyChance: 0.3, maxReplies: 6 };

describe('at-most-once', () => {
  it('never hands a message to a consumer twice, under duplication, reordering and crashes', async () => {
    let duplicatedByNetwork = 0;
    await fc.assert(
      fc.asyncProperty(seed, fc.constantFrom('unordered', 'fifo', 'total') as fc.Arbitrary<'unordered' | 'fifo' | 'total'>, async (s, ordering) => {
        const result = await runWorkload({ seed: s, ordering, delivery: 'at_most_once', ...crashy });
        duplicatedByNetwork += result.network.duplicated;
        expect(duplicateDeliveries(result.deliveries)).toEqual([]);
        expect(result.stats.redelivered).toBe(0); // fire and forget
      }),
      propertyRuns(150),
    );
    expect(duplicatedByNetwork).toBeGreaterThan(100); // the network did try
  });

  it('negative control: at-least-once over the same network does hand some message over twice', async () => {
    const duplicated = [];
    for (let s = 1; s <= 10; s++) {
      const result = await runWorkload({ seed: s, ordering: 'unordered', delivery: 'at_least_once', ...crashy });
      duplicated.push(...duplicateDeliveries(result.deliveries));
    }
    expect(duplicated.length).toBeGreaterThan(0);
  });
});

describe('at-least-once', () => {
  it('hands every message to every consumer unless the sender reports giving up', async () => {
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const result = await runWorkload({ seed: s, ordering: 'unordered', delivery: 'at_least_once', ...crashy });
        const abandoned = gaveUp(result);
        for (const { id } of result.published) {
          for (const [consumer, applied] of result.effects) {
            if (!abandoned.has(`${id} ${consumer}`)) expect(applied.get(id) ?? 0, `${id} at ${consumer}`).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      propertyRuns(100),
    );
  });

  it('redelivers with exponential back-off and reports a give-up after the last attempt', async () => {
    const clock = new VirtualClock();
    const net = createAdversarialNetwork({ clock, random: seededRandom(1), faults: { delayMs: [1, 1] } });
    const events: ChannelEvent[] = [];
    const channel = createChannel({
      name: 'ch',
      ordering: 'unordered',
      delivery: 'at_least_once',
      transport: net,
      clock,
      random: seededRandom(1),
      consumers: ['c'],
      retry: { initialDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 6, jitter: 0 },
      onEvent: (event) => void events.push(event),
    });
    await channel.subscribe('c', () => undefined);
    net.isolate('c'); // a crashed consumer: nothing gets through
    const settlement = await clock.run(async () => {
      const result = await channel.publish('p', 'hello');
      return result.status === 'sent' ? result.settled : undefined;
    });
    const times = events.filter((e) => e.type === 'redeliver').map((e) => e.at);
    expect(times).toEqual([100, 300, 700, 1_500, 2_500]); // waits 100, 200, 400, 800, then the 1 s cap
    expect(settlement).toMatchObject({ handledBy: [], gaveUp: ['c'] });
    expect(events.at(-1)).toMatchObject({ type: 'give_up', to: 'c', attempts: 6, at: 3_500 });
  });
});

describe('exactly-once', () => {
  it('applies every effect once and loses nothing acknowledged, under drops, duplicates and crashes', async () => {
    let crashes = 0;
    await fc.assert(
      fc.asyncProperty(seed, fc.constantFrom('unordered', 'causal', 'total') as fc.Arbitrary<'unordered' | 'causal' | 'total'>, async (s, ordering) => {
        const result = await runWorkload({ seed: s, ordering, delivery: 'exactly_once', ...crashy });
        crashes += result.stats.crashes;
        const abandoned = gaveUp(result);
        for (const { id } of result.published) {
          for (const [consumer, applied] of result.effects) {
            const count = applied.get(id) ?? 0;
            expect(count, `${id} applied ${count} times at ${consumer}`).toBeLessThanOrEqual(1);
            if (result.acknowledged.has(`${id} ${consumer}`)) expect(count).toBe(1);
            if (!abandoned.has(`${id} ${consumer}`)) expect(count).toBe(1);
          }
        }
      }),
      propertyRuns(150),
    );
    expect(crashes).toBeGreaterThan(20);
  });

  it('treats two publishes with one idempotency key as one effect; at-least-once does not', async () => {
    const handled = async (delivery: 'exactly_once' | 'at_least_once') => {
      const clock = new VirtualClock();
      const channel = createChannel({
        name: 'ch',
        ordering: 'unordered',
        delivery,
        transport: createMemoryTransport({ clock }),
        clock,
        random: seededRandom(2),
        consumers: ['c'],
      });
      const seen: string[] = [];
      await channel.subscribe('c', (m) => void seen.push(JSON.stringify(m.payload)));
      await clock.run(async () => {
        await channel.publish('p', 'charge card', { idempotencyKey: 'order-17' });
        await channel.publish('p', 'charge card again', { idempotencyKey: 'order-17' });
        await channel.publish('p', 'other order', { idempotencyKey: 'order-18' });
        await channel.idle();
      });
      return seen;
    };
    expect(await handled('exactly_once')).toEqual(['"charge card"', '"other order"']);
    expect(await handled('at_least_once')).toHaveLength(3);
  });
});

describe('de-duplication window', () => {
  it('remembers everything up to a contiguous prefix plus what is settled above a gap', () => {
    const window = new SequenceWindow(3);
    for (const seq of [1, 2, 4, 5]) window.settle(seq);
    expect([1, 2, 3, 4, 5, 6].map((s) => window.status(s))).toEqual(['settled', 'settled', 'new', 'settled', 'settled', 'new']);
  });

  it('abandons the oldest gap when full: a late copy of it is refused, never taken for new', () => {
    const window = new SequenceWindow(2);
    for (const seq of [1, 3, 4, 5]) window.settle(seq); // 2 missing; three settled above it
    expect(window.status(2)).toBe('refused');
    expect(window.status(5)).toBe('settled');
    const dedup = new Deduplicator(2);
    dedup.settle('p', 1, 'k1');
    dedup.settle('p', 2, 'k2');
    dedup.settle('p', 3, 'k3');
    expect([dedup.hasKey('k1'), dedup.hasKey('k3')]).toEqual([false, true]); // keys are bounded too
  });
});
