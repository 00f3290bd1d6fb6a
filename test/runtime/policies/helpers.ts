import type { VirtualClock } from '../../../runtime/clock.js';
import type { PolicyEvent } from '../../../runtime/policies/events.js';

/** One scripted attempt: answers `value` or fails with `error` after `after` ms of virtual time. */
export interface Step<T> {
  after: number;
  value?: T;
  error?: unknown;
  /** Keep running after the signal aborts (a call that does not honour cancellation). */
  ignoreAbort?: boolean;
}

export interface RecordedCall {
  attempt: number;
  startedAt: number;
  signal: AbortSignal;
  /** When it settled, and how (`aborted` when its signal stopped it). */
  endedAt?: number;
  outcome?: 'value' | 'error' | 'aborted';
}

/** A fake model call driven by a script (the last step repeats), recording every invocation. */
export function scriptedCall<T>(clock: VirtualClock, script: ReadonlyArray<Step<T>>) {
  const calls: RecordedCall[] = [];
  const call = (signal: AbortSignal, attempt: number): Promise<T> => {
    const step = script[Math.min(calls.length, script.length - 1)]!;
    const record: RecordedCall = { attempt, startedAt: clock.now(), signal };
    calls.push(record);
    return new Promise<T>((resolve, reject) => {
      const cancel = clock.schedule(step.after, () => {
        record.endedAt = clock.now();
        if (step.error !== undefined) {
          record.outcome = 'error';
          reject(step.error);
        } else {
          record.outcome = 'value';
          resolve(step.value as T);
        }
      });
      if (!step.ignoreAbort) {
        signal.addEventListener(
          'abort',
          () => {
            if (record.outcome) return;
            cancel();
            record.endedAt = clock.now();
            record.outcome = 'aborted';
            reject(signal.reason);
          },
          { once: true },
        );
      }
    });
  };
  return { call, calls };
}

export function eventLog() {
  const events: PolicyEvent[] = [];
  return { events, sink: (event: PolicyEvent) => void events.push(event), types: () => events.map((e) => e.type) };
}

/** An error shaped like an HTTP failure from a provider SDK. */
export function httpError(status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status }, extra);
}
