/**
 * The typed failures of the fault policies, and the one place that decides which failures are
 * worth another attempt. Every policy throws one of these (or lets the call's own error through),
 * so a runner can tell "out of money" from "the model is down" from "the answer was malformed".
 */
import type { z } from 'zod';

/** Token and dollar amounts; a missing figure counts as 0. */
export interface Usage {
  tokens?: number;
  dollars?: number;
}

export type BudgetResource = 'tokens' | 'dollars';

/** A reservation did not fit what is left of the budget. Never retried: waiting does not refill a budget. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
  readonly retryable = false;
  constructor(
    /** What ran out. */
    readonly resource: BudgetResource,
    readonly limit: number,
    /** Settled spending so far. */
    readonly spent: number,
    /** Held by calls still in flight. */
    readonly reserved: number,
    /** What this call asked for. */
    readonly requested: number,
  ) {
    super(
      `budget exhausted: ${resource} — requested ${fmt(requested)} but only ${fmt(Math.max(0, limit - spent - reserved))} ` +
        `of ${fmt(limit)} left (spent ${fmt(spent)}, reserved by calls in flight ${fmt(reserved)})`,
    );
  }
}

/** The circuit breaker is open (or half-open with its one probe already out). Never retried. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  readonly retryable = false;
  constructor(
    readonly breaker: string,
    readonly state: 'open' | 'half-open',
    /** Time until the breaker lets a probe through (0 when half-open and busy). */
    readonly retryAfterMs: number,
  ) {
    super(
      state === 'open'
        ? `circuit "${breaker}" is open; next probe in ${retryAfterMs}ms`
        : `circuit "${breaker}" is half-open and its probe is still in flight`,
    );
  }
}

/** One attempt took longer than its timeout; its AbortSignal was aborted with this error. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly retryable = true;
  constructor(readonly timeoutMs: number) {
    super(`attempt timed out after ${timeoutMs}ms`);
  }
}

export type ValidationStage = 'schema' | 'validator';

/** The answer failed its schema, or the validator (agent) rejected it. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly stage: ValidationStage,
    /** zod's issues for a schema failure; the validator's reason as a single custom issue otherwise. */
    readonly issues: readonly z.core.$ZodIssue[],
    /**
     * True when asking again cannot help (a deterministic producer, or a validator that rejects
     * the request itself). Retry reads this; by default model output is stochastic, so false.
     */
    readonly deterministic: boolean,
  ) {
    super(`${stage === 'schema' ? 'output does not match its schema' : 'validator rejected the output'}: ${summariseIssues(issues)}`);
  }

  get retryable(): boolean {
    return !this.deterministic;
  }
}

/** Every alternative of a fallback chain failed; `errors` holds each one's failure, in order. */
export class FallbackExhaustedError extends AggregateError {
  override readonly name = 'FallbackExhaustedError';
  constructor(
    readonly alternatives: readonly string[],
    errors: readonly unknown[],
  ) {
    super(errors, `every alternative failed: ${alternatives.map((name, i) => `${name} (${describeError(errors[i])})`).join('; ')}`, {
      cause: errors[errors.length - 1],
    });
  }
}

/** The reason a hedge's losing attempt is aborted with: not a failure, a cancellation. */
export class HedgeLostError extends Error {
  override readonly name = 'HedgeLostError';
  constructor() {
    super('another hedged attempt answered first');
  }
}

/**
 * Whether another attempt could succeed where this one failed. In order:
 * an explicit `retryable` flag on the error wins (our typed errors all carry one, and providers
 * may set it); then an HTTP `status` (408, 409, 425, 429 and 5xx are transient, other 4xx are
 * the request's own fault); anything else — network errors, malformed output — is transient.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const flagged = (error as { retryable?: unknown }).retryable;
  if (typeof flagged === 'boolean') return flagged;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') {
    if (status >= 500) return true;
    if (status >= 400) return status === 408 || status === 409 || status === 425 || status === 429;
  }
  return true;
}

/** The server's requested wait (a 429's Retry-After), when the error carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The usage a failed attempt reports it consumed (providers attach it to their errors), if any. */
export function usageOfError(error: unknown): Usage | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const usage = (error as { usage?: unknown }).usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const { tokens, dollars } = usage as Usage;
  if (tokens !== undefined && typeof tokens !== 'number') return undefined;
  if (dollars !== undefined && typeof dollars !== 'number') return undefined;
  return { tokens, dollars };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function summariseIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return issues.length > 3 ? `${shown.join('; ')}; and ${issues.length - 3} more` : shown.join('; ');
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
