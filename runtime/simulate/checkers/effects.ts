/**
 * Effects, the exactly-once half that concerns tools: an `effect` tool is applied at most once per
 * logical request. Pure tools may repeat; the runtime's own de-duplication of a keyed effect shows
 * as a `deduplicated` event, which is no execution.
 *
 * - A keyed effect runs at most once per idempotency key: two `call` events with one key.
 * - An un-keyed effect runs at most once per activation: not in two attempts of one activation's
 *   call (a retry, or a hedge copy: attempts are numbered across both) by one instance of one
 *   agent — T401's hazard;
 * - and not in two activations that handled the same message (a redelivery on an at-least-once
 *   channel: both activations' `start` events list its id) — T400's hazard.
 *
 * What is *not* a repeat: replicas of an agent each running the effect (one activation, several
 * instances, each its own effect by design), a stand-in (fallback, validator: another agent), a
 * consensus round asking its replicas again (a new activation id, `…/r2`), and two calls in one
 * attempt (the model asked for two effects). A tool call made is counted even if it failed: a
 * failed effect may still have been applied.
 */
import type { TeamTraceEvent } from '../../team.js';
import type { AnyDefinition, Trace } from '../trace-view.js';
import { violation, type Violation } from './types.js';

type ToolEvent = Extract<TeamTraceEvent, { kind: 'tool' }>;

/** Every repeated effect in `trace`, at most one per tool (subject `tool:NAME`). */
export function repeatedEffects(trace: Trace, definition: AnyDefinition): Violation[] {
  const effects = definition.tools.filter((t) => t.kind === 'effect');
  const keyed = new Set(effects.filter((t) => (t.idempotencyKey?.length ?? 0) > 0).map((t) => t.name));
  const unkeyed = new Set(effects.filter((t) => !keyed.has(t.name)).map((t) => t.name));
  const found = new Map<string, Violation>();
  const report = (tool: string, message: string, evidence: number[]) => {
    if (!found.has(tool)) found.set(tool, violation('exactly-once', `tool:${tool}`, message, evidence));
  };

  const consumed = consumedMessages(trace);
  const byKey = new Map<string, number>(); // key -> its first execution
  const byAttempt = new Map<string, { attempt: number; at: number }>(); // agent/activation/instance/tool -> first call
  const byMessage = new Map<string, { root: string; at: number }>(); // tool/message -> first activation that ran it

  trace.forEach((event, at) => {
    if (event.kind !== 'tool' || event.action !== 'call') return;
    if (keyed.has(event.tool)) {
      if (event.key === undefined) return;
      const earlier = byKey.get(event.key);
      if (earlier === undefined) byKey.set(event.key, at);
      else report(event.tool, `effect ${event.tool} ran twice for idempotency key ${event.key} (by ${trace[earlier]!.agent}, then by ${event.agent})`, [earlier, at]);
      return;
    }
    if (!unkeyed.has(event.tool) || event.activation === undefined) return;

    // T401: two attempts (retries or hedge copies) of one activation's call.
    if (event.attempt !== undefined) {
      const slot = `${event.agent}\u0000${event.activation}\u0000${event.instance ?? 0}\u0000${event.tool}`;
      const first = byAttempt.get(slot);
      if (!first) byAttempt.set(slot, { attempt: event.attempt, at });
      else if (first.attempt !== event.attempt) {
        report(
          event.tool,
          `effect ${event.tool} (no idempotency key) ran in attempts ${first.attempt} and ${event.attempt} of one activation ${event.activation} of ${event.agent}${instanceText(event)}: a retry or hedge repeated it`,
          [first.at, at],
        );
      }
    }

    // T400: two activations that handled the same message.
    const root = rootActivation(event.activation);
    for (const message of consumed.get(`${event.agent}\u0000${root}`)?.messages ?? []) {
      const slot = `${event.tool}\u0000${message}`;
      const first = byMessage.get(slot);
      if (!first) {
        byMessage.set(slot, { root, at });
        continue;
      }
      if (first.root === root) continue;
      const starts = [consumed.get(`${event.agent}\u0000${first.root}`)?.start ?? -1, consumed.get(`${event.agent}\u0000${root}`)?.start ?? -1];
      report(
        event.tool,
        `effect ${event.tool} (no idempotency key) ran in activations ${first.root} and ${root} of ${event.agent}, both handling message ${message}: a redelivered message repeated it`,
        [...deliveriesOf(trace, event.agent, message), ...starts, first.at, at],
      );
      break;
    }
  });
  return [...found.values()];
}

/** Agent + root activation → the messages it handled, and the index of its first `start` event. */
function consumedMessages(trace: Trace): Map<string, { messages: string[]; start: number }> {
  const result = new Map<string, { messages: string[]; start: number }>();
  trace.forEach((event, at) => {
    if (event.kind !== 'activation' || event.action !== 'start' || !event.consumed?.length) return;
    const slot = `${event.agent}\u0000${rootActivation(event.activation)}`;
    if (!result.has(slot)) result.set(slot, { messages: event.consumed, start: at });
  });
  return result;
}

/** `publisher:3/r2` → `publisher:3`: consensus rounds and work tasks belong to the activation that started them. */
function rootActivation(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

function deliveriesOf(trace: Trace, agent: string, message: string): number[] {
  const found: number[] = [];
  trace.forEach((event, at) => {
    if (event.kind === 'deliver' && event.agent === agent && event.message === message) found.push(at);
  });
  return found.slice(0, 2);
}

function instanceText(event: ToolEvent): string {
  return event.instance !== undefined && event.instance > 0 ? ` (instance ${event.instance})` : '';
}
