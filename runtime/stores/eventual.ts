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
import { replicaIds, router, type Store, type StoreOptions, type StoreSession } from './types.js';
import { applyWrite, canonicalJson, emptyValue, highestTime, join, readValue, type ValueState } from './value.js';

interface Replica {
  id: string;
  state: ValueState;
  highest: number;
}

interface Gossip {
  kind: 'push' | 'reply';
  state: ValueState;
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
    ids.map((id) => [id, { id, state: emptyValue(merge, options.initial), highest: 0 }]),
  );
  const subscriptions: Array<Promise<Subscription>> = [];
  const counter = { next: 0 };
  let closed = false;

  const replica = (id: string) => replicas.get(id)!;

  const absorb = (target: Replica, incoming: ValueState) => {
    target.state = join(target.state, incoming);
    target.highest = Math.max(target.highest, highestTime(incoming));
  };

  const send = (from: Replica, to: string, kind: Gossip['kind']) => {
    const gossip: Gossip = { kind, state: from.state };
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
          const before = canonicalJson(gossip.state as never);
          absorb(self, gossip.state);
          // Push-pull: answer a push when we hold something the pusher lacks.
          if (gossip.kind === 'push' && canonicalJson(self.state as never) !== before) send(self, envelope.from, 'reply');
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
      return {
        agent,
        async read() {
          return serialiseRoundTrip(readValue(replica(route()).state));
        },
        async write(value: JsonValue) {
          const target = replica(route());
          const time = Math.max(clock.now(), target.highest + 1);
          target.highest = time;
          target.state = applyWrite(target.state, serialiseRoundTrip(value), { time, replica: target.id, index: 0 });
        },
      };
    },
    replicaValues: () => Object.fromEntries(ids.map((id) => [id, serialiseRoundTrip(readValue(replica(id).state))])),
    async close() {
      closed = true;
      cancelTimer();
      for (const subscription of subscriptions) await (await subscription).close();
      if (!options.transport) await transport.close();
    },
  };
}
