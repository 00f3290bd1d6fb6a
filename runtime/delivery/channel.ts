/**
 * A channel endpoint: what a team runner uses to move typed messages between agents with the
 * declared guarantees. It composes the layers below — links (delivery) over a transport, reorder
 * buffers (ordering) at each consumer, and for a total order a sequencer hop — and adds what
 * belongs to the channel as a whole: node vector clocks, capacity with back-pressure, and
 * per-message settlement reports.
 *
 * Scope of causality: a node's vector clock on a channel counts its publishes there and merges
 * the clocks of messages it was handed from there, so causal order holds among the messages of
 * one channel. A consumer's clock is merged *before* its handler runs, so whatever the handler
 * publishes depends on the message it is handling.
 */
import type { Clock } from '../clock.js';
import type { Backpressure, Delivery, Ordering } from '../definition.js';
import type { Random } from '../random.js';
import type { BufferKind } from '../ordering/buffer.js';
import { createSequencer } from '../ordering/sequencer.js';
import { serialiseRoundTrip, type JsonValue } from '../transport/envelope.js';
import type { Subscription, Transport } from '../transport/transport.js';
import { entry, increment, merge, type VectorClock } from '../vector-clock.js';
import { Slots } from './capacity.js';
import { ChannelClosedError, ChannelFullError } from './errors.js';
import { createLink, type LinkConsumer, type LinkHooks, type LinkItem, type LinkMessage, type SkipReason } from './link.js';
import { retryPolicy, type RetryPolicy } from './retry.js';

export interface ChannelOptions {
  name: string;
  ordering: Ordering;
  delivery: Delivery;
  transport: Transport;
  clock: Clock;
  random: Random;
  /**
   * The consumers, declared up front: every message is addressed to each of them, and one that
   * subscribes late still receives everything. Without it the consumers are whoever subscribed
   * when a message is published, and an ordered channel refuses subscriptions after its first
   * publish (a late consumer would wait forever for messages never addressed to it).
   */
  consumers?: readonly string[];
  /** Messages in flight (published, not yet settled at every consumer); unbounded by default. */
  capacity?: number;
  /** What a publish does when the channel is at capacity; `block` by default. */
  backpressure?: Backpressure;
  retry?: Partial<RetryPolicy>;
  /** Messages per sender remembered by the de-duplicator (exactly-once, at-most-once). */
  dedupWindow?: number;
  /** At-most-once ordered channels: how long a missing message may hold later ones back. */
  gapTimeoutMs?: number;
  /** At-most-once: how long after publishing an unsettled message is presumed lost. */
  settleTimeoutMs?: number;
  /** The node that numbers messages of a total order. */
  sequencer?: string;
  onEvent?: (event: ChannelEvent) => void;
  /** Transport and handler errors that have no caller to reject; rethrown by default. */
  onError?: (error: unknown) => void;
}

/** One message as a consumer's handler receives it. */
export interface Delivered {
  id: string;
  channel: string;
  /** The publisher. */
  from: string;
  /** The publisher's sequence number on this channel. */
  seq: number;
  /** The publisher's vector clock when it published. */
  vc: VectorClock;
  /** The message's place in a total order (total channels only). */
  position?: number;
  payload: JsonValue;
  /** The transmission that reached the consumer (1 = first). */
  attempt: number;
  idempotencyKey?: string;
  /** The publisher's metadata (`PublishMeta.context`). */
  context?: JsonValue;
}

export type MessageHandler = (message: Delivered) => void | Promise<void>;

export interface PublishMeta {
  /** Messages with the same key are one effect: an exactly-once consumer handles only the first. */
  idempotencyKey?: string;
  /**
   * Metadata that travels with the message outside its payload, to every consumer (the team runner
   * puts the publisher's causal store context here). A function is called at the instant the
   * message is published (after any wait for capacity), so it describes the publisher then.
   */
  context?: JsonValue | (() => JsonValue | undefined);
}

/** What became of one message at each consumer. */
export interface Settlement {
  id: string;
  handledBy: string[];
  /** Consumers that settled it without handling (withdrawn by drop_oldest, or a duplicate key). */
  skippedBy: string[];
  /** Consumers the sender stopped retrying (reliable delivery ran out of attempts). */
  gaveUp: string[];
  /** At-most-once: consumers it never reached in time, or whose handler crashed on it. */
  lost: string[];
}

export type PublishResult =
  | { status: 'sent'; id: string; seq: number; vc: VectorClock; settled: Promise<Settlement> }
  | { status: 'dropped' };

