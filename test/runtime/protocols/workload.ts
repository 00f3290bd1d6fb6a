/**
 * A channel workload for the delivery and ordering tests: publishers send numbered messages at
 * random times; consumers handle them, sometimes crash (a handler that throws has had no effect),
 * and sometimes reply on the same channel, which creates causal chains. Everything random comes
 * from the seed, so a failing seed replays exactly.
 */
import type { Delivery as DeliveryGuarantee, Ordering } from '../../../runtime/definition.js';
import { createChannel, type ChannelEvent, type ChannelStats, type RetryPolicy, type Settlement } from '../../../runtime/delivery/index.js';
import type { NetworkFaults, NetworkStats } from '../../../runtime/transport/index.js';
import { hostileFaults, simulation, type Delivery, type Published } from './helpers.js';

export interface WorkloadOptions {
  seed: number;
  ordering: Ordering;
  delivery: DeliveryGuarantee;
  faults?: NetworkFaults;
  publishers?: string[];
  consumers?: string[];
  messagesPerPublisher?: number;
  /** Chance that a consumer replies to a message it handled (bounded by maxReplies). */
  replyChance?: number;
  maxReplies?: number;
  /** Chance that a handler crashes before its effect. */
  crashChance?: number;
  retry?: Partial<RetryPolicy>;
}

export interface WorkloadResult {
  published: Published[];
  /** Every handler invocation, crashed ones included, in order. */
  deliveries: Delivery[];
  /** Per consumer, how many times each message's effect was applied. */
  effects: Map<string, Map<string, number>>;
  /** (id, consumer) pairs whose acknowledgement reached the sender. */
  acknowledged: Set<string>;
  settlements: Settlement[];
  events: ChannelEvent[];
  stats: ChannelStats;
  network: NetworkStats;
}

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const { clock, random, net } = simulation(options.seed, options.faults ?? hostileFaults);
  const decide = random.fork('workload');
  const publishers = options.publishers ?? ['p1', 'p2'];
  const consumers = options.consumers ?? ['c1', 'c2', 'c3'];
  const events: ChannelEvent[] = [];
  const channel = createChannel({
    name: 'ch',
    ordering: options.ordering,
    delivery: options.delivery,
    transport: net,
    clock,
    random,
    consumers,
    ...(options.retry ? { retry: options.retry } : {}),
    onEvent: (event) => void events.push(event),
  });
  const published: Published[] = [];
  const deliveries: Delivery[] = [];
  const effects = new Map(consumers.map((c) => [c, new Map<string, number>()]));
  const settled: Array<Promise<Settlement>> = [];
  let replies = 0;

  const publish = async (from: string, payload: { n: number } | { re: string }) => {
    const result = await channel.publish(from, payload);
    if (result.status !== 'sent') throw new Error('unbounded channel dropped a message');
    published.push({ id: result.id, from, vc: result.vc });
    settled.push(result.settled);
  };

  await clock.run(async () => {
    for (const consumer of consumers) {
      await channel.subscribe(consumer, async (message) => {
        const delivery: Delivery = { consumer, id: message.id, from: message.from, seq: message.seq, vc: message.vc };
        deliveries.push(delivery);
        if (decide.chance(options.crashChance ?? 0)) {
          delivery.crashed = true;
          throw new Error(`${consumer} crashed`);
        }
        const applied = effects.get(consumer)!;
        applied.set(message.id, (applied.get(message.id) ?? 0) + 1);
        if (replies < (options.maxReplies ?? 0) && decide.chance(options.replyChance ?? 0)) {
          replies++;
          await publish(consumer, { re: message.id });
        }
      });
    }
    await Promise.all(
      publishers.map(async (publisher) => {
        for (let n = 1; n <= (options.messagesPerPublisher ?? 8); n++) {
          await clock.sleep(decide.int(0, 30));
          await publish(publisher, { n });
        }
      }),
    );
    await channel.idle();
  });
  const settlements = await Promise.all(settled);
  const acknowledged = new Set(
    events.flatMap((event) => (event.type === 'acknowledged' && consumers.includes(event.by) ? [`${event.id} ${event.by}`] : [])),
  );
  const result = { published, deliveries, effects, acknowledged, settlements, events, stats: channel.stats(), network: net.stats() };
  await channel.close();
  await net.close();
  return result;
}

/** Messages (id, consumer) the sender gave up on. */
export function gaveUp(result: WorkloadResult): Set<string> {
  return new Set(result.settlements.flatMap((s) => s.gaveUp.map((c) => `${s.id} ${c}`)));
}
