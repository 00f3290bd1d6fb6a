/**
 * Honest disagreement in the sim provider: an instance may hold its own view of a question (its
 * own sample, fixed per question and instance), which is what splits a vote among replicas that
 * are not faulty. Off by default: every instance gives the common answer.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { createSimProvider, type SimOptions } from '../../../runtime/providers/sim.js';
import type { CompletionRequest } from '../../../runtime/providers/types.js';
import { seededRandom } from '../../../runtime/random.js';
import { formatFaultSpec, parseFaultSpec, planRunFaults } from '../../../runtime/simulate/faults.js';
import { codeReviewTeam } from '../team/teams.js';

const Verdict = z.object({ decision: z.enum(['approve', 'reject', 'escalate']), score: z.int().min(0).max(100) });

const ask = (instance: number, attempt = 1, agent = 'judge'): CompletionRequest => ({
  agent,
  model: { provider: 'sim', model: 'sim', latencyMs: 100 },
  messages: [{ role: 'user', content: 'Approve change 7?' }],
  schema: Verdict,
  schemaName: 'Verdict',
  instance,
  attempt,
});

async function answers(options: SimOptions, requests: CompletionRequest[]): Promise<string[]> {
  const clock = new VirtualClock();
  const sim = createSimProvider(options);
  return clock.run(Promise.all(requests.map(async (r) => JSON.stringify((await sim.complete(r, { clock })).output))));
}

const instances = Array.from({ length: 40 }, (_, i) => ask(i));

describe('sim provider: honest disagreement', () => {
  it('off by default: every instance gives the common answer', async () => {
    expect(new Set(await answers({ seed: 1 }, instances)).size).toBe(1);
  });

  it('with disagreement p, about a share p of instances hold their own view, fixed by the seed', async () => {
    const common = (await answers({ seed: 1 }, [ask(0)]))[0]!;
    const views = await answers({ seed: 1, disagreement: 0.3 }, instances);
    const own = views.filter((v) => v !== common).length;
    expect(own).toBeGreaterThan(4);
    expect(own).toBeLessThan(20);
    expect(await answers({ seed: 1, disagreement: 0.3 }, instances)).toEqual(views);
    expect(new Set(await answers({ seed: 1, disagreement: 1 }, instances)).size).toBeGreaterThan(20);
  });

  it("an instance's retries agree with it; per-agent settings override the provider's", async () => {
    const first = await answers({ seed: 2, disagreement: 1 }, instances);
    expect(await answers({ seed: 2, disagreement: 1 }, instances.map((r) => ({ ...r, attempt: 3 })))).toEqual(first);
    const perAgent = await answers({ seed: 2, agents: { judge: { disagreement: 1 } } }, [...instances, ...instances.map((r) => ({ ...r, agent: 'other' }))]);
    expect(new Set(perAgent.slice(0, 40)).size).toBeGreaterThan(20);
    expect(new Set(perAgent.slice(40)).size).toBe(1);
  });

  it('refuses a share outside [0, 1]', () => {
    expect(() => createSimProvider({ disagreement: 1.5 })).toThrow(/disagreement must be a probability/);
    expect(() => createSimProvider({ agents: { judge: { disagreement: -1 } } })).toThrow(/agents.judge.disagreement must be a probability/);
  });
});

describe('the fault spec: disagreement=p', () => {
  it('reaches the replicas of each consensus (and their stand-ins), no other agent', () => {
    const spec = parseFaultSpec('disagreement=0.3,crashes=1');
    expect(spec).toEqual({ disagreement: 0.3, crashes: 1 });
    expect(formatFaultSpec(spec)).toBe('crashes=1,disagreement=0.3');
    const definition = codeReviewTeam() as never;
    const { sim } = planRunFaults(definition, spec, seededRandom(1));
    expect(sim.agents?.judge).toMatchObject({ disagreement: 0.3 });
    expect(sim.agents?.reviewer?.disagreement).toBeUndefined();
    expect(planRunFaults(definition, parseFaultSpec('crashes=1'), seededRandom(1)).sim.agents?.judge?.disagreement).toBeUndefined();
    expect(() => parseFaultSpec('disagreement=2')).toThrow(/disagreement must be a probability/);
  });
});