export type ChannelEvent =
  | { type: 'publish'; channel: string; at: number; id: string; from: string; seq: number; vc: VectorClock }
  | { type: 'overflow'; channel: string; at: number; policy: Backpressure; from: string; withdrawn?: string }
  | { type: 'deliver'; channel: string; at: number; id: string; from: string; to: string; seq: number; vc: VectorClock; position?: number; attempt: number }
  | { type: 'skip'; channel: string; at: number; id: string; to: string; reason: SkipReason }
  | { type: 'redeliver'; channel: string; at: number; id: string; to: string; attempt: number }
  /** The sender `to` (the publisher, or the sequencer of a total order) accepted `by`'s acknowledgement (reliable delivery). */
  | { type: 'acknowledged'; channel: string; at: number; id: string; by: string; to: string }
  | { type: 'give_up'; channel: string; at: number; id: string; to: string; attempts: number }
  | { type: 'crash'; channel: string; at: number; id: string; consumer: string; error: string };

export interface ChannelStats {
  published: number;
  delivered: number;
  redelivered: number;
  gaveUp: number;
  crashes: number;
  /** drop_newest discards, drop_oldest withdrawals, reject refusals. */
  dropped: number;
  withdrawn: number;
  rejected: number;
  /** Messages published and not yet settled everywhere (withdrawn ones included). */
  inFlight: number;
  /** Messages holding a unit of capacity: never more than the capacity. */
  occupied: number;
}

export interface Channel {
  readonly name: string;
  readonly ordering: Ordering;
  readonly delivery: Delivery;
  publish(from: string, payload: JsonValue, meta?: PublishMeta): Promise<PublishResult>;
  /** Handlers are called one message at a time per consumer, as the guarantees allow. */
  subscribe(consumer: string, handler: MessageHandler): Promise<Subscription>;
  /** A node's vector clock on this channel. */
  clockOf(node: string): VectorClock;
  /** Resolves once every published message is settled at every consumer. */
  idle(): Promise<void>;
  stats(): ChannelStats;
  close(): Promise<void>;
}

interface Tracker {
  id: string;
  recipients: readonly string[];
  waiting: Set<string>;
  settlement: Settlement;
  resolve: (settlement: Settlement) => void;
  holdsSlot: boolean;
  cancelLossTimer?: () => void;
}

const bufferFor: Record<Exclude<Ordering, 'total'>, BufferKind> = { unordered: 'none', fifo: 'fifo', causal: 'causal' };

