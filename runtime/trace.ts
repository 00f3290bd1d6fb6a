/**
 * The run's trace: every event (send, deliver, ack, model call, retry, timeout, breaker change,
 * hedge, fallback, budget, vote, election, decision, errors) with the agent it concerns, the run
 * clock's time (virtual in simulation, wall in production; `run-start` says which) and, where the
 * caller has one, the agent's vector clock. Events are plain JSON, so a trace written as JSON lines
 * can be read back and checked (happens-before, FIFO, single decision, budget) after the fact.
 *
 * Secrets never reach a trace: every event is deep-copied through `redact` on the way in, which
 * replaces the value of any key matching /api[_-]?key|authorization|secret|token(?!s)/i and any
 * string fragment shaped like a credential (`sk-…`, `Bearer …`, GitHub/Slack/AWS/Google keys, JWTs,
 * `api_key=…` in URLs). Redaction happens before the in-memory copy too, so nothing downstream of
 * the recorder — writers, viewers, test snapshots — can see a secret.
 */
import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { Clock } from './clock.js';
import type { VectorClock } from './vector-clock.js';
import type { AttemptOutcome, BreakerState, PolicyEvent, PolicyEventSink } from './policies/events.js';
import type { ConsensusEvent, ConsensusEventSink } from './consensus/events.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An error as it appears in a trace: name and message, plus any JSON-able own fields (status, code, resource…). */
export interface ErrorInfo {
  name: string;
  message: string;
  [field: string]: JsonValue;
}

export interface UsageInfo {
  tokens?: number;
  dollars?: number;
}

interface Base {
  /** The agent (or `team`, `transport`, a consensus name) the event concerns. */
  agent: string;
  /** Milliseconds on the run's clock. */
  time: number;
  /** The agent's vector clock at the event, when it keeps one. */
  vc?: VectorClock;
}

export type TraceEvent =
  /** `faults`: in a simulated run, the replicas its fault plan crashed or made Byzantine (liars), per consensus. */
  | (Base & { kind: 'run-start'; team: string; clock: 'virtual' | 'wall'; seed?: number | string; input?: JsonValue; faults?: InjectedReplicaFaults })
  | (Base & { kind: 'run-end'; outcome: 'ok' | 'failed'; output?: JsonValue; error?: ErrorInfo })
  | (Base & { kind: 'send'; channel: string; message: string; to?: string; seq?: number; attempt?: number; payload?: JsonValue })
  /** `position`: the message's place in a total order, as its sequencer numbered it. */
  | (Base & { kind: 'deliver'; channel: string; message: string; from: string; seq?: number; position?: number; payload?: JsonValue })
  /** `agent` acknowledged `message`, and its sender `to` (a publisher, or a total order's sequencer) accepted that. */
  | (Base & { kind: 'ack'; channel: string; message: string; to: string })
  /** Consumer `agent` settled `message` without handling it: withdrawn by drop_oldest, or a repeated idempotency key. */
  | (Base & { kind: 'skip'; channel: string; message: string; reason: 'withdrawn' | 'duplicate' })
  | (Base & { kind: 'call-start'; attempt: number; policy?: string; model?: string })
  | (Base & { kind: 'call-end'; attempt: number; outcome: AttemptOutcome; durationMs: number; policy?: string; error?: ErrorInfo; usage?: UsageInfo })
  | (Base & {
      kind: 'retry';
      action: 'scheduled' | 'given-up';
      policy?: string;
      /** For `scheduled`: which retry (1 = first retry) and how long it waits. */
      retry?: number;
      delayMs?: number;
      retryAfterMs?: number;
      /** For `given-up`: attempts made and why no more. */
      attempts?: number;
      reason?: string;
      error: ErrorInfo;
    })
  | (Base & { kind: 'timeout'; timeoutMs: number; policy?: string })
  | (Base & { kind: 'breaker'; breaker: string; state: BreakerState; from?: BreakerState; reason?: string; rejected?: boolean })
  | (Base & { kind: 'hedge'; action: 'fired' | 'won'; branch: number; afterMs?: number; aborted?: number[]; policy?: string })
  | (Base & { kind: 'fallback'; from: string; to: string; error: ErrorInfo })
  | (Base & { kind: 'budget'; action: 'reserve' | 'refused' | 'settle'; requested?: UsageInfo; actual?: UsageInfo; remaining: UsageInfo; resource?: string; policy?: string })
  // Consensus events; `activation` names the instance (the activation of the agent under the consensus).
  | (Base & { kind: 'vote'; consensus: string; round: number; replica: number; outcome: 'answer' | 'crashed' | 'accept' | 'reject' | 'stale'; key?: string; reason?: string; activation?: string })
  | (Base & { kind: 'round'; consensus: string; round: number; tally: Record<string, number>; crashed: number; decided: boolean; activation?: string })
  | (Base & { kind: 'election'; consensus: string; term: number; leader: number; reason: string; proposal?: 'proposed' | 'failed' | 'skipped'; key?: string; activation?: string })
  | (Base & { kind: 'decision'; consensus: string; round: number; key: string; value: JsonValue; votes: number; quorum: number; supporters: number[]; byQuorum: boolean; term?: number; activation?: string })
  | (Base & { kind: 'error'; error: ErrorInfo; where?: string; activation?: string })
  /** What the analysis (`teamc analyze`) predicted for the team, written by `teamc run` for the trace view. */
  | (Base & { kind: 'prediction'; speedup: number; makespanMs: number });

