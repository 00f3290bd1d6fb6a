import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { ProviderConnectionError } from '../../../runtime/providers/errors.js';
import { createSimProvider } from '../../../runtime/providers/sim.js';
import { seededRandom } from '../../../runtime/random.js';
import type { TeamDefinition } from '../../../runtime/definition.js';
import { faultNotes, FaultSpecError, formatFaultSpec, parseFaultSpec, planRunFaults } from '../../../runtime/simulate/index.js';
import { codeReviewTeam } from '../team/teams.js';
import { votingTeam } from './teams.js';

const def = (d: unknown) => d as TeamDefinition<unknown, unknown>;
const FULL = 'model-errors=0.1,timeouts=0.05,stragglers=0.1,wrong-answers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1';

describe('parsing a fault spec', () => {
  it('reads every key of the documented spec', () => {
    expect(parseFaultSpec(FULL)).toEqual({
      modelErrors: 0.1,
      timeouts: 0.05,
      stragglers: 0.1,
      wrongAnswers: 0.1,
      crashes: 1,
      duplicates: 0.2,
      reorder: 0.3,
      drops: 0.1,
    });
    expect(parseFaultSpec(' malformed=0.02 , schema-invalid=0.03, delay=5..80 ')).toEqual({ malformed: 0.02, schemaInvalid: 0.03, delayMs: [5, 80] });
    expect(parseFaultSpec('delay=40ms').delayMs).toEqual([0, 40]);
    expect(parseFaultSpec('')).toEqual({});
  });

  it('prints a canonical spec that parses back to the same thing', () => {
    const spec = parseFaultSpec(`delay=2..9,${FULL}`);
    expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
    expect(formatFaultSpec(spec)).toBe('model-errors=0.1,timeouts=0.05,wrong-answers=0.1,stragglers=0.1,crashes=1,duplicates=0.2,reorder=0.3,drops=0.1,delay=2..9');
  });

  it.each([
    ['lag=0.1', /unknown fault "lag" \(known: model-errors, timeouts/],
    ['drops=1.5', /drops must be a probability in \[0, 1\], got "1.5"/],
    ['drops=abc', /drops must be a probability/],
    ['crashes=1.5', /crashes must be a whole number/],
    ['drops=0.1,drops=0.2', /"drops" is given twice/],
    ['drops', /"drops" is not key=value/],
    ['delay=9..2', /empty range/],
    ['timeouts=0.6,model-errors=0.5', /add up to 1.1, more than 1/],
  ])('refuses %s', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(text)).toThrow(message);
  });
});

