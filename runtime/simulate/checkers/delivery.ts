/**
 * Delivery checkers.
 *
 * - exactly-once: on an exactly-once (and an at-most-once) channel no consumer is handed one
 *   message twice, and a keyed effect runs at most once per idempotency key;
 * - at-least-once: in a run that went quiet (ended `ok` or `incomplete`, so every message was
 *   settled), every message published on a channel reached each consumer that relies on getting
 *   every one — all consumers of a reliable channel, and a consumer that takes an at-most-once
 *   channel as required on its way to a team output (that design is unsafe: the loss is the
 *   counterexample). A reported give-up (a sender that ran out of redeliveries) is a typed,
 *   visible failure, not a silent loss, and is not counted.
 *
 * The trace has no acknowledgement events (the runner does not record them), so "acknowledged"
 * is read as "published in a run that settled every message".
 */
import type { TraceEventOf } from '../../trace.js';
import { consumerRequirements, indexMessages, pairKey, runOutcome, type AnyDefinition, type ConsumerRequirement, type Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

export const exactlyOnceChecker: Checker = {
  kind: 'exactly-once',
  guarantee: 'no message of an exactly-once or at-most-once channel is handled twice by a consumer; a keyed effect runs once per key',
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
    found.push(...duplicateEffects(trace, definition));
    return found;
  },
};

function duplicateEffects(trace: Trace, definition: AnyDefinition): Violation[] {
  const keyed = new Set(definition.tools.filter((t) => t.kind === 'effect' && (t.idempotencyKey?.length ?? 0) > 0).map((t) => t.name));
  const runs = new Map<string, number>(); // key -> index of its first execution
  const found: Violation[] = [];
  const reported = new Set<string>();
  trace.forEach((event, at) => {
    if (event.kind !== 'tool' || event.action !== 'call' || event.key === undefined || !keyed.has(event.tool)) return;
    const earlier = runs.get(event.key);
    if (earlier === undefined) {
      runs.set(event.key, at);
      return;
    }
    if (reported.has(event.tool)) return;
    reported.add(event.tool);
    found.push(violation('exactly-once', `tool:${event.tool}`, `effect ${event.tool} ran twice for idempotency key ${event.key} (by ${trace[earlier]!.agent}, then by ${event.agent})`, [earlier, at]));
  });
  return found;
}

export const atLeastOnceChecker: Checker = {
  kind: 'at-least-once',
  guarantee: 'in a run that settled every message, each one reached every consumer that relies on it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const end = runOutcome(trace);
    if (!end?.settled) return []; // a run stopped mid-flight lost nothing: it just stopped
    const index = indexMessages(trace);
    const gaveUp = giveUps(trace);
    const withdrawals = backpressureDrops(trace);
    const found: Violation[] = [];
    for (const requirement of consumerRequirements(definition)) {
      if (!requirement.needsEvery) continue;
      const received = new Set((index.deliveries.get(pairKey(requirement.channel, requirement.consumer)) ?? []).map((d) => d.event.message));
      const missing = (index.sendsByChannel.get(requirement.channel) ?? []).filter(
        ({ event }) => !received.has(event.message) && !gaveUp.has(`${event.message}\u0000${requirement.consumer}`) && !gaveUp.has(`${event.message}\u0000${requirement.channel}#sequencer`),
      );
      // A drop_oldest withdrawal is declared back-pressure, and the trace does not say which message it withdrew.
      const withdrawn = definition.channels.find((c) => c.name === requirement.channel)?.backpressure === 'drop_oldest' ? (withdrawals.get(requirement.channel) ?? 0) : 0;
      if (missing.length <= withdrawn) continue;
      const lost = missing[0]!;
      const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
      found.push(
        violation(
          'at-least-once',
          pairKey(requirement.channel, requirement.consumer),
          `${requirement.consumer} never received ${lost.event.agent}'s #${lost.event.seq ?? '?'} (${lost.event.message}) on ${requirement.channel}${more}, yet the run ended ${end.outcome}: ${reason(requirement)}`,
          [lost.index, end.index],
        ),
      );
    }
    return found;
  },
};

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

function backpressureDrops(trace: Trace): Map<string, number> {
  const drops = new Map<string, number>();
  for (const event of trace) {
    if (event.kind === 'dropped' && event.reason === 'backpressure') drops.set(event.channel, (drops.get(event.channel) ?? 0) + 1);
  }
  return drops;
}
