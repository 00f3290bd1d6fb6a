/**
 * Strong consistency (linearizable) by state-machine replication over one ordered log: every
 * operation — read, write, compare-and-set — is published on a total-order, exactly-once channel
 * whose consumers are the replicas. Every replica applies the log in the same order, so all hold
 * the same versioned value; the session's replica answers once it has applied the operation.
 *
 * Linearizable because each operation takes effect at its log position, which the sequencer
 * assigns after the operation was invoked, and the answer is sent only after it was applied.
 * Reads go through the log too: a replica answering from its local copy could be behind.
 * Exactly-once on the log means a retried operation is applied once, even a compare-and-set.
 */
import type { Merge } from '../definition.js';
import { createChannel, type Channel } from '../delivery/channel.js';
import { serialiseRoundTrip, type JsonValue } from '../transport/envelope.js';
import { createMemoryTransport } from '../transport/memory.js';
import type { Subscription } from '../transport/transport.js';
import type { VectorClock } from '../vector-clock.js';
import { WriteRegistry, type StoreView, type WriteTrace } from './tracing.js';
import { replicaIds, router, type Store, type StoreOptions, type StrongSession, type Versioned } from './types.js';
import { applyWrite, checkWrite, emptyValue, readValue, type ValueState } from './value.js';

/** Writes and compare-and-sets carry their id (`<store>:<writer>#<n>`), for tracing. */
type Command = { op: 'read' } | { op: 'write'; value: JsonValue; id: string } | { op: 'cas'; expected: number; value: JsonValue; id: string };

/** A log entry: the command, who asked, and which replica answers. */
type Operation = Command & { session: string; request: number; replica: string };

/** Tracing: every replica applies one log, so a write's place is its position among the log's writes. */
const LOG = 'log';

interface Reply {
  request: number;
  /** `view`: the answering replica's, right after it applied the operation. */
  result: Versioned & { ok: boolean; replica: string; view: StoreView };
}

interface Replica {
  id: string;
  state: ValueState;
  version: number;
}

export function createStrongStore(options: StoreOptions): Store<StrongSession> {
  const { name, clock } = options;
  const merge: Merge = options.merge ?? 'lww';
  const random = options.random.fork(`store:${name}`);
  const transport = options.transport ?? createMemoryTransport({ clock });
  const ids = replicaIds(options.replicas);
  const replicas = new Map<string, Replica>(ids.map((id) => [id, { id, state: emptyValue(merge, options.initial), version: 0 }]));
  const forever = { maxAttempts: Number.POSITIVE_INFINITY, maxDelayMs: 2_000 };
  const log = createChannel({
    name: `store:${name}:log`,
    ordering: 'total',
    delivery: 'exactly_once',
    transport,
    clock,
    random,
    consumers: ids,
    retry: forever,
  });
  const replyChannels = new Map<string, Channel>(); // session node -> its reply channel
  const subscriptions: Array<Promise<Subscription>> = [];
  const counter = { next: 0 };
  const registry = new WriteRegistry(name);
  let sessions = 0;

  const replyChannel = (session: string) => {
    let channel = replyChannels.get(session);
    if (!channel) {
      channel = createChannel({
        name: `store:${name}:reply:${session}`,
        ordering: 'unordered',
        delivery: 'at_least_once',
        transport,
        clock,
        random,
        consumers: [session],
        retry: forever,
      });
      replyChannels.set(session, channel);
    }
    return channel;
  };

  /** The state machine: one log entry, applied in log order at every replica. */
  const step = (replica: Replica, operation: Operation): Reply['result'] => {
    const merged = (): VectorClock => (replica.version > 0 ? { [LOG]: replica.version } : {});
    const current = () => ({ value: readValue(replica.state), version: replica.version, replica: replica.id, view: registry.view(replica.state, merged()) });
    const write = (value: JsonValue, id: string) => {
      replica.state = applyWrite(replica.state, value, { time: replica.version + 1, replica: '', index: 0, write: id });
      replica.version++;
      registry.register(LOG, replica.version, id);
    };
    switch (operation.op) {
      case 'read':
        return { ...current(), ok: true };
      case 'write':
        write(operation.value, operation.id);
        return { ...current(), ok: true };
      case 'cas':
        if (replica.version !== operation.expected) return { ...current(), ok: false };
        write(operation.value, operation.id);
        return { ...current(), ok: true };
    }
  };

  for (const id of ids) {
    subscriptions.push(
      log.subscribe(id, async (message) => {
        const operation = message.payload as unknown as Operation;
        const result = step(replicas.get(id)!, operation);
        if (operation.replica === id) {
          const reply: Reply = { request: operation.request, result };
          await replyChannel(operation.session).publish(id, reply as never);
        }
      }),
    );
  }

  return {
    name,
    consistency: 'strong',
    merge,
    replicas: ids,
    session(agent, sessionOptions = {}): StrongSession {
      const route = router(ids, random, counter, sessionOptions);
      const node = `${agent}~${++sessions}`;
      const waiting = new Map<number, (result: Reply['result']) => void>();
      let requests = 0;
      const listening = replyChannel(node).subscribe(node, (message) => {
        const reply = message.payload as unknown as Reply;
        const resolve = waiting.get(reply.request);
        waiting.delete(reply.request); // a redelivered reply finds nobody waiting
        resolve?.(reply.result);
      });
      subscriptions.push(listening);

      const call = async (command: Command) => {
        await listening;
        const request = ++requests;
        const answer = new Promise<Reply['result']>((resolve) => waiting.set(request, resolve));
        const entry: Operation = { ...command, session: node, request, replica: route() };
        await log.publish(node, serialiseRoundTrip(entry) as never);
        return answer;
      };

      const writeTraced = async (value: JsonValue, writeOptions: { writer?: string } = {}): Promise<WriteTrace> => {
        checkWrite(merge, value);
        const id = registry.nextId(writeOptions.writer ?? agent);
        const { version } = await call({ op: 'write', value, id });
        // Applied at log position `version`, after every write before it.
        return { id, origin: LOG, seq: version, merged: version > 1 ? ({ [LOG]: version - 1 } as VectorClock) : {} };
      };

      return {
        agent,
        async read() {
          return (await call({ op: 'read' })).value;
        },
        async readVersioned() {
          const { value, version } = await call({ op: 'read' });
          return { value, version };
        },
        async readTraced() {
          const { value, replica, view } = await call({ op: 'read' });
          return { value, replica, ...view };
        },
        async write(value) {
          await writeTraced(value);
        },
        writeTraced,
        async cas(expected, value) {
          checkWrite(merge, value);
          const { value: now, version, ok } = await call({ op: 'cas', expected, value, id: registry.nextId(agent) });
          return { value: now, version, ok };
        },
      };
    },
    replicaValues: () => Object.fromEntries(ids.map((id) => [id, serialiseRoundTrip(readValue(replicas.get(id)!.state))])),
    snapshot() {
      const all = ids.map((id) => replicas.get(id)!);
      const view = (r: Replica) => registry.view(r.state, r.version > 0 ? ({ [LOG]: r.version } as VectorClock) : {});
      // Every replica applies the one log: they converge to the one furthest along it.
      const furthest = all.reduce((a, b) => (b.version > a.version ? b : a));
      return { replicas: Object.fromEntries(all.map((r) => [r.id, view(r)])), converged: view(furthest) };
    },
    async close() {
      for (const subscription of subscriptions) await (await subscription).close();
      for (const channel of replyChannels.values()) await channel.close();
      await log.close();
      if (!options.transport) await transport.close();
    },
  };
}
