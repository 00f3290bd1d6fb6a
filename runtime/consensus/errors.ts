/** Why a consensus ended without a decision. */
export class NoDecisionError extends Error {
  override readonly name = 'NoDecisionError';
  constructor(
    readonly consensus: string,
    /** Rounds (or terms, for the leader protocol) tried. */
    readonly rounds: number,
    readonly reason: string,
    /** The last round's votes per key. */
    readonly tally: Readonly<Record<string, number>>,
  ) {
    super(`consensus ${consensus}: no decision after ${rounds} ${rounds === 1 ? 'round' : 'rounds'}: ${reason}`);
  }
}
