/**
 * `composePolicies(spec, deps)`: the one order in which fault policies wrap a model call.
 *
 *   fallback[ stack(primary), stack(alternative 1), … ]
 *   stack(call) = budget.admit ▸ breaker ▸ hedge( retry( attempt ) )
 *   attempt     = budget.charge( timeout(call) ) ▸ validation
 *
 * Read left to right as what a request meets: budget → circuit breaker → hedge →
 * retry(timeout(call)) → validation → fallback. Decisions, and why:
 *
 * - Budget comes first. The call reserves its first attempt's worst-case estimate before anything
 *   else, so a call that cannot afford one attempt never reaches the breaker (it does not use up a
 *   half-open probe, nor count as a failure). Every later attempt (a retry or a hedge copy)
 *   reserves its own estimate when it starts; a refusal there ends that copy with
 *   `BudgetExhaustedError`, which retry never retries and the breaker does not count.
 * - The breaker gates and counts whole calls, not attempts. An open breaker refuses the call before
 *   any attempt, hedge or retry is spent. One call is one breaker outcome: a call that succeeds
 *   after retries is a success, one that fails after all its retries (or with a non-retryable
 *   error, a timeout or invalid output) is one failure. Retries already absorb transient faults;
 *   counting attempts would let a 3-retry policy trip a 5-failure breaker in two calls. A call
 *   cancelled by its caller, or refused by the budget mid-way, reports nothing.
 * - Hedge wraps retry: a hedge copy is a whole second retry loop, started when the first has not
 *   answered after `afterMs`; the first success wins and the loser is aborted.
 * - Timeout bounds each attempt's model call (not the back-off waits, not the validator).
 * - Validation is part of each attempt: a schema-invalid answer or a validator's rejection is a
 *   failed attempt (outcome `invalid`), so retry asks again — model output is stochastic — unless
 *   validation is declared `deterministic`, which makes `ValidationError` non-retryable. The
 *   validator is not under the call's timeout: it is an agent with policies of its own.
 * - Fallback is outermost: when the whole stack fails (any error but the caller's abort, budget
 *   refusals included since a cheaper model may fit), the next alternative runs with its own stack.
 *
 * Attempts are numbered 1, 2, 3… across the whole call in the order they start (retries and
 * hedge copies alike); that number is what the call receives and what attempt events carry.
 */
import { ValidationError, TimeoutError, type Usage } from './errors.js';
import { emitter, type AttemptOutcome } from './events.js';
import { CallBudget, type BudgetPolicyOptions } from './budget.js';
import type { CircuitBreaker } from './breaker.js';
import { withHedge, type HedgeOptions } from './hedge.js';
import { withRetry, type RetryOptions } from './retry.js';
import { withTimeout } from './timeout.js';
import { validateOutput, type ValidationOptions } from './validation.js';
import { runFallbackChain, type Alternative } from './fallback.js';
import { neverAborted, type Operation, type PolicyDeps } from './operation.js';
import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { PolicyEventSink } from './events.js';

/**
 * The policies of one stack. `R` is what the call returns (a provider's raw answer), `T` what the
 * stack returns (the validated value; `R` when there is no validation).
 */
export interface PolicySpec<R, T = R> {
  /** Labels this stack's events (`policy` field) and names it in a fallback chain. */
  name?: string;
  budget?: BudgetPolicyOptions<R>;
  /** An instance, because breaker state must outlive one call; share it among calls to one dependency. */
  breaker?: CircuitBreaker;
  hedge?: HedgeOptions;
  retry?: RetryOptions;
  timeoutMs?: number;
  /** `select` picks the value to validate out of the raw answer (default: the answer itself). */
  validation?: ValidationOptions<T> & { select?: (result: R) => unknown };
  /** Tried in order when this stack fails; each has its own call and its own stack. */
  fallback?: ReadonlyArray<FallbackAlternative<T>>;
}

export interface FallbackAlternative<T> {
  name: string;
  // The alternative's raw type is its own business: only its validated `T` must match.
  spec: PolicySpec<any, T>;
  call: Operation<any>;
}

export interface ComposeDeps {
  clock: Clock;
  /** Needed when a retry uses jitter. */
  random?: Random;
  onEvent?: PolicyEventSink;
}

