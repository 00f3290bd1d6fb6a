/**
 * Order checkers. Each judges, per consumer of a channel, the order in which the runner handed
 * messages over (`deliver` events, in trace order), against the order that consumer relies on:
 *
 * - FIFO: messages of one sender arrive in the order it sent them (sequence numbers);
 * - causal: a message never arrives after one that happened after it (vector clocks);
 * - total: every consumer of a total channel is handed messages in the sequencer's numbering —
 *   positions strictly increasing, each message at one position and each position one message,
 *   the same at every consumer — and, for deliveries without positions (a consumer requiring a
 *   total order of a channel that has no sequencer), every two consumers see the messages they
 *   share in one order.
 *
 * Only the relative order of delivered messages is judged: a message that never arrives is the
 * delivery checkers' business (an at-most-once channel may lose one; order is about the rest).
 */
import { orderings } from '../../definition.js';
import { happenedBefore, formatClock } from '../../vector-clock.js';
import {
  atLeast,
  clockOf,
  consumerRequirements,
  indexMessages,
  pairKey,
  type AnyDefinition,
  type ConsumerRequirement,
  type DeliverEvent,
  type Indexed,
  type MessageIndex,
  type Trace,
} from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

function relying(definition: AnyDefinition, floor: 'fifo' | 'causal' | 'total'): ConsumerRequirement[] {
  return consumerRequirements(definition).filter((r) => atLeast(orderings, r.ordering, floor));
}

function because(requirement: ConsumerRequirement): string {
  return requirement.declared.ordering === requirement.ordering
    ? `channel ${requirement.channel} is ${requirement.declared.ordering}`
    : `${requirement.consumer} requires ${requirement.ordering} of ${requirement.declared.ordering} channel ${requirement.channel}`;
}

/** The publish of a delivered message (when the trace has it) and the delivery itself. */
function witness(index: MessageIndex, delivery: Indexed<DeliverEvent>): number[] {
  const send = index.sends.get(delivery.event.message);
  return send ? [send.index, delivery.index] : [delivery.index];
}

const label = (event: DeliverEvent) => `${event.from}'s #${event.seq ?? '?'} (${event.message})`;

export const fifoChecker: Checker = {
  kind: 'fifo',
  guarantee: 'messages from one sender reach each consumer in the order they were sent',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexMessages(trace);
    const found: Violation[] = [];
    for (const requirement of relying(definition, 'fifo')) {
      const subject = pairKey(requirement.channel, requirement.consumer);
      const highest = new Map<string, Indexed<DeliverEvent>>(); // sender -> delivery with the highest seq so far
      for (const delivery of index.deliveries.get(subject) ?? []) {
        const { from, seq } = delivery.event;
        if (seq === undefined) continue;
        const top = highest.get(from);
        if (top && seq < top.event.seq!) {
          found.push(
            violation(
              'fifo',
              subject,
              `${requirement.consumer} was handed ${label(delivery.event)} after ${label(top.event)} (${because(requirement)})`,
              [...witness(index, top), ...witness(index, delivery)],
            ),
          );
          break; // one counterexample per consumer is enough
        }
        if (!top || seq > top.event.seq!) highest.set(from, delivery);
      }
    }
    return found;
  },
};

export const causalChecker: Checker = {
  kind: 'causal',
  guarantee: 'no consumer of a causal channel is handed a message before one that happened-before it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexMessages(trace);
    const found: Violation[] = [];
    for (const requirement of relying(definition, 'causal')) {
      const subject = pairKey(requirement.channel, requirement.consumer);
      const delivered = index.deliveries.get(subject) ?? [];
      search: for (let later = 1; later < delivered.length; later++) {
        const after = delivered[later]!;
        const afterClock = clockOf(index, after.event);
        if (!afterClock) continue;
        for (let earlier = 0; earlier < later; earlier++) {
          const before = delivered[earlier]!;
          const beforeClock = clockOf(index, before.event);
          // `after` was handed over second, yet it happened before `before`: causality inverted.
          if (!beforeClock || !happenedBefore(afterClock, beforeClock)) continue;
          found.push(
            violation(
              'causal',
              subject,
              `${requirement.consumer} was handed ${label(before.event)} ${formatClock(beforeClock)} before ${label(after.event)} ${formatClock(afterClock)}, which happened before it (${because(requirement)})`,
              [...witness(index, before), ...witness(index, after)],
            ),
          );
          break search;
        }
      }
    }
    return found;
  },
};

