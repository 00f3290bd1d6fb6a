/**
 * The termination checker and the budget checker's "stopped by the budget", on hand-written traces;
 * the faults that exercise them (`stubborn`, `verbose`, and what a cut-off answer is billed); and,
 * through the real runtime, a loop the simulator has to stop (`stuck`), checked on its partial trace.
 * The fixtures of T700, T701 and T604 are proven in proofs/limits.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { defineTeam, type TeamDefinition } from '../../../runtime/definition.js';
import { MalformedOutputError } from '../../../runtime/providers/errors.js';
import { billedOutputTokens } from '../../../runtime/providers/sim-faults.js';
import { createSimProvider } from '../../../runtime/providers/sim.js';
import type { CompletionRequest, ModelResponse } from '../../../runtime/providers/types.js';
import { seededRandom } from '../../../runtime/random.js';
import type { TeamTraceEvent } from '../../../runtime/team.js';
import { keepLooping } from '../../../runtime/simulate/faults.js';
import { budgetChecker, FaultSpecError, loopsOf, parseFaultSpec, planRunFaults, simulateRun, terminationChecker } from '../../../runtime/simulate/index.js';
import { ledgerTeam, votingTeam } from './teams.js';
import * as t from './traces.js';

type Def = TeamDefinition<unknown, unknown>;
const def = (d: unknown) => d as Def;

const Draft = z.object({ title: z.string(), body: z.string() });
const Review = z.object({ approved: z.boolean(), comments: z.array(z.string()) });
const policy = { timeoutMs: 30_000, retry: { attempts: 2, backoff: 'exponential' as const, minMs: 500, maxMs: 4_000, jitter: true } };

/** A writer and a critic feeding each other (`emits reviews unless approved`), bounded or not. */
function writerCritic(bounds: { drafts?: number; writer?: number; budget?: number; deadlineMs?: number } = {}) {
  return defineTeam<{ brief: string }, { article: z.infer<typeof Draft> }>({
    name: 'WriterCritic',
    inputs: [{ name: 'brief', schema: z.string() }],
    outputs: [{ name: 'article', schema: Draft, from: 'writer' }],
    ...(bounds.deadlineMs !== undefined ? { deadlineMs: bounds.deadlineMs } : {}),
    ...(bounds.budget !== undefined ? { budget: { tokens: bounds.budget } } : {}),
    models: [{ name: 'fast', provider: 'sim', model: 'sim-fast', latencyMs: 2_000, maxTokens: 1_000 }],
    channels: [
      { name: 'drafts', schema: Draft, ordering: 'fifo', delivery: 'exactly_once', ...(bounds.drafts !== undefined ? { maxRounds: bounds.drafts } : {}) },
      { name: 'reviews', schema: Review, ordering: 'fifo', delivery: 'exactly_once' },
    ],
    stores: [],
    tools: [],
    agents: [
      {
        name: 'writer',
        model: 'fast',
        replicas: 1,
        prompt: 'Write about {{brief}}. {{#if reviews}}{{#each reviews.comments}}- {{this}} {{/each}}{{/if}}',
        output: Draft,
        takes: [
          { source: 'brief', from: 'input', all: false, optional: false },
          { source: 'reviews', from: 'channel', all: false, optional: true },
        ],
        reads: [],
        writes: [],
        emits: [{ channel: 'drafts' }],
        calls: [],
        policy,
        optional: false,
        ...(bounds.writer !== undefined ? { maxRounds: bounds.writer } : {}),
      },
      {
        name: 'critic',
        model: 'fast',
        replicas: 1,
        prompt: 'Review {{drafts.title}}: {{drafts.body}}',
        output: Review,
        takes: [{ source: 'drafts', from: 'channel', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [{ channel: 'reviews', unless: 'approved' }],
        calls: [],
        policy,
        optional: false,
      },
    ],
    consensus: [],
    work: [],
  });
}

const act = (time: number, agent: string, id: string, action: 'start' | 'end' | 'failed' = 'start', instance = 0): TeamTraceEvent => ({ kind: 'activation', agent, time, action, activation: id, instance });
const refused = (time: number, agent: string): TeamTraceEvent => ({ kind: 'budget', agent, time, action: 'refused', requested: { tokens: 1_030 }, remaining: { tokens: 400 }, resource: 'tokens' });
const send = (time: number, from: string, channel: string, seq: number) => t.publish(time, from, channel, seq);
const hand = (time: number, to: string, from: string, channel: string, seq: number) => t.deliver(time, to, from, channel, seq);

/** Two trips round the loop: writer → critic → writer → critic, each activation finished. */
const twoTrips: TeamTraceEvent[] = [
  t.start(),
  act(0, 'writer', 'writer:1'),
  send(2_000, 'writer', 'drafts', 1),
  act(2_000, 'writer', 'writer:1', 'end'),
  hand(2_010, 'critic', 'writer', 'drafts', 1),
  act(2_010, 'critic', 'critic:1'),
  send(4_000, 'critic', 'reviews', 1),
  act(4_000, 'critic', 'critic:1', 'end'),
  hand(4_010, 'writer', 'critic', 'reviews', 1),
  act(4_010, 'writer', 'writer:2'),
  send(6_000, 'writer', 'drafts', 2),
  act(6_000, 'writer', 'writer:2', 'end'),
  hand(6_010, 'critic', 'writer', 'drafts', 2),
  act(6_010, 'critic', 'critic:2'),
];

describe('loops of the flow graph', () => {
  it('finds the writer↔critic cycle with its channels and tightest bound; a pipeline has none', () => {
    expect(loopsOf(def(writerCritic()))).toEqual([{ agents: ['writer', 'critic'], channels: ['drafts', 'reviews'] }]);
    expect(loopsOf(def(writerCritic({ drafts: 4, writer: 6 })))).toEqual([{ agents: ['writer', 'critic'], channels: ['drafts', 'reviews'], bound: { kind: 'channel', name: 'drafts', rounds: 4 } }]);
    expect(loopsOf(def(ledgerTeam('causal')))).toEqual([]);
  });
});

describe('termination: cut off while an unbounded loop was going round', () => {
  const unbounded = def(writerCritic({ budget: 120_000 }));

  it('flags a loop that went round and was still working when the budget refused its next call', () => {
    const trace = [...twoTrips, refused(6_010, 'critic'), act(6_010, 'critic', 'critic:2', 'failed'), t.endFailed(6_010, 'budget')];
    expect(terminationChecker.check(trace, unbounded)).toEqual([
      expect.objectContaining({ kind: 'termination', subject: 'writer↔critic', evidence: [9, 13, 14], message: expect.stringContaining('declares no `max rounds`') }),
    ]);
  });

  it('flags a loop message still on its way when the deadline stopped the run (events at the deadline are past the cut)', () => {
    const timed = def(writerCritic({ deadlineMs: 7_000 }));
    const trace = [...twoTrips.slice(0, 12), send(6_900, 'writer', 'drafts', 3), act(7_000, 'writer', 'writer:3', 'failed'), t.endFailed(7_000, 'deadline')];
    // writer:2 ended and published; its draft never reached the critic before the deadline.
    expect(terminationChecker.check(trace, timed)).toEqual([expect.objectContaining({ subject: 'writer↔critic', evidence: [9, 12, 14] })]);
  });

  it('treats a run the simulator stopped (`stuck`) as cut off', () => {
    const trace = [...twoTrips, t.endFailed(9_000, 'stuck')];
    expect(terminationChecker.check(trace, def(writerCritic()))).toEqual([expect.objectContaining({ subject: 'writer↔critic', message: expect.stringContaining('the simulator stopped the run') })]);
  });

  it('passes the same run when the loop declares `max rounds`: the bound, not the budget, would have ended it', () => {
    const trace = [...twoTrips, refused(6_010, 'critic'), t.endFailed(6_010, 'budget')];
    expect(terminationChecker.check(trace, def(writerCritic({ drafts: 4, budget: 120_000 })))).toEqual([]);
  });

  it('passes a loop that had not gone round yet, and one that had finished before the cut', () => {
    const firstPass = [...twoTrips.slice(0, 6), refused(2_010, 'critic'), t.endFailed(2_010, 'budget')];
    expect(terminationChecker.check(firstPass, unbounded)).toEqual([]);
    // The critic approved (no review): every activation ended, nothing in flight; something else ran out.
    const finished = [...twoTrips, act(8_000, 'critic', 'critic:2', 'end'), act(8_000, 'editor', 'editor:1'), refused(8_000, 'editor'), t.endFailed(8_000, 'budget')];
    expect(terminationChecker.check(finished, unbounded)).toEqual([]);
  });

  it('reads what each activation consumed, when the trace says: going round takes a loop message', () => {
    const consuming = (time: number, agent: string, id: string, consumed: string[]): TeamTraceEvent => ({ kind: 'activation', agent, time, action: 'start', activation: id, instance: 0, consumed });
    const trip = (writerTakes: string): TeamTraceEvent[] => [
      t.start(),
      act(0, 'writer', 'writer:1'),
      send(2_000, 'writer', 'drafts', 1),
      act(2_000, 'writer', 'writer:1', 'end'),
      hand(2_010, 'critic', 'writer', 'drafts', 1),
      consuming(2_010, 'critic', 'critic:1', ['writer#1']),
      send(4_000, 'critic', 'reviews', 1),
      act(4_000, 'critic', 'critic:1', 'end'),
      hand(4_010, 'writer', 'critic', 'reviews', 1),
      consuming(4_010, 'writer', 'writer:2', [writerTakes]),
      refused(4_010, 'writer'),
      t.endFailed(4_010, 'budget'),
    ];
    expect(terminationChecker.check(trip('critic#1'), unbounded)).toEqual([expect.objectContaining({ subject: 'writer↔critic', evidence: [9, 10] })]);
    // A second activation on something else (not the critic's review) is not a trip round the loop.
    expect(terminationChecker.check(trip('elsewhere#1'), unbounded)).toEqual([]);
    // Between activations: a review handed over and not yet consumed is the loop about to go on.
    const between = [
      ...trip('critic#1').slice(0, 10),
      send(6_000, 'writer', 'drafts', 2),
      act(6_000, 'writer', 'writer:2', 'end'),
      hand(6_010, 'critic', 'writer', 'drafts', 2),
      consuming(6_010, 'critic', 'critic:2', ['writer#2']),
      send(8_000, 'critic', 'reviews', 2),
      act(8_000, 'critic', 'critic:2', 'end'),
      hand(8_010, 'writer', 'critic', 'reviews', 2),
      act(8_010, 'editor', 'editor:1'),
      refused(8_010, 'editor'),
      t.endFailed(8_010, 'budget'),
    ];
    expect(terminationChecker.check(between, unbounded)).toEqual([expect.objectContaining({ subject: 'writer↔critic', evidence: [9, 16, 18] })]);
    // The same, but the critic approved (no review): nothing left to act on.
    expect(terminationChecker.check([...between.slice(0, 14), act(8_000, 'critic', 'critic:2', 'end'), ...between.slice(17)], unbounded)).toEqual([]);
  });

  it('passes runs that end on their own: with the output, or with an ordinary failure', () => {
    expect(terminationChecker.check([...twoTrips, act(8_000, 'critic', 'critic:2', 'end'), t.endOk(8_000)], unbounded)).toEqual([]);
    expect(terminationChecker.check([...twoTrips, act(8_000, 'critic', 'critic:2', 'failed'), t.endFailed(8_000, 'agent_failed')], unbounded)).toEqual([]);
  });
});

describe('termination: cut off while an unbounded vote was going round', () => {
  const unbounded = votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' } });
  delete unbounded.consensus[0]!.rounds;
  unbounded.budget = { tokens: 50_000 };
  const rounds = (n: number): TeamTraceEvent[] =>
    Array.from({ length: n }, (_, i) => i + 1).flatMap((r) => [
      act(r * 100, 'voter', `voter:1/r${r}`, 'start', 1),
      act(r * 100, 'voter', `voter:1/r${r}`, 'start', 2),
      ...(r < n ? [act(r * 100 + 50, 'voter', `voter:1/r${r}`, 'end', 1), act(r * 100 + 50, 'voter', `voter:1/r${r}`, 'end', 2), t.roundEnd(r * 100 + 50, 'decide', r, { '"ok"': 1, '"bad"': 1 }, 1, false)] : []),
    ]);

  it('flags a vote with no `rounds` bound still voting past its first round when the budget stopped it', () => {
    const trace = [t.start(), ...rounds(3), refused(300, 'voter'), t.endFailed(300, 'budget')];
    expect(terminationChecker.check(trace, def(unbounded))).toEqual([
      expect.objectContaining({ subject: 'decide', evidence: [1, 11, 13], message: expect.stringContaining('round 3 of voter:1') }),
    ]);
  });

  it('passes a vote cut off in its first round, and one that declares its rounds', () => {
    expect(terminationChecker.check([t.start(), ...rounds(1), refused(100, 'voter'), t.endFailed(100, 'budget')], def(unbounded))).toEqual([]);
    const bounded = votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, rounds: 5 });
    bounded.budget = { tokens: 50_000 };
    expect(terminationChecker.check([t.start(), ...rounds(3), refused(300, 'voter'), t.endFailed(300, 'budget')], def(bounded))).toEqual([]);
  });
});