export function createChannel(options: ChannelOptions): Channel {
  const { name, ordering, delivery, transport, clock } = options;
  const random = options.random.fork(`channel:${name}`);
  const declared = options.consumers ? [...new Set(options.consumers)] : undefined;
  const backpressure = options.backpressure ?? 'block';
  const slots = options.capacity === undefined || options.capacity === Infinity ? undefined : new Slots(options.capacity);
  const retry = retryPolicy(options.retry);
  const dedupWindow = options.dedupWindow ?? 10_000;
  const gapTimeoutMs = options.gapTimeoutMs ?? 1_000;
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const sequencerNode = options.sequencer ?? `${name}#sequencer`;
  const total = ordering === 'total';
  const emit = (event: ChannelEvent) => options.onEvent?.(event);

  const nodeClocks = new Map<string, VectorClock>();
  const handlers = new Map<string, MessageHandler>();
  const trackers = new Map<string, Tracker>(); // insertion order = publish order
  const withdrawn = new Set<string>(); // bounded like the de-duplicator
  let idleWaiters: Array<() => void> = [];
  let publishedAny = false;
  let closed = false;
  const stats = { published: 0, delivered: 0, redelivered: 0, gaveUp: 0, crashes: 0, dropped: 0, withdrawn: 0, rejected: 0 };

  const clockOf = (node: string) => nodeClocks.get(node) ?? {};
  const consumers = () => declared ?? [...handlers.keys()];

  // --- settlement -------------------------------------------------------------------------------

  const account = (tracker: Tracker, node: string, outcome: keyof Omit<Settlement, 'id'>) => {
    if (!tracker.waiting.delete(node)) return;
    tracker.settlement[outcome].push(node);
    if (tracker.waiting.size === 0) finish(tracker);
  };

  const finish = (tracker: Tracker) => {
    trackers.delete(tracker.id);
    tracker.cancelLossTimer?.();
    if (tracker.holdsSlot) {
      tracker.holdsSlot = false;
      slots!.release();
    }
    tracker.resolve(tracker.settlement);
    if (trackers.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  /** drop_oldest: the oldest message still holding a slot gives it up; consumers will skip it. */
  const withdrawOldest = (from: string): boolean => {
    for (const tracker of trackers.values()) {
      if (!tracker.holdsSlot) continue;
      tracker.holdsSlot = false;
      withdrawn.add(tracker.id);
      if (withdrawn.size > dedupWindow) withdrawn.delete(withdrawn.values().next().value!);
      stats.withdrawn++;
      stats.dropped++;
      emit({ type: 'overflow', channel: name, at: clock.now(), policy: 'drop_oldest', from, withdrawn: tracker.id });
      slots!.release();
      return true;
    }
    return false;
  };

  // --- links ------------------------------------------------------------------------------------

  const hooks: LinkHooks = {
    redelivered(id, to, attempt) {
      stats.redelivered++;
      emit({ type: 'redeliver', channel: name, at: clock.now(), id, to, attempt });
    },
    acknowledged(id, by, to) {
      emit({ type: 'acknowledged', channel: name, at: clock.now(), id, by, to });
    },
    gaveUp(id, to, attempts) {
      stats.gaveUp++;
      emit({ type: 'give_up', channel: name, at: clock.now(), id, to, attempts });
      const tracker = trackers.get(id);
      if (!tracker) return;
      // Losing the sequencer hop loses the message for every consumer.
      const lostFor = total && to === sequencerNode ? [...tracker.waiting] : [to];
      for (const node of lostFor) account(tracker, node, 'gaveUp');
    },
  };
  if (options.onError) hooks.error = options.onError;

  const link = (channel: string, buffer: BufferKind) =>
    createLink({
      channel,
      transport,
      clock,
      random,
      delivery,
      buffer,
      retry,
      dedupWindow,
      gapTimeoutMs,
      hooks,
    });

  // Total order: publishers -> sequencer in causal order, sequencer -> consumers in its numbering.
  const delivering = link(name, total ? 'fifo' : bufferFor[ordering as Exclude<Ordering, 'total'>]);
  const toSequencer = total ? link(`${name}#to-sequencer`, 'causal') : undefined;
  const sequencer = createSequencer({ memory: dedupWindow });
  const ready: Promise<unknown> = toSequencer
    ? toSequencer.attach(sequencerNode, {
        async handle(item) {
          const position = sequencer.assign(item.id);
          const recipients = trackers.get(item.id)?.recipients ?? consumers();
          const relayed: LinkMessage = { ...withoutTransmission(item), seq: position };
          await delivering.send(sequencerNode, recipients, relayed);
        },
      })
    : Promise.resolve();
  ready.catch(() => undefined); // surfaced by publish and subscribe, which await it

  const endpoint = (consumer: string, handler: MessageHandler): LinkConsumer => ({
    skip: (item) => (withdrawn.has(item.id) ? 'withdrawn' : undefined),
    async handle(item) {
      nodeClocks.set(consumer, merge(clockOf(consumer), item.vc));
      const message = toDelivered(item);
      stats.delivered++;
      const event: ChannelEvent = {
        type: 'deliver',
        channel: name,
        at: clock.now(),
        id: item.id,
        from: message.from,
        to: consumer,
        seq: message.seq,
        vc: item.vc,
        attempt: item.attempt,
      };
      if (message.position !== undefined) event.position = message.position;
      emit(event);
      await handler(message);
    },
    settled(item, outcome) {
      if (outcome !== 'handled') emit({ type: 'skip', channel: name, at: clock.now(), id: item.id, to: consumer, reason: outcome });
      const tracker = trackers.get(item.id);
      if (tracker) account(tracker, consumer, outcome === 'handled' ? 'handledBy' : 'skippedBy');
    },
    crashed(item, error) {
      stats.crashes++;
      emit({ type: 'crash', channel: name, at: clock.now(), id: item.id, consumer, error: String(error) });
      // At most once, a crash mid-handling is the end of that message for this consumer.
      const tracker = trackers.get(item.id);
      if (tracker && delivery === 'at_most_once') account(tracker, consumer, 'lost');
    },
  });

  const toDelivered = (item: LinkItem): Delivered => {
    const message: Delivered = {
      id: item.id,
      channel: name,
      from: item.origin,
      seq: entry(item.vc, item.origin),
      vc: item.vc,
      payload: item.payload,
      attempt: item.attempt,
    };
    if (total) message.position = item.seq;
    if (item.idempotencyKey !== undefined) message.idempotencyKey = item.idempotencyKey;
    if (item.context !== undefined) message.context = item.context;
    return message;
  };

  // --- the endpoint -----------------------------------------------------------------------------

  /**
   * Takes a unit of capacity, or applies the back-pressure policy. Synchronous except for
   * `block`, so that between taking a slot and registering its message no other publish runs:
   * every slot in use then belongs to a registered message, which drop_oldest relies on.
   */
  const takeSlot = (from: string): boolean | Promise<boolean> => {
    if (!slots || slots.tryAcquire()) return true;
    switch (backpressure) {
      case 'reject':
        stats.rejected++;
        emit({ type: 'overflow', channel: name, at: clock.now(), policy: 'reject', from });
        throw new ChannelFullError(name, slots.capacity);
      case 'drop_newest':
        stats.dropped++;
        emit({ type: 'overflow', channel: name, at: clock.now(), policy: 'drop_newest', from });
        return false;
      case 'drop_oldest':
        while (!slots.tryAcquire()) {
          if (!withdrawOldest(from)) throw new Error(`channel '${name}': no message to withdraw at capacity`);
        }
        return true;
      case 'block':
        return slots.acquire().then(() => true);
    }
  };

  return {
    name,
    ordering,
    delivery,

    async publish(from, payload, meta = {}) {
      if (closed) throw new ChannelClosedError(name);
      await ready;
      const body = serialiseRoundTrip(payload); // refuse what a network could not carry, now
      const holdsSlot = slots !== undefined;
      const taken = takeSlot(from);
      if (taken instanceof Promise) {
        await taken; // blocked: the slot is ours once this resolves
        if (closed) {
          slots!.release();
          throw new ChannelClosedError(name);
        }
      } else if (!taken) {
        return { status: 'dropped' };
      }
      publishedAny = true;
      const vc = increment(clockOf(from), from);
      nodeClocks.set(from, vc);
      const context = typeof meta.context === 'function' ? meta.context() : meta.context;
      const seq = entry(vc, from);
      const id = `${from}#${seq}.${random.int(0, 0xffffff).toString(36)}`;
      const recipients = consumers();
      let resolve!: (settlement: Settlement) => void;
      const settled = new Promise<Settlement>((r) => (resolve = r));
      const tracker: Tracker = {
        id,
        recipients,
        waiting: new Set(recipients),
        settlement: { id, handledBy: [], skippedBy: [], gaveUp: [], lost: [] },
        resolve,
        holdsSlot,
      };
      trackers.set(id, tracker);
      stats.published++;
      emit({ type: 'publish', channel: name, at: clock.now(), id, from, seq, vc });
      if (recipients.length === 0) {
        finish(tracker);
        return { status: 'sent', id, seq, vc, settled };
      }
      if (delivery === 'at_most_once') {
        tracker.cancelLossTimer = clock.schedule(settleTimeoutMs, () => {
          for (const node of [...tracker.waiting]) account(tracker, node, 'lost');
        });
      }
      const message: LinkMessage = { id, seq, vc, origin: from, payload: body };
      if (meta.idempotencyKey !== undefined) message.idempotencyKey = meta.idempotencyKey;
      if (context !== undefined) message.context = context;
      if (toSequencer) await toSequencer.send(from, [sequencerNode], message);
      else await delivering.send(from, recipients, message);
      return { status: 'sent', id, seq, vc, settled };
    },

    async subscribe(consumer, handler) {
      if (closed) throw new ChannelClosedError(name);
      if (handlers.has(consumer)) throw new Error(`'${consumer}' is already subscribed to channel '${name}'`);
      if (declared && !declared.includes(consumer)) {
        throw new Error(`'${consumer}' is not a declared consumer of channel '${name}' (${declared.join(', ')})`);
      }
      if (!declared && ordering !== 'unordered' && publishedAny) {
        throw new Error(`channel '${name}' is ${ordering}: declare its consumers, or subscribe before the first publish`);
      }
      handlers.set(consumer, handler);
      await ready;
      const subscription = await delivering.attach(consumer, endpoint(consumer, handler));
      return {
        async close() {
          if (handlers.get(consumer) === handler) handlers.delete(consumer);
          await subscription.close();
        },
      };
    },

    clockOf,

    idle() {
      if (trackers.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    stats: () => ({ ...stats, inFlight: trackers.size, occupied: slots ? slots.inUse : trackers.size }),

    async close() {
      if (closed) return;
      closed = true;
      slots?.rejectWaiters(new ChannelClosedError(name));
      await toSequencer?.close();
      await delivering.close();
      for (const tracker of [...trackers.values()]) {
        for (const node of [...tracker.waiting]) account(tracker, node, 'lost');
      }
    },
  };
}

function withoutTransmission(item: LinkItem): LinkMessage {
  const message: LinkMessage = { id: item.id, seq: item.seq, vc: item.vc, origin: item.origin, payload: item.payload };
  if (item.idempotencyKey !== undefined) message.idempotencyKey = item.idempotencyKey;
  if (item.context !== undefined) message.context = item.context;
  return message;
}