/** Replicas a simulation's fault plan crashed or made lie, per consensus name. */
export interface InjectedReplicaFaults {
  consensus: Record<string, { crashed: number[]; liars: number[] }>;
}

export type TraceKind = TraceEvent['kind'];
export type TraceEventOf<K extends TraceKind> = Extract<TraceEvent, { kind: K }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a producer hands it in: `time` defaults to the recorder's clock. */
export type TraceEventInput = DistributiveOmit<TraceEvent, 'time'> & { time?: number };

// ---------------------------------------------------------------------------------------------
// Redaction

export const SECRET_KEY = /api[_-]?key|authorization|secret|token(?!s)/i;
export const REDACTED = '[REDACTED]';

const SECRET_STRINGS: ReadonlyArray<[RegExp, string]> = [
  // `Authorization: Bearer …` and bare bearer tokens.
  [/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`],
  // OpenAI-style (`sk-…`, `sk-proj-…`, Anthropic's `sk-ant-…`); \b keeps `task-…` intact.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${REDACTED}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g, REDACTED],
  // `api_key=…`, `"token": "…"`, `secret: …` inside free text (URLs, logged headers, messages).
  [/(api[_-]?key|authorization|secret|token(?!s))(["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^\s"'&,;]+/gi, `$1$2${REDACTED}`],
];

/** Replaces every credential-shaped fragment of `text`. */
export function redactString(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_STRINGS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A JSON-safe deep copy of `value` with secrets removed. Errors become `{ name, message, …fields }`;
 * non-finite numbers become null; functions and undefined are dropped; cycles become "[Circular]".
 */
export function redact(value: unknown): JsonValue {
  return copy(value, new WeakSet<object>(), 0) ?? null;
}

const MAX_DEPTH = 32;

function copy(value: unknown, seen: WeakSet<object>, depth: number): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return redactString(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(object);
  try {
    if (object instanceof Error) return errorInfo(object, seen, depth);
    if (object instanceof Date) return object.toISOString();
    if (Array.isArray(object)) return object.map((item) => copy(item, seen, depth + 1) ?? null);
    if (object instanceof Map) return copyEntries([...object.entries()].map(([k, v]) => [String(k), v]), seen, depth);
    if (object instanceof Set) return [...object].map((item) => copy(item, seen, depth + 1) ?? null);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return copy(toJSON.call(object), seen, depth + 1);
    return copyEntries(Object.entries(object), seen, depth);
  } finally {
    seen.delete(object);
  }
}

function copyEntries(entries: Array<[string, unknown]>, seen: WeakSet<object>, depth: number): { [key: string]: JsonValue } {
  const result: { [key: string]: JsonValue } = {};
  for (const [key, item] of entries) {
    if (SECRET_KEY.test(key)) {
      if (item !== undefined) result[key] = REDACTED;
      continue;
    }
    const copied = copy(item, seen, depth + 1);
    if (copied !== undefined) result[key] = copied;
  }
  return result;
}

function errorInfo(error: Error, seen: WeakSet<object>, depth: number): ErrorInfo {
  // Own enumerable fields carry the typed errors' data (status, resource, timeoutMs, issues…);
  // the stack is left out: it is noise in a trace and may hold local paths.
  const fields = copyEntries(
    Object.entries(error).filter(([key]) => key !== 'stack'),
    seen,
    depth,
  );
  const info: ErrorInfo = { ...fields, name: error.name, message: redactString(error.message) };
  if (error.cause !== undefined) info.cause = copy(error.cause, seen, depth + 1) ?? null;
  if (error instanceof AggregateError) info.errors = error.errors.map((e) => copy(e, seen, depth + 1) ?? null);
  return info;
}

/** An unknown thrown value as trace error info (redacted). */
export function toErrorInfo(error: unknown): ErrorInfo {
  const copied = redact(error);
  if (copied !== null && typeof copied === 'object' && !Array.isArray(copied) && typeof copied.name === 'string' && typeof copied.message === 'string') {
    return copied as ErrorInfo;
  }
  return { name: 'Error', message: typeof copied === 'string' ? copied : JSON.stringify(copied) };
}

// ---------------------------------------------------------------------------------------------
// Adapters from the policies' and consensus's own events

/** A policy event as a trace event of `agent` (validation failures become `error` events). */
export function policyEventToTrace(agent: string, event: PolicyEvent, vc?: VectorClock): TraceEvent {
  const base = { agent, time: event.time, ...(vc ? { vc } : {}) };
  const policy = event.policy !== undefined ? { policy: event.policy } : {};
  switch (event.type) {
    case 'attempt-start':
      return { ...base, kind: 'call-start', attempt: event.attempt, ...policy };
    case 'attempt-end':
      return {
        ...base,
        kind: 'call-end',
        attempt: event.attempt,
        outcome: event.outcome,
        durationMs: event.durationMs,
        ...policy,
        ...(event.error !== undefined ? { error: toErrorInfo(event.error) } : {}),
        ...(event.usage ? { usage: event.usage } : {}),
      };
    case 'retry-scheduled':
      return {
        ...base,
        kind: 'retry',
        action: 'scheduled',
        retry: event.retry,
        delayMs: event.delayMs,
        ...(event.retryAfterMs !== undefined ? { retryAfterMs: event.retryAfterMs } : {}),
        ...policy,
        error: toErrorInfo(event.error),
      };
    case 'retry-given-up':
      return { ...base, kind: 'retry', action: 'given-up', attempts: event.attempts, reason: event.reason, ...policy, error: toErrorInfo(event.error) };
    case 'timeout':
      return { ...base, kind: 'timeout', timeoutMs: event.timeoutMs, ...policy };
    case 'breaker-change':
      return { ...base, kind: 'breaker', breaker: event.breaker, state: event.to, from: event.from, reason: event.reason };
    case 'breaker-rejected':
      return { ...base, kind: 'breaker', breaker: event.breaker, state: event.state, rejected: true };
    case 'hedge-fired':
      return { ...base, kind: 'hedge', action: 'fired', branch: event.branch, afterMs: event.afterMs, ...policy };
    case 'hedge-won':
      return { ...base, kind: 'hedge', action: 'won', branch: event.branch, aborted: event.aborted, ...policy };
    case 'fallback-taken':
      return { ...base, kind: 'fallback', from: event.from, to: event.to, error: toErrorInfo(event.error) };
    case 'budget-reserve':
      return { ...base, kind: 'budget', action: 'reserve', requested: event.requested, remaining: event.remaining, ...policy };
    case 'budget-refused':
      return { ...base, kind: 'budget', action: 'refused', requested: event.requested, remaining: event.remaining, resource: event.resource, ...policy };
    case 'budget-settle':
      return { ...base, kind: 'budget', action: 'settle', requested: event.reserved, actual: event.actual, remaining: event.remaining, ...policy };
    case 'validation-failed':
      return { ...base, kind: 'error', where: `validation:${event.stage}`, error: toErrorInfo(event.error) };
  }
}

/** `activation`: the instance of the consensus the event belongs to, when the caller knows it. */
export function consensusEventToTrace(agent: string, event: ConsensusEvent, activation?: string): TraceEvent {
  const instance = activation !== undefined ? { activation } : {};
  const base = { agent, time: event.time, consensus: event.consensus, ...instance };
  switch (event.type) {
    case 'vote':
      return { ...base, kind: 'vote', round: event.round, replica: event.replica, outcome: event.outcome, ...optional({ key: event.key, reason: event.reason }) };
    case 'round-end':
      return { ...base, kind: 'round', round: event.round, tally: event.tally, crashed: event.crashed, decided: event.decided };
    case 'decision':
      return {
        ...base,
        kind: 'decision',
        round: event.round,
        key: event.key,
        value: redact(event.value),
        votes: event.votes,
        quorum: event.quorum,
        supporters: event.supporters,
        byQuorum: event.byQuorum,
        ...optional({ term: event.term }),
      };
    case 'no-decision':
      return { agent, time: event.time, kind: 'error', where: `consensus:${event.consensus}`, error: { name: 'NoDecisionError', message: event.reason, rounds: event.rounds }, ...instance };
    case 'election':
      return { ...base, kind: 'election', term: event.term, leader: event.leader, reason: event.reason };
    case 'proposal':
      return { ...base, kind: 'election', term: event.term, leader: event.leader, reason: event.reason ?? event.outcome, proposal: event.outcome, ...optional({ key: event.key }) };
    case 'accept':
      return { ...base, kind: 'vote', round: event.term, replica: event.replica, outcome: event.outcome, ...optional({ key: event.key, reason: event.reason }) };
  }
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) result[key] = value;
  return result as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

// ---------------------------------------------------------------------------------------------
// Recording and writing

/** Where recorded events go besides memory. `write` receives events already redacted. */
export interface TraceSink {
  write(event: TraceEvent): void;
  close?(): Promise<void>;
}

export interface TraceRecorderOptions {
  clock: Clock;
  sinks?: TraceSink[];
  /** Keep events in memory (default true); a long production run may only stream them. */
  keep?: boolean;
}

export class TraceRecorder {
  private readonly recorded: TraceEvent[] = [];
  private readonly sinks: TraceSink[];
  private readonly keep: boolean;

  constructor(private readonly options: TraceRecorderOptions) {
    this.sinks = [...(options.sinks ?? [])];
    this.keep = options.keep ?? true;
  }

  /** Redacts, timestamps (when `time` is absent), stores and forwards one event; returns what was recorded. */
  record(input: TraceEventInput): TraceEvent {
    const event = redact({ ...input, time: input.time ?? this.options.clock.now() }) as unknown as TraceEvent;
    if (this.keep) this.recorded.push(event);
    for (const sink of this.sinks) sink.write(event);
    return event;
  }

  /** Records a thrown value as an `error` event of `agent`. */
  error(agent: string, error: unknown, where?: string): TraceEvent {
    return this.record({ kind: 'error', agent, error: toErrorInfo(error), ...(where !== undefined ? { where } : {}) });
  }

  get events(): readonly TraceEvent[] {
    return this.recorded;
  }

  ofKind<K extends TraceKind>(kind: K): TraceEventOf<K>[] {
    return this.recorded.filter((e): e is TraceEventOf<K> => e.kind === kind);
  }

  addSink(sink: TraceSink): void {
    this.sinks.push(sink);
  }

  /** A sink for one policy stack's events, attributed to `agent` (with its vector clock when given). */
  policySink(agent: string, vc?: () => VectorClock | undefined): PolicyEventSink {
    return (event) => this.record(policyEventToTrace(agent, event, vc?.()));
  }

  /** A sink for a consensus's events, attributed to `agent` (usually the consensus's name), of one activation when given. */
  consensusSink(agent: string, activation?: string): ConsensusEventSink {
    return (event) => this.record(consensusEventToTrace(agent, event, activation));
  }

  /** Closes every sink (flushes files). */
  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }
}

/** One event as one line of JSON (redacted again, so a caller bypassing the recorder cannot leak). */
export function toJsonLine(event: TraceEvent): string {
  return `${JSON.stringify(redact(event))}\n`;
}

export interface JsonLinesOptions {
  /** For a file path: append instead of truncating. */
  append?: boolean;
  /** For a stream: end it on close (default false, so process.stdout survives). */
  end?: boolean;
}

/**
 * A JSON-lines trace writer to a file path or a writable stream. File writes are synchronous, so
 * the trace so far is on disk even when the run dies mid-way — that is when it is needed most.
 */
export function jsonLinesWriter(target: string | Writable, options: JsonLinesOptions = {}): TraceSink {
  if (typeof target === 'string') {
    let fd: number | undefined = fs.openSync(target, options.append ? 'a' : 'w');
    return {
      write(event) {
        if (fd === undefined) throw new Error(`trace file ${target} is closed`);
        fs.writeSync(fd, toJsonLine(event));
      },
      async close() {
        if (fd === undefined) return;
        fs.closeSync(fd);
        fd = undefined;
      },
    };
  }
  return {
    write(event) {
      target.write(toJsonLine(event));
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        if (options.end) {
          target.end((error?: Error | null) => (error ? reject(error) : resolve()));
        } else if (target.writableNeedDrain) {
          target.once('drain', () => resolve());
        } else {
          resolve();
        }
      });
    },
  };
}

/** Reads a JSON-lines trace back (blank lines ignored); throws with the line number on a malformed line. */
export function parseJsonLines(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      events.push(JSON.parse(line) as TraceEvent);
    } catch (error) {
      throw new Error(`trace line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
  });
  return events;
}
