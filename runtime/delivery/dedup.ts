/**
 * Bounded de-duplication for the receiving side of a channel.
 *
 * Messages are identified by (sender, seq): senders number their messages 1, 2, 3, ... so a
 * receiver can remember "everything up to N" in one number plus the few settled above a gap.
 * Memory is bounded by `window`: when more than `window` messages are settled above a gap, the
 * oldest gap is abandoned — a copy of it that turns up later is refused without an
 * acknowledgement (never handled, so never handled twice; its sender reports it given up). The
 * last `window` abandoned positions are remembered; a retransmission older than that would be
 * taken for a duplicate. With the default window (10 000) and bounded retries, that needs a
 * sender to publish 20 000 messages while one of its earlier ones is still being retried.
 */
export type SeenStatus = 'new' | 'settled' | 'refused';

export class SequenceWindow {
  private contiguous = 0; // every seq <= contiguous is settled (or abandoned, see below)
  private readonly above = new Set<number>(); // settled seqs above `contiguous`
  private readonly abandoned = new Set<number>(); // gaps given up on, oldest first

  constructor(private readonly window: number) {}

  status(seq: number): SeenStatus {
    if (this.abandoned.has(seq)) return 'refused';
    if (seq <= this.contiguous || this.above.has(seq)) return 'settled';
    return 'new';
  }

  settle(seq: number): void {
    if (this.status(seq) !== 'new') return;
    this.above.add(seq);
    this.advance();
    if (this.above.size > this.window) this.abandonOldestGap();
  }

  private advance(): void {
    while (this.above.delete(this.contiguous + 1)) this.contiguous++;
  }

  private abandonOldestGap(): void {
    const lowest = Math.min(...this.above);
    for (let seq = Math.max(this.contiguous + 1, lowest - this.window); seq < lowest; seq++) this.remember(seq);
    this.contiguous = lowest - 1;
    this.advance();
  }

  private remember(seq: number): void {
    this.abandoned.add(seq);
    if (this.abandoned.size > this.window) this.abandoned.delete(this.abandoned.values().next().value!);
  }
}

/** Per-receiver de-duplication: one sequence window per sender, plus idempotency keys. */
export class Deduplicator {
  private readonly senders = new Map<string, SequenceWindow>();
  private readonly keys = new Set<string>(); // insertion order = age

  constructor(private readonly window: number) {
    if (!(window >= 1)) throw new RangeError('the de-duplication window must hold at least one message');
  }

  status(sender: string, seq: number): SeenStatus {
    return this.senders.get(sender)?.status(seq) ?? 'new';
  }

  settle(sender: string, seq: number, idempotencyKey?: string): void {
    let window = this.senders.get(sender);
    if (!window) {
      window = new SequenceWindow(this.window);
      this.senders.set(sender, window);
    }
    window.settle(seq);
    if (idempotencyKey !== undefined) {
      this.keys.delete(idempotencyKey);
      this.keys.add(idempotencyKey);
      if (this.keys.size > this.window) this.keys.delete(this.keys.values().next().value!);
    }
  }

  /** True when a message with this idempotency key was already handled (within the window). */
  hasKey(idempotencyKey: string): boolean {
    return this.keys.has(idempotencyKey);
  }
}
