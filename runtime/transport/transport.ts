/**
 * The transport interface: moves envelopes between named nodes. Shaped after Redis Streams with
 * consumer groups so a networked implementation fits without changing the layers above:
 * `send` ~ XADD, `subscribe` ~ XREADGROUP by one consumer group per node, `ack` ~ XACK (the
 * transport remembers who sent each pending envelope, like the pending-entries list), and
 * `onAck` is how a sender learns of acknowledgements (a reply stream in Redis). All async.
 *
 * A transport promises nothing about reliability or order: the delivery and ordering layers
 * above make the guarantees, and are tested against an adversarial network that breaks both.
 */
import type { Ack, Envelope } from './envelope.js';

export type EnvelopeHandler = (envelope: Envelope) => void | Promise<void>;
export type AckHandler = (ack: Ack) => void | Promise<void>;

export interface SubscribeOptions {
  /** Like XREADGROUP NOACK: the receiver will never acknowledge, so keep no pending entries. */
  noAck?: boolean;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface Transport {
  /** Sends one envelope: to `envelope.to`, or to every node subscribed to its channel. */
  send(envelope: Envelope): Promise<void>;
  /**
   * Receives envelopes on `channel` as `node`. Envelopes addressed to a node before it subscribes
   * wait for it (a stream keeps them), so a consumer declared up front misses nothing.
   */
  subscribe(node: string, channel: string, handler: EnvelopeHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Acknowledges an envelope `node` received; the sender is told through `onAck`. */
  ack(node: string, channel: string, id: string): Promise<void>;
  /** Receives the acknowledgements of envelopes `node` sent on `channel`. */
  onAck(node: string, channel: string, handler: AckHandler): Promise<Subscription>;
  close(): Promise<void>;
}

export class TransportClosedError extends Error {
  constructor() {
    super('transport is closed');
    this.name = 'TransportClosedError';
  }
}
