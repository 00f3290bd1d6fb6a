/**
 * Channel capacity as a FIFO semaphore of slots: a message holds a slot from publish until it is
 * settled at every consumer (or withdrawn). A blocked publisher is handed a freed slot directly,
 * so publishers are served in the order they blocked and a newcomer cannot overtake them.
 */
export class Slots {
  private used = 0;
  private readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`channel capacity must be at least 1, got ${capacity}`);
  }

  get inUse(): number {
    return this.used;
  }

  /** Takes a slot if one is free and nobody is queued for one. */
  tryAcquire(): boolean {
    if (this.used >= this.capacity || this.waiters.length > 0) return false;
    this.used++;
    return true;
  }

  /** Waits for a slot (back-pressure). */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve(); // the slot passes straight to the longest waiter
    else this.used--;
  }

  /** Fails every waiting publisher (the channel closed). */
  rejectWaiters(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
