/**
 * One hop of a channel: the sending half (transmit, and for the reliable guarantees, redeliver
 * with back-off until acknowledged) and the receiving half (de-duplicate, reorder, hand items to a
 * consumer one at a time, acknowledge). A channel is one link, or two for a total order.
 *
 * Delivery guarantees, as implemented here:
 * - at_most_once: sent once; the receiver settles a message *before* handling it and drops every
 *   later copy, so a network duplicate or a crash mid-handling never leads to a second handling.
 * - at_least_once: the receiver acknowledges *after* handling; the sender redelivers until it
 *   sees the acknowledgement or runs out of attempts (then reports a give-up). Duplicates reach
 *   the consumer (unless an ordering buffer already discards them by position).
 * - exactly_once: at-least-once plus a bounded de-duplicator (see dedup.ts) that settles a
 *   message only once its handling succeeded, and re-acknowledges duplicates without handling.
 *
 * Acknowledging after handling means a message held in a reorder buffer is redelivered until its
 * turn comes: wasteful in traffic, but a consumer crash can never lose an acknowledged message.
 */
import type { Delivery } from '../definition.js';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { createReorderBuffer, type BufferKind, type OrderedItem } from '../ordering/buffer.js';
import type { Envelope, JsonValue } from '../transport/envelope.js';
import type { Subscription, Transport } from '../transport/transport.js';
import type { VectorClock } from '../vector-clock.js';
import { Deduplicator } from './dedup.js';
import { backoffDelay, type RetryPolicy } from './retry.js';

/** What a link carries, as its receiving half sees it. */
export interface LinkItem extends OrderedItem {
  /** The original publisher (differs from `sender` when a sequencer relays). */
  origin: string;
  payload: JsonValue;
  idempotencyKey?: string;
  /** The publisher's metadata, outside the payload (see `PublishMeta.context`). */
  context?: JsonValue;
  /** The transmission that arrived first (1 = no redelivery was needed). */
  attempt: number;
}

export type LinkMessage = Omit<LinkItem, 'sender' | 'attempt'>;

export type SkipReason = 'withdrawn' | 'duplicate';

/** The consuming node's side of a link. */
export interface LinkConsumer {
  /** A reason to settle the item without handling it, or undefined to handle it. */
  skip?(item: LinkItem): SkipReason | undefined;
  /** Handles one item; throwing or rejecting is a crash of the consumer. */
  handle(item: LinkItem): void | Promise<void>;
  settled?(item: LinkItem, outcome: 'handled' | SkipReason): void;
  crashed?(item: LinkItem, error: unknown): void;
}

export interface LinkHooks {
  redelivered?(id: string, to: string, attempt: number): void;
  /** `to` (a sender of this link) accepted `by`'s acknowledgement of `id`. */
  acknowledged?(id: string, by: string, to: string): void;
  gaveUp?(id: string, to: string, attempts: number): void;
  error?(error: unknown): void;
}

export interface LinkOptions {
  /** The transport channel (stream) this hop uses. */
  channel: string;
  transport: Transport;
  clock: Clock;
  random: Random;
  delivery: Delivery;
  buffer: BufferKind;
  retry: RetryPolicy;
  dedupWindow: number;
  /** At-most-once ordered links: how long a gap may hold later messages before it is skipped. */
  gapTimeoutMs: number;
  hooks?: LinkHooks;
}

export interface Link {
  send(from: string, recipients: readonly string[], message: LinkMessage): Promise<void>;
  attach(node: string, consumer: LinkConsumer): Promise<Subscription>;
  close(): Promise<void>;
}

interface Outgoing {
  envelope: Envelope;
  cancel: () => void;
}