describe('termination: declared bounds hold', () => {
  it('flags an agent that started more activations than its `max rounds`', () => {
    const trace = [t.start(), act(0, 'writer', 'writer:1'), act(1, 'writer', 'writer:2'), act(2, 'writer', 'writer:3'), t.endOk(3)];
    expect(terminationChecker.check(trace, def(writerCritic({ writer: 2 })))).toEqual([expect.objectContaining({ subject: 'writer', evidence: [1, 3] })]);
    expect(terminationChecker.check(trace, def(writerCritic({ writer: 3 })))).toEqual([]);
  });

  it('flags a channel that carried more publishes than its `max rounds` (redeliveries are not publishes)', () => {
    const redelivery: TeamTraceEvent = { kind: 'send', agent: 'transport', time: 3, channel: 'drafts', message: 'writer#2', to: 'critic', attempt: 2 };
    const trace = [t.start(), send(1, 'writer', 'drafts', 1), send(2, 'writer', 'drafts', 2), redelivery, t.endOk(4)];
    expect(terminationChecker.check(trace, def(writerCritic({ drafts: 2 })))).toEqual([]);
    const third = [...trace.slice(0, 4), send(4, 'writer', 'drafts', 3), t.endOk(5)];
    expect(terminationChecker.check(third, def(writerCritic({ drafts: 2 })))).toEqual([expect.objectContaining({ subject: 'drafts', evidence: [1, 4] })]);
  });

  it('flags a vote past its rounds; a leader may run f + 1 terms', () => {
    const vote = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, rounds: 1 }));
    const secondRound = [t.start(), t.vote(1, 'decide', 1, 0, '"ok"'), t.vote(2, 'decide', 2, 0, '"ok"'), t.endOk(3)];
    expect(terminationChecker.check(secondRound, vote)).toEqual([expect.objectContaining({ subject: 'decide', evidence: [2] })]);
    const leader = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, rounds: 1, protocol: 'leader' }));
    expect(terminationChecker.check(secondRound, leader)).toEqual([]);
  });
});

