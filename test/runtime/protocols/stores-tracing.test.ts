/**
 * What stores report about their writes and reads (runtime/stores/tracing.ts) agrees with what
 * they do: a read's value is exactly what the writes it says it reflects made it, the writes it
 * says it merged are the ones it holds, a session's own writes are merged into its later reads, and
 * the converged view is the one every replica ends with.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Consistency, Merge } from '../../../runtime/definition.js';
import { createStore, isMerged, type ReadTrace, type WriteTrace } from '../../../runtime/stores/index.js';
import type { JsonValue } from '../../../runtime/transport/index.js';
import { propertyRuns, simulation } from './helpers.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });

interface Op {
  agent: string;
  write?: { trace: WriteTrace; value: JsonValue };
  read?: ReadTrace;
}

/** Three sticky sessions writing unique values and reading, concurrently, on a lossy network. */
async function history(s: number, consistency: Consistency, merge: Merge) {
  const { clock, random, net } = simulation(s);
  const store = createStore({ name: 'notes', consistency, merge, clock, random, replicas: 3, transport: net, antiEntropyIntervalMs: 80 });
  const decide = random.fork('agents');
  const ops: Op[] = [];
  await clock.run(() =>
    Promise.all(
      ['a', 'b', 'c'].map(async (agent) => {
        const session = store.session(agent);
        for (let k = 1; k <= 5; k++) {
          await clock.sleep(decide.int(0, 60));
          if (decide.chance(0.5)) {
            const value = merge === 'lww' ? `${agent}${k}` : [`${agent}${k}`];
            ops.push({ agent, write: { trace: await session.writeTraced(value), value } });
          } else {
            ops.push({ agent, read: await session.readTraced() });
          }
        }
      }),
    ),
  );
  const early = store.snapshot();
  await clock.advance(30_000); // replication and gossip finish
  const late = store.snapshot();
  const values = store.replicaValues();
  await store.close();
  await net.close();
  return { ops, early, late, values };
}

const combinations: Array<[Consistency, Merge]> = [
  ['eventual', 'lww'],
  ['eventual', 'append'],
  ['causal', 'lww'],
  ['causal', 'append'],
  ['strong', 'lww'],
  ['strong', 'append'],
];

describe.each(combinations)('%s store, merge %s', (consistency, merge) => {
  it('reports ids, merged writes and reflected writes that match the values', async () => {
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const { ops, early, late, values } = await history(s, consistency, merge);
        const writes = ops.flatMap((op) => (op.write ? [op.write] : []));
        const byId = new Map(writes.map((w) => [w.trace.id, w]));
        // Ids count each writer's writes.
        for (const agent of ['a', 'b', 'c']) {
          expect(writes.filter((w) => w.trace.id.startsWith(`notes:${agent}#`)).map((w) => w.trace.id)).toEqual(
            writes.filter((w) => w.trace.id.startsWith(`notes:${agent}#`)).map((_, i) => `notes:${agent}#${i + 1}`),
          );
        }
        const mergedIn = (view: { merged: Record<string, number> }) => writes.filter((w) => isMerged(view.merged, w.trace)).map((w) => w.trace.id).sort();
        const check = (view: { merged: Record<string, number>; reflects: string[] }, value: JsonValue) => {
          for (const id of view.reflects) expect(isMerged(view.merged, byId.get(id)!.trace)).toBe(true);
          if (merge === 'lww') {
            expect(view.reflects.length).toBeLessThanOrEqual(1);
            expect(value).toEqual(view.reflects.length === 0 ? null : byId.get(view.reflects[0]!)!.value);
          } else {
            expect([...view.reflects].sort()).toEqual(mergedIn(view));
            expect([...(value as string[])].sort()).toEqual(view.reflects.flatMap((id) => byId.get(id)!.value as string[]).sort());
          }
        };
        const seenBy = new Map<string, WriteTrace[]>();
        for (const op of ops) {
          const own = seenBy.get(op.agent) ?? [];
          if (op.write) seenBy.set(op.agent, [...own, op.write.trace]);
          if (op.read) {
            check(op.read, op.read.value);
            // Read-your-writes: a session's replica has merged everything the session wrote.
            for (const write of own) expect(isMerged(op.read.merged, write)).toBe(true);
          }
        }
        // Once quiet, every replica has merged every write, and the converged view is every replica's.
        const all = writes.map((w) => w.trace.id).sort();
        expect(mergedIn(late.converged)).toEqual(all);
        expect(mergedIn(early.converged)).toEqual(all);
        for (const [replica, view] of Object.entries(late.replicas)) {
          expect(view).toEqual(late.converged);
          check(view, values[replica]!);
        }
      }),
      propertyRuns(12),
    );
  }, 60_000);
});

describe('write metadata', () => {
  it('a causal session shared by several callers writes one after another: each write follows the one before', async () => {
    const { clock, random, net } = simulation(7);
    const store = createStore({ name: 'plan', consistency: 'causal', clock, random, replicas: 3, transport: net });
    const session = store.session('team');
    const [first, second] = await clock.run(() => Promise.all([session.writeTraced('x', { writer: 'planner' }), session.writeTraced('y', { writer: 'editor' })]));
    expect([first!.id, second!.id]).toEqual(['plan:planner#1', 'plan:editor#1']);
    expect(isMerged(second!.merged, first!)).toBe(true);
    expect(isMerged(first!.merged, second!)).toBe(false);
    await clock.advance(10_000);
    expect(store.snapshot().converged.reflects).toEqual(['plan:editor#1']);
    await store.close();
    await net.close();
  });

  it('eventual: two replicas writing before they gossip do not know of each other, and the converged value keeps one', async () => {
    const { clock, random, net } = simulation(3, { drop: 0, duplicate: 0, reorder: 0, delayMs: [1, 5] });
    const store = createStore({ name: 'notes', consistency: 'eventual', clock, random, replicas: 2, transport: net, antiEntropyIntervalMs: 100 });
    const [a, b] = [store.session('reviewer'), store.session('linter')];
    const [wa, wb] = await clock.run(() => Promise.all([a.writeTraced('a'), b.writeTraced('b')]));
    expect([wa, wb]).toEqual([
      { id: 'notes:reviewer#1', origin: 'r0', seq: 1, merged: {} },
      { id: 'notes:linter#1', origin: 'r1', seq: 1, merged: {} },
    ]);
    await clock.advance(1_000);
    const { converged } = store.snapshot();
    expect(converged.merged).toEqual({ r0: 1, r1: 1 });
    expect(converged.reflects).toHaveLength(1);
    // A write after gossip knows the other replica's write.
    const later = await clock.run(() => a.writeTraced('c'));
    expect(later.merged).toEqual({ r0: 1, r1: 1 });
    await store.close();
    await net.close();
  });

  it('strong: a write is placed at its log position, after every write before it', async () => {
    const { clock, random, net } = simulation(5);
    const store = createStore({ name: 'plan', consistency: 'strong', clock, random, replicas: 3, transport: net });
    const session = store.session('planner');
    const first = await clock.run(() => session.writeTraced('x'));
    const second = await clock.run(() => session.writeTraced('y'));
    expect(first).toEqual({ id: 'plan:planner#1', origin: 'log', seq: 1, merged: {} });
    expect(second).toEqual({ id: 'plan:planner#2', origin: 'log', seq: 2, merged: { log: 1 } });
    const read = await clock.run(() => store.session('executor').readTraced());
    expect(read).toMatchObject({ value: 'y', merged: { log: 2 }, reflects: ['plan:planner#2'] });
    await store.close();
    await net.close();
  });
});