/** Runs `call` under every policy of the spec, in the documented order. */
export type ResilientCall<R, T> = (call: Operation<R>, signal?: AbortSignal) => Promise<T>;

export function composePolicies<R, T = R>(spec: PolicySpec<R, T>, deps: ComposeDeps): ResilientCall<R, T> {
  const stack = composeStack(spec, deps);
  const fallbacks = spec.fallback ?? [];
  if (fallbacks.length === 0) return stack;
  const alternatives = fallbacks.map((alt) => ({ name: alt.name, run: composePolicies(alt.spec, deps), call: alt.call }));
  const primaryName = spec.name ?? 'primary';
  return (call, signal = neverAborted()) => {
    const chain: Alternative<T>[] = [
      { name: primaryName, run: (s) => stack(call, s) },
      ...alternatives.map((alt) => ({ name: alt.name, run: (s: AbortSignal) => alt.run(alt.call, s) as Promise<T> })),
    ];
    return runFallbackChain(chain, signal, { ...deps, name: spec.name });
  };
}

function composeStack<R, T>(spec: PolicySpec<R, T>, deps: ComposeDeps): ResilientCall<R, T> {
  const policyDeps: PolicyDeps = { ...deps, name: spec.name };
  const emit = emitter(deps.onEvent, () => deps.clock.now(), spec.name);
  const timeout = spec.timeoutMs !== undefined ? withTimeout<R>(spec.timeoutMs, policyDeps) : undefined;
  const retry = spec.retry ? withRetry<T>(spec.retry, policyDeps) : undefined;
  const hedge = spec.hedge ? withHedge<T>(spec.hedge, policyDeps) : undefined;

  return async (call, signal = neverAborted()) => {
    if (signal.aborted) throw signal.reason;
    const budget = spec.budget ? new CallBudget<R>(spec.budget, policyDeps) : undefined;
    const timedCall = timeout ? timeout(call) : call;
    let attempts = 0;

    const attempt: Operation<T> = async (attemptSignal) => {
      const number = attempts + 1;
      // Reserve before the attempt exists: a refusal is not an attempt, just the end of the call.
      const reservation = budget?.begin(number);
      attempts = number;
      const started = deps.clock.now();
      emit({ type: 'attempt-start', attempt: number });
      let raw: R;
      let usage: Usage | undefined;
      try {
        raw = await timedCall(attemptSignal, number);
        if (reservation) usage = budget!.succeeded(reservation, raw);
      } catch (error) {
        if (reservation) usage = budget!.failed(reservation, error);
        emit({ type: 'attempt-end', attempt: number, outcome: classify(error, attemptSignal), durationMs: deps.clock.now() - started, error, ...(usage ? { usage } : {}) });
        throw error;
      }
      try {
        const value = spec.validation ? await validate(spec.validation, raw, attemptSignal) : (raw as unknown as T);
        emit({ type: 'attempt-end', attempt: number, outcome: 'ok', durationMs: deps.clock.now() - started, ...(usage ? { usage } : {}) });
        return value;
      } catch (error) {
        if (error instanceof ValidationError) emit({ type: 'validation-failed', stage: error.stage, error });
        emit({ type: 'attempt-end', attempt: number, outcome: classify(error, attemptSignal), durationMs: deps.clock.now() - started, error, ...(usage ? { usage } : {}) });
        throw error;
      }
    };

    // budget → breaker: admission in this order, before any attempt exists.
    budget?.admit();
    let permit;
    try {
      permit = spec.breaker?.acquire();
    } catch (error) {
      budget?.releaseUnused();
      throw error;
    }
    const retried = retry ? retry(attempt) : attempt;
    const hedged = hedge ? hedge(retried) : retried;
    try {
      const value = await hedged(signal, 1);
      permit?.success();
      return value;
    } catch (error) {
      if (permit) spec.breaker!.report(permit, signal, error);
      throw error;
    } finally {
      budget?.releaseUnused();
    }
  };
}

function validate<R, T>(options: ValidationOptions<T> & { select?: (result: R) => unknown }, raw: R, signal: AbortSignal): Promise<T> {
  return validateOutput(options, options.select ? options.select(raw) : raw, signal);
}

function classify(error: unknown, signal: AbortSignal): AttemptOutcome {
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof ValidationError) return 'invalid';
  if (signal.aborted) return 'cancelled';
  return 'error';
}
