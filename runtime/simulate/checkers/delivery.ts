/**
 * Delivery checkers.
 *
 * - exactly-once: on an exactly-once (and an at-most-once) channel no consumer is handed one
 *   message twice, and an effect tool runs at most once per logical request (`effects.ts`);
 * - at-least-once: nothing acknowledged is lost, judged two ways.
 *   1. In every run, settled or not: a consumer's acknowledgement of a message (an `ack` event:
 *      its sender accepted it and stopped redelivering) must come after that consumer was handed
 *      the message, or settled it without handling (a `skip`: withdrawn, or a repeated key).
 *      An acknowledgement with nothing behind it is a message the sender will never send again.
 *   2. In a run that went quiet (ended `ok` or `incomplete`, so every message was settled), every
 *      message published on a channel reached each consumer that relies on getting every one —
 *      all consumers of a reliable channel, and a consumer that takes an at-most-once channel as
 *      required on its way to a team output (that design is unsafe: the loss is the
 *      counterexample). Excused: a reported give-up (a sender that ran out of redeliveries, a
 *      typed and visible failure), a message a drop_oldest channel withdrew (named by its
 *      `dropped` event), and a consumer's skip of a repeated idempotency key.
 */
import type { TraceEventOf } from '../../trace.js';
import { consumerRequirements, indexMessages, pairKey, runOutcome, type AnyDefinition, type ConsumerRequirement, type MessageIndex, type Trace } from '../trace-view.js';
import { repeatedEffects } from './effects.js';
import { violation, type Checker, type Violation } from './types.js';

export const exactlyOnceChecker: Checker = {
  kind: 'exactly-once',
  guarantee: 'no message of an exactly-once or at-most-once channel is handled twice by a consumer; an effect runs once per key, activation and message',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexMessages(trace);
    const found: Violation[] = [];
    for (const requirement of consumerRequirements(definition)) {
      if (requirement.declared.delivery === 'at_least_once') continue; // duplicates are allowed there
      const subject = pairKey(requirement.channel, requirement.consumer);
      const first = new Map<string, number>();
      for (const { index: at, event } of index.deliveries.get(subject) ?? []) {
        const earlier = first.get(event.message);
        if (earlier === undefined) {
          first.set(event.message, at);
          continue;
        }
        const send = index.sends.get(event.message);
        found.push(
          violation(
            'exactly-once',
            subject,
            `${requirement.consumer} was handed ${event.from}'s #${event.seq ?? '?'} (${event.message}) twice (channel ${requirement.channel} is ${requirement.declared.delivery})`,
            [send?.index ?? -1, earlier, at],
          ),
        );
        break;
      }
    }
    found.push(...repeatedEffects(trace, definition));
    return found;
  },
};

export const atLeastOnceChecker: Checker = {
  kind: 'at-least-once',
  guarantee: 'nothing acknowledged is lost; in a run that settled every message, each one reached every consumer that relies on it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const index = indexMessages(trace);
    const requirements = consumerRequirements(definition);
    const found = acknowledgedUnhanded(trace, requirements, index);
    const end = runOutcome(trace);
    if (!end?.settled) return found; // a run stopped mid-flight lost nothing else: it just stopped
    const gaveUp = giveUps(trace);
    const withdrawn = withdrawals(trace, definition);
    const skipped = skips(trace, 'duplicate');
    for (const requirement of requirements) {
      if (!requirement.needsEvery) continue;
      const subject = pairKey(requirement.channel, requirement.consumer);
      if (found.some((v) => v.subject === subject)) continue; // one counterexample per consumer
      const received = new Set((index.deliveries.get(subject) ?? []).map((d) => d.event.message));
      const missing = (index.sendsByChannel.get(requirement.channel) ?? []).filter(
        ({ event: { message } }) =>
          !received.has(message) &&
          !gaveUp.has(`${message}\u0000${requirement.consumer}`) &&
          !gaveUp.has(`${message}\u0000${requirement.channel}#sequencer`) &&
          !withdrawn.has(message) &&
          !skipped.has(`${message}\u0000${requirement.consumer}`),
      );
      if (missing.length === 0) continue;
      const lost = missing[0]!;
      const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
      found.push(
        violation(
          'at-least-once',
          subject,
          `${requirement.consumer} never received ${lost.event.agent}'s #${lost.event.seq ?? '?'} (${lost.event.message}) on ${requirement.channel}${more}, yet the run ended ${end.outcome}: ${reason(requirement)}`,
          [lost.index, end.index],
        ),
      );
    }
    return found;
  },
};

/** Per consumer, the first acknowledgement of a message it had neither been handed nor skipped. */
function acknowledgedUnhanded(trace: Trace, requirements: ConsumerRequirement[], index: MessageIndex): Violation[] {
  const pairs = new Set(requirements.map((r) => pairKey(r.channel, r.consumer)));
  const settled = new Set<string>(); // pair \0 message: handed over or skipped so far
  const reported = new Set<string>();
  const found: Violation[] = [];
  trace.forEach((event, at) => {
    if (event.kind !== 'deliver' && event.kind !== 'skip' && event.kind !== 'ack') return;
    const pair = pairKey(event.channel, event.agent);
    if (!pairs.has(pair)) return; // a sequencer's acknowledgement to a publisher is a hop, not a consumer's
    const key = `${pair}\u0000${event.message}`;
    if (event.kind !== 'ack') {
      settled.add(key);
      return;
    }
    if (settled.has(key) || reported.has(pair)) return;
    reported.add(pair);
    const send = index.sends.get(event.message);
    found.push(
      violation(
        'at-least-once',
        pair,
        `${event.agent} acknowledged ${send ? `${send.event.agent}'s #${send.event.seq ?? '?'} ` : ''}(${event.message}) on ${event.channel} to ${event.to} without having been handed it: its sender will not send it again, so it is lost`,
        [send?.index ?? -1, at],
      ),
    );
  });
  return found;
}

function reason(requirement: ConsumerRequirement): string {
  if (requirement.neededFor === undefined) return `channel ${requirement.channel} is ${requirement.declared.delivery}, nothing may be lost`;
  return `channel ${requirement.channel} is at_most_once and may lose it, but ${requirement.consumer} takes it as required on the way to output ${requirement.neededFor}`;
}

/** `message\0recipient` of every reported give-up (parsed from the runner's error text: the event has no fields for them). */
function giveUps(trace: Trace): Set<string> {
  const result = new Set<string>();
  for (const event of trace) {
    if (event.kind !== 'error' || event.error.name !== 'DeliveryGaveUp') continue;
    const match = /^gave up delivering (\S+) to (\S+) after/.exec((event as TraceEventOf<'error'>).error.message);
    if (match) result.add(`${match[1]}\u0000${match[2]}`);
  }
  return result;
}

/** Messages withdrawn by drop_oldest back-pressure, on channels that declare it (named by their `dropped` events). */
function withdrawals(trace: Trace, definition: AnyDefinition): Set<string> {
  const dropOldest = new Set(definition.channels.filter((c) => c.backpressure === 'drop_oldest').map((c) => c.name));
  const result = new Set<string>();
  for (const event of trace) {
    if (event.kind === 'dropped' && event.reason === 'backpressure' && event.message !== undefined && dropOldest.has(event.channel)) result.add(event.message);
  }
  return result;
}

/** `message\0consumer` of every skip for `reason`. */
function skips(trace: Trace, reason: TraceEventOf<'skip'>['reason']): Set<string> {
  const result = new Set<string>();
  for (const event of trace) if (event.kind === 'skip' && event.reason === reason) result.add(`${event.message}\u0000${event.agent}`);
  return result;
}
