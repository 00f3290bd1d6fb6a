/**
 * What crosses the transport. Everything here is plain JSON so a networked transport (Redis
 * Streams) can carry it unchanged, and every copy handed to a receiver is a fresh deserialised
 * object, so no two nodes ever share a reference.
 */
import type { VectorClock } from '../vector-clock.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Envelope {
  /** The message id: the same on every retransmission and every duplicate of one message. */
  id: string;
  /** The transport channel (a stream name). */
  channel: string;
  /** The node that sent this copy; acknowledgements go back to it. */
  from: string;
  /** The addressed node; absent means every node subscribed to the channel. */
  to?: string;
  /** The sender's sequence number on this channel (1, 2, 3, ...). */
  seq?: number;
  /** The publisher's vector clock when it published (causal order, traces). */
  vc?: VectorClock;
  /** A Lamport timestamp, for protocols that order by one (the built-in ones do not need it). */
  lamport?: number;
  /** The original publisher when `from` only relays the message (the total-order sequencer). */
  origin?: string;
  payload: JsonValue;
  /** 1 for the first transmission, then 2, 3, ... for redeliveries. */
  attempt: number;
  /** The sender's clock when this copy was sent. */
  sentAt: number;
  idempotencyKey?: string;
  /** Metadata the publisher attaches outside the payload (the runner: its causal store context). */
  context?: JsonValue;
}

/** A receiver's acknowledgement of one envelope, routed back to the envelope's sender. */
export interface Ack {
  channel: string;
  id: string;
  /** The node that acknowledged. */
  by: string;
  /** The node the acknowledgement is for (the envelope's `from`). */
  to: string;
}

/**
 * A deep copy through JSON, exactly what a network would do: it fails loudly on values JSON
 * cannot carry (functions, cycles, bigint) instead of letting them leak through memory.
 */
export function serialiseRoundTrip<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('value is not serialisable as JSON');
  return JSON.parse(text) as T;
}
