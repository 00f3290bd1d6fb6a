/**
 * Retry with back-off. The n-th retry (n = 0 for the first) waits
 *
 *   ceiling(n) = min(maxMs, minMs · 2ⁿ)      exponential
 *              = min(maxMs, minMs · (n + 1)) linear
 *              = min(maxMs, minMs)           constant
 *
 * and with `jitter` a uniform draw from [0, ceiling(n)] instead ("full jitter", as AWS's
 * architecture blog recommends: it spreads synchronised clients best). Jitter draws from the
 * injected Random, the wait from the injected Clock, so a seed replays the same delays.
 *
 * A server's Retry-After (`retryAfterMs` on the error, e.g. from a 429) is a floor: the wait is
 * max(drawn delay, retryAfterMs). A Retry-After longer than `maxRetryAfterMs` ends retrying: the
 * server has said it will not answer within what this caller is willing to wait.
 *
 * Never retried: errors `isRetryable` rejects (budget exhausted, open circuit, deterministic
 * validation failures, non-transient HTTP 4xx), and anything after the caller's signal aborted.
 */
import type { Backoff } from '../definition.js';
import type { Random } from '../random.js';
import { isRetryable as defaultIsRetryable, retryAfterOf } from './errors.js';
import { emitter } from './events.js';
import type { Operation, Policy, PolicyDeps } from './operation.js';

export interface RetryOptions {
  /** Total attempts, the first included (so 1 means no retry). */
  attempts: number;
  backoff: Backoff;
  minMs: number;
  maxMs: number;
  /** Full jitter: draw each wait uniformly from [0, ceiling]. */
  jitter: boolean;
  isRetryable?: (error: unknown) => boolean;
  /** Give up instead of honouring a longer Retry-After. Default: honour any. */
  maxRetryAfterMs?: number;
}

export function validateRetryOptions(options: RetryOptions): void {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) throw new RangeError(`retry attempts must be a positive integer, got ${options.attempts}`);
  if (!(options.minMs >= 0) || !(options.maxMs >= options.minMs)) throw new RangeError(`retry back-off range ${options.minMs}..${options.maxMs}ms is empty or negative`);
}

/** The longest wait before retry `n` (0-based), before jitter and Retry-After. */
export function backoffCeiling(options: Pick<RetryOptions, 'backoff' | 'minMs' | 'maxMs'>, n: number): number {
  const { minMs, maxMs } = options;
  switch (options.backoff) {
    case 'exponential':
      // 2ⁿ overflows to Infinity for large n, and min() then still gives maxMs.
      return Math.min(maxMs, minMs * 2 ** n);
    case 'linear':
      return Math.min(maxMs, minMs * (n + 1));
    case 'constant':
      return Math.min(maxMs, minMs);
  }
}

/** The wait before retry `n` (0-based) after `error`. */
export function retryDelay(options: RetryOptions, n: number, random: Random | undefined, error?: unknown): number {
  const ceiling = backoffCeiling(options, n);
  let delay = ceiling;
  if (options.jitter) {
    if (!random) throw new Error('retry with jitter needs a Random');
    delay = random.next() * ceiling;
  }
  const retryAfter = retryAfterOf(error);
  return retryAfter === undefined ? delay : Math.max(delay, retryAfter);
}

export function withRetry<T>(options: RetryOptions, deps: PolicyDeps): Policy<T> {
  validateRetryOptions(options);
  if (options.jitter && !deps.random) throw new Error('retry with jitter needs a Random (pass the run\'s seeded generator)');
  const retryable = options.isRetryable ?? defaultIsRetryable;
  const emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);
  return (operation: Operation<T>) => async (signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation(signal, attempt);
      } catch (error) {
        // The caller gave up (or a hedge sibling won): this is not a failure to repair.
        if (signal.aborted) throw error;
        if (!retryable(error)) {
          emit({ type: 'retry-given-up', attempts: attempt, reason: 'not-retryable', error });
          throw error;
        }
        if (attempt >= options.attempts) {
          emit({ type: 'retry-given-up', attempts: attempt, reason: 'attempts-exhausted', error });
          throw error;
        }
        const retryAfterMs = retryAfterOf(error);
        if (retryAfterMs !== undefined && options.maxRetryAfterMs !== undefined && retryAfterMs > options.maxRetryAfterMs) {
          emit({ type: 'retry-given-up', attempts: attempt, reason: 'retry-after-too-long', error });
          throw error;
        }
        const delayMs = retryDelay(options, attempt - 1, deps.random, error);
        emit({ type: 'retry-scheduled', retry: attempt, delayMs, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error });
        await deps.clock.sleep(delayMs, signal);
      }
    }
  };
}
