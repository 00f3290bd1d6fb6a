/**
 * Store guarantees proven through the checker's own fixtures. Each rejected design, run with
 * allowUnsafe under every fault, shows a violation of the guarantee it relies on within 200 seeds,
 * and that seed replays it:
 *
 * - T301 (a `requires strong` read of an eventual store) — a stale read;
 * - T302 (a store write followed by a message on a fifo channel, read by its consumer from an
 *   eventual store) — a read that misses a write in its causal past;
 * - T303 (two writers of an eventual store with no merge rule) — a lost update;
 * - T305 (two tasks that may run at once writing one file) — a lost update.
 *
 * The accepted designs, and the code review (a causal store read by judges that require causal),
 * survive every fault with none (survive-1/2.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { simulateRun, type ViolationKind } from '../../../../runtime/simulate/index.js';
import { drawInputs, findViolation, fixture } from './harness.js';
import { ALL_FAULTS as ALL } from './survivors.js';

describe.each([
  ['T301', 'stale-read', 'plan→executor'],
  ['T302', 'causal-read', 'notes→judge'],
  ['T303', 'lost-update', 'notes'],
  ['T305', 'lost-update', 'work:library/ops.py'],
] as const)('%s: the rejected design breaks its guarantee', (code, kind: ViolationKind, subject) => {
  it(`yields a ${kind} violation of ${subject} within 200 seeds of every fault, and its seed replays it`, async () => {
    const { definition, errors } = fixture(code, 'reject');
    expect(errors).toContain(code);
    const found = await findViolation(definition, kind, { faults: ALL, seeds: 200, allowUnsafe: true });
    expect(found, `no ${kind} violation in 200 seeds`).toBeDefined();
    expect(found!.violation.subject).toBe(subject);
    const replay = await simulateRun(definition, { seed: found!.run.seed, faults: ALL, input: drawInputs(definition, 'proof'), allowUnsafe: true });
    expect(replay.violations).toContainEqual(found!.violation);
  });
});
