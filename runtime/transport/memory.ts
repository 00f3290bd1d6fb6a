/**
 * The embedded transport: envelopes move between nodes in one process. Every delivery is
 * scheduled on the clock (never a synchronous call back into the sender), and every receiver gets
 * its own JSON-deserialised copy. Per (channel, sender, receiver) it is FIFO and lossless; the
 * adversarial network wraps it to take both away.
 */
import type { Clock } from '../clock.js';
import { serialiseRoundTrip, type Ack, type Envelope } from './envelope.js';
import {
  TransportClosedError,
  type AckHandler,
  type EnvelopeHandler,
  type SubscribeOptions,
  type Subscription,
  type Transport,
} from './transport.js';

export interface MemoryTransportOptions {
  clock: Clock;
  /** Where errors thrown by handlers go; by default they are rethrown from the clock's timer. */
  onError?: (error: unknown) => void;
}

export interface MemoryTransport extends Transport {
  /** Envelopes delivered and not yet acknowledged (the pending-entries list), for inspection. */
  pendingCount(): number;
}

interface Receiver {
  handler: EnvelopeHandler;
  noAck: boolean;
}

const key = (...parts: string[]) => parts.join('\u0000');

export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const { clock } = options;
  const report =
    options.onError ??
    ((error: unknown) => {
      throw error;
    });
  const receivers = new Map<string, Map<string, Receiver>>(); // channel -> node -> receiver
  const inboxes = new Map<string, Envelope[]>(); // (channel, node) -> envelopes addressed before subscribing
  const pending = new Map<string, string>(); // (channel, node, id) -> sender: the pending-entries list
  const ackHandlers = new Map<string, AckHandler>(); // (channel, node) -> handler
  const timers = new Set<() => void>();
  let closed = false;

  const later = (fn: () => void) => {
    const cancel = clock.schedule(0, () => {
      timers.delete(cancel);
      fn();
    });
    timers.add(cancel);
  };

  const invoke = <T>(handler: (value: T) => void | Promise<void>, value: T) => {
    try {
      const result = handler(value);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  };

  const deliver = (node: string, envelope: Envelope) => {
    later(() => {
      if (closed) return;
      const receiver = receivers.get(envelope.channel)?.get(node);
      if (!receiver) {
        // The node unsubscribed meanwhile: an addressed envelope waits for it, a broadcast is gone.
        if (envelope.to !== undefined) enqueue(node, envelope);
        return;
      }
      if (!receiver.noAck) pending.set(key(envelope.channel, node, envelope.id), envelope.from);
      invoke(receiver.handler, envelope);
    });
  };

  const enqueue = (node: string, envelope: Envelope) => {
    const inboxKey = key(envelope.channel, node);
    const inbox = inboxes.get(inboxKey) ?? [];
    inbox.push(envelope);
    inboxes.set(inboxKey, inbox);
  };

  const assertOpen = () => {
    if (closed) throw new TransportClosedError();
  };

  return {
    async send(envelope) {
      assertOpen();
      const copy = serialiseRoundTrip(envelope);
      if (copy.to !== undefined) {
        if (receivers.get(copy.channel)?.has(copy.to)) deliver(copy.to, copy);
        else enqueue(copy.to, copy);
        return;
      }
      for (const node of receivers.get(copy.channel)?.keys() ?? []) deliver(node, serialiseRoundTrip(copy));
    },

    async subscribe(node, channel, handler, subscribeOptions = {}) {
      assertOpen();
      const byNode = receivers.get(channel) ?? new Map<string, Receiver>();
      if (byNode.has(node)) throw new Error(`node '${node}' is already subscribed to '${channel}'`);
      const receiver: Receiver = { handler, noAck: subscribeOptions.noAck ?? false };
      byNode.set(node, receiver);
      receivers.set(channel, byNode);
      const inboxKey = key(channel, node);
      const waiting = inboxes.get(inboxKey) ?? [];
      inboxes.delete(inboxKey);
      for (const envelope of waiting) deliver(node, envelope);
      return {
        async close() {
          if (receivers.get(channel)?.get(node) === receiver) receivers.get(channel)!.delete(node);
        },
      };
    },

    async ack(node, channel, id) {
      assertOpen();
      const entryKey = key(channel, node, id);
      const sender = pending.get(entryKey);
      if (sender === undefined) return; // already acknowledged, or never delivered: XACK of nothing
      pending.delete(entryKey);
      const ack: Ack = { channel, id, by: node, to: sender };
      later(() => {
        const handler = ackHandlers.get(key(channel, sender));
        if (!closed && handler) invoke(handler, ack);
      });
    },

    async onAck(node, channel, handler) {
      assertOpen();
      const handlerKey = key(channel, node);
      if (ackHandlers.has(handlerKey)) throw new Error(`node '${node}' already listens for acks on '${channel}'`);
      ackHandlers.set(handlerKey, handler);
      return {
        async close() {
          if (ackHandlers.get(handlerKey) === handler) ackHandlers.delete(handlerKey);
        },
      };
    },

    async close() {
      closed = true;
      for (const cancel of timers) cancel();
      timers.clear();
      receivers.clear();
      inboxes.clear();
      pending.clear();
      ackHandlers.clear();
    },

    pendingCount: () => pending.size,
  };
}
