/** Waiting on an AbortSignal, the way `Clock.sleep` does: reject with the signal's reason. */

/** Rejects with the signal's reason when it aborts; never settles without one (a hung call). */
export function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
