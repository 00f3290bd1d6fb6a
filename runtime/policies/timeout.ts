/**
 * A deadline on one attempt. When it passes, the attempt's AbortSignal is aborted with a
 * `TimeoutError` (so a well-behaved call stops spending) and the attempt rejects with that error at
 * once — it does not wait for the call to notice, because a hung call may never notice.
 * Timers come from the injected Clock (not setTimeout) so simulations stay on virtual time.
 */
import { TimeoutError } from './errors.js';
import { emitter } from './events.js';
import { childController, type Operation, type Policy, type PolicyDeps } from './operation.js';

export function withTimeout<T>(timeoutMs: number, deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>): Policy<T> {
  if (!(timeoutMs >= 0)) throw new RangeError(`timeout must be non-negative, got ${timeoutMs}ms`);
  const emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);
  return (operation: Operation<T>) => (signal, attempt) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    const { controller, dispose } = childController(signal);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        cancelTimer();
        dispose();
        signal.removeEventListener('abort', onCallerAbort);
        return true;
      };
      // Registered after childController's listener, so the call's own signal is already aborted.
      const onCallerAbort = () => {
        if (finish()) reject(signal.reason);
      };
      signal.addEventListener('abort', onCallerAbort, { once: true });
      const cancelTimer = Number.isFinite(timeoutMs)
        ? deps.clock.schedule(timeoutMs, () => {
            if (!finish()) return;
            const error = new TimeoutError(timeoutMs);
            emit({ type: 'timeout', timeoutMs });
            controller.abort(error);
            reject(error);
          })
        : () => {};
      let pending: Promise<T>;
      try {
        pending = operation(controller.signal, attempt);
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (finish()) resolve(value);
        },
        (error: unknown) => {
          if (finish()) reject(error);
        },
      );
    });
  };
}
