/**
 * The receiving half of every ordering protocol: a reorder buffer that holds what arrived early
 * and releases items only in the order the protocol guarantees. One buffer per receiving node.
 *
 * Two states are kept apart because a consumer can crash while handling: *released* items have
 * left the buffer (they are in the consumer's mailbox), *committed* ones were handled (or skipped).
 * A crash rewinds released to committed and forgets what was held; the senders' redeliveries
 * fill it again. Committed state never moves back, which also makes the buffer a de-duplicator:
 * a position at or below it is a duplicate.
 */
import type { VectorClock } from '../vector-clock.js';

export interface OrderedItem {
  id: string;
  /** The node whose sequence `seq` counts: the publisher, or the sequencer of a total order. */
  sender: string;
  /** 1, 2, 3, ... per sender, without gaps. */
  seq: number;
  /** The publisher's causal dependencies (causal buffers read it; others carry it). */
  vc: VectorClock;
}

/** A position the buffer gave up waiting for (at-most-once only): it will never be released. */
export interface Position {
  sender: string;
  seq: number;
}

export type BufferKind = 'none' | 'fifo' | 'causal';

export interface ReorderBuffer<T extends OrderedItem> {
  readonly kind: BufferKind;
  /** True when the item's position is already committed or skipped: a duplicate. */
  isCommitted(item: T): boolean;
  /** Takes an arrival; returns the items it makes deliverable, in delivery order. */
  offer(item: T, now: number): T[];
  /** Records that a released item was handled (or deliberately skipped). Call in release order. */
  commit(item: T): void;
  /** A crash of the consumer: forget held items and rewind released to committed. */
  reset(): void;
  /**
   * Gives up on positions that items held since `cutoff` or earlier are waiting for, so a lossy
   * (at-most-once) channel does not stall forever. Only missing positions are skipped, never held
   * ones, and a skipped position is never released later, so the order stays intact.
   */
  skipGaps(cutoff: number): { released: T[]; skipped: Position[] };
  /** Arrival time of the item held longest, if any. */
  oldestArrival(): number | undefined;
  readonly held: number;
}

export function createReorderBuffer<T extends OrderedItem>(kind: BufferKind): ReorderBuffer<T> {
  switch (kind) {
    case 'none':
      return unorderedBuffer<T>();
    case 'fifo':
      return new SequenceBuffer<T>('fifo', (item) => fifoDependencies(item));
    case 'causal':
      return new SequenceBuffer<T>('causal', (item) => causalDependencies(item));
  }
}

/** Unordered: everything is deliverable on arrival; de-duplication is the delivery layer's job. */
function unorderedBuffer<T extends OrderedItem>(): ReorderBuffer<T> {
  return {
    kind: 'none',
    isCommitted: () => false,
    offer: (item) => [item],
    commit: () => undefined,
    reset: () => undefined,
    skipGaps: () => ({ released: [], skipped: [] }),
    oldestArrival: () => undefined,
    held: 0,
  };
}

/** For each sender, how many of its messages must be released before `item` may be. */
type Dependencies = (item: OrderedItem) => Iterable<[sender: string, count: number]>;

/** FIFO: the sender's previous message, nothing else. */
function* fifoDependencies(item: OrderedItem): Iterable<[string, number]> {
  yield [item.sender, item.seq - 1];
}

/**
 * Causal (the Birman–Schiper–Stephenson rule): the sender's previous message, and every message
 * the sender had delivered when it published (its vector clock entries for other nodes).
 */
function* causalDependencies(item: OrderedItem): Iterable<[string, number]> {
  yield [item.sender, item.seq - 1];
  for (const [node, count] of Object.entries(item.vc)) {
    if (node !== item.sender) yield [node, count];
  }
}

/**
 * FIFO and causal share one mechanism: per-sender counters of released and committed positions,
 * and a rule saying which counters an item waits for.
 */
