/**
 * The typed failures of a model call. Every provider throws one of these (or, when the caller
 * aborts, the abort reason itself), so policies and runners branch on the class or on `retryable`
 * without knowing which provider answered. `retryable` says whether asking again could help.
 *
 * Output errors carry the tokens the failed answer cost as `tokenUsage` — deliberately not named
 * `usage`, which the budget policy reads as `{ tokens, dollars }`.
 */
import type { z } from 'zod';
import type { TokenUsage } from './types.js';

/** Who failed: the provider and, when known, the agent whose call it was. */
export interface ErrorSource {
  provider: string;
  agent?: string;
}

export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  readonly provider: string;
  readonly agent: string | undefined;

  constructor(source: ErrorSource, message: string) {
    super(`${source.provider}${source.agent ? ` (agent ${source.agent})` : ''}: ${message}`);
    this.provider = source.provider;
    this.agent = source.agent;
  }
}

/** 429. `retryAfterMs` is the wait the server asked for, from `retry-after-ms` or `Retry-After`. */
export class RateLimitError extends ProviderError {
  override readonly name = 'RateLimitError';
  readonly status = 429;
  readonly retryable: boolean;
  constructor(
    source: ErrorSource,
    readonly retryAfterMs: number | undefined,
    /** A 429 that waiting cannot fix (OpenAI's `insufficient_quota`) sets this false. */
    options: { retryable?: boolean; detail?: string } = {},
  ) {
    super(source, `rate limited${retryAfterMs !== undefined ? `; retry after ${retryAfterMs}ms` : ''}${options.detail ? ` — ${options.detail}` : ''}`);
    this.retryable = options.retryable ?? true;
  }
}

/** A 5xx: the server failed; another attempt may reach a healthy one. */
export class ServerError extends ProviderError {
  override readonly name = 'ServerError';
  readonly retryable = true;
  constructor(
    source: ErrorSource,
    readonly status: number,
    detail?: string,
  ) {
    super(source, `server error ${status}${detail ? ` — ${detail}` : ''}`);
  }
}

/** The provider's own deadline passed (the SDK's timeout, a 408, a simulated hang with a deadline). */
export class ProviderTimeoutError extends ProviderError {
  override readonly name = 'ProviderTimeoutError';
  readonly retryable = true;
  constructor(
    source: ErrorSource,
    readonly timeoutMs: number | undefined,
  ) {
    super(source, `no answer${timeoutMs !== undefined ? ` within ${timeoutMs}ms` : ' before the provider timed out'}`);
  }
}

/** The request never reached a server, or the connection broke. */
export class ProviderConnectionError extends ProviderError {
  override readonly name = 'ProviderConnectionError';
  readonly retryable = true;
  constructor(source: ErrorSource, detail: string) {
    super(source, `connection failed — ${detail}`);
  }
}

/** 401/403, or no credentials at all: asking again with the same key cannot help. */
export class ProviderAuthError extends ProviderError {
  override readonly name = 'ProviderAuthError';
  readonly retryable = false;
  constructor(
    source: ErrorSource,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(source, `not authorised${status !== undefined ? ` (${status})` : ''} — ${detail}`);
  }
}

/** Any other 4xx: the request itself is wrong (unknown model, bad parameter). */
export class ProviderRequestError extends ProviderError {
  override readonly name = 'ProviderRequestError';
  readonly retryable: boolean;
  constructor(
    source: ErrorSource,
    readonly status: number,
    detail: string,
  ) {
    super(source, `request rejected (${status}) — ${detail}`);
    // 409 and 425 are about timing, not about the request.
    this.retryable = status === 409 || status === 425;
  }
}

export type MalformedReason = 'not_json' | 'truncated' | 'empty' | 'refusal';

/** The answer is not JSON: prose, cut off mid-value, empty, or a refusal. */
export class MalformedOutputError extends ProviderError {
  override readonly name = 'MalformedOutputError';
  readonly retryable = true;
  constructor(
    source: ErrorSource,
    readonly reason: MalformedReason,
    readonly raw: string,
    readonly tokenUsage?: TokenUsage,
  ) {
    super(source, `malformed output (${reason.replace('_', ' ')}): ${preview(raw)}`);
  }
}

/** The answer is JSON but not of the expected shape; `issues` are zod's. */
export class SchemaMismatchError extends ProviderError {
  override readonly name = 'SchemaMismatchError';
  readonly retryable = true;
  constructor(
    source: ErrorSource,
    readonly issues: readonly z.core.$ZodIssue[],
    readonly output: unknown,
    readonly raw: string,
    readonly tokenUsage?: TokenUsage,
  ) {
    super(source, `output does not match its schema: ${summariseIssues(issues)}`);
  }
}

/** A replayed run asked for a request the cassette never recorded. */
export class ReplayMissError extends ProviderError {
  override readonly name = 'ReplayMissError';
  readonly retryable = false;
  constructor(
    agent: string,
    /** The request's hash, as the cassette would key it. */
    readonly key: string,
    readonly cassette: string,
    /** Hashes recorded for the same agent: a near miss usually means its prompt or schema changed. */
    readonly recordedForAgent: readonly string[],
  ) {
    super(
      { provider: 'replay', agent },
      `no recorded response for request ${key} in ${cassette}` +
        (recordedForAgent.length > 0
          ? `; ${recordedForAgent.length} other request(s) of this agent are recorded (${recordedForAgent.slice(0, 3).join(', ')}${recordedForAgent.length > 3 ? ', …' : ''}) — did its prompt, model or schema change? Re-record.`
          : '; nothing is recorded for this agent — record it first (mode "record" or "auto").'),
    );
  }
}

/** The simulator cannot produce a value of this schema (not JSON-representable, or unsatisfiable). */
export class UnsupportedSchemaError extends ProviderError {
  override readonly name = 'UnsupportedSchemaError';
  readonly retryable = false;
  constructor(
    source: ErrorSource,
    /** Where in the schema, e.g. `$.items[].when`. */
    readonly path: string,
    readonly detail: string,
  ) {
    super(source, `cannot generate a value at ${path}: ${detail}`);
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

function preview(raw: string): string {
  const flat = raw.replace(/\s+/g, ' ').trim();
  return flat.length === 0 ? '(empty)' : JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}

function summariseIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  return issues.length > 3 ? `${shown.join('; ')}; and ${issues.length - 3} more` : shown.join('; ');
}
