/**
 * Trace events as one readable line each — time, agent, kind, detail — for counterexamples and
 * reports. The detail says what the event means for the guarantees (message, sequence number,
 * vector clock, votes), not every field.
 */
import type { TeamTraceEvent } from '../team.js';
import { formatClock } from '../vector-clock.js';

const MAX_DETAIL = 140;

export function formatEvent(event: TeamTraceEvent, origin = 0): string {
  const time = `${formatMs(event.time - origin)}`.padStart(10);
  return `${time}  ${event.agent.padEnd(14)} ${event.kind.padEnd(10)} ${clip(detail(event))}`;
}

function detail(event: TeamTraceEvent): string {
  const vc = 'vc' in event && event.vc ? ` vc ${formatClock(event.vc)}` : '';
  switch (event.kind) {
    case 'run-start':
      return `team ${event.team}${event.seed !== undefined ? `, seed ${event.seed}` : ''} (${event.clock} clock)`;
    case 'run-end':
      return event.outcome === 'ok' ? 'ok' : `failed: ${event.error?.name ?? ''} ${event.error?.message ?? ''}`.trim();
    case 'send':
      return event.to !== undefined
        ? `${event.channel}: redeliver ${event.message} to ${event.to} (attempt ${event.attempt ?? '?'})`
        : `${event.channel}: publish #${event.seq ?? '?'} ${event.message}${vc}`;
    case 'deliver':
      return `${event.channel}: handed ${event.from}'s #${event.seq ?? '?'} ${event.message}${event.position !== undefined ? ` at position ${event.position}` : ''}${vc}`;
    case 'ack':
      return `${event.channel}: ack ${event.message} to ${event.to}`;
    case 'skip':
      return `${event.channel}: skipped ${event.message} (${event.reason})`;
    case 'vote':
      return `${event.consensus} round ${event.round}: replica ${event.replica} ${event.outcome}${event.key !== undefined ? ` ${event.key}` : ''}${event.reason ? ` (${event.reason})` : ''}`;
    case 'round':
      return `${event.consensus} round ${event.round}: tally ${JSON.stringify(event.tally)}, ${event.crashed} crashed, ${event.decided ? 'decided' : 'undecided'}`;
    case 'decision':
      return `${event.consensus} round ${event.round}: decided ${event.key} with ${event.votes}/${event.quorum} (replicas ${event.supporters.join(', ')})${event.byQuorum ? '' : ' by tie-break'}`;
    case 'election':
      return `${event.consensus} term ${event.term}: leader ${event.leader}${event.proposal ? ` ${event.proposal}` : ''} (${event.reason})`;
    case 'budget':
      return `${event.action} ${usage(event.actual ?? event.requested)}, remaining ${usage(event.remaining)}`;
    case 'call-end':
      return `attempt ${event.attempt} ${event.outcome} after ${formatMs(event.durationMs)}${event.error ? `: ${event.error.name}` : ''}`;
    case 'call-start':
      return `attempt ${event.attempt}`;
    case 'error':
      return `${event.where ? `${event.where}: ` : ''}${event.error.name}: ${event.error.message}`;
    case 'activation':
      return `${event.activation} ${event.action}${event.instance !== undefined ? ` (instance ${event.instance})` : ''}${event.consumed?.length ? ` handling ${event.consumed.join(', ')}` : ''}${event.reason ? `: ${event.reason}` : ''}`;
    case 'write':
      return `${event.store}: ${event.id} at ${event.origin}#${event.seq}, after ${formatClock(event.merged)}${event.activation !== undefined ? ` in ${event.activation}` : ''}`;
    case 'read':
      return `${event.store}: replica ${event.replica} merged ${formatClock(event.merged)}, reflects ${event.reflects.join(', ') || 'no write'}${event.activation !== undefined ? ` in ${event.activation}` : ''}`;
    case 'store-state':
      return `${event.store}: converges to ${event.converged.reflects.join(', ') || 'no write'} of ${formatClock(event.converged.merged)}`;
    case 'tool': {
      const by = event.activation !== undefined ? ` in ${event.activation}${event.attempt !== undefined ? ` attempt ${event.attempt}` : ''}${event.instance ? ` (instance ${event.instance})` : ''}` : '';
      return `${event.tool} ${event.action}${by}${event.args !== undefined ? ` args ${event.args}` : ''}${event.key !== undefined ? ` key ${JSON.stringify(event.key)}` : ''}`;
    }
    default: {
      const { kind: _kind, agent: _agent, time: _time, ...rest } = event as unknown as Record<string, unknown>;
      return JSON.stringify(rest);
    }
  }
}

function usage(value: { tokens?: number; dollars?: number } | undefined): string {
  if (!value) return '-';
  const parts: string[] = [];
  if (value.tokens !== undefined) parts.push(`${value.tokens} tokens`);
  if (value.dollars !== undefined) parts.push(`$${Math.round(value.dollars * 1e6) / 1e6}`);
  return parts.join(' ') || '-';
}

export function formatMs(ms: number): string {
  return `${Math.round(ms * 10) / 10}ms`;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
