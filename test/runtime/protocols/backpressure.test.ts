import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backpressure, Ordering } from '../../../runtime/definition.js';
import { VirtualClock } from '../../../runtime/clock.js';
import { ChannelFullError, createChannel, type PublishResult } from '../../../runtime/delivery/index.js';
import { seededRandom } from '../../../runtime/random.js';
import { createMemoryTransport } from '../../../runtime/transport/index.js';
import { propertyRuns, simulation } from './helpers.js';

/** A channel of capacity 2 feeding one consumer that takes 100 ms per message. */
async function slowConsumer(backpressure: Backpressure, ordering: Ordering = 'fifo') {
  const clock = new VirtualClock();
  const channel = createChannel({
    name: 'ch',
    ordering,
    delivery: 'exactly_once',
    transport: createMemoryTransport({ clock }),
    clock,
    random: seededRandom(1),
    consumers: ['c'],
    capacity: 2,
    backpressure,
  });
  const handled: Array<{ n: number; at: number }> = [];
  await channel.subscribe('c', async (message) => {
    await clock.sleep(100);
    handled.push({ n: message.payload as number, at: clock.now() });
  });
  return { clock, channel, handled };
}

describe('capacity and back-pressure', () => {
  it('block: a publish waits until a message is settled, and nothing is lost', async () => {
    const { clock, channel, handled } = await slowConsumer('block');
    const publishedAt = await clock.run(async () => {
      const times: number[] = [];
      for (let n = 1; n <= 5; n++) {
        await channel.publish('p', n);
        times.push(clock.now());
      }
      await channel.idle();
      return times;
    });
    expect(publishedAt).toEqual([0, 0, 100, 200, 300]); // the third waits for the first to be handled
    expect(handled.map((h) => h.n)).toEqual([1, 2, 3, 4, 5]);
    expect(channel.stats()).toMatchObject({ dropped: 0, inFlight: 0 });
  });

  it('block: waiting publishers are served in the order they blocked', async () => {
    const { clock, channel, handled } = await slowConsumer('block', 'unordered');
    await clock.run(async () => {
      await Promise.all([1, 2, 3, 4, 5, 6].map((n) => channel.publish(`p${n}`, n)));
      await channel.idle();
    });
    expect(handled.map((h) => h.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reject: a publish at capacity fails with ChannelFullError and sends nothing', async () => {
    const { clock, channel, handled } = await slowConsumer('reject');
    await clock.run(async () => {
      await channel.publish('p', 1);
      await channel.publish('p', 2);
      await expect(channel.publish('p', 3)).rejects.toBeInstanceOf(ChannelFullError);
      await clock.sleep(150); // the first settles at 100 ms
      await channel.publish('p', 4);
      await channel.idle();
    });
    expect(handled.map((h) => h.n)).toEqual([1, 2, 4]);
    expect(channel.stats().rejected).toBe(1);
  });

  it('drop_newest: a publish at capacity is discarded', async () => {
    const { clock, channel, handled } = await slowConsumer('drop_newest');
    const results = await clock.run(async () => {
      const out: PublishResult['status'][] = [];
      for (let n = 1; n <= 5; n++) out.push((await channel.publish('p', n)).status);
      await channel.idle();
      return out;
    });
    expect(results).toEqual(['sent', 'sent', 'dropped', 'dropped', 'dropped']);
    expect(handled.map((h) => h.n)).toEqual([1, 2]);
  });

  it('drop_oldest: the oldest message not yet handled is withdrawn, order is kept, nothing stalls', async () => {
    const { clock, channel, handled } = await slowConsumer('drop_oldest');
    const settlements = await clock.run(async () => {
      const sent = [await channel.publish('p', 1), await channel.publish('p', 2)];
      await clock.sleep(10); // the consumer is now handling 1
      for (let n = 3; n <= 5; n++) sent.push(await channel.publish('p', n));
      await channel.idle();
      return Promise.all(sent.map((r) => (r.status === 'sent' ? r.settled : undefined)));
    });
    // 1 was already being handled when 3 withdrew it; 2 and 3 were withdrawn by 4 and 5.
    expect(handled.map((h) => h.n)).toEqual([1, 4, 5]);
    expect(settlements.map((s) => (s!.handledBy.length ? 'handled' : s!.skippedBy.length ? 'skipped' : '?'))).toEqual([
      'handled',
      'skipped',
      'skipped',
      'handled',
      'handled',
    ]);
    expect(channel.stats()).toMatchObject({ withdrawn: 3, inFlight: 0 });
  });

  it('drop_oldest: concurrent publishes at capacity leave only the newest', async () => {
    const { clock, channel, handled } = await slowConsumer('drop_oldest');
    await clock.run(async () => {
      await Promise.all([1, 2, 3, 4, 5].map((n) => channel.publish(`p${n}`, n)));
      await channel.idle();
    });
    expect(handled.map((h) => h.n)).toEqual([4, 5]);
    expect(channel.stats().withdrawn).toBe(3);
  });

  it('never has more messages in flight than its capacity, whatever the policy and the network', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom<Backpressure>('block', 'drop_oldest', 'drop_newest', 'reject'),
        fc.integer({ min: 1, max: 4 }),
        async (seed, backpressure, capacity) => {
          const { clock, random, net } = simulation(seed);
          // Counted from outside: published, not yet settled, not withdrawn.
          const open = new Set<string>();
          let peak = 0;
          const measure = () => (peak = Math.max(peak, open.size));
          const channel = createChannel({
            name: 'ch',
            ordering: 'causal',
            delivery: 'exactly_once',
            transport: net,
            clock,
            random,
            consumers: ['c1', 'c2'],
            capacity,
            backpressure,
            onEvent: (event) => {
              if (event.type === 'publish') open.add(event.id);
              if (event.type === 'overflow' && event.withdrawn) open.delete(event.withdrawn);
              measure();
            },
          });
          const order = new Map<string, number[]>([['c1', []], ['c2', []]]);
          for (const consumer of order.keys()) {
            await channel.subscribe(consumer, async (message) => {
              order.get(consumer)!.push(message.payload as number);
              await clock.sleep(random.int(0, 40));
            });
          }
          await clock.run(async () => {
            for (let n = 1; n <= 12; n++) {
              await clock.sleep(random.int(0, 20));
              const result = await channel.publish('p', n).catch((error: unknown) => {
                if (!(error instanceof ChannelFullError)) throw error;
                return undefined;
              });
              if (result?.status === 'sent') void result.settled.then(() => open.delete(result.id));
            }
            await channel.idle();
          });
          const stats = channel.stats();
          expect(peak).toBeLessThanOrEqual(capacity);
          expect(peak).toBeGreaterThan(0);
          expect(stats.inFlight).toBe(0);
          if (backpressure === 'block') expect(stats.dropped + stats.rejected).toBe(0);
          for (const handled of order.values()) {
            expect(handled).toEqual([...handled].sort((a, b) => a - b)); // withdrawals never reorder
            if (backpressure === 'block') expect(handled).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
          }
          await channel.close();
          await net.close();
        },
      ),
      propertyRuns(150),
    );
  });
});
