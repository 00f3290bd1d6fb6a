/**
 * Screens what a trace file holds before the timeline trusts it. A trace is the one input the
 * viewer reads that nobody type-checked: it may be hand-written, truncated, from another version,
 * or carry the runner's own event kinds. Events of a known kind with the fields the viewer reads
 * pass; events of other kinds are counted (they are legitimate, just not drawn); anything else is
 * reported with its position instead of crashing the renderer halfway.
 */
import type { TraceEvent, TraceKind } from '../../runtime/trace.js';

type FieldType = 'string' | 'number' | 'object';

/** The fields the timeline reads for each kind it draws, beyond `kind`, `agent` and `time`. */
const requiredFields: Record<TraceKind, Record<string, FieldType>> = {
  'run-start': {},
  'run-end': { outcome: 'string' },
  send: { channel: 'string', message: 'string' },
  deliver: { channel: 'string', message: 'string', from: 'string' },
  ack: { channel: 'string', message: 'string' },
  skip: { channel: 'string', message: 'string' },
  'call-start': { attempt: 'number' },
  'call-end': { attempt: 'number', outcome: 'string', durationMs: 'number' },
  retry: { action: 'string' },
  timeout: { timeoutMs: 'number' },
  breaker: { breaker: 'string', state: 'string' },
  hedge: { action: 'string', branch: 'number' },
  fallback: { from: 'string', to: 'string' },
  budget: { action: 'string', remaining: 'object' },
  vote: { consensus: 'string', round: 'number', replica: 'number', outcome: 'string' },
  round: { consensus: 'string', round: 'number' },
  election: { consensus: 'string', term: 'number', leader: 'number' },
  decision: { consensus: 'string', key: 'string' },
  error: { error: 'object' },
  prediction: { speedup: 'number', makespanMs: 'number' },
};

export interface MalformedEvent {
  /** 0-based position among the trace's events (a JSON-lines file's line, blank lines aside). */
  index: number;
  reason: string;
}

export interface ScreenedTrace {
  events: TraceEvent[];
  /** Well-formed events of kinds the viewer does not draw (the runner's activation, emit, tool…). */
  otherKinds: number;
  malformed: MalformedEvent[];
}

export function screenEvents(values: readonly unknown[]): ScreenedTrace {
  const result: ScreenedTrace = { events: [], otherKinds: 0, malformed: [] };
  values.forEach((value, index) => {
    const problem = problemWith(value);
    if (problem === 'other-kind') result.otherKinds++;
    else if (problem !== undefined) result.malformed.push({ index, reason: problem });
    else result.events.push(value as TraceEvent);
  });
  return result;
}

function problemWith(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  if (typeof value.kind !== 'string') return 'no "kind"';
  if (typeof value.agent !== 'string') return `${value.kind}: no "agent"`;
  if (!isFiniteNumber(value.time)) return `${value.kind}: "time" is not a finite number`;
  if (!Object.hasOwn(requiredFields, value.kind)) return 'other-kind';
  for (const [field, type] of Object.entries(requiredFields[value.kind as TraceKind])) {
    const present = value[field];
    const ok = type === 'number' ? isFiniteNumber(present) : type === 'object' ? isObject(present) : typeof present === type;
    if (!ok) return `${value.kind}: "${field}" is not a ${type}`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
