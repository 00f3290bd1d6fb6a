/**
 * Output validation: the zod schema first (`safeParse`, so a bad answer is a value, not a crash),
 * then, if given, an async validator standing for a validator agent that judges the schema-valid
 * value. Either failure is a `ValidationError` carrying zod's issues (or the validator's reason as
 * one custom issue). The parsed value (with zod's defaults and transforms applied) is what passes on.
 */
import type { z } from 'zod';
import { ValidationError } from './errors.js';
import { emitter } from './events.js';
import type { Operation, PolicyDeps } from './operation.js';

export type ValidatorVerdict = { ok: true } | { ok: false; reason: string; /** Asking the model again cannot fix this. */ deterministic?: boolean };

export interface ValidationOptions<T> {
  schema: z.ZodType<T>;
  /** A second opinion on a schema-valid value (a validator agent); aborted with the attempt. */
  validator?: (value: T, signal: AbortSignal) => Promise<ValidatorVerdict>;
  /**
   * True when the producer is deterministic (same input, same output), so a failed validation is
   * final and retry must not ask again. Model output is stochastic: default false.
   */
  deterministic?: boolean;
}

/** Parses and judges one answer; resolves to the parsed value or rejects with `ValidationError`. */
export async function validateOutput<T>(options: ValidationOptions<T>, value: unknown, signal: AbortSignal): Promise<T> {
  const parsed = options.schema.safeParse(value);
  if (!parsed.success) throw new ValidationError('schema', parsed.error.issues, options.deterministic ?? false);
  if (!options.validator) return parsed.data;
  const verdict = await options.validator(parsed.data, signal);
  if (verdict.ok) return parsed.data;
  throw new ValidationError(
    'validator',
    [{ code: 'custom', path: [], message: verdict.reason, input: parsed.data }],
    verdict.deterministic ?? options.deterministic ?? false,
  );
}

/** Validation as a stand-alone policy: the operation's answer must pass before it counts. */
export function withValidation<T>(options: ValidationOptions<T>, deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>) {
  const emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);
  return (operation: Operation<unknown>): Operation<T> =>
    async (signal, attempt) => {
      const raw = await operation(signal, attempt);
      try {
        return await validateOutput(options, raw, signal);
      } catch (error) {
        if (error instanceof ValidationError) emit({ type: 'validation-failed', stage: error.stage, error });
        throw error;
      }
    };
}
