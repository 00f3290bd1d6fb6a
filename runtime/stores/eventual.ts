/**
 * Eventual consistency: every replica accepts reads and writes locally, at once, and replicas
 * converge by anti-entropy — each one, on a timer, pushes its whole state to a random peer, which
 * joins it into its own and pushes back if it knew something the sender did not (push-pull).
 * Gossip is fire-and-forget: a lost exchange is repaired by a later one, so once writes stop and
 * the network delivers now and then, every replica ends with the join of all writes.
 *
 * Stamps are hybrid: a write's time is max(clock now, highest time the replica has seen + 1),
 * so a write made after a replica saw another one always wins over it, and ties between
 * replicas fall to the replica id (last-writer-wins by (timestamp, replica id)).
 */
import type { Merge } from '../definition.js';
import { serialiseRoundTrip, type JsonValue } from '../transport/envelope.js';
import { createMemoryTransport } from '../transport/memory.js';
import type { Subscription } from '../transport/transport.js';
import { merge as mergeClocks, type VectorClock } from '../vector-clock.js';
import { WriteRegistry, type StoreView } from './tracing.js';
import { replicaIds, router, type Store, type StoreOptions, type StoreSession } from './types.js';
import { applyWrite, canonicalJson, checkWrite, emptyValue, highestTime, join, readValue, type ValueState } from './value.js';

interface Replica {
  id: string;
  state: ValueState;
  highest: number;
  /** Writes merged, per accepting replica (for tracing; travels with the state). */
  merged: VectorClock;
}

interface Gossip {
  kind: 'push' | 'reply';
  state: ValueState;
  merged: VectorClock;
}

export function createEventualStore(options: StoreOptions): Store {
  const { name, clock } = options;
  const merge: Merge = options.merge ?? 'lww';
  const random = options.random.fork(`store:${name}`);
  const transport = options.transport ?? createMemoryTransport({ clock });
  const interval = options.antiEntropyIntervalMs ?? 100;
  const gossipChannel = `store:${name}:gossip`;
  const ids = replicaIds(options.replicas);
  const replicas = new Map<string, Replica>(
    ids.map((id) => [id, { id, state: emptyValue(merge, options.initial), highest: 0, merged: {} }]),
  );
  const registry = new WriteRegistry(name);
  const subscriptions: Array<Promise<Subscription>> = [];
  const counter = { next: 0 };
  let closed = false;

  const replica = (id: string) => replicas.get(id)!;

  const absorb = (target: Replica, incoming: Gossip) => {
    target.state = join(target.state, incoming.state);
    target.highest = Math.max(target.highest, highestTime(incoming.state));
    target.merged = mergeClocks(target.merged, incoming.merged);
  };

  const send = (from: Replica, to: string, kind: Gossip['kind']) => {
    const gossip: Gossip = { kind, state: from.state, merged: from.merged };
    transport
      .send({ id: `${from.id}>${to}@${clock.now()}`, channel: gossipChannel, from: from.id, to, payload: gossip as never, attempt: 1, sentAt: clock.now() })
      .catch(() => undefined); // gossip is best effort: the next round repairs a lost exchange
  };

  for (const id of ids) {
    subscriptions.push(
      transport.subscribe(
        id,
        gossipChannel,
        (envelope) => {
          const self = replica(id);
          const gossip = envelope.payload as unknown as Gossip;
          const before = canonicalJson({ state: gossip.state, merged: gossip.merged } as never);
          absorb(self, gossip);
          // Push-pull: answer a push when we hold something the pusher lacks.
          if (gossip.kind === 'push' && canonicalJson({ state: self.state, merged: self.merged } as never) !== before) send(self, envelope.from, 'reply');
        },
        { noAck: true },
      ),
    );
  }

  const gossipRound = () => {
    if (closed) return;
    if (ids.length > 1) {
      for (const id of ids) {
        const peers = ids.filter((other) => other !== id);
        send(replica(id), random.pick(peers), 'push');
      }
    }
    cancelTimer = clock.schedule(interval, gossipRound);
  };
  let cancelTimer = clock.schedule(interval, gossipRound);

  return {
    name,
    consistency: 'eventual',
    merge,
    replicas: ids,
    session(agent, sessionOptions = {}): StoreSession {
      const route = router(ids, random, counter, sessionOptions);
      const readTraced = async () => {
        const target = replica(route());
        return { value: serialiseRoundTrip(readValue(target.state)), replica: target.id, ...registry.view(target.state, target.merged) };
      };
      const writeTraced = async (value: JsonValue, writeOptions: { writer?: string } = {}) => {
        const copy = serialiseRoundTrip(value);
        checkWrite(merge, copy); // a bad write fails here, before it has an id
        const target = replica(route());
        const id = registry.nextId(writeOptions.writer ?? agent);
        const time = Math.max(clock.now(), target.highest + 1);
        const before = target.merged;
        const seq = (before[target.id] ?? 0) + 1;
        target.state = applyWrite(target.state, copy, { time, replica: target.id, index: 0, write: id });
        target.highest = time;
        target.merged = { ...before, [target.id]: seq };
        registry.register(target.id, seq, id);
        return { id, origin: target.id, seq, merged: before };
      };
      return {
        agent,
        read: async () => (await readTraced()).value,
        write: async (value: JsonValue) => void (await writeTraced(value)),
        readTraced,
        writeTraced,
      };
    },
    replicaValues: () => Object.fromEntries(ids.map((id) => [id, serialiseRoundTrip(readValue(replica(id).state))])),
    snapshot() {
      const all = ids.map(replica);
      const views: Record<string, StoreView> = Object.fromEntries(all.map((r) => [r.id, registry.view(r.state, r.merged)]));
      const joined = all.reduce((state, r) => join(state, r.state), all[0]!.state);
      const merged = all.reduce<VectorClock>((clock, r) => mergeClocks(clock, r.merged), {});
      return { replicas: views, converged: registry.view(joined, merged) };
    },
    async close() {
      closed = true;
      cancelTimer();
      for (const subscription of subscriptions) await (await subscription).close();
      if (!options.transport) await transport.close();
    },
  };
}
