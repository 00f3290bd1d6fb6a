import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { ConsensusEventSink } from './events.js';
import type { ConsensusParameters } from './parameters.js';
import type { Normalizer } from './projection.js';

/** What a consensus decided, and on what evidence. */
export interface Decision<T> {
  consensus: string;
  /** The full answer of the first supporter (its agreed fields are the decided ones). */
  value: T;
  /** The agreed part, projected and normalised. */
  agreed: unknown;
  key: string;
  /** The round (vote) or term (leader) that decided. */
  round: number;
  votes: number;
  quorum: number;
  /** Replica indices (0-based) that voted for / accepted the decided value. */
  supporters: number[];
  /** False only for a tie-break after the last round: fewer than a quorum stood behind it. */
  byQuorum: boolean;
}

/** Options shared by both protocols. */
export interface ConsensusOptionsBase<T> extends ConsensusParameters {
  name: string;
  /** Field paths that must agree; none means the whole answer. */
  agreeOn?: readonly string[];
  normalize?: Normalizer;
  /** Answers that fail it count as crashes. */
  schema?: z.ZodType<T>;
  /** Each replica call longer than this counts as a crash (and is aborted). */
  replicaTimeoutMs?: number;
  clock: Clock;
  onEvent?: ConsensusEventSink;
  /** Aborting it aborts every replica call and rejects with its reason. */
  signal?: AbortSignal;
}
