/**
 * Budgets in tokens and/or dollars, enforced before money is spent: each attempt reserves a
 * worst-case estimate first (refused with `BudgetExhaustedError` if it does not fit beside what is
 * spent and what calls in flight hold), then settles with the usage it actually reported. So
 * concurrent calls can never jointly overspend, provided estimates really are worst cases
 * (prompt tokens + max output tokens).
 *
 * An attempt that fails without reporting its usage is charged its full estimate: a timed-out
 * request may still be billed, and a budget must not be overrun silently.
 */
import { BudgetExhaustedError, usageOfError, type BudgetResource, type Usage } from './errors.js';
import { emitter } from './events.js';
import type { Operation, Policy, PolicyDeps } from './operation.js';

export interface BudgetLimits {
  tokens?: number;
  dollars?: number;
}

// Dollar figures are sums of small floats; a hair of tolerance keeps 10 × $0.10 inside $1.00.
const EPSILON = 1e-9;
const RESOURCES: readonly BudgetResource[] = ['tokens', 'dollars'];

/** Shared accounting for one run (or one team): every policy stack that spends from it holds a reference. */
export class Budget {
  private readonly spentSoFar = { tokens: 0, dollars: 0 };
  private readonly held = { tokens: 0, dollars: 0 };

  constructor(readonly limits: BudgetLimits) {
    for (const resource of RESOURCES) {
      const limit = limits[resource];
      if (limit !== undefined && !(limit >= 0)) throw new RangeError(`budget ${resource} must be non-negative, got ${limit}`);
    }
  }

  /** Holds `estimate` for a call about to start; throws `BudgetExhaustedError` naming the first resource that does not fit. */
  reserve(estimate: Usage): Reservation {
    const wanted = normalise(estimate);
    for (const resource of RESOURCES) {
      const limit = this.limits[resource];
      if (limit === undefined) continue;
      if (this.spentSoFar[resource] + this.held[resource] + wanted[resource] > limit + EPSILON) {
        throw new BudgetExhaustedError(resource, limit, this.spentSoFar[resource], this.held[resource], wanted[resource]);
      }
    }
    this.held.tokens += wanted.tokens;
    this.held.dollars += wanted.dollars;
    return new Reservation(this, wanted);
  }

  spent(): Required<Usage> {
    return { ...this.spentSoFar };
  }

  reserved(): Required<Usage> {
    return { ...this.held };
  }

  /** What is left for new reservations, per limited resource (unlimited ones are absent). */
  remaining(): Usage {
    const left: Usage = {};
    for (const resource of RESOURCES) {
      const limit = this.limits[resource];
      if (limit !== undefined) left[resource] = Math.max(0, limit - this.spentSoFar[resource] - this.held[resource]);
    }
    return left;
  }

  /** True once settled spending has reached a limit: no further call can fit. */
  exhausted(): BudgetResource | undefined {
    return RESOURCES.find((r) => this.limits[r] !== undefined && this.spentSoFar[r] >= this.limits[r]! - EPSILON);
  }

  /** @internal — Reservation's side of the books. */
  close(held: Required<Usage>, actual: Required<Usage>): void {
    this.held.tokens -= held.tokens;
    this.held.dollars -= held.dollars;
    this.spentSoFar.tokens += actual.tokens;
    this.spentSoFar.dollars += actual.dollars;
  }
}

/** A hold on part of a budget; closed exactly once, by `settle` (spent) or `release` (nothing spent). */
export class Reservation {
  private open = true;

  constructor(
    private readonly budget: Budget,
    readonly amount: Required<Usage>,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Replaces the hold with what the call actually used (which may exceed the estimate: then it is recorded as spent anyway). */
  settle(actual: Usage): void {
    if (!this.open) return;
    this.open = false;
    this.budget.close(this.amount, normalise(actual));
  }

  /** Returns the hold untouched: the call never started. */
  release(): void {
    this.settle({});
  }
}

export interface BudgetPolicyOptions<T> {
  budget: Budget;
  /** Worst-case usage of one attempt (may depend on the attempt number). */
  estimate: Usage | ((attempt: number) => Usage);
  /** The usage an answer reports; absent or undefined means "charge the estimate". */
  usageOf?: (result: T) => Usage | undefined;
}

/**
 * The per-call side of a budget, used by `composePolicies`: `admit` reserves the first attempt
 * before anything else runs (so a call that cannot afford one attempt never reaches the breaker);
 * `charge` runs each attempt under a reservation, reusing the admitted one for the first attempt
 * and reserving afresh for every retry or hedge.
 */
export class CallBudget<T> {
  private admitted: Reservation | undefined;
  private readonly emit;

  constructor(
    private readonly options: BudgetPolicyOptions<T>,
    deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>,
  ) {
    this.emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);
  }

  admit(attempt = 1): void {
    this.admitted = this.reserve(attempt);
  }

  /** Returns an unused admission reservation (the call was refused before any attempt ran). */
  releaseUnused(): void {
    const unused = this.admitted;
    this.admitted = undefined;
    if (unused?.isOpen) this.settle(unused, {});
  }

  async charge(attempt: number, run: () => Promise<T>): Promise<T> {
    const reservation = this.begin(attempt);
    try {
      const result = await run();
      this.succeeded(reservation, result);
      return result;
    } catch (error) {
      this.failed(reservation, error);
      throw error;
    }
  }

  /** Reserves for one attempt (the admitted reservation for the first); throws `BudgetExhaustedError`. */
  begin(attempt: number): Reservation {
    const reservation = this.admitted ?? this.reserve(attempt);
    this.admitted = undefined;
    return reservation;
  }

  /** Settles an attempt that answered: with the usage it reports, else its estimate. Returns what was charged. */
  succeeded(reservation: Reservation, result: T): Required<Usage> {
    return this.settle(reservation, this.options.usageOf?.(result) ?? reservation.amount);
  }

  /** Settles an attempt that failed: with the usage its error reports, else its estimate. Returns what was charged. */
  failed(reservation: Reservation, error: unknown): Required<Usage> {
    return this.settle(reservation, usageOfError(error) ?? reservation.amount);
  }

  private reserve(attempt: number): Reservation {
    const estimate = typeof this.options.estimate === 'function' ? this.options.estimate(attempt) : this.options.estimate;
    try {
      const reservation = this.options.budget.reserve(estimate);
      this.emit({ type: 'budget-reserve', requested: normalise(estimate), remaining: this.options.budget.remaining() });
      return reservation;
    } catch (error) {
      if (error instanceof BudgetExhaustedError) {
        this.emit({ type: 'budget-refused', requested: normalise(estimate), remaining: this.options.budget.remaining(), resource: error.resource });
      }
      throw error;
    }
  }

  private settle(reservation: Reservation, actual: Usage): Required<Usage> {
    const charged = normalise(actual);
    reservation.settle(charged);
    this.emit({ type: 'budget-settle', reserved: reservation.amount, actual: charged, remaining: this.options.budget.remaining() });
    return charged;
  }
}

/** Budget as a stand-alone policy: every invocation of the operation is one reserved, settled attempt. */
export function withBudget<T>(options: BudgetPolicyOptions<T>, deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>): Policy<T> {
  return (operation: Operation<T>) => (signal, attempt) => {
    const account = new CallBudget(options, deps);
    return account.charge(attempt, () => operation(signal, attempt));
  };
}

function normalise(usage: Usage): Required<Usage> {
  return { tokens: usage.tokens ?? 0, dollars: usage.dollars ?? 0 };
}
