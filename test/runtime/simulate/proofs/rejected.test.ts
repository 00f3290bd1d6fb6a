/**
 * The proof that the checker is right, one row per error rule of the families whose dangers
 * simulation can show (T3xx ordering and consistency, T4xx delivery and effects, T6xx consensus,
 * T7xx termination and money): its rejected fixture, built and simulated as
 * `teamc simulate --allow-unsafe` would, yields a violation of the guarantee the rule protects
 * within 200 seeds, and that run's seed alone replays it, event for event. Each row's faults are
 * what makes the danger real — nothing the rejected design does not claim to survive.
 *
 * The accepted fixtures and the examples survive every fault at once (survive-1/2.test.ts); the
 * area files (stores, effects, consensus, limits, channels) look closer at each kind of evidence.
 */
import { describe, expect, it } from 'vitest';
import { diagnostics } from '../../../../compiler/diagnostics/registry.js';
import { simulateRun, type ViolationKind } from '../../../../runtime/simulate/index.js';
import { drawInputs, findViolation, fixture } from './harness.js';

const NETWORK = 'duplicates=0.2,reorder=0.3,drops=0.1';
const EVERY = `model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,${NETWORK}`;

interface Proof {
  code: string;
  guarantee: ViolationKind;
  faults: string;
  /** What the violation must be about (its subject). */
  subject?: string;
}

const proofs: Proof[] = [
  // An unordered channel reorders two findings of one reviewer under a judge that requires causal.
  { code: 'T300', guarantee: 'causal', faults: NETWORK, subject: 'findings→judge' },
  // An eventual store read as strong: the executor reads its replica before the plan reaches it.
  { code: 'T301', guarantee: 'stale-read', faults: EVERY, subject: 'plan→executor' },
  // A write, then a message; the consumer reads an eventual replica that has not seen the write.
  { code: 'T302', guarantee: 'causal-read', faults: EVERY, subject: 'notes→judge' },
  // Two writers, last-writer-wins: one's notes are overwritten by a writer that never saw them.
  { code: 'T303', guarantee: 'lost-update', faults: EVERY, subject: 'notes' },
  // Two tasks that may run at once write one file.
  { code: 'T305', guarantee: 'lost-update', faults: EVERY, subject: 'work:library/ops.py' },
  // A redelivered comment is posted twice.
  { code: 'T400', guarantee: 'exactly-once', faults: EVERY, subject: 'tool:post_comment' },
  // A retried notifier pages twice.
  { code: 'T401', guarantee: 'exactly-once', faults: EVERY, subject: 'tool:send_page' },
  // The only draft is lost on its way to the output, and the run ends without it.
  { code: 'T402', guarantee: 'at-least-once', faults: NETWORK, subject: 'drafts→editor' },
  // 4 judges, quorum 2: two honest pairs disagree and both reach the quorum.
  { code: 'T600', guarantee: 'consensus-safety', faults: `disagreement=0.3,${NETWORK}`, subject: 'decide' },
  // 3 judges, quorum all, one crash declared tolerable: the crashed judge blocks every round.
  { code: 'T601', guarantee: 'consensus-liveness', faults: 'crashes=1,model-errors=0.1,drops=0.1', subject: 'decide' },
  // 3 judges, one Byzantine: the liar sides with each of two disagreeing honest judges.
  { code: 'T602', guarantee: 'consensus-safety', faults: 'wrong-answers=0.3,disagreement=0.3,duplicates=0.2,drops=0.1', subject: 'decide' },
  // No rounds bound, no tie-break: a split among the surviving judges is voted on until the budget stops it.
  { code: 'T604', guarantee: 'termination', faults: 'crashes=1,disagreement=0.3' },
  // No `max rounds`: a critic that never approves keeps the loop going until the budget stops it.
  { code: 'T700', guarantee: 'termination', faults: 'stubborn=0.5' },
  // Worst case over the budget: answers that run to max_tokens, and cut-off ones retried, exhaust it.
  { code: 'T701', guarantee: 'budget', faults: 'malformed=0.5,verbose=1' },
  // Tasks that wait on each other round a cycle never start: the graph ends deadlocked, whatever the faults.
  { code: 'T703', guarantee: 'termination', faults: '', subject: 'work:library' },
];

describe.each(proofs)('$code: the rejected design breaks $guarantee', ({ code, guarantee, faults, subject }) => {
  it(`within 200 seeds of ${faults || 'no faults'}, and the seed replays it`, async () => {
    const { definition, errors } = fixture(code, 'reject');
    expect(errors).toContain(code);
    const found = await findViolation(definition, guarantee, { faults, seeds: 200, allowUnsafe: true });
    expect(found, `no ${guarantee} violation in 200 seeds`).toBeDefined();
    if (subject !== undefined) expect(found!.violation.subject).toBe(subject);

    const replay = await simulateRun(definition, { seed: found!.run.seed, faults, input: drawInputs(definition, 'proof'), allowUnsafe: true });
    expect(replay.violations).toContainEqual(found!.violation);
    expect(replay.trace).toEqual(found!.run.trace);
  }, 60_000);
});

describe('every error rule whose danger a run can show has its proof', () => {
  it('T3xx, T4xx, T6xx and T7xx errors, no more and no fewer', () => {
    const errors = Object.entries(diagnostics)
      .filter(([code, entry]) => /^T[3467]\d\d$/.test(code) && entry.severity === 'error')
      .map(([code]) => code);
    expect(proofs.map((p) => p.code).sort()).toEqual(errors.sort());
  });
});
