/**
 * Hedged requests (straggler mitigation, after Dean & Barroso's "The Tail at Scale"): if the
 * call has not answered `afterMs` after it started, start another copy; the first success wins
 * and every other copy is aborted through its own AbortSignal (with `HedgeLostError`), so it stops
 * spending. Up to `maxHedges` extra copies, one every `afterMs`.
 *
 * A hedge answers slowness, not failure: when every running copy has failed the call fails at once
 * (with the first copy's error) and no further hedge is started — repairing failures is retry's job.
 */
import { HedgeLostError } from './errors.js';
import { emitter } from './events.js';
import { childController, type Operation, type Policy, type PolicyDeps } from './operation.js';

export interface HedgeOptions {
  afterMs: number;
  /** Extra copies at most (default `DEFAULT_MAX_HEDGES`). */
  maxHedges?: number;
}

/** Extra copies a hedge starts when none is given: an agent's `hedge after` runs at most two copies (the checker's worst-case spend counts them). */
export const DEFAULT_MAX_HEDGES = 1;

export function withHedge<T>(options: HedgeOptions, deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>): Policy<T> {
  const maxHedges = options.maxHedges ?? DEFAULT_MAX_HEDGES;
  if (!(options.afterMs >= 0)) throw new RangeError(`hedge delay must be non-negative, got ${options.afterMs}ms`);
  if (!Number.isInteger(maxHedges) || maxHedges < 0) throw new RangeError(`maxHedges must be a non-negative integer, got ${maxHedges}`);
  const emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);

  return (operation: Operation<T>) => (signal, attempt) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const copies: Array<{ controller: AbortController; dispose: () => void; running: boolean; error?: unknown }> = [];
      let done = false;
      let cancelTimer = () => {};

      const finish = () => {
        done = true;
        cancelTimer();
        signal.removeEventListener('abort', onCallerAbort);
        for (const copy of copies) copy.dispose();
      };
      const onCallerAbort = () => {
        if (done) return;
        // finish() detaches the copies from the caller's signal, so abort them here explicitly.
        const running = copies.filter((copy) => copy.running);
        finish();
        for (const copy of running) copy.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onCallerAbort, { once: true });

      const start = (branch: number) => {
        const { controller, dispose } = childController(signal);
        const copy = { controller, dispose, running: true as boolean, error: undefined as unknown };
        copies.push(copy);
        let pending: Promise<T>;
        try {
          pending = operation(controller.signal, attempt);
        } catch (error) {
          pending = Promise.reject(error);
        }
        pending.then(
          (value) => {
            copy.running = false;
            if (done) return;
            finish();
            const aborted: number[] = [];
            copies.forEach((other, index) => {
              if (other.running) {
                aborted.push(index);
                other.controller.abort(new HedgeLostError());
              }
            });
            if (copies.length > 1) emit({ type: 'hedge-won', branch, aborted });
            resolve(value);
          },
          (error: unknown) => {
            copy.running = false;
            copy.error = error;
            if (done || copies.some((c) => c.running)) return;
            finish();
            reject(copies[0]!.error);
          },
        );
      };

      const scheduleHedge = () => {
        if (copies.length > maxHedges) return;
        cancelTimer = deps.clock.schedule(options.afterMs, () => {
          if (done) return;
          const branch = copies.length;
          emit({ type: 'hedge-fired', afterMs: options.afterMs, branch });
          start(branch);
          scheduleHedge();
        });
      };

      start(0);
      if (!done) scheduleHedge();
    });
  };
}
