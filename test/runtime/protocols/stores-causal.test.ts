import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Consistency } from '../../../runtime/definition.js';
import { createStore } from '../../../runtime/stores/index.js';
import { propertyRuns, simulation } from './helpers.js';

const seed = fc.integer({ min: 1, max: 1_000_000 });

interface SessionOp {
  kind: 'read' | 'write';
  /** read: the items seen; write: the item appended. */
  items: string[];
}

/**
 * Three agents whose every operation goes to a random replica (roaming sessions), appending
 * unique items and reading, concurrently, on the adversarial network.
 */
async function roamingHistory(s: number, consistency: Consistency) {
  const { clock, random, net } = simulation(s);
  const store = createStore({ name: 'notes', consistency, merge: 'append', clock, random, replicas: 3, transport: net, antiEntropyIntervalMs: 200 });
  const decide = random.fork('agents');
  const histories = new Map<string, SessionOp[]>();
  await clock.run(() =>
    Promise.all(
      ['a', 'b', 'c'].map(async (agent) => {
        const session = store.session(agent, { routing: 'roaming' });
        const history: SessionOp[] = [];
        histories.set(agent, history);
        for (let k = 1; k <= 6; k++) {
          await clock.sleep(decide.int(0, 60));
          if (decide.chance(0.5)) {
            const item = `${agent}${k}`;
            await session.write([item]);
            history.push({ kind: 'write', items: [item] });
          } else {
            history.push({ kind: 'read', items: (await session.read()) as string[] });
          }
        }
      }),
    ),
  );
  await clock.advance(30_000); // let replication and gossip finish
  const replicas = Object.values(store.replicaValues());
  await store.close();
  await net.close();
  return { histories, replicas };
}

/** Session guarantees and causality, judged from what sessions did and saw. */
function causalViolations(histories: Map<string, SessionOp[]>): string[] {
  const violations: string[] = [];
  const dependencies = new Map<string, Set<string>>(); // write -> everything its session had seen or written
  for (const history of histories.values()) {
    const seen = new Set<string>();
    for (const op of history) {
      if (op.kind === 'write') dependencies.set(op.items[0]!, new Set(seen));
      for (const item of op.items) seen.add(item);
    }
  }
  for (const [agent, history] of histories) {
    const written: string[] = [];
    let previous: string[] = [];
    for (const op of history) {
      if (op.kind === 'write') {
        written.push(op.items[0]!);
        continue;
      }
      const read = new Set(op.items);
      for (const item of written) if (!read.has(item)) violations.push(`${agent} did not read its own write ${item}`);
      for (const item of previous) if (!read.has(item)) violations.push(`${agent} saw ${item}, then read without it`);
      for (const item of op.items) {
        for (const dependency of dependencies.get(item) ?? []) {
          if (!read.has(dependency)) violations.push(`${agent} read ${item} without ${dependency}, which it depends on`);
          else if (op.items.indexOf(dependency) > op.items.indexOf(item)) violations.push(`${agent} read ${item} before its cause ${dependency}`);
        }
      }
      previous = op.items;
    }
  }
  return violations;
}

describe('causal store', () => {
  it('gives roaming sessions read-your-writes, monotonic reads and causal reads, and converges', async () => {
    let reads = 0;
    await fc.assert(
      fc.asyncProperty(seed, async (s) => {
        const { histories, replicas } = await roamingHistory(s, 'causal');
        expect(causalViolations(histories)).toEqual([]);
        for (const value of replicas) expect(value).toEqual(replicas[0]);
        const writes = [...histories.values()].flat().filter((op) => op.kind === 'write').length;
        expect((replicas[0] as string[]).length).toBe(writes);
        reads += [...histories.values()].flat().filter((op) => op.kind === 'read' && op.items.length > 0).length;
      }),
      propertyRuns(100),
    );
    expect(reads).toBeGreaterThan(50); // the checks had something to look at
  });

  it('negative control: an eventual store breaks the session guarantees for some seed', async () => {
    let found: string[] = [];
    for (let s = 1; s <= 20 && found.length === 0; s++) found = causalViolations((await roamingHistory(s, 'eventual')).histories);
    expect(found.length).toBeGreaterThan(0);
  });

  it('lww: a session reads its own last write wherever it reads', async () => {
    for (let s = 1; s <= 10; s++) {
      const { clock, random, net } = simulation(s);
      const store = createStore({ name: 'draft', consistency: 'causal', clock, random, replicas: 3, transport: net });
      const session = store.session('writer', { routing: 'roaming' });
      const other = store.session('other', { routing: 'roaming' });
      await clock.run(async () => {
        for (let n = 1; n <= 4; n++) {
          await session.write(`v${n}`);
          expect(await session.read()).toBe(`v${n}`);
          await other.read(); // may lag, but never goes backwards (checked above)
        }
      });
      await store.close();
    }
  });
});
