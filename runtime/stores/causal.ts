/**
 * Causal consistency (causal memory): a read sees every write that happened-before it, and every
 * session gets read-your-writes, monotonic reads, monotonic writes and writes-follow-reads, even
 * when its operations go to different replicas.
 *
 * Protocol: replicas replicate writes over a causal, exactly-once broadcast channel (one per
 * store), so each replica applies writes in an order that respects happened-before; a replica's
 * vector clock counts the writes it has applied from each replica. A session carries the vector
 * clock of everything it has read or written; an operation at a replica first waits until the
 * replica has applied all of that (so a lagging replica is never read, and a new write always
 * depends on what its session saw), then merges the replica's clock into the session's.
 * A session exports that clock (`context()`) to travel with a message, and absorbs the clock of a
 * message it received (`observe()`), so causality through channels reaches the store too.
 *
 * Concurrent writes are resolved by the store's merge rule; lww stamps carry Lamport times, which
 * grow along happened-before, so a write always wins over the writes it depends on.
 */
import type { Merge } from '../definition.js';
import { createChannel } from '../delivery/channel.js';
import { serialiseRoundTrip, type JsonValue } from '../transport/envelope.js';
import { createMemoryTransport } from '../transport/memory.js';
import type { Subscription } from '../transport/transport.js';
import { dominates, merge as mergeClocks, type VectorClock } from '../vector-clock.js';
import { WriteRegistry, type ReadTrace, type StoreView, type WriteTrace } from './tracing.js';
import { replicaIds, router, type Store, type StoreOptions, type StoreSession } from './types.js';
import { applyWrite, checkWrite, emptyValue, join, readValue, type Stamp, type ValueState } from './value.js';

interface Replica {
  id: string;
  state: ValueState;
  /** Writes applied here, per replica that accepted them (also what tracing reports as merged). */
  applied: VectorClock;
  lamport: number;
  waiters: Array<{ needs: VectorClock; resolve: () => void }>;
}

interface WriteMessage {
  value: JsonValue;
  stamp: Stamp;
}

export function createCausalStore(options: StoreOptions): Store {
  const { name, clock } = options;
  const merge: Merge = options.merge ?? 'lww';
  const random = options.random.fork(`store:${name}`);
  const transport = options.transport ?? createMemoryTransport({ clock });
  const ids = replicaIds(options.replicas);
  const replicas = new Map<string, Replica>(
    ids.map((id) => [id, { id, state: emptyValue(merge, options.initial), applied: {}, lamport: 0, waiters: [] }]),
  );
  // Replication must not give up: a replica that missed a write could never serve its dependants.
  const replication = createChannel({
    name: `store:${name}:replication`,
    ordering: 'causal',
    delivery: 'exactly_once',
    transport,
    clock,
    random,
    consumers: ids,
    retry: { maxAttempts: Number.POSITIVE_INFINITY, maxDelayMs: 2_000 },
  });
  const counter = { next: 0 };
  const registry = new WriteRegistry(name);
  const replica = (id: string) => replicas.get(id)!;

  /** Applies one write (idempotent: its own replica applies it before it comes back). */
  const apply = (target: Replica, write: WriteMessage, vc: VectorClock) => {
    const origin = write.stamp.replica;
    if (write.stamp.write !== undefined) registry.register(origin, vc[origin] ?? 0, write.stamp.write);
    target.state = applyWrite(target.state, write.value, write.stamp);
    target.lamport = Math.max(target.lamport, write.stamp.time);
    target.applied = mergeClocks(target.applied, vc);
    const ready = target.waiters.filter((waiter) => dominates(target.applied, waiter.needs));
    target.waiters = target.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  };

  const caughtUp = (target: Replica, needs: VectorClock): Promise<void> => {
    if (dominates(target.applied, needs)) return Promise.resolve();
    return new Promise((resolve) => target.waiters.push({ needs, resolve }));
  };

  const subscriptions: Array<Promise<Subscription>> = ids.map((id) =>
    replication.subscribe(id, (message) => apply(replica(id), message.payload as unknown as WriteMessage, message.vc)),
  );

  return {
    name,
    consistency: 'causal',
    merge,
    replicas: ids,
    session(agent, sessionOptions = {}): StoreSession {
      const route = router(ids, random, counter, sessionOptions);
      let context: VectorClock = {}; // everything this session has read or written
      let lamport = 0;
      // A session is one client: its writes take effect one after another, in the order issued,
      // even when several callers share it (the team runner's per-node session serves every instance).
      let writing: Promise<unknown> = Promise.resolve();

      const readTraced = async (): Promise<ReadTrace> => {
        const target = replica(route());
        await caughtUp(target, context);
        context = mergeClocks(context, target.applied);
        lamport = Math.max(lamport, target.lamport);
        return { value: serialiseRoundTrip(readValue(target.state)), replica: target.id, ...registry.view(target.state, target.applied) };
      };

      const writeNow = async (value: JsonValue, writer: string): Promise<WriteTrace> => {
        const target = replica(route());
        await caughtUp(target, context);
        const id = registry.nextId(writer);
        const time = Math.max(target.lamport, lamport) + 1;
        target.lamport = time;
        lamport = time;
        const before = target.applied;
        const write: WriteMessage = { value: serialiseRoundTrip(value), stamp: { time, replica: target.id, index: 0, write: id } };
        const published = await replication.publish(target.id, write as never);
        if (published.status !== 'sent') throw new Error(`store '${name}': replication refused a write`);
        apply(target, write, published.vc);
        context = mergeClocks(context, published.vc);
        return { id, origin: target.id, seq: published.vc[target.id] ?? 0, merged: before };
      };

      const writeTraced = (value: JsonValue, writeOptions: { writer?: string } = {}): Promise<WriteTrace> => {
        try {
          checkWrite(merge, value); // before replicating: a bad write must fail here, not at every replica
        } catch (error) {
          return Promise.reject(error);
        }
        const done = writing.then(() => writeNow(value, writeOptions.writer ?? agent));
        writing = done.catch(() => undefined);
        return done;
      };

      return {
        agent,
        read: async () => (await readTraced()).value,
        write: async (value) => void (await writeTraced(value)),
        readTraced,
        writeTraced,
        context: () => ({ ...context }),
        // What a message's sender had seen becomes part of this session's past: later operations
        // wait, at whichever replica, until it has applied all of it.
        observe: (seen) => void (context = mergeClocks(context, seen)),
      };
    },
    replicaValues: () => Object.fromEntries(ids.map((id) => [id, serialiseRoundTrip(readValue(replica(id).state))])),
    snapshot() {
      const all = ids.map(replica);
      const views: Record<string, StoreView> = Object.fromEntries(all.map((r) => [r.id, registry.view(r.state, r.applied)]));
      // Replication never gives up, so every replica ends up applying every write one of them applied.
      const joined = all.reduce((state, r) => join(state, r.state), all[0]!.state);
      const merged = all.reduce<VectorClock>((clock, r) => mergeClocks(clock, r.applied), {});
      return { replicas: views, converged: registry.view(joined, merged) };
    },
    async close() {
      for (const subscription of subscriptions) await (await subscription).close();
      await replication.close();
      if (!options.transport) await transport.close();
    },
  };
}
