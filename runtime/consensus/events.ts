/**
 * What a consensus reports: every vote (or crash) of every replica, the end of every round, the
 * leader variant's elections, proposals and accepts, and the decision. The trace records these;
 * the simulator checks "never two decisions" and "decided by a quorum" on them.
 */

interface Base {
  time: number;
  /** The consensus's name. */
  consensus: string;
}

export type ConsensusEvent =
  | (Base & { type: 'vote'; round: number; replica: number; outcome: 'answer' | 'crashed'; key?: string; reason?: string })
  | (Base & { type: 'round-end'; round: number; tally: Record<string, number>; crashed: number; decided: boolean })
  | (Base & {
      type: 'decision';
      round: number;
      key: string;
      value: unknown;
      votes: number;
      quorum: number;
      supporters: number[];
      /** False when a tie-break decided after the last round without a quorum. */
      byQuorum: boolean;
      term?: number;
    })
  | (Base & { type: 'no-decision'; rounds: number; reason: string })
  | (Base & { type: 'election'; term: number; leader: number; reason: string })
  | (Base & { type: 'proposal'; term: number; leader: number; outcome: 'proposed' | 'failed' | 'skipped'; key?: string; reason?: string })
  /** `key`: the follower's own answer's key, when it answered the question itself (`agree` judging). */
  | (Base & { type: 'accept'; term: number; replica: number; outcome: 'accept' | 'reject' | 'crashed' | 'stale'; key?: string; reason?: string });

export type ConsensusEventSink = (event: ConsensusEvent) => void;

export type ConsensusEventInput = ConsensusEvent extends infer E ? (E extends unknown ? Omit<E, 'time' | 'consensus'> : never) : never;

export function consensusEmitter(sink: ConsensusEventSink | undefined, now: () => number, consensus: string) {
  return (event: ConsensusEventInput): void => {
    if (!sink) return;
    try {
      sink({ ...event, time: now(), consensus } as ConsensusEvent);
    } catch {
      // An observer's failure must not change what the replicas decide.
    }
  };
}
