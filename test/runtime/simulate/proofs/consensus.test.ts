/**
 * The consensus rules (T600–T604) proven through the real runtime. Each rejected fixture, run
 * with `allowUnsafe` (as `teamc simulate --allow-unsafe` runs it), breaks the guarantee its rule
 * protects within 200 seeds, and the seed replays the break; without `allowUnsafe` the runtime
 * refuses it. The accepted fixtures survive the faults that break the rejected ones here, and
 * every fault at once in survive-1/2.test.ts (with the code review).
 *
 * Honest disagreement (`disagreement=p`: a replica may hold its own view of the question) is what
 * splits a vote without any replica being faulty; T600 and T602 need it, as real votes among
 * model samples do.
 */
import { describe, expect, it } from 'vitest';
import type { TeamDefinition } from '../../../../runtime/definition.js';
import { simulateRun, type ViolationKind } from '../../../../runtime/simulate/index.js';
import { drawInputs, findViolation, fixture, survive } from './harness.js';

interface Rule {
  code: string;
  kind: ViolationKind;
  /** The faults that show it: only what the rejected design claims to tolerate. */
  faults: string;
  /** What the violation must say. */
  says: RegExp;
}

const rules: Rule[] = [
  // 4 judges, quorum 2, no fault at all: two honest pairs disagree and both reach the quorum.
  { code: 'T600', kind: 'consensus-safety', faults: 'disagreement=0.3,duplicates=0.2,reorder=0.3,drops=0.1', says: /both "\w+" \(replicas \d, \d\) and "\w+" \(replicas \d, \d\) gathered a quorum of 2/ },
  // 3 judges, quorum all, one crash declared tolerable: a crashed judge blocks every round.
  { code: 'T601', kind: 'consensus-liveness', faults: 'crashes=1,model-errors=0.1,drops=0.1', says: /ended undecided with 1 faulty replica .* within the 1 it tolerates/ },
  // 3 judges, quorum 2, one Byzantine: the liar sides with each of two disagreeing honest judges.
  { code: 'T602', kind: 'consensus-safety', faults: 'wrong-answers=0.3,disagreement=0.3,duplicates=0.2,drops=0.1', says: /gathered a quorum of 2; Byzantine replica \d counts for both/ },
];

const withProtocol = (definition: TeamDefinition<unknown, unknown>, protocol: 'vote' | 'leader') => {
  definition.consensus[0] = { ...definition.consensus[0]!, protocol };
  return definition;
};

describe.each(['vote', 'leader'] as const)('rejected consensus designs break under simulation (%s protocol)', (protocol) => {
  it.each(rules)('$code: $kind within 200 seeds, replayed by its seed, and refused without allowUnsafe', async ({ code, kind, faults, says }) => {
    const { definition, errors } = fixture(code, 'reject');
    expect(errors).toContain(code);
    withProtocol(definition, protocol);

    const found = await findViolation(definition, kind, { faults, seeds: 200, allowUnsafe: true });
    expect(found, `${code} (${protocol}) showed no ${kind} in 200 seeds`).toBeDefined();
    expect(found!.violation.message).toMatch(protocol === 'leader' && kind === 'consensus-liveness' ? /ended without a decision though only 1 replica/ : says);

    const input = drawInputs(definition, 'proof');
    const replay = await simulateRun(definition, { seed: found!.run.seed, faults, input, allowUnsafe: true });
    expect(replay.violations).toContainEqual(found!.violation);

    // The same run without allowUnsafe: the runtime refuses the vote, typed, and nothing is decided.
    const refused = await simulateRun(definition, { seed: found!.run.seed, faults, input });
    expect(refused.error).toMatchObject({ kind: 'no_consensus' });
    expect(refused.trace.filter((e) => e.kind === 'decision' || e.kind === 'vote')).toEqual([]);
    expect(refused.violations.filter((v) => v.kind.startsWith('consensus'))).toEqual([]);
  });
});

describe('T604: no rounds bound and no tie-break', () => {
  const faults = 'crashes=1,disagreement=0.3';

  it('is refused at run time without allowUnsafe, saying why', async () => {
    const { definition, errors } = fixture('T604', 'reject');
    expect(errors).toContain('T604');
    expect(definition.consensus[0]!.rounds).toBeUndefined();
    const run = await simulateRun(definition, { seed: 'T604/0', faults, input: drawInputs(definition, 'T604') });
    expect(run.error).toMatchObject({ kind: 'no_consensus', message: expect.stringContaining('no `rounds` bound and no `tie_break`') });
  });

  it('with allowUnsafe, a split among the surviving judges is voted on round after round until the budget stops it', async () => {
    const { definition } = fixture('T604', 'reject');
    const input = drawInputs(definition, 'T604');
    let split: Awaited<ReturnType<typeof simulateRun>> | undefined;
    for (let i = 0; i < 50 && !split; i++) {
      const run = await simulateRun(definition, { seed: `T604/${i}`, faults, input, allowUnsafe: true });
      if (run.trace.filter((e) => e.kind === 'round').length > 2) split = run;
    }
    expect(split, 'no split vote in 50 seeds').toBeDefined();
    const rounds = split!.trace.filter((e) => e.kind === 'round');
    // Far past any `rounds 2`, never decided, and ended by the budget (a typed failure), not by the vote.
    expect(rounds.length).toBeGreaterThan(20);
    expect(rounds.every((e) => e.kind === 'round' && !e.decided)).toBe(true);
    expect(split!.trace.some((e) => e.kind === 'decision' || (e.kind === 'error' && e.where === 'consensus:decide'))).toBe(false);
    expect(split!.error?.kind).toBe('budget');
  });

  it('the accepted fixture (rounds 2, tie_break reject) stops after two rounds of the same split', async () => {
    const { definition } = fixture('T604', 'accept');
    expect(definition.consensus[0]).toMatchObject({ rounds: 2, tieBreak: 'reject' });
    const input = drawInputs(definition, 'T604');
    for (let i = 0; i < 50; i++) {
      const run = await simulateRun(definition, { seed: `T604/${i}`, faults, input });
      expect(run.trace.filter((e) => e.kind === 'round').length).toBeLessThanOrEqual(2);
    }
  });
});

// The accepted fixtures and the code review under every fault: survive-1/2.test.ts.
describe('accepted consensus designs survive what breaks the rejected ones', () => {
  // Disagreeing judges (with a crash), and a liar among disagreeing judges: a split may fail typed, never decide twice.
  it.each([
    ['T600', 'disagreement=0.3,crashes=1,model-errors=0.1,duplicates=0.2,reorder=0.3,drops=0.1'],
    ['T602', 'wrong-answers=0.3,disagreement=0.3,model-errors=0.1,duplicates=0.2,drops=0.1'],
  ])('%s: 300 seeds of %s under each protocol, no violation', async (code, faults) => {
    for (const protocol of ['vote', 'leader'] as const) {
      const definition = withProtocol(fixture(code, 'accept').definition, protocol);
      const survival = await survive(definition, { faults, seeds: 300, prefix: `${code}-${protocol}` });
      expect(survival.violations.slice(0, 3)).toEqual([]);
      expect(survival.successes).toBeGreaterThan(120);
      if (code === 'T602') expect(survival.injected.lyingReplicas).toBe(300);
    }
  }, 60_000);
});
