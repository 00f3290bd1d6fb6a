/**
 * What the checkers read from a definition and a recorded trace: which guarantee each consumer of
 * each channel relies on (declared by the channel, raised by the consumer's `requires`), and the
 * trace's sends and deliveries indexed by message. Kept apart from the checkers so that every
 * checker judges the same facts.
 */
import { deliveries, orderings, type Delivery, type Ordering, type TeamDefinition } from '../definition.js';
import type { TeamTraceEvent } from '../team.js';
import type { TraceEventOf } from '../trace.js';
import type { VectorClock } from '../vector-clock.js';

export type Trace = readonly TeamTraceEvent[];
export type AnyDefinition = TeamDefinition<unknown, unknown>;

/** One consumer of one channel, and what it relies on. */
export interface ConsumerRequirement {
  channel: string;
  consumer: string;
  /** What the channel declares. */
  declared: { ordering: Ordering; delivery: Delivery };
  /** The order this consumer relies on: the channel's, or higher when its take `requires` more. */
  ordering: Ordering;
  /** Every message must reach this consumer: the channel is reliable, or the consumer cannot do without. */
  needsEvery: boolean;
  /** Why `needsEvery` holds for an at-most-once channel (the team output the consumer leads to). */
  neededFor?: string;
}

/** Agents that only stand in for others never consume a channel on their own (as in the runner). */
export function helperAgents(definition: AnyDefinition): Set<string> {
  const helpers = new Set<string>();
  for (const agent of definition.agents) {
    for (const name of agent.policy.fallback ?? []) helpers.add(name);
    if (agent.policy.validator) helpers.add(agent.policy.validator);
  }
  for (const graph of definition.work) if (graph.assign.lead) helpers.add(graph.assign.lead);
  return helpers;
}

export function atLeast<T extends string>(lattice: readonly T[], value: T, floor: T): boolean {
  return lattice.indexOf(value) >= lattice.indexOf(floor);
}

function higher<T extends string>(lattice: readonly T[], a: T, b: T | undefined): T {
  return b !== undefined && lattice.indexOf(b) > lattice.indexOf(a) ? b : a;
}

export function consumerRequirements(definition: AnyDefinition): ConsumerRequirement[] {
  const helpers = helperAgents(definition);
  const channels = new Map(definition.channels.map((c) => [c.name, c]));
  const toOutput = agentsLeadingToOutputs(definition);
  const result: ConsumerRequirement[] = [];
  for (const agent of definition.agents) {
    if (helpers.has(agent.name)) continue;
    for (const take of agent.takes) {
      if (take.from !== 'channel') continue;
      const channel = channels.get(take.source);
      if (!channel) continue;
      const reliable = atLeast(deliveries, channel.delivery, 'at_least_once');
      const output = toOutput.get(agent.name);
      // An at-most-once channel may lose messages; that only matters to a consumer that takes it
      // as required (not `ch?`) on the way to a team output — the design relies on every message.
      const needed = !take.optional && output !== undefined;
      result.push({
        channel: channel.name,
        consumer: agent.name,
        declared: { ordering: channel.ordering, delivery: channel.delivery },
        ordering: higher(orderings, channel.ordering, take.requires),
        needsEvery: reliable || needed,
        ...(!reliable && needed ? { neededFor: output } : {}),
      });
    }
  }
  return result;
}

/**
 * Agent → a team output it leads to: it produces the output (directly, as the voters of its
 * consensus, or as the workers of its work graph), or it emits on a channel / writes a store that
 * an agent leading to an output takes / reads.
 */
export function agentsLeadingToOutputs(definition: AnyDefinition): Map<string, string> {
  const leads = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const vote of definition.consensus) owner.set(vote.name, vote.over);
  for (const graph of definition.work) owner.set(graph.name, graph.by);
  for (const output of definition.outputs) {
    const agent = owner.get(output.from) ?? output.from;
    if (!leads.has(agent)) leads.set(agent, output.name);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const agent of definition.agents) {
      if (leads.has(agent.name)) continue;
      for (const consumer of definition.agents) {
        const output = leads.get(consumer.name);
        if (output === undefined) continue;
        const feeds =
          agent.emits.some((e) => consumer.takes.some((t) => t.from === 'channel' && t.source === e.channel)) ||
          agent.writes.some((store) => consumer.reads.some((r) => r.store === store));
        if (feeds) {
          leads.set(agent.name, output);
          changed = true;
          break;
        }
      }
    }
  }
  return leads;
}

// ---------------------------------------------------------------------------------------------
// Messages in a trace

export type SendEvent = TraceEventOf<'send'>;
export type DeliverEvent = TraceEventOf<'deliver'>;

export interface Indexed<E> {
  index: number;
  event: E;
}

export interface MessageIndex {
  /** First publish of each message id (redeliveries by the transport are not publishes). */
  sends: Map<string, Indexed<SendEvent>>;
  /** Publishes per channel, in trace order. */
  sendsByChannel: Map<string, Array<Indexed<SendEvent>>>;
  /** Deliveries per `channel → consumer`, in trace order. */
  deliveries: Map<string, Array<Indexed<DeliverEvent>>>;
}

export const pairKey = (channel: string, consumer: string) => `${channel}→${consumer}`;

export function indexMessages(trace: Trace): MessageIndex {
  const sends = new Map<string, Indexed<SendEvent>>();
  const sendsByChannel = new Map<string, Array<Indexed<SendEvent>>>();
  const deliveriesByPair = new Map<string, Array<Indexed<DeliverEvent>>>();
  trace.forEach((event, index) => {
    if (event.kind === 'send') {
      // A transport redelivery names its target (`to`) and its attempt; a publish does neither.
      if (event.to !== undefined || sends.has(event.message)) return;
      const item = { index, event };
      sends.set(event.message, item);
      push(sendsByChannel, event.channel, item);
    } else if (event.kind === 'deliver') {
      push(deliveriesByPair, pairKey(event.channel, event.agent), { index, event });
    }
  });
  return { sends, sendsByChannel, deliveries: deliveriesByPair };
}

/** A message's vector clock: on its delivery, else on its publish. */
export function clockOf(index: MessageIndex, delivery: DeliverEvent): VectorClock | undefined {
  return delivery.vc ?? index.sends.get(delivery.message)?.event.vc;
}

/** The run's end, and whether it reached quiescence (every message settled at every consumer). */
export function runOutcome(trace: Trace): { index: number; settled: boolean; outcome: string } | undefined {
  for (let i = trace.length - 1; i >= 0; i--) {
    const event = trace[i]!;
    if (event.kind !== 'run-end') continue;
    const kind = event.outcome === 'ok' ? 'ok' : (event.error?.name ?? 'failed');
    // `incomplete` is declared only once the run went quiet; every other failure stops it mid-flight.
    return { index: i, settled: kind === 'ok' || kind === 'incomplete', outcome: kind };
  }
  return undefined;
}

export function runStart(trace: Trace): Indexed<TraceEventOf<'run-start'>> | undefined {
  const index = trace.findIndex((e) => e.kind === 'run-start');
  return index < 0 ? undefined : { index, event: trace[index] as TraceEventOf<'run-start'> };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
