/**
 * Total order by a sequencer. One node (the channel's sequencer) receives every message in causal
 * order and numbers them 1, 2, 3, ...; consumers then release messages in that number's order (a
 * FIFO buffer on the sequencer's numbers). Because the sequencer numbers messages in an order
 * that respects causality, the single order every consumer sees is a causal total order:
 * total ⇒ causal ⇒ FIFO.
 *
 * Chosen over Lamport timestamps with acknowledgements from every node because it needs one hop
 * more but no all-to-all traffic, and it keeps working while a publisher is silent. The price is a
 * single point of failure: replacing a failed sequencer is the consensus layer's business.
 */
export interface Sequencer {
  /** The global position of message `id`; asking again for the same id returns the same number. */
  assign(id: string): number;
  /** How many messages were numbered. */
  readonly assigned: number;
}

export function createSequencer(options: { memory?: number } = {}): Sequencer {
  // Remembering recent ids makes numbering idempotent even if a duplicate slips past the
  // delivery layer; the window bounds memory like every de-duplicator here.
  const memory = options.memory ?? 10_000;
  const positions = new Map<string, number>();
  let next = 0;
  return {
    assign(id) {
      const known = positions.get(id);
      if (known !== undefined) return known;
      next++;
      positions.set(id, next);
      if (positions.size > memory) positions.delete(positions.keys().next().value!);
      return next;
    },
    get assigned() {
      return next;
    },
  };
}