describe('termination: no work graph deadlocks', () => {
  /**
   * A graph by `dev`: `setup`, `lint` after it, `a`, `b` after `a`, `c` after `a`; cyclic, `a` also
   * waits on `b`; closed, `setup` also waits on `c` (so no task can ever start).
   */
  const graph = (cyclic: boolean, closed = false) =>
    def({
      name: 'Library',
      inputs: [],
      outputs: [],
      models: [],
      channels: [],
      stores: [],
      tools: [],
      agents: [],
      consensus: [],
      work: [
        {
          name: 'library',
          by: 'dev',
          assign: { policy: 'claim' },
          tasks: [
            { name: 'setup', after: closed ? ['c'] : [], weight: 1, writes: [] },
            { name: 'lint', after: ['setup'], weight: 1, writes: [] },
            { name: 'a', after: cyclic ? ['setup', 'b'] : ['setup'], weight: 1, writes: [] },
            { name: 'b', after: ['a'], weight: 1, writes: [] },
            { name: 'c', after: ['a'], weight: 1, writes: [] },
          ],
        },
      ],
    });
  const task = (time: number, name: string, action: 'start' | 'end' | 'failed', worker = 0): TeamTraceEvent => ({ kind: 'task', agent: 'dev', time, work: 'library', task: name, worker, action });
  const deadlock: TeamTraceEvent = { kind: 'error', agent: 'dev', time: 2_000, where: 'work:library', error: { name: 'WorkDeadlockError', message: 'work graph library is deadlocked: …' } };
  const ran = [t.start(), task(0, 'setup', 'start'), task(1_000, 'setup', 'end'), task(1_000, 'lint', 'start', 1), task(2_000, 'lint', 'end', 1)];

  it('flags a run that ended with the rest of the graph never started, each task waiting on another of them', () => {
    const trace = [...ran, deadlock, t.endFailed(2_000, 'agent_failed')];
    expect(terminationChecker.check(trace, graph(true))).toEqual([
      {
        kind: 'termination',
        subject: 'work:library',
        message: 'work graph library deadlocked: the run ended after setup, lint finished, and a, b, c never started, each waiting on another of them round the cycle a -> b -> a (a after b; b after a; c after a)',
        evidence: [4, 5, 6],
      },
    ]);
  });

  it('judges the task events, not the runner’s word: a run the simulator had to stop shows it too', () => {
    expect(terminationChecker.check([...ran, t.endFailed(60_000, 'stuck')], graph(true))).toEqual([expect.objectContaining({ subject: 'work:library', evidence: [4, 5] })]);
    // With no task run, the runner's error naming the graph shows that the run reached it.
    const stuckAtOnce = [t.start(), { ...deadlock, time: 0 }, t.endFailed(0, 'agent_failed')];
    expect(terminationChecker.check(stuckAtOnce, graph(true, true))).toEqual([
      expect.objectContaining({ subject: 'work:library', evidence: [1, 2], message: expect.stringContaining('the run ended with none of its tasks run, and setup, lint, a, b, c never started') }),
    ]);
    // …but the same error on a graph whose `setup` could start is no deadlock the trace shows.
    expect(terminationChecker.check(stuckAtOnce, graph(true))).toEqual([]);
  });

  it('passes a graph cut off while a task ran or was ready, one the run never reached, and one that finished', () => {
    // `lint` still running when the budget stopped the run: not stuck, cut off.
    expect(terminationChecker.check([...ran.slice(0, 4), refused(1_500, 'dev'), t.endFailed(1_500, 'budget')], graph(true))).toEqual([]);
    // `lint` ready (setup done) and not started yet.
    expect(terminationChecker.check([...ran.slice(0, 3), t.endFailed(1_000, 'deadline')], graph(true))).toEqual([]);
    // A task that failed ended the run: it had started.
    expect(terminationChecker.check([...ran.slice(0, 4), task(1_500, 'lint', 'failed', 1), t.endFailed(1_500, 'agent_failed')], graph(true))).toEqual([]);
    // The run ended before the graph began (an upstream failure): nothing of it in the trace.
    expect(terminationChecker.check([t.start(), t.endFailed(10, 'agent_failed')], graph(true))).toEqual([]);
    // Not over yet: no run-end.
    expect(terminationChecker.check(ran, graph(true))).toEqual([]);
    const all = [...ran, ...['a', 'b', 'c'].flatMap((name, i) => [task(2_000 + i * 1_000, name, 'start'), task(3_000 + i * 1_000, name, 'end')])];
    expect(terminationChecker.check([...all, t.endOk(5_000)], graph(false))).toEqual([]);
  });

  it('never flags an acyclic graph, wherever its run ends', () => {
    const acyclic = graph(false);
    const order = ['setup', 'lint', 'a', 'b', 'c'];
    for (let done = 0; done <= order.length; done++) {
      const trace = [t.start(), ...order.slice(0, done).flatMap((name, i) => [task(i * 1_000, name, 'start'), task(i * 1_000 + 500, name, 'end')])];
      for (const end of [t.endOk(9_000), t.endFailed(9_000, 'stuck'), t.endFailed(9_000, 'agent_failed')]) {
        expect(terminationChecker.check([...trace, deadlock, end], acyclic)).toEqual([]);
      }
    }
  });
});

