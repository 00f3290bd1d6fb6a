export type { Ack, Envelope, JsonValue } from './envelope.js';
export { serialiseRoundTrip } from './envelope.js';
export type { AckHandler, EnvelopeHandler, SubscribeOptions, Subscription, Transport } from './transport.js';
export { TransportClosedError } from './transport.js';
export { createMemoryTransport, type MemoryTransport, type MemoryTransportOptions } from './memory.js';
export {
  createAdversarialNetwork,
  type AdversarialNetwork,
  type AdversarialNetworkOptions,
  type NetworkFaults,
  type NetworkStats,
} from './adversarial.js';
