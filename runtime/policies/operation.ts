/**
 * The shape every policy wraps: one attempt at a call, cancellable through its signal. `attempt`
 * numbers attempts from 1 so a provider can vary a seed or log which try this is.
 */
export type Operation<T> = (signal: AbortSignal, attempt: number) => Promise<T>;

/** A policy turns an operation into a more resilient one with the same shape. */
export type Policy<T> = (operation: Operation<T>) => Operation<T>;

/**
 * A controller whose signal aborts when `parent` aborts (with the parent's reason). `dispose`
 * detaches it from the parent so finished attempts do not pile up listeners on a long-lived signal.
 */
export function childController(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}

/** A signal that never aborts, for callers that have none. */
export function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

/** Rejects with the signal's reason the moment it aborts; never settles otherwise. */
export function abortedPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // Callers race this promise; an unobserved rejection after the race is settled is harmless.
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

import type { Clock } from '../clock.js';
import type { Random } from '../random.js';
import type { PolicyEventSink } from './events.js';

/** What policies need from the run: its clock, its randomness, and where to report. */
export interface PolicyDeps {
  clock: Clock;
  /** Only retry's jitter draws from it; required there. */
  random?: Random;
  onEvent?: PolicyEventSink;
  /** A label for events: the agent or model this stack guards. */
  name?: string;
}