class SequenceBuffer<T extends OrderedItem> implements ReorderBuffer<T> {
  private readonly released = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  /** Positions given up on (above `committed`), kept until `committed` walks past them. */
  private readonly skipped = new Map<string, Set<number>>();
  private readonly waiting = new Map<string, { item: T; arrivedAt: number }>(); // by id, in arrival order

  constructor(
    readonly kind: 'fifo' | 'causal',
    private readonly dependencies: Dependencies,
  ) {}

  get held(): number {
    return this.waiting.size;
  }

  isCommitted(item: T): boolean {
    return item.seq <= count(this.committed, item.sender) || (this.skipped.get(item.sender)?.has(item.seq) ?? false);
  }

  offer(item: T, now: number): T[] {
    if (item.seq <= count(this.released, item.sender) || this.waiting.has(item.id)) return [];
    this.waiting.set(item.id, { item, arrivedAt: now });
    return this.drain();
  }

  commit(item: T): void {
    this.committed.set(item.sender, Math.max(count(this.committed, item.sender), item.seq));
    this.walkSkipped(item.sender);
  }

  reset(): void {
    this.waiting.clear();
    this.released.clear();
    // Skipped positions stay skipped (an at-most-once message given up on is gone for good);
    // those right after `committed` are already folded into it.
    for (const [sender, value] of this.committed) this.released.set(sender, value);
  }

  skipGaps(cutoff: number): { released: T[]; skipped: Position[] } {
    const skipped: Position[] = [];
    const released: T[] = [];
    for (;;) {
      let progress = false;
      for (const { item, arrivedAt } of [...this.waiting.values()]) {
        if (arrivedAt > cutoff || !this.waiting.has(item.id)) continue;
        for (const [sender, needed] of this.dependencies(item)) {
          // Skip missing positions up to the first one some held item will fill.
          let next = count(this.released, sender) + 1;
          while (next <= needed && !this.isHeld(sender, next)) {
            this.skip(sender, next);
            skipped.push({ sender, seq: next });
            next++;
            progress = true;
          }
        }
        released.push(...this.drain());
      }
      if (!progress) return { released, skipped };
    }
  }

  oldestArrival(): number | undefined {
    let oldest: number | undefined;
    for (const { arrivedAt } of this.waiting.values()) oldest = oldest === undefined ? arrivedAt : Math.min(oldest, arrivedAt);
    return oldest;
  }

  /** Releases every held item whose dependencies are released, repeatedly, in arrival order. */
  private drain(): T[] {
    const out: T[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      for (const [id, { item }] of this.waiting) {
        if (!this.deliverable(item)) continue;
        this.waiting.delete(id);
        this.released.set(item.sender, item.seq);
        out.push(item);
        progress = true;
      }
    }
    return out;
  }

  private deliverable(item: T): boolean {
    if (item.seq !== count(this.released, item.sender) + 1) return false;
    for (const [sender, needed] of this.dependencies(item)) {
      if (count(this.released, sender) < needed) return false;
    }
    return true;
  }

  private isHeld(sender: string, seq: number): boolean {
    for (const { item } of this.waiting.values()) if (item.sender === sender && item.seq === seq) return true;
    return false;
  }

  private skip(sender: string, seq: number): void {
    this.released.set(sender, seq);
    const positions = this.skipped.get(sender) ?? new Set<number>();
    positions.add(seq);
    this.skipped.set(sender, positions);
    this.walkSkipped(sender);
  }

  /** Lets `committed` pass skipped positions that directly follow it. */
  private walkSkipped(sender: string): void {
    const positions = this.skipped.get(sender);
    if (!positions) return;
    let value = count(this.committed, sender);
    while (positions.delete(value + 1)) value++;
    this.committed.set(sender, value);
    for (const seq of positions) if (seq <= value) positions.delete(seq);
  }
}

function count(counters: Map<string, number>, sender: string): number {
  return counters.get(sender) ?? 0;
}