describe('a run’s faults stay within what each declared guarantee allows', () => {
  it('maps model faults to the sim provider and network faults to the adversarial network', () => {
    const plan = planRunFaults(def(codeReviewTeam()), parseFaultSpec(`${FULL},malformed=0.01,delay=3..30`), seededRandom(1));
    expect(plan.sim.faults).toEqual({ timeout: 0.05, rateLimit: 0.05, serverError: 0.05, malformed: 0.01, schemaInvalid: 0, wrongAnswer: 0.1 });
    expect(plan.sim.latency).toEqual({ stragglerRate: 0.1 });
    expect(plan.sim.providerTimeoutMs).toBe(600_000); // a hang always ends
    expect(plan.network).toEqual({ drop: 0.1, duplicate: 0.2, reorder: 0.3, delayMs: [3, 30] });
  });

  it('crashes at most f replicas of a consensus, and none of anything else', () => {
    const team = def(votingTeam({ replicas: 5, quorum: 'majority', faults: { count: 2, model: 'crash' } }));
    for (let seed = 0; seed < 20; seed++) {
      const [plan] = planRunFaults(team, parseFaultSpec('crashes=4'), seededRandom(seed)).consensus;
      expect(plan!.crashed).toHaveLength(2);
      expect(new Set(plan!.crashed).size).toBe(2);
      expect(plan!.liars).toEqual([]);
    }
    expect(faultNotes(team, parseFaultSpec('crashes=4'))).toEqual(['consensus decide tolerates 2 crash faults: crashing 2 of 5 replicas, not 4']);
  });

  it('keeps the replicas of a crash-fault consensus (and their stand-ins) from lying; byzantine ones lie up to f in all', () => {
    const review = planRunFaults(def(codeReviewTeam()), parseFaultSpec('wrong-answers=0.3,crashes=1'), seededRandom(2));
    expect(review.sim.agents).toEqual({ judge: { faults: { wrongAnswer: 0 } } });
    expect(review.consensus[0]).toMatchObject({ consensus: 'decide', agents: ['judge'], liars: [] });

    const byzantine = def(votingTeam({ replicas: 7, quorum: 5, faults: { count: 2, model: 'byzantine' } }));
    byzantine.agents[0]!.policy = { ...byzantine.agents[0]!.policy, fallback: ['voter_lite'] };
    byzantine.agents.push({ ...byzantine.agents[0]!, name: 'voter_lite', policy: {} });
    const [plan] = planRunFaults(byzantine, parseFaultSpec('wrong-answers=0.5,crashes=1'), seededRandom(3)).consensus;
    expect(plan!.agents).toEqual(['voter', 'voter_lite']);
    expect(plan!.crashed).toHaveLength(1);
    expect(plan!.liars).toHaveLength(1);
    expect(plan!.liars[0]).not.toBe(plan!.crashed[0]);
  });

  it('the same run seed gives the same plan', () => {
    const team = def(votingTeam({ replicas: 5, quorum: 'majority', faults: { count: 2, model: 'crash' } }));
    const crashedBy = (seed: string) => planRunFaults(team, parseFaultSpec('crashes=2'), seededRandom(seed)).consensus[0]!.crashed;
    expect(crashedBy('s/1')).toEqual(crashedBy('s/1'));
    const seen = new Set(Array.from({ length: 30 }, (_, i) => crashedBy(`s/${i}`).join(',')));
    expect(seen.size).toBeGreaterThan(3); // different runs crash different replicas
  });

  it('a crashed replica’s every call fails to connect; a liar answers a valid but different value', async () => {
    const team = def(votingTeam({ replicas: 4, quorum: 3, faults: { count: 1, model: 'byzantine' } }));
    const plan = planRunFaults(team, parseFaultSpec('crashes=1,wrong-answers=1'), seededRandom(4));
    const { crashed } = plan.consensus[0]!;
    expect(plan.consensus[0]!.liars).toEqual([]); // the one tolerated fault is spent on the crash
    const provider = createSimProvider({ ...plan.sim, seed: 4 });
    const clock = new VirtualClock();
    const Verdict = z.object({ verdict: z.enum(['ok', 'bad']) });
    const ask = (instance: number, agent = 'voter') =>
      clock.run(provider.complete({ agent, model: { provider: 'sim', model: 'm' }, messages: [{ role: 'user', content: 'q' }], schema: Verdict, schemaName: 'V', instance }, { clock }));
    await expect(ask(crashed[0]!)).rejects.toThrow(ProviderConnectionError);
    const healthy = [0, 1, 2, 3].filter((i) => !crashed.includes(i));
    const answers = await Promise.all(healthy.map(async (i) => (await ask(i)).output));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1); // honest replicas agree

    const lying = planRunFaults(def(votingTeam({ replicas: 4, quorum: 3, faults: { count: 1, model: 'byzantine' } })), parseFaultSpec('wrong-answers=1'), seededRandom(4));
    const liar = lying.consensus[0]!.liars[0]!;
    const liarProvider = createSimProvider({ ...lying.sim, seed: 4 });
    const call = (instance: number) =>
      clock.run(liarProvider.complete({ agent: 'voter', model: { provider: 'sim', model: 'm' }, messages: [{ role: 'user', content: 'q' }], schema: Verdict, schemaName: 'V', instance }, { clock }));
    const honest = (await call((liar + 1) % 4)).output;
    const lie = (await call(liar)).output;
    expect(Verdict.parse(lie)).toEqual(lie);
    expect(lie).not.toEqual(honest);
  });
});
