import type { Clock } from '../clock.js';
import type { Consistency, Merge } from '../definition.js';
import type { Random } from '../random.js';
import type { JsonValue } from '../transport/envelope.js';
import type { Transport } from '../transport/transport.js';
import type { VectorClock } from '../vector-clock.js';
import type { ReadTrace, StoreSnapshot, WriteTrace } from './tracing.js';

export interface StoreOptions {
  name: string;
  consistency: Consistency;
  /** How concurrent or successive writes combine; `lww` by default. */
  merge?: Merge;
  clock: Clock;
  random: Random;
  /** Replica ids, or how many (named r0, r1, ...). */
  replicas: number | readonly string[];
  /** The value before any write: `null` for lww, `[]` for append and union. */
  initial?: JsonValue;
  /** How replicas talk; a memory transport on `clock` by default. */
  transport?: Transport;
  /** Eventual stores: how often each replica gossips its state to a random peer. */
  antiEntropyIntervalMs?: number;
}

export interface SessionOptions {
  /** The replica this session talks to; assigned round-robin by default. */
  replica?: string;
  /**
   * `sticky` (default): every operation goes to the session's replica. `roaming`: each operation
   * goes to a random replica, as behind a load balancer or after a failover — what the session
   * guarantees of a causal store are there for.
   */
  routing?: 'sticky' | 'roaming';
}

export interface StoreSession {
  readonly agent: string;
  read(): Promise<JsonValue>;
  /** lww: replaces the value; append and union: adds the array's elements. */
  write(value: JsonValue): Promise<void>;
  /** `read`, with which writes the answering replica had merged and which its value reflects. */
  readTraced(): Promise<ReadTrace>;
  /**
   * `write`, answering with the write's id and place. `writer` names it (`<store>:<writer>#<n>`;
   * the session's agent by default), for sessions several agents share.
   */
  writeTraced(value: JsonValue, options?: { writer?: string }): Promise<WriteTrace>;
  /**
   * Causal stores: the session's causal context — the vector clock of every write it has read or
   * written — for a message to carry to another session.
   */
  context?(): VectorClock;
  /**
   * Causal stores: absorbs a context another session exported, so this session's later reads
   * reflect every write in it and its later writes depend on them.
   */
  observe?(context: VectorClock): void;
}

export interface Versioned {
  value: JsonValue;
  /** How many writes the value has seen (successful compare-and-sets included). */
  version: number;
}

export interface StrongSession extends StoreSession {
  readVersioned(): Promise<Versioned>;
  /** Writes only if the value is still at `expectedVersion`. */
  cas(expectedVersion: number, value: JsonValue): Promise<Versioned & { ok: boolean }>;
}

export interface Store<S extends StoreSession = StoreSession> {
  readonly name: string;
  readonly consistency: Consistency;
  readonly merge: Merge;
  readonly replicas: readonly string[];
  session(agent: string, options?: SessionOptions): S;
  /** Every replica's current value, for inspection and tests. */
  replicaValues(): Record<string, JsonValue>;
  /** Every replica's view (writes merged and reflected), and the view they converge to. */
  snapshot(): StoreSnapshot;
  close(): Promise<void>;
}

export function replicaIds(replicas: number | readonly string[]): string[] {
  const ids = typeof replicas === 'number' ? Array.from({ length: replicas }, (_, i) => `r${i}`) : [...replicas];
  if (ids.length === 0) throw new RangeError('a store needs at least one replica');
  if (new Set(ids).size !== ids.length) throw new RangeError(`replica ids must be distinct: ${ids.join(', ')}`);
  return ids;
}

/** Picks the replica of each operation for a session. */
export function router(
  ids: readonly string[],
  random: Random,
  counter: { next: number },
  options: SessionOptions,
): () => string {
  if (options.replica !== undefined && !ids.includes(options.replica)) {
    throw new RangeError(`unknown replica '${options.replica}' (replicas: ${ids.join(', ')})`);
  }
  const home = options.replica ?? ids[counter.next++ % ids.length]!;
  return options.routing === 'roaming' ? () => random.pick(ids) : () => home;
}
