/**
 * Redelivery timing for at-least-once: exponential back-off on the injected clock, with jitter
 * from the seeded generator so retries from many senders do not synchronise.
 */
import type { Random } from '../random.js';

export interface RetryPolicy {
  /** Wait after the first transmission before the second. */
  initialDelayMs: number;
  /** The back-off never waits longer than this. */
  maxDelayMs: number;
  /** Transmissions in all, the first included; after the last one times out the sender gives up. */
  maxAttempts: number;
  /** Fraction of each wait that is randomised: 0 = none, 0.5 = wait in [½d, d]. */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  maxAttempts: 10,
  jitter: 0.5,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };
  if (!(policy.initialDelayMs > 0 && policy.maxDelayMs >= policy.initialDelayMs)) {
    throw new RangeError('retry delays must satisfy 0 < initialDelayMs <= maxDelayMs');
  }
  if (!(policy.maxAttempts >= 1)) throw new RangeError('retry maxAttempts must be at least 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new RangeError('retry jitter must be in [0, 1]');
  return policy;
}

/** How long to wait for an acknowledgement after transmission number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: Random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.max(1, Math.round(ceiling * (1 - policy.jitter * random.next())));
}
