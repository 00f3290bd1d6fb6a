/**
 * A fallback chain: alternatives tried in order (e.g. the primary model, then a cheaper or a
 * different one), each already wrapped in its own policy stack. The next alternative is taken on
 * any failure of the previous one — including a budget refusal, since a cheaper alternative may
 * still fit — except when the caller aborted. If every alternative fails, a single alternative's
 * error passes through unchanged; several give a `FallbackExhaustedError` listing each failure.
 */
import { FallbackExhaustedError } from './errors.js';
import { emitter } from './events.js';
import type { PolicyDeps } from './operation.js';

export interface Alternative<T> {
  name: string;
  run: (signal: AbortSignal) => Promise<T>;
}

export async function runFallbackChain<T>(
  alternatives: readonly Alternative<T>[],
  signal: AbortSignal,
  deps: Pick<PolicyDeps, 'clock' | 'onEvent' | 'name'>,
): Promise<T> {
  if (alternatives.length === 0) throw new RangeError('a fallback chain needs at least one alternative');
  const emit = emitter(deps.onEvent, () => deps.clock.now(), deps.name);
  const errors: unknown[] = [];
  for (let i = 0; i < alternatives.length; i++) {
    const alternative = alternatives[i]!;
    try {
      return await alternative.run(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      errors.push(error);
      const next = alternatives[i + 1];
      if (next) emit({ type: 'fallback-taken', from: alternative.name, to: next.name, error });
    }
  }
  if (alternatives.length === 1) throw errors[0];
  throw new FallbackExhaustedError(
    alternatives.map((a) => a.name),
    errors,
  );
}
