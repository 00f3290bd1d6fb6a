/**
 * An adversarial network for simulation: it wraps the memory transport and, under a seed, drops,
 * duplicates, delays and reorders every envelope and every acknowledgement, independently per
 * receiver. It does everything an unreliable, unordered network may do and nothing more: it never
 * corrupts or invents messages. Nodes can also be isolated (a crash or a partition) and healed.
 */
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import { serialiseRoundTrip, type Envelope } from './envelope.js';
import { createMemoryTransport, type MemoryTransport } from './memory.js';
import type { EnvelopeHandler, SubscribeOptions, Subscription } from './transport.js';

export interface NetworkFaults {
  /** Probability that a copy may overtake earlier ones on its link (otherwise links stay FIFO). */
  reorder?: number;
  /** Probability that a copy is delivered twice (and, again, three times). */
  duplicate?: number;
  /** Probability that a copy (or an acknowledgement) is lost. */
  drop?: number;
  /** Latency of each copy, uniform in [min, max] milliseconds. */
  delayMs?: readonly [number, number];
}

export interface NetworkStats {
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Copies allowed to overtake earlier ones on their link. */
  reordered: number;
  acksDropped: number;
  /** Copies and acks lost because a node was isolated. */
  partitioned: number;
}

export interface AdversarialNetworkOptions {
  clock: Clock;
  random: Random;
  faults?: NetworkFaults;
  /** The transport to wrap; a fresh memory transport on `clock` by default. */
  inner?: MemoryTransport;
  /** Where errors thrown by handlers go; by default they are rethrown from the clock's timer. */
  onError?: (error: unknown) => void;
}

export interface AdversarialNetwork extends MemoryTransport {
  stats(): NetworkStats;
  setFaults(faults: NetworkFaults): void;
  /** Drops everything to and from `node` until it is healed (a crash or a partition). */
  isolate(node: string): void;
  heal(node: string): void;
}

export function createAdversarialNetwork(options: AdversarialNetworkOptions): AdversarialNetwork {
  const { clock } = options;
  const random = options.random.fork('network');
  const report =
    options.onError ??
    ((error: unknown) => {
      throw error;
    });
  const inner = options.inner ?? createMemoryTransport({ clock, onError: report });
  let faults = validate(options.faults ?? {});
  const isolated = new Set<string>();
  const linkClear = new Map<string, number>(); // link -> time its last in-order copy arrives
  const stats: NetworkStats = { delivered: 0, dropped: 0, duplicated: 0, reordered: 0, acksDropped: 0, partitioned: 0 };
  const timers = new Set<() => void>();

  const at = (ms: number, fn: () => void) => {
    const cancel = clock.schedule(ms, () => {
      timers.delete(cancel);
      fn();
    });
    timers.add(cancel);
  };

  const latency = () => random.int(faults.delayMs[0], faults.delayMs[1]);

  const copies = () => {
    let count = 1;
    while (count < 3 && random.chance(faults.duplicate)) count++;
    return count;
  };

  /** Faults one envelope on its way to `node`, then hands each surviving copy to `handler`. */
  const deliverFaulty = (node: string, envelope: Envelope, handler: EnvelopeHandler) => {
    if (isolated.has(node) || isolated.has(envelope.from)) {
      stats.partitioned++;
      return;
    }
    if (random.chance(faults.drop)) {
      stats.dropped++;
      return;
    }
    const count = copies();
    stats.duplicated += count - 1;
    const link = `${envelope.channel}\u0000${envelope.from}\u0000${node}`;
    for (let i = 0; i < count; i++) {
      const now = clock.now();
      let arrival = now + latency();
      if (random.chance(faults.reorder)) {
        stats.reordered++;
      } else {
        // In order on its link: never before the last in-order copy.
        arrival = Math.max(arrival, linkClear.get(link) ?? 0);
        linkClear.set(link, arrival);
      }
      const copy = i === 0 ? envelope : serialiseRoundTrip(envelope);
      at(arrival - now, () => {
        if (isolated.has(node)) {
          stats.partitioned++;
          return;
        }
        stats.delivered++;
        try {
          const result = handler(copy);
          if (result instanceof Promise) result.catch(report);
        } catch (error) {
          report(error);
        }
      });
    }
  };

  return {
    send: (envelope) => inner.send(envelope),

    subscribe(node, channel, handler, subscribeOptions?: SubscribeOptions): Promise<Subscription> {
      return inner.subscribe(node, channel, (envelope) => deliverFaulty(node, envelope, handler), subscribeOptions);
    },

    async ack(node, channel, id) {
      if (isolated.has(node)) {
        stats.partitioned++;
        return;
      }
      if (random.chance(faults.drop)) {
        stats.acksDropped++;
        return;
      }
      const count = copies();
      for (let i = 0; i < count; i++) at(latency(), () => void inner.ack(node, channel, id).catch(() => undefined));
    },

    onAck: (node, channel, handler) => inner.onAck(node, channel, handler),

    async close() {
      for (const cancel of timers) cancel();
      timers.clear();
      await inner.close();
    },

    pendingCount: () => inner.pendingCount(),
    stats: () => ({ ...stats }),
    setFaults(next) {
      faults = validate(next);
    },
    isolate: (node) => void isolated.add(node),
    heal: (node) => void isolated.delete(node),
  };
}

function validate(faults: NetworkFaults): Required<NetworkFaults> {
  const probability = (name: string, p: number | undefined) => {
    const value = p ?? 0;
    if (!(value >= 0 && value <= 1)) throw new RangeError(`network fault '${name}' must be a probability, got ${p}`);
    return value;
  };
  const [min, max] = faults.delayMs ?? [0, 0];
  if (!(min >= 0 && max >= min)) throw new RangeError(`network delay must be [min, max] with 0 <= min <= max`);
  return {
    reorder: probability('reorder', faults.reorder),
    duplicate: probability('duplicate', faults.duplicate),
    drop: probability('drop', faults.drop),
    delayMs: [min, max],
  };
}
