import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Merge } from '../../../runtime/definition.js';
import { createStore, type Store } from '../../../runtime/stores/index.js';
import type { JsonValue } from '../../../runtime/transport/index.js';
import { propertyRuns, simulation } from './helpers.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });

/** Writes from random sessions, one at a time, each at a later millisecond than the last. */
async function scenario(s: number, merge: Merge, writes: (n: number) => JsonValue, antiEntropyIntervalMs = 50) {
  const { clock, random, net } = simulation(s);
  const store = createStore({ name: 'notes', consistency: 'eventual', merge, clock, random, replicas: 3, transport: net, antiEntropyIntervalMs });
  const sessions = ['a', 'b', 'c'].map((agent) => store.session(agent)); // one per replica
  const written: JsonValue[] = [];
  await clock.run(async () => {
    for (let n = 1; n <= 10; n++) {
      await clock.sleep(random.int(1, 40));
      const value = writes(n);
      written.push(value);
      await random.pick(sessions).write(value);
    }
  });
  return { clock, store, net, written };
}

async function settleGossip(clock: { advance(ms: number): Promise<void> }, store: Store) {
  await clock.advance(5_000); // a hundred gossip rounds, writes stopped
  const values = Object.values(store.replicaValues());
  await store.close();
  return values;
}

describe('eventual store', () => {
  it('lww: replicas converge on the last write after anti-entropy, under a lossy network', async () => {
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const { clock, store, written } = await scenario(s, 'lww', (n) => ({ draft: n }));
        const values = await settleGossip(clock, store);
        for (const value of values) expect(value).toEqual(written.at(-1));
      }),
      propertyRuns(50),
    );
  });

  it('append: every element exactly once, in the same order at every replica', async () => {
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const { clock, store, written } = await scenario(s, 'append', (n) => [`f${n}a`, `f${n}b`]);
        const values = await settleGossip(clock, store);
        for (const value of values) {
          expect(value).toEqual(values[0]);
          expect([...(value as string[])].sort()).toEqual((written as string[][]).flat().sort());
        }
        // Elements of one write stay together and in order; writes keep their real-time order here.
        expect(values[0]).toEqual((written as string[][]).flat());
      }),
      propertyRuns(50),
    );
  });

  it('union: a set by JSON value, whatever the key order or the replica', async () => {
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const tags = [{ tag: 'bug', line: 1 }, { line: 1, tag: 'bug' }, { tag: 'nit', line: 2 }, { tag: 'style', line: 3 }];
        const { clock, store } = await scenario(s, 'union', (n) => [tags[n % tags.length]!, tags[(n * 3) % tags.length]!]);
        const values = await settleGossip(clock, store);
        for (const value of values) {
          expect(value).toEqual(values[0]);
          expect(new Set((value as JsonValue[]).map((v) => JSON.stringify(v, Object.keys(v as object).sort()))).size).toBe(
            (value as JsonValue[]).length,
          );
        }
        expect((values[0] as JsonValue[]).length).toBeLessThanOrEqual(3);
      }),
      propertyRuns(50),
    );
  });

  it('lww: simultaneous writes are decided by replica id, the same way everywhere', async () => {
    const { clock, random, net } = simulation(9);
    const store = createStore({ name: 's', consistency: 'eventual', clock, random, replicas: ['r1', 'r2', 'r3'], transport: net });
    await clock.run(async () => {
      await store.session('x', { replica: 'r3' }).write('from r3');
      await store.session('y', { replica: 'r1' }).write('from r1');
    });
    expect(clock.now()).toBe(0);
    const values = await settleGossip(clock, store);
    expect(values).toEqual(['from r3', 'from r3', 'from r3']);
  });

  it('reads and writes are local: another replica lags until anti-entropy runs', async () => {
    const { clock, random, net } = simulation(4, { delayMs: [1, 5] });
    const store = createStore({ name: 's', consistency: 'eventual', clock, random, replicas: 2, transport: net, antiEntropyIntervalMs: 100 });
    const here = store.session('a', { replica: 'r0' });
    const there = store.session('b', { replica: 'r1' });
    await here.write('v1');
    expect(await here.read()).toBe('v1');
    expect(await there.read()).toBeNull(); // no protocol ran yet
    await clock.advance(150);
    expect(await there.read()).toBe('v1');
    await store.close();
  });

  it('negative control: without anti-entropy the replicas stay different', async () => {
    const { clock, store } = await scenario(3, 'append', (n) => [n], 10_000_000);
    const values = await settleGossip(clock, store);
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBeGreaterThan(1);
  });

  it('an isolated replica catches up once healed', async () => {
    const { clock, random, net } = simulation(6);
    const store = createStore({ name: 's', consistency: 'eventual', merge: 'append', clock, random, replicas: 3, transport: net });
    net.isolate('r2');
    await store.session('a', { replica: 'r0' }).write(['x']);
    await store.session('b', { replica: 'r2' }).write(['y']);
    await clock.advance(2_000);
    expect(store.replicaValues()['r2']).toEqual(['y']);
    net.heal('r2');
    expect(await settleGossip(clock, store)).toEqual([['x', 'y'], ['x', 'y'], ['x', 'y']]);
  });

  it('refuses a write its merge rule cannot take, and copies values in and out', async () => {
    const { clock, random } = simulation(1);
    const store = createStore({ name: 's', consistency: 'eventual', merge: 'append', clock, random, replicas: 1 });
    const session = store.session('a');
    await expect(session.write('not an array')).rejects.toThrow(TypeError);
    const items = [{ n: 1 }];
    await session.write(items);
    items[0]!.n = 2;
    const read = (await session.read()) as Array<{ n: number }>;
    read[0]!.n = 3;
    expect(await session.read()).toEqual([{ n: 1 }]);
    await store.close();
  });
});