export function createLink(options: LinkOptions): Link {
  const { channel, transport, clock, retry, delivery, hooks = {} } = options;
  const random = options.random.fork(`link:${channel}`);
  const reliable = delivery !== 'at_most_once';
  const pending = new Map<string, Outgoing>(); // (id, recipient) -> unacknowledged transmission
  const ackListeners = new Map<string, Promise<Subscription>>(); // sender -> listener
  const subscriptions = new Set<Subscription>();
  const closers = new Set<() => void>();
  let closed = false;

  const report = (error: unknown) => {
    if (hooks.error) hooks.error(error);
    else throw error;
  };

  const pendingKey = (id: string, to: string) => `${id}\u0000${to}`;

  const listenForAcks = (from: string) => {
    let listener = ackListeners.get(from);
    if (!listener) {
      listener = transport.onAck(from, channel, (ack) => {
        const key = pendingKey(ack.id, ack.by);
        const outgoing = pending.get(key);
        if (!outgoing) return; // a duplicate or late acknowledgement
        outgoing.cancel();
        pending.delete(key);
        hooks.acknowledged?.(ack.id, ack.by, from);
      });
      ackListeners.set(from, listener);
    }
    return listener;
  };

  /** A timer that `close` can cancel. */
  const timer = (ms: number, fn: () => void) => {
    const cancelTimer = clock.schedule(ms, () => {
      closers.delete(cancel);
      fn();
    });
    const cancel = () => {
      closers.delete(cancel);
      cancelTimer();
    };
    closers.add(cancel);
    return cancel;
  };

  const scheduleRedelivery = (key: string, envelope: Envelope) =>
    timer(backoffDelay(retry, envelope.attempt, random), () => {
      const outgoing = pending.get(key);
      if (closed || !outgoing || outgoing.envelope !== envelope) return;
      if (envelope.attempt >= retry.maxAttempts) {
        pending.delete(key);
        hooks.gaveUp?.(envelope.id, envelope.to!, envelope.attempt);
        return;
      }
      const next: Envelope = { ...envelope, attempt: envelope.attempt + 1, sentAt: clock.now() };
      track(key, next);
      hooks.redelivered?.(next.id, next.to!, next.attempt);
      transport.send(next).catch(report);
    });

  const track = (key: string, envelope: Envelope) => {
    pending.get(key)?.cancel();
    pending.set(key, { envelope, cancel: scheduleRedelivery(key, envelope) });
  };

  const send: Link['send'] = async (from, recipients, message) => {
    if (closed) throw new Error(`link '${channel}' is closed`);
    if (reliable) await listenForAcks(from);
    for (const to of recipients) {
      const envelope: Envelope = {
        id: message.id,
        channel,
        from,
        to,
        seq: message.seq,
        vc: message.vc,
        payload: message.payload,
        attempt: 1,
        sentAt: clock.now(),
      };
      if (message.origin !== from) envelope.origin = message.origin;
      if (message.idempotencyKey !== undefined) envelope.idempotencyKey = message.idempotencyKey;
      if (message.context !== undefined) envelope.context = message.context;
      if (reliable) track(pendingKey(message.id, to), envelope);
      await transport.send(envelope);
    }
  };

  const attach: Link['attach'] = async (node, consumer) => {
    const receiver = createReceiver(node, consumer);
    const subscription = await transport.subscribe(node, channel, receiver.receive, { noAck: !reliable });
    const handle: Subscription = {
      async close() {
        receiver.stop();
        subscriptions.delete(handle);
        await subscription.close();
      },
    };
    subscriptions.add(handle);
    return handle;
  };

  /** The receiving half for one node: de-duplicate, reorder, then a mailbox handled in order. */
  const createReceiver = (node: string, consumer: LinkConsumer) => {
    const buffer = createReorderBuffer<LinkItem>(options.buffer);
    const dedup = delivery === 'at_least_once' ? undefined : new Deduplicator(options.dedupWindow);
    const held = new Set<string>(); // ids in the buffer, the mailbox or being handled
    const mailbox: LinkItem[] = [];
    let running = false;
    let stopped = false;
    let cancelGapTimer: (() => void) | undefined;

    const acknowledge = (id: string) => {
      if (reliable) transport.ack(node, channel, id).catch(report);
    };

    const settleDurably = (item: LinkItem) => {
      dedup?.settle(item.sender, item.seq, item.idempotencyKey);
      buffer.commit(item);
    };

    const receive = (envelope: Envelope) => {
      if (stopped || closed) return;
      const item = toItem(envelope);
      if (held.has(item.id)) return; // its acknowledgement follows once it is handled
      const seen = dedup?.status(item.sender, item.seq) ?? 'new';
      if (seen === 'refused') return;
      if (seen === 'settled' || buffer.isCommitted(item)) {
        acknowledge(item.id); // the earlier acknowledgement may have been lost
        return;
      }
      held.add(item.id);
      mailbox.push(...buffer.offer(item, clock.now()));
      armGapTimer();
      void pump();
    };

    const pump = async () => {
      if (running) return;
      running = true;
      try {
        while (mailbox.length > 0 && !stopped && !closed) {
          const item = mailbox.shift()!;
          const duplicateKey =
            delivery === 'exactly_once' && item.idempotencyKey !== undefined && dedup!.hasKey(item.idempotencyKey);
          const skip: SkipReason | undefined = duplicateKey ? 'duplicate' : consumer.skip?.(item);
          // At most once: settle before handling, so nothing can bring the message back.
          if (delivery === 'at_most_once') settleDurably(item);
          if (skip === undefined) {
            try {
              await consumer.handle(item);
            } catch (error) {
              crash(item, error);
              return;
            }
          }
          if (delivery !== 'at_most_once') settleDurably(item);
          held.delete(item.id);
          // Settled (and reported) before it is acknowledged: an acknowledgement never precedes its cause.
          consumer.settled?.(item, skip ?? 'handled');
          acknowledge(item.id);
        }
      } finally {
        running = false;
      }
    };

    /** The consumer lost its volatile state: what is not committed will come again (if reliable). */
    const crash = (item: LinkItem, error: unknown) => {
      mailbox.length = 0;
      held.clear();
      buffer.reset();
      consumer.crashed?.(item, error);
    };

    const armGapTimer = () => {
      if (delivery !== 'at_most_once' || cancelGapTimer || buffer.held === 0) return;
      const oldest = buffer.oldestArrival()!;
      cancelGapTimer = timer(Math.max(1, oldest + options.gapTimeoutMs - clock.now()), () => {
        cancelGapTimer = undefined;
        if (stopped || closed) return;
        const { released, skipped } = buffer.skipGaps(clock.now() - options.gapTimeoutMs);
        for (const position of skipped) dedup?.settle(position.sender, position.seq);
        mailbox.push(...released);
        armGapTimer();
        void pump();
      });
    };

    return {
      receive,
      stop() {
        stopped = true;
        cancelGapTimer?.();
      },
    };
  };

  return {
    send,
    attach,
    async close() {
      closed = true;
      for (const cancel of [...closers]) cancel();
      for (const { cancel } of pending.values()) cancel();
      pending.clear();
      for (const subscription of [...subscriptions]) await subscription.close();
      for (const listener of ackListeners.values()) await (await listener).close();
      ackListeners.clear();
    },
  };
}

function toItem(envelope: Envelope): LinkItem {
  if (envelope.seq === undefined || envelope.vc === undefined) {
    throw new Error(`envelope ${envelope.id} on '${envelope.channel}' carries no sequence number or vector clock`);
  }
  const item: LinkItem = {
    id: envelope.id,
    sender: envelope.from,
    seq: envelope.seq,
    vc: envelope.vc as VectorClock,
    origin: envelope.origin ?? envelope.from,
    payload: envelope.payload,
    attempt: envelope.attempt,
  };
  if (envelope.idempotencyKey !== undefined) item.idempotencyKey = envelope.idempotencyKey;
  if (envelope.context !== undefined) item.context = envelope.context;
  return item;
}
