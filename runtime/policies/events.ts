/**
 * What the fault policies report. Every policy takes an optional `onEvent` sink; the trace
 * (runtime/trace.ts) turns these into trace events with the agent's name and vector clock.
 * `time` is the injected clock's reading when the event happened; `policy` names the stack
 * (usually the agent or model) so one sink can serve several.
 */
import type { Usage } from './errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** How one attempt ended: answered, threw, timed out, or answered something invalid. */
export type AttemptOutcome = 'ok' | 'error' | 'timeout' | 'invalid' | 'cancelled';

interface Base {
  time: number;
  policy?: string;
}

export type PolicyEvent =
  | (Base & { type: 'attempt-start'; attempt: number })
  | (Base & { type: 'attempt-end'; attempt: number; outcome: AttemptOutcome; durationMs: number; error?: unknown; usage?: Usage })
  | (Base & { type: 'retry-scheduled'; retry: number; delayMs: number; retryAfterMs?: number; error: unknown })
  | (Base & { type: 'retry-given-up'; attempts: number; reason: 'attempts-exhausted' | 'not-retryable' | 'retry-after-too-long'; error: unknown })
  | (Base & { type: 'timeout'; timeoutMs: number })
  | (Base & { type: 'breaker-change'; breaker: string; from: BreakerState; to: BreakerState; reason: string })
  | (Base & { type: 'breaker-rejected'; breaker: string; state: 'open' | 'half-open' })
  | (Base & { type: 'hedge-fired'; afterMs: number; branch: number })
  | (Base & { type: 'hedge-won'; branch: number; aborted: number[] })
  | (Base & { type: 'fallback-taken'; from: string; to: string; error: unknown })
  | (Base & { type: 'budget-reserve'; requested: Usage; remaining: Usage })
  | (Base & { type: 'budget-refused'; requested: Usage; remaining: Usage; resource: string })
  | (Base & { type: 'budget-settle'; reserved: Usage; actual: Usage; remaining: Usage })
  | (Base & { type: 'validation-failed'; stage: 'schema' | 'validator'; error: unknown });

export type PolicyEventType = PolicyEvent['type'];

/** Receives policy events; must not throw (a broken trace must not fail a model call). */
export type PolicyEventSink = (event: PolicyEvent) => void;

/** Distributes `Omit<PolicyEvent, 'time'>`-shaped events with the time and label filled in. */
export function emitter(sink: PolicyEventSink | undefined, now: () => number, policy?: string) {
  return (event: DistributiveOmit<PolicyEvent, 'time' | 'policy'>): void => {
    if (!sink) return;
    try {
      sink({ ...event, time: now(), ...(policy !== undefined ? { policy } : {}) } as PolicyEvent);
    } catch {
      // A failing sink is the observer's bug; the call it observes goes on.
    }
  };
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
