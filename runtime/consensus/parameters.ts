/**
 * Which (replicas n, faults f, quorum q) a consensus can run with, checked before any replica is
 * asked. The rules, for one round in which every replica answers at most once:
 *
 * - crash faults (a replica stops, times out, or answers invalid output):
 *   safety  q > n/2        two values can never both gather a quorum (quorums intersect);
 *   liveness q ≤ n − f     the n − f live replicas can form a quorum on their own;
 *   together these need n ≥ 2f + 1.
 * - Byzantine faults (a replica may answer a wrong but valid value — a hallucination):
 *   q ≥ 2f + 1 and 2q > n + f  any two quorums share at least f + 1 replicas, so at least one correct
 *                               one, and f liars alone (f < q) can never decide;
 *   liveness q ≤ n − f;   together these need n ≥ 3f + 1.
 *
 * The default quorum is the smallest safe one: ⌊n/2⌋ + 1 for crashes, ⌈(n + f + 1)/2⌉ (≥ 2f + 1)
 * for Byzantine faults.
 */
import type { FaultModel } from '../definition.js';

export interface ConsensusParameters {
  replicas: number;
  faults: number;
  faultModel: FaultModel;
  /** A number, `majority` (⌊n/2⌋ + 1), `all`, or absent for the smallest safe quorum. */
  quorum?: number | 'majority' | 'all';
}

export interface ResolvedParameters {
  n: number;
  f: number;
  q: number;
  faultModel: FaultModel;
}

/** The configuration cannot be both safe and live; the message says which rule fails and the fix. */
export class ConsensusConfigError extends Error {
  override readonly name = 'ConsensusConfigError';
  constructor(
    readonly consensus: string,
    readonly problem: string,
  ) {
    super(`consensus ${consensus}: ${problem}`);
  }
}

export function resolveParameters(consensus: string, parameters: ConsensusParameters): ResolvedParameters {
  const { replicas: n, faults: f, faultModel } = parameters;
  const fail = (problem: string): never => {
    throw new ConsensusConfigError(consensus, problem);
  };
  if (!Number.isInteger(n) || n < 1) fail(`replicas must be a positive integer, got ${n}`);
  if (!Number.isInteger(f) || f < 0) fail(`faults must be a non-negative integer, got ${f}`);
  if (faultModel !== 'crash' && faultModel !== 'byzantine') fail(`unknown fault model "${String(faultModel)}"`);

  if (faultModel === 'crash' && n < 2 * f + 1) {
    fail(`${n} replicas cannot tolerate ${f} crash faults: need n ≥ 2f + 1 = ${2 * f + 1} (or at most ${Math.floor((n - 1) / 2)} faults)`);
  }
  if (faultModel === 'byzantine' && n < 3 * f + 1) {
    fail(`${n} replicas cannot tolerate ${f} Byzantine faults: need n ≥ 3f + 1 = ${3 * f + 1} (or at most ${Math.floor((n - 1) / 3)} faults)`);
  }

  const q =
    parameters.quorum === undefined
      ? faultModel === 'crash'
        ? Math.floor(n / 2) + 1
        : Math.max(2 * f + 1, Math.ceil((n + f + 1) / 2))
      : parameters.quorum === 'majority'
        ? Math.floor(n / 2) + 1
        : parameters.quorum === 'all'
          ? n
          : parameters.quorum;

  if (!Number.isInteger(q) || q < 1 || q > n) fail(`quorum ${q} is not between 1 and ${n} replicas`);
  if (2 * q <= n) fail(`quorum ${q} of ${n} is not a majority: two disjoint quorums could decide different values (need q > n/2)`);
  if (q > n - f) fail(`quorum ${q} cannot be reached with ${f} of ${n} replicas failed (need q ≤ n − f = ${n - f})`);
  if (faultModel === 'byzantine') {
    if (q < 2 * f + 1) fail(`quorum ${q} is below 2f + 1 = ${2 * f + 1}: ${f} Byzantine replicas could sway a decision`);
    if (2 * q <= n + f) fail(`quorum ${q} of ${n}: two quorums could overlap only in Byzantine replicas (need 2q > n + f = ${n + f})`);
  }
  return { n, f, q, faultModel };
}
