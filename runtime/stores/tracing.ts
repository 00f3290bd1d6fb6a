/**
 * What a store tells an observer about its writes and reads, so that a recorded run can be judged
 * for stale reads, causal reads and lost updates (runtime/simulate/checkers/stores.ts).
 *
 * Every write gets a stable id, `<store>:<writer>#<n>` (the writer's n-th write to the store), and
 * a place: the replica that accepted it (`log` for a strong store, whose replicas all apply one
 * log) and its sequence number there. A replica's `merged` version vector counts, per accepting
 * replica, the writes it has merged; each store merges one replica's writes in the order that
 * replica accepted them, so `merged[origin] >= seq` says exactly whether a write is in. A view of
 * a replica says which writes it merged and which its value reflects: for lww the winner, for
 * append and union every merged write (their value keeps them all).
 *
 * The metadata rides along with the protocol (stamps carry their write's id, gossip carries the
 * vector), but nothing in the protocol reads it: tracing never changes what a store does.
 */
import type { JsonValue } from '../transport/envelope.js';
import type { VectorClock } from '../vector-clock.js';
import type { ValueState } from './value.js';

/** A write as the store accepted it. */
export interface WriteTrace {
  /** `<store>:<writer>#<n>`. */
  id: string;
  /** The replica that accepted it, or `log` for a strong store. */
  origin: string;
  /** Its number among the writes `origin` accepted (for `log`: its log position among writes). */
  seq: number;
  /** What `origin` had merged before it: the writes this one knowingly follows. */
  merged: VectorClock;
}

/** What one replica holds. */
export interface StoreView {
  /** Writes merged, per accepting replica. */
  merged: VectorClock;
  /** Ids of the writes the value reflects: lww the winner (none while the initial value stands); append and union every merged write. */
  reflects: string[];
}

/** A read, with the view of the replica that answered it. */
export interface ReadTrace extends StoreView {
  value: JsonValue;
  replica: string;
}

export interface StoreSnapshot {
  /** Each replica's view, by replica id. */
  replicas: Record<string, StoreView>;
  /** The view every replica converges to once each has merged every write another merged (the join of their states). */
  converged: StoreView;
}

export function isMerged(merged: VectorClock, write: Pick<WriteTrace, 'origin' | 'seq'>): boolean {
  return (merged[write.origin] ?? 0) >= write.seq;
}

/** Write ids by place, and each writer's count: one per store, shared by its replicas (an observer's table). */
export class WriteRegistry {
  private readonly byOrigin = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly store: string) {}

  /** The next id of `writer`'s writes to this store. */
  nextId(writer: string): string {
    const n = (this.counts.get(writer) ?? 0) + 1;
    this.counts.set(writer, n);
    return `${this.store}:${writer}#${n}`;
  }

  /** Records where write `id` was accepted (idempotent: every replica of a strong store records it). */
  register(origin: string, seq: number, id: string): void {
    let list = this.byOrigin.get(origin);
    if (!list) this.byOrigin.set(origin, (list = []));
    list[seq - 1] = id;
  }

  /** Ids of every write `merged` counts, by origin then sequence. */
  ids(merged: VectorClock): string[] {
    const ids: string[] = [];
    for (const origin of Object.keys(merged).sort()) {
      const list = this.byOrigin.get(origin) ?? [];
      for (let seq = 1; seq <= merged[origin]!; seq++) {
        const id = list[seq - 1];
        if (id !== undefined) ids.push(id);
      }
    }
    return ids;
  }

  view(state: ValueState, merged: VectorClock): StoreView {
    return { merged: { ...merged }, reflects: reflected(state, () => this.ids(merged)) };
  }
}

function reflected(state: ValueState, all: () => string[]): string[] {
  if (state.merge !== 'lww') return all();
  const winner = state.stamp?.write;
  return winner !== undefined ? [winner] : [];
}
