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
 *
 * A configuration that breaks these rules is refused with `ConsensusConfigError` — unless
 * `allowUnsafe` is set (`teamc simulate --allow-unsafe`), which resolves it anyway and records the
 * broken rules in `unsafe`, so simulation can show what the checker warned about. A shape that
 * cannot run at all (a quorum outside 1..n, a negative fault count) is refused either way.
 */
import type { FaultModel } from '../definition.js';

export interface ConsensusParameters {
  replicas: number;
  faults: number;
  faultModel: FaultModel;
  /** A number, `majority` (⌊n/2⌋ + 1), `all`, or absent for the smallest safe quorum. */
  quorum?: number | 'majority' | 'all';
  /** Resolve a configuration that breaks the rules above instead of refusing it (simulation only). */
  allowUnsafe?: boolean;
}

export interface ResolvedParameters {
  n: number;
  f: number;
  q: number;
  faultModel: FaultModel;
  /** The rules this configuration breaks (only ever non-empty under `allowUnsafe`). */
  unsafe: string[];
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

  // Broken rules: refused at once, or (under allowUnsafe) collected and run anyway.
  const unsafe: string[] = [];
  const broken = (problem: string) => {
    if (!parameters.allowUnsafe) fail(problem);
    unsafe.push(problem);
  };
  if (faultModel === 'crash' && n < 2 * f + 1) {
    broken(`${n} replicas cannot tolerate ${f} crash faults: need n ≥ 2f + 1 = ${2 * f + 1} (or at most ${Math.floor((n - 1) / 2)} faults)`);
  }
  if (faultModel === 'byzantine' && n < 3 * f + 1) {
    broken(`${n} replicas cannot tolerate ${f} Byzantine faults: need n ≥ 3f + 1 = ${3 * f + 1} (or at most ${Math.floor((n - 1) / 3)} faults)`);
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
  if (2 * q <= n) broken(`quorum ${q} of ${n} is not a majority: two disjoint quorums could decide different values (need q > n/2)`);
  if (q > n - f) broken(`quorum ${q} cannot be reached with ${f} of ${n} replicas failed (need q ≤ n − f = ${n - f})`);
  if (faultModel === 'byzantine') {
    if (q < 2 * f + 1) broken(`quorum ${q} is below 2f + 1 = ${2 * f + 1}: ${f} Byzantine replicas could sway a decision`);
    if (2 * q <= n + f) broken(`quorum ${q} of ${n}: two quorums could overlap only in Byzantine replicas (need 2q > n + f = ${n + f})`);
  }
  return { n, f, q, faultModel, unsafe };
}

/**
 * True when two different values could each gather q votes in one round: the quorums need not
 * intersect (2q ≤ n), or, under Byzantine faults, may intersect only in faulty replicas, which can
 * vote for both (2q ≤ n + f). Only an unsafe configuration can.
 */
export function quorumsMayConflict({ n, f, q, faultModel }: ResolvedParameters): boolean {
  return 2 * q <= n || (faultModel === 'byzantine' && 2 * q <= n + f);
}

/**
 * Checks how many rounds (or terms) a consensus may run. `Infinity` is no bound at all (T604:
 * neither `rounds` nor `tie_break` declared): a split vote would be asked again forever, so it is
 * refused unless `allowUnsafe`, and then only the run's budget, deadline or signal stops it.
 */
export function roundBound(consensus: string, rounds: number, allowUnsafe: boolean | undefined): number {
  if (rounds === Number.POSITIVE_INFINITY) {
    if (!allowUnsafe) {
      throw new ConsensusConfigError(consensus, 'no `rounds` bound and no `tie_break`: a split vote would be asked again forever (declare `rounds` and `tie_break`)');
    }
    return rounds;
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new ConsensusConfigError(consensus, `rounds must be a positive integer, got ${rounds}`);
  return rounds;
}