describe('budget: a run stopped by its budget', () => {
  const team = def(writerCritic({ budget: 16_000 }));

  it('is a violation: the budget does not cover what the declared policies can spend', () => {
    const trace = [t.start(), t.settle(1, 'writer', 15_400), refused(2, 'writer'), t.endFailed(2, 'budget')];
    expect(budgetChecker.check(trace, team)).toEqual([expect.objectContaining({ kind: 'budget', subject: 'tokens', evidence: [2, 3], message: expect.stringContaining('was refused 1030 tokens with 400') })]);
    // Without the refusal on record, the typed failure alone shows it.
    const ended: TeamTraceEvent = { kind: 'run-end', agent: 'team', time: 2, outcome: 'failed', error: { name: 'budget', message: 'budget exhausted: tokens — requested 1030 …' } };
    expect(budgetChecker.check([t.start(), ended], team)).toEqual([expect.objectContaining({ subject: 'tokens', evidence: [1] })]);
  });

  it('is not one for a run that ended otherwise, nor for a team with no budget', () => {
    expect(budgetChecker.check([t.start(), t.settle(1, 'writer', 15_400), t.endFailed(2, 'agent_failed')], team)).toEqual([]);
    expect(budgetChecker.check([t.start(), refused(2, 'writer'), t.endFailed(2, 'budget')], def(writerCritic()))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The faults

describe('fault spec: stubborn and verbose', () => {
  it('are probabilities outside the exclusive model faults', () => {
    expect(parseFaultSpec('stubborn=0.5,verbose=1,model-errors=0.6,malformed=0.4')).toEqual({ stubborn: 0.5, verbose: 1, modelErrors: 0.6, malformed: 0.4 });
    expect(() => parseFaultSpec('stubborn=2')).toThrow(FaultSpecError);
  });

  it('make an agent that guards a loop emission stubborn per run, and no other', () => {
    const plan = planRunFaults(def(writerCritic()), parseFaultSpec('stubborn=1'), seededRandom('s'));
    expect(plan.stubborn).toEqual([{ agent: 'critic', answeredBy: ['critic'], fields: { approved: false } }]);
    expect(plan.sim.agents).toEqual({ critic: { faults: { wrongAnswer: 0 } } });
    expect(planRunFaults(def(writerCritic()), parseFaultSpec('stubborn=0'), seededRandom('s')).stubborn).toEqual([]);
    // Drawn once per run: over seeds, some runs have a stubborn critic and some do not.
    const stubbornRuns = Array.from({ length: 100 }, (_, i) => planRunFaults(def(writerCritic()), parseFaultSpec('stubborn=0.3'), seededRandom(`r/${i}`)).stubborn.length).reduce((a, b) => a + b, 0);
    expect(stubbornRuns).toBeGreaterThan(15);
    expect(stubbornRuns).toBeLessThan(45);
    // A guard on a channel that leads nowhere back is no loop exit.
    const pipeline = writerCritic();
    pipeline.agents[0]!.takes = pipeline.agents[0]!.takes.slice(0, 1);
    expect(planRunFaults(def(pipeline), parseFaultSpec('stubborn=1'), seededRandom('s')).stubborn).toEqual([]);
  });

  it('a stubborn answer never meets the exit condition (each element of a list, nested paths too)', async () => {
    expect(keepLooping([{ ok: true, n: 1 }, { ok: true, n: 2 }], { ok: false })).toEqual([{ ok: false, n: 1 }, { ok: false, n: 2 }]);
    expect(keepLooping({ verdict: { done: true } }, { 'verdict.done': false })).toEqual({ verdict: { done: false } });

    const plan = planRunFaults(def(writerCritic()), parseFaultSpec('stubborn=1'), seededRandom('s'));
    const sim = createSimProvider({ ...plan.sim, seed: 's' });
    const clock = new VirtualClock();
    const ask = (agent: string, schema: z.ZodType, n: number): CompletionRequest => ({ agent, model: { provider: 'sim', model: 'm' }, messages: [{ role: 'user', content: `draft ${n}` }], schema, schemaName: 'x' });
    const reviews = await clock.run(Promise.all(Array.from({ length: 30 }, (_, n) => sim.complete(ask('critic', Review, n), { clock }))));
    expect(reviews.every((r) => (r.output as { approved: boolean }).approved === false)).toBe(true);
    // Without the fault, the simulator approves about half the time.
    const free = createSimProvider({ seed: 's' });
    const honest = await clock.run(Promise.all(Array.from({ length: 30 }, (_, n) => free.complete(ask('critic', Review, n), { clock }))));
    expect(honest.filter((r) => (r.output as { approved: boolean }).approved).length).toBeGreaterThan(5);
  });
});

describe('what an answer is billed', () => {
  const request: CompletionRequest = { agent: 'critic', model: { provider: 'sim', model: 'm', maxTokens: 700 }, messages: [{ role: 'user', content: 'Review it.' }], schema: Review, schemaName: 'Review' };
  const calls = (options: Parameters<typeof createSimProvider>[0]) => {
    const clock = new VirtualClock();
    const sim = createSimProvider(options);
    return clock.run(Promise.all(Array.from({ length: 40 }, (_, attempt) => sim.complete({ ...request, attempt: attempt + 1 }, { clock }).catch((e: unknown) => e as Error))));
  };

  it('a cut-off answer used its whole max_tokens; an answer wrapped in chatter only its text', async () => {
    const results = (await calls({ seed: 1, faults: { malformed: 1 } })) as MalformedOutputError[];
    const truncated = results.filter((e) => e.reason === 'truncated');
    const chatter = results.filter((e) => e.reason === 'not_json');
    expect(truncated.length).toBeGreaterThan(5);
    expect(chatter.length).toBeGreaterThan(5);
    for (const e of truncated) expect(e.tokenUsage?.outputTokens).toBe(700);
    for (const e of chatter) expect(e.tokenUsage?.outputTokens).toBeLessThan(100);
  });

  it('a verbose answer is billed max_tokens; others their text', async () => {
    const all = (await calls({ seed: 1, verbose: 1 })) as ModelResponse[];
    for (const r of all) expect(r.usage.outputTokens).toBe(700);
    const some = (await calls({ seed: 1, verbose: 0.5 })) as ModelResponse[];
    const long = some.filter((r) => r.usage.outputTokens === 700).length;
    expect(long).toBeGreaterThan(10);
    expect(long).toBeLessThan(30);
    expect(billedOutputTokens('{"a":1}', { truncated: false, verbose: false, maxTokens: 700 })).toBe(2);
    expect(billedOutputTokens('{"a":', { truncated: true, verbose: false, maxTokens: undefined })).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Through the real runtime

describe('a loop the simulator has to stop', () => {
  it('is checked on its partial trace: stuck, with a termination violation', async () => {
    // No budget, no deadline, no `max rounds`, and a critic that never approves: only the cap ends it.
    const run = await simulateRun(writerCritic(), { seed: 'stuck/1', faults: 'stubborn=1', input: { brief: 'loops' }, maxVirtualMs: 60_000 });
    expect(run.error?.kind).toBe('stuck');
    expect(run.trace.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'failed', error: { name: 'stuck' } });
    expect(run.violations).toEqual([expect.objectContaining({ kind: 'termination', subject: 'writer↔critic', message: expect.stringContaining('the simulator stopped the run') })]);
    // The same team with `max rounds` ends on its own.
    const bounded = await simulateRun(writerCritic({ drafts: 4 }), { seed: 'stuck/1', faults: 'stubborn=1', input: { brief: 'loops' }, maxVirtualMs: 60_000 });
    expect(bounded.ok).toBe(true);
    expect(bounded.violations).toEqual([]);
  });
});
