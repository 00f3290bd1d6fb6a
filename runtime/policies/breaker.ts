/**
 * A circuit breaker: stop calling a dependency that keeps failing, then probe it carefully.
 *
 *   closed ──(`failures` failures within the last `windowMs`)──▶ open
 *   open ──(`cooldownMs` elapsed; checked lazily on the next admission or state read)──▶ half-open
 *   half-open ──(its single probe succeeds)──▶ closed (failure window cleared)
 *   half-open ──(its single probe fails)──▶ open (cooldown restarts)
 *
 * The window is sliding and counts failures only (successes do not reset it): "5 failures in 1m"
 * means five failures whose timestamps lie in (now − 1m, now]. In half-open exactly one call is
 * admitted; others are rejected with `CircuitOpenError` until the probe reports. A probe that is
 * cancelled (its caller aborted) frees the slot without deciding anything. Calls admitted in a
 * closed period that finish after the breaker left it do not count, not even in a later closed
 * period: only the probe decides in half-open, and stragglers never restart a cooldown.
 *
 * Hand-written rather than cockatiel's: cockatiel reads the global clock, and every timestamp
 * here must come from the run's injected Clock so simulations are reproducible.
 */
import type { Clock } from '../clock.js';
import { BudgetExhaustedError, CircuitOpenError, HedgeLostError } from './errors.js';
import { emitter, type BreakerState, type PolicyEventSink } from './events.js';

export interface BreakerOptions {
  /** Shown in errors and events. */
  name?: string;
  /** Failures within the window that open the breaker (≥ 1). */
  failures: number;
  windowMs: number;
  /** Time open before a probe is let through. */
  cooldownMs: number;
  clock: Clock;
  onEvent?: PolicyEventSink;
  /** Which errors say the dependency is unhealthy. Default: all but budget refusals, open circuits and hedge cancellations. */
  isFailure?: (error: unknown) => boolean;
}

/** One admitted call's obligation to report how it went; only the first report counts. */
export interface BreakerPermit {
  readonly probe: boolean;
  success(): void;
  failure(): void;
  /** The call ended without telling anything about the dependency (cancelled, refused by budget). */
  cancel(): void;
}

export function defaultIsFailure(error: unknown): boolean {
  return !(error instanceof BudgetExhaustedError || error instanceof CircuitOpenError || error instanceof HedgeLostError);
}

export class CircuitBreaker {
  readonly name: string;
  private current: BreakerState = 'closed';
  private failureTimes: number[] = [];
  private openedAt = 0;
  private probeInFlight = false;
  /** Bumped whenever the breaker opens, so calls admitted in an earlier closed period do not count in a later one. */
  private epoch = 0;
  private readonly emit;

  constructor(private readonly options: BreakerOptions) {
    if (!Number.isInteger(options.failures) || options.failures < 1) throw new RangeError(`breaker failures must be a positive integer, got ${options.failures}`);
    if (!(options.windowMs > 0)) throw new RangeError(`breaker window must be positive, got ${options.windowMs}ms`);
    if (!(options.cooldownMs >= 0)) throw new RangeError(`breaker cooldown must be non-negative, got ${options.cooldownMs}ms`);
    this.name = options.name ?? 'breaker';
    this.emit = emitter(options.onEvent, () => options.clock.now(), options.name);
  }

  /** The state now (an open breaker whose cooldown has elapsed reads, and becomes, half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.options.clock.now() >= this.openedAt + this.options.cooldownMs) {
      this.transition('half-open', `cooldown of ${this.options.cooldownMs}ms elapsed`);
    }
    return this.current;
  }

  /** Failures currently inside the window (closed state only). */
  recentFailures(): number {
    this.prune();
    return this.failureTimes.length;
  }

  /** Admits one call or throws `CircuitOpenError`. */
  acquire(): BreakerPermit {
    const state = this.state;
    if (state === 'open') {
      this.emit({ type: 'breaker-rejected', breaker: this.name, state });
      throw new CircuitOpenError(this.name, 'open', this.openedAt + this.options.cooldownMs - this.options.clock.now());
    }
    if (state === 'half-open') {
      if (this.probeInFlight) {
        this.emit({ type: 'breaker-rejected', breaker: this.name, state });
        throw new CircuitOpenError(this.name, 'half-open', 0);
      }
      this.probeInFlight = true;
      return this.permit(true);
    }
    return this.permit(false);
  }

  /** Runs `fn` through the breaker, classifying its outcome; a call whose signal was aborted counts as cancelled. */
  async execute<T>(signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const permit = this.acquire();
    try {
      const value = await fn(signal);
      permit.success();
      return value;
    } catch (error) {
      this.report(permit, signal, error);
      throw error;
    }
  }

  /** Reports a failed call's outcome the way `execute` does. */
  report(permit: BreakerPermit, signal: AbortSignal, error: unknown): void {
    if (signal.aborted || !(this.options.isFailure ?? defaultIsFailure)(error)) permit.cancel();
    else permit.failure();
  }

  private permit(probe: boolean): BreakerPermit {
    const admittedIn = this.epoch;
    let reported = false;
    const once = (fn: () => void) => () => {
      if (reported) return;
      reported = true;
      fn();
    };
    return {
      probe,
      success: once(() => {
        if (probe) this.probeFinished('success');
      }),
      failure: once(() => {
        if (probe) this.probeFinished('failure');
        else if (this.current === 'closed' && this.epoch === admittedIn) this.recordFailure();
      }),
      cancel: once(() => {
        if (probe) this.probeInFlight = false;
      }),
    };
  }

  private recordFailure(): void {
    this.failureTimes.push(this.options.clock.now());
    this.prune();
    if (this.failureTimes.length >= this.options.failures) {
      this.open(`${this.failureTimes.length} failures within ${this.options.windowMs}ms`);
    }
  }

  private probeFinished(outcome: 'success' | 'failure'): void {
    this.probeInFlight = false;
    if (this.current !== 'half-open') return;
    if (outcome === 'success') {
      this.failureTimes = [];
      this.transition('closed', 'probe succeeded');
    } else {
      this.open('probe failed');
    }
  }

  private open(reason: string): void {
    this.epoch++;
    this.openedAt = this.options.clock.now();
    this.failureTimes = [];
    this.transition('open', reason);
  }

  private prune(): void {
    const horizon = this.options.clock.now() - this.options.windowMs;
    this.failureTimes = this.failureTimes.filter((t) => t > horizon);
  }

  private transition(to: BreakerState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.emit({ type: 'breaker-change', breaker: this.name, from, to, reason });
  }
}
