/**
 * Time, injected everywhere. Production code uses `realClock`; simulation and tests use a
 * `VirtualClock`, under which a whole team run is deterministic and takes no wall time.
 *
 * Hand-written on purpose: timer libraries (and cockatiel's policies) read the global clock,
 * while every timer here must be owned by the clock the run was given.
 */
export interface Clock {
  /** Milliseconds since the clock's epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
  schedule(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Timers fire in (time, creation order), so two runs with
 * the same inputs interleave identically. `run(task)` drives a promise to completion: it lets
 * every pending microtask and I/O callback settle, then jumps to the next timer.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers: Timer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    insertSorted(this.timers, timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Number of timers still waiting to fire. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Fires every timer due at or before `now + ms`, in order, settling microtasks between them. */
  async advance(ms: number): Promise<void> {
    const until = this.current + Math.max(0, ms);
    await settle();
    for (;;) {
      const next = this.peek();
      if (!next || next.at > until) break;
      this.fire(next);
      await settle();
    }
    this.current = until;
  }

  /**
   * Drives `task` to completion on virtual time. Throws if the task can never finish (no timers
   * left and the task still pending): a deadlock in the code under test, reported, not hung.
   */
  async run<T>(task: Promise<T> | (() => Promise<T>), options: { maxTime?: number } = {}): Promise<T> {
    const promise = typeof task === 'function' ? task() : task;
    let settled = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    promise.then(
      (v) => {
        settled = true;
        value = v;
      },
      (e: unknown) => {
        settled = true;
        failed = true;
        error = e;
      },
    );
    const maxTime = options.maxTime ?? Number.POSITIVE_INFINITY;
    await settle();
    while (!settled) {
      const next = this.peek();
      if (!next) throw new Error(`virtual clock: task is stuck at t=${this.current}ms with no timers pending`);
      if (next.at > maxTime) throw new Error(`virtual clock: task still running at t=${maxTime}ms`);
      this.fire(next);
      await settle();
    }
    if (failed) throw error;
    return value as T;
  }

  private peek(): Timer | undefined {
    while (this.timers.length > 0 && this.timers[0]!.cancelled) this.timers.shift();
    return this.timers[0];
  }

  private fire(timer: Timer): void {
    this.timers.shift();
    this.current = Math.max(this.current, timer.at);
    timer.fn();
  }
}

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal!.reason);
    };
    const cancel = clock.schedule(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function insertSorted(timers: Timer[], timer: Timer): void {
  // Binary search: timers are ordered by (at, seq) and seq only grows, so ties keep creation order.
  let lo = 0;
  let hi = timers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timers[mid]!.at <= timer.at) lo = mid + 1;
    else hi = mid;
  }
  timers.splice(lo, 0, timer);
}

/** Lets every queued microtask and pending I/O callback run before virtual time moves on. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