export const totalOrderChecker: Checker = {
  kind: 'total',
  guarantee: 'all consumers of a total channel are handed its messages in one order: the sequencer\'s positions, increasing',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexMessages(trace);
    const byChannel = new Map<string, ConsumerRequirement[]>();
    for (const requirement of relying(definition, 'total')) byChannel.set(requirement.channel, [...(byChannel.get(requirement.channel) ?? []), requirement]);
    const found: Violation[] = [];
    for (const [channel, consumers] of byChannel) {
      const why = `channel ${channel} is ${consumers[0]!.declared.ordering === 'total' ? 'total' : `required total by ${consumers.map((c) => c.consumer).join(', ')}`}`;
      // Each consumer's order: the first delivery of each message.
      const orders = consumers.map((requirement) => {
        const seen = new Map<string, Indexed<DeliverEvent>>();
        for (const delivery of index.deliveries.get(pairKey(channel, requirement.consumer)) ?? []) {
          if (!seen.has(delivery.event.message)) seen.set(delivery.event.message, delivery);
        }
        return { consumer: requirement.consumer, seen };
      });
      const misplaced = outOfPosition(orders, index);
      if (misplaced) {
        found.push(violation('total', channel, `${misplaced.message} (${why})`, misplaced.evidence));
        continue;
      }
      const conflict = firstConflict(orders);
      if (conflict) {
        const { a, b, x, y } = conflict;
        found.push(
          violation('total', channel, `${a.consumer} was handed ${x} before ${y}, but ${b.consumer} was handed ${y} before ${x} (${why})`, [
            a.seen.get(x)!.index,
            a.seen.get(y)!.index,
            b.seen.get(x)!.index,
            b.seen.get(y)!.index,
          ]),
        );
      }
    }
    return found;
  },
};

/**
 * The first delivery that breaks the sequencer's numbering: a position not above the consumer's
 * previous one, a message at another position than elsewhere, or a position another message holds.
 */
function outOfPosition(orders: Order[], index: MessageIndex): { message: string; evidence: number[] } | undefined {
  const placed = new Map<string, { consumer: string; delivery: Indexed<DeliverEvent> }>(); // message -> where first seen
  const holder = new Map<number, { consumer: string; delivery: Indexed<DeliverEvent> }>(); // position -> its message
  for (const { consumer, seen } of orders) {
    let previous: Indexed<DeliverEvent> | undefined;
    for (const delivery of seen.values()) {
      const { position, message } = delivery.event;
      if (position === undefined) continue;
      if (previous && position <= previous.event.position!) {
        return {
          message: `${consumer} was handed ${message} at position ${position} after ${previous.event.message} at position ${previous.event.position}`,
          evidence: [...witness(index, previous), ...witness(index, delivery)],
        };
      }
      previous = delivery;
      const elsewhere = placed.get(message);
      if (elsewhere && elsewhere.delivery.event.position !== position) {
        return {
          message: `${consumer} was handed ${message} at position ${position}, but ${elsewhere.consumer} at position ${elsewhere.delivery.event.position}`,
          evidence: [...witness(index, elsewhere.delivery), ...witness(index, delivery)],
        };
      }
      const taken = holder.get(position);
      if (taken && taken.delivery.event.message !== message) {
        return {
          message: `${consumer} was handed ${message} at position ${position}, where ${taken.consumer} was handed ${taken.delivery.event.message}`,
          evidence: [...witness(index, taken.delivery), ...witness(index, delivery)],
        };
      }
      if (!elsewhere) placed.set(message, { consumer, delivery });
      if (!taken) holder.set(position, { consumer, delivery });
    }
  }
  return undefined;
}

type Order = { consumer: string; seen: Map<string, Indexed<DeliverEvent>> };

/** The first pair of consumers, and two messages both received, that they received in opposite orders. */
function firstConflict(orders: Order[]): { a: Order; b: Order; x: string; y: string } | undefined {
  for (let i = 0; i < orders.length; i++) {
    for (let j = i + 1; j < orders.length; j++) {
      const a = orders[i]!;
      const b = orders[j]!;
      const inA = [...a.seen.keys()].filter((id) => b.seen.has(id));
      const inB = [...b.seen.keys()].filter((id) => a.seen.has(id));
      for (let k = 0; k < inA.length; k++) {
        if (inA[k] === inB[k]) continue;
        // Both are orders of one set with equal prefixes: A's k-th comes after position k in B,
        // and B's k-th after position k in A — A has x before y, B has y before x.
        return { a, b, x: inA[k]!, y: inB[k]! };
      }
    }
  }
  return undefined;
}
