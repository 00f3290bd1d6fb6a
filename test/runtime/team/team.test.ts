import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { seededRandom } from '../../../runtime/random.js';
import { createAdversarialNetwork } from '../../../runtime/transport/index.js';
import { createTeam } from '../../../runtime/team.js';
import type { TeamDefinition } from '../../../runtime/definition.js';
import { graphFigures, planWork } from '../../../runtime/work.js';
import { codeReviewTeam, mathLibraryTeam, writerCriticTeam, type Finding } from './teams.js';
import { runnerEvents, scriptedModel, simModel, taskOf } from './helpers.js';
import { mathLibraryTasks } from './graphs.js';

const finding = (file: string, line: number, message = 'bug'): Finding => ({ file, line, severity: 'error', message });

describe('a code review: replicated reviewers, a causal exactly-once join, a vote of three judges', () => {
  it('runs end to end on the sim provider and decides by majority', async () => {
    const clock = new VirtualClock();
    const { provider, prompts } = simModel({
      respond: (request, { instance }) =>
        request.agent === 'reviewer'
          ? // Each reviewer finds two problems: an output Finding[] sends one message per element.
            [finding('a.ts', instance + 1), finding('b.ts', 10 * (instance + 1))]
          : // Two judges want changes, one approves: the majority decides.
            { decision: instance === 2 ? 'approve' : 'request_changes', reasons: ['r'] },
    });
    const team = createTeam(codeReviewTeam(), { provider, clock });
    const result = await clock.run(team.run({ diff: '+ let x = a < b && c > d;' }));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.output.verdict.decision).toBe('request_changes');
    // The reviewers' prompts carry the diff unescaped.
    expect(prompts.filter((r) => r.agent === 'reviewer').map((r) => r.prompt)).toEqual(Array(3).fill(expect.stringContaining('a < b && c > d')));
    // The join: every judge saw all six findings and the causal store's six notes, once the reviewers (4 s each) were done.
    const judges = prompts.filter((r) => r.agent === 'judge');
    expect(judges).toHaveLength(3);
    for (const judge of judges) {
      expect(judge.prompt.match(/^- /gm)).toHaveLength(6);
      expect(judge.prompt).toContain('Notes: 6');
      expect(judge.at).toBe(4_000);
    }
    expect(result.trace.filter((e) => e.kind === 'deliver' && e.channel === 'findings')).toHaveLength(6);
    const decision = result.trace.find((e) => e.kind === 'decision');
    expect(decision).toMatchObject({ consensus: 'decide', votes: 2, quorum: 2, byQuorum: true });
    expect(clock.now()).toBe(16_000); // reviewers 4 s, then judges 12 s in parallel
    expect(result.stats.activations).toEqual({ reviewer: 3, judge: 3 });
    expect(result.usage.tokens).toBeGreaterThan(0);
    expect(result.usage.dollars).toBeGreaterThan(0);
    expect(result.trace.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'ok' });
  });

  it('runs with the provider named: `sim` answers from the types, and the replicas agree', async () => {
    const clock = new VirtualClock();
    const result = await clock.run(createTeam(codeReviewTeam(), { provider: 'sim', clock, seed: 3 }).run({ diff: 'x' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(['approve', 'request_changes']).toContain(result.output.verdict.decision);
    expect(result.trace.find((e) => e.kind === 'decision')).toMatchObject({ byQuorum: true });
  });

  it('the leader protocol decides too, skipping a leader that fails', async () => {
    const clock = new VirtualClock();
    const definition = codeReviewTeam();
    definition.consensus[0] = { ...definition.consensus[0]!, protocol: 'leader' };
    definition.agents.find((a) => a.name === 'judge')!.policy = { timeoutMs: 60_000 };
    // The first leader (replica 0) answers garbage; the next term's leader is followed.
    const { provider } = simModel({
      respond: (request, { instance }) =>
        request.agent === 'reviewer' ? [] : instance === 0 ? { decision: 'maybe' } : { decision: 'approve', reasons: ['fine'] },
    });
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ diff: 'x' }));
    expect(result.ok && result.output.verdict).toEqual({ decision: 'approve', reasons: ['fine'] });
    expect(result.trace.filter((e) => e.kind === 'election').length).toBeGreaterThanOrEqual(2);
    expect(result.trace.find((e) => e.kind === 'decision')).toMatchObject({ term: 2 });
  });

  it('fails with no_consensus when the judges cannot agree in any round', async () => {
    const clock = new VirtualClock();
    let call = 0;
    const { provider } = scriptedModel(clock, (request) => {
      if (request.agent === 'reviewer') return { output: [] };
      // One approves, one wants changes, one crashes (invalid output): no value reaches 2 of 3.
      const answer = call++ % 3;
      return { output: answer === 0 ? { decision: 'approve', reasons: [] } : answer === 1 ? { decision: 'request_changes', reasons: [] } : { nonsense: true } };
    });
    const definition = codeReviewTeam();
    definition.agents.find((a) => a.name === 'judge')!.policy = { timeoutMs: 60_000 };
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ diff: 'x' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'no_consensus', agent: 'decide' });
    expect(result.trace.filter((e) => e.kind === 'round')).toHaveLength(2);
  });

  it('a reviewer that keeps failing is replaced by its fallback, reviewer_lite', async () => {
    const clock = new VirtualClock();
    const { provider, requests } = scriptedModel(clock, (request) => {
      if (request.agent === 'reviewer') return request.instance === 0 ? { error: Object.assign(new Error('503'), { status: 503 }) } : { output: [finding('a.ts', 1)] };
      if (request.agent === 'reviewer_lite') return { output: [finding('lite.ts', 1)] };
      return { output: { decision: 'request_changes', reasons: [] } };
    });
    const result = await clock.run(createTeam(codeReviewTeam(), { provider, clock, seed: 1 }).run({ diff: 'x' }));
    expect(result.ok).toBe(true);
    expect(requests.filter((r) => r.agent === 'reviewer' && r.instance === 0)).toHaveLength(3); // retry 3
    expect(requests.filter((r) => r.agent === 'reviewer_lite')).toHaveLength(1);
    expect(result.trace.filter((e) => e.kind === 'fallback')).toEqual([expect.objectContaining({ from: 'reviewer#0', to: 'reviewer_lite' })]);
    // reviewer_lite only stands in: it never activated on its own.
    expect(result.stats.activations['reviewer_lite']).toBeUndefined();
    expect(requests.filter((r) => r.agent === 'judge')[0]!.prompt).toContain('lite.ts');
  });
});

describe('a writer–critic loop', () => {
  const draftsOf = (result: { trace: readonly { kind: string }[] }) => result.trace.filter((e) => e.kind === 'send' && (e as { channel?: string }).channel === 'drafts').length;

  it('ends when the critic approves (`emits reviews unless approved`)', async () => {
    const clock = new VirtualClock();
    let drafts = 0;
    let reviews = 0;
    const { provider, prompts } = simModel({
      respond: (request) =>
        request.agent === 'writer' ? { title: 'T', body: `draft ${++drafts}` } : { approved: ++reviews === 3, comments: [`fix ${reviews}`] },
    });
    const result = await clock.run(createTeam(writerCriticTeam(), { provider, clock }).run({ brief: 'on clocks' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.output.article.body).toBe('draft 3');
    expect(result.stats.activations).toEqual({ writer: 3, critic: 3 });
    const writers = prompts.filter((r) => r.agent === 'writer').map((r) => r.prompt);
    expect(writers[0]).not.toContain('Revise');
    expect(writers[2]).toContain('- fix 2');
    expect(clock.now()).toBe(3 * (12_000 + 4_000)); // three rounds of writer (smart) and critic (fast)
  });

  it('is bounded by max rounds when the critic never approves, and the output is the last draft', async () => {
    const clock = new VirtualClock();
    const { provider } = scriptedModel(clock, (request) =>
      request.agent === 'writer' ? { output: { title: 'T', body: String(clock.now()) } } : { output: { approved: false, comments: ['no'] } },
    );
    const result = await clock.run(createTeam(writerCriticTeam(4), { provider, clock }).run({ brief: 'b' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.stats.activations).toEqual({ writer: 4, critic: 4 });
    expect(draftsOf(result)).toBe(4);
    expect(runnerEvents(result.trace, 'activation').filter((e) => e.action === 'skipped')).toEqual([
      expect.objectContaining({ agent: 'writer', activation: 'writer:5', reason: 'max rounds 4' }),
    ]);
    expect(result.output.article.body).toBe('6000'); // the fourth draft, written at t = 6 s
    const other = new VirtualClock();
    const two = await other.run(
      createTeam(writerCriticTeam(2), { provider: scriptedModel(other, () => ({ output: { title: 'T', body: 'b', approved: false, comments: [] } })).provider, clock: other }).run({ brief: 'b' }),
    );
    expect(two.ok && two.stats.activations).toEqual({ writer: 2, critic: 2 });
  });

  it('a channel bound alone also ends the loop: sends beyond it are dropped and traced', async () => {
    const clock = new VirtualClock();
    const definition = writerCriticTeam(3);
    delete definition.agents[0]!.maxRounds;
    const { provider } = scriptedModel(clock, (request) =>
      request.agent === 'writer' ? { output: { title: 'T', body: 'b' } } : { output: { approved: false, comments: [] } },
    );
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ brief: 'b' }));
    expect(result.ok && result.stats.activations).toEqual({ writer: 4, critic: 3 });
    expect(runnerEvents(result.trace, 'dropped')).toEqual([expect.objectContaining({ channel: 'drafts', reason: 'max_rounds', maxRounds: 3 })]);
  });
});

describe('a work graph of twenty tasks on four workers', () => {
  const UNIT = 20_000; // the coder model's latency: one unit of weight
  const weightOf = new Map(mathLibraryTasks.map((t) => [t.name, t.weight]));
  const { totalWork, criticalPath } = graphFigures(mathLibraryTasks);

  for (const policy of ['preassigned', 'claim', 'lead'] as const) {
    it(`${policy}: dependencies respected, makespan near the critical path, every worker busy`, async () => {
      const clock = new VirtualClock();
      const { provider, prompts } = simModel({
        respond: async (request, context, prompt) => {
          if (request.agent === 'planner') {
            // A lead that gives the listed (highest-priority first) ready tasks to the idle workers in order.
            const ready = [...prompt.matchAll(/^- (\w+) \(weight/gm)].map((m) => m[1]!);
            const idle = /Idle workers: ([\d, ]+)/.exec(prompt)![1]!.split(', ').map(Number);
            return { assignments: ready.slice(0, idle.length).map((task, i) => ({ task, worker: idle[i]! })) };
          }
          // A task takes its weight in model latencies (the coder's 20 s each).
          const task = taskOf(prompt);
          await context.clock.sleep(weightOf.get(task)! * UNIT, context.signal);
          return { path: `${task}.py`, contents: '', summary: `${task} done` };
        },
      });
      const result = await clock.run(createTeam(mathLibraryTeam(policy), { provider, clock }).run({ spec: 'a numeric library' }));
      expect(result.ok).toBe(true);
      if (!result.ok) return;

      // The output: one patch per task, in task order.
      expect(result.output.library.map((p) => p.path)).toEqual(mathLibraryTasks.map((t) => `${t.name}.py`));
      // Dependency order, read from the trace.
      const tasks = runnerEvents(result.trace, 'task');
      const startOf = new Map(tasks.filter((e) => e.action === 'start').map((e) => [e.task, e.time]));
      const endOf = new Map(tasks.filter((e) => e.action === 'end').map((e) => [e.task, e.time]));
      expect(startOf.size).toBe(20);
      for (const task of mathLibraryTasks) for (const dep of task.after) expect(startOf.get(task.name)!).toBeGreaterThanOrEqual(endOf.get(dep)!);
      // Workers see their dependencies' outputs.
      const variance = prompts.find((r) => r.agent === 'dev' && taskOf(r.prompt) === 'variance')!;
      expect(variance.prompt).toContain('- mean: mean done\n- sub: sub done\n- mul: mul done');
      // Greedy bound T <= W/n + CP, and never below the critical path.
      const work = result.stats.work['library']!;
      expect(work.makespan).toBeLessThanOrEqual((totalWork / 4 + criticalPath) * UNIT);
      expect(work.makespan).toBeGreaterThanOrEqual(criticalPath * UNIT);
      expect(work.perWorkerLoad.every((load) => load > 0)).toBe(true);
      expect(work.perWorkerLoad.reduce((a, b) => a + b)).toBe(totalWork);
      if (policy !== 'lead') expect(work.makespan).toBe(planWork(mathLibraryTasks, { workers: 4, policy }).makespan * UNIT);
    });
  }
});

describe('typed failures', () => {
  it('deadline: the run ends at the deadline with the trace so far', async () => {
    const clock = new VirtualClock();
    const definition = codeReviewTeam();
    definition.deadlineMs = 10_000;
    const { provider, requests } = scriptedModel(clock, (request) =>
      request.agent === 'reviewer' ? { output: [finding('a.ts', 1)], latencyMs: 4_000 } : { output: { decision: 'approve', reasons: [] }, latencyMs: 12_000 },
    );
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ diff: 'x' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'deadline', message: 'deadline of 10000ms passed' });
    expect(clock.now()).toBe(10_000);
    expect(requests.filter((r) => r.agent === 'judge').every((r) => r.aborted)).toBe(true);
    expect(result.trace.filter((e) => e.kind === 'deliver')).toHaveLength(3);
    expect(result.trace.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'failed', error: { name: 'deadline' } });
  });

  it('budget: a call that cannot fit ends the run, naming the resource', async () => {
    const clock = new VirtualClock();
    const definition = codeReviewTeam();
    definition.budget = { tokens: 9_000 }; // three reviewers fit (each reserves ~2k), three judges (~4k each) do not
    const { provider, requests } = scriptedModel(clock, (request) =>
      request.agent === 'reviewer' ? { output: [finding('a.ts', 1)] } : { output: { decision: 'approve', reasons: [] } },
    );
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ diff: 'x' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'budget', resource: 'tokens', agent: 'judge' });
    expect(result.trace.some((e) => e.kind === 'budget' && e.action === 'refused')).toBe(true);
    expect(result.usage.tokens).toBeLessThanOrEqual(9_000);
    expect(requests.filter((r) => r.agent === 'judge').length).toBeLessThan(3);
  });

  it('dollars: a dollar budget is enforced the same way', async () => {
    const clock = new VirtualClock();
    const definition = writerCriticTeam();
    definition.budget = { dollars: 0.03 }; // one smart-model call reserves its worst case, ~$0.04
    const { provider } = scriptedModel(clock, (request) =>
      request.agent === 'writer' ? { output: { title: 'T', body: 'b' } } : { output: { approved: false, comments: [] } },
    );
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ brief: 'b' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'budget', resource: 'dollars' });
  });

  it('invalid input is refused before any model is called', async () => {
    const clock = new VirtualClock();
    const { provider, requests } = scriptedModel(clock, () => ({ output: [] }));
    const team = createTeam(codeReviewTeam(), { provider, clock });
    const result = await clock.run(team.run({ diff: 42 } as unknown as { diff: string }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'invalid_input', issues: [{ input: 'diff', path: '' }] });
    const extra = await clock.run(team.run({ diff: 'x', dif: 'y' } as unknown as { diff: string }));
    expect(!extra.ok && extra.error.issues).toEqual([{ input: 'dif', path: '', message: 'not an input of this team' }]);
    expect(requests).toHaveLength(0);
  });

  it('cancellation through the signal aborts the calls in flight', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const { provider, requests } = scriptedModel(clock, () => ({ output: [], latencyMs: 4_000 }));
    clock.schedule(1_500, () => controller.abort(new Error('user pressed stop')));
    const result = await clock.run(createTeam(codeReviewTeam(), { provider, clock, signal: controller.signal }).run({ diff: 'x' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'cancelled', message: 'cancelled: user pressed stop' });
    expect(clock.now()).toBe(1_500);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.aborted)).toBe(true);
    // A per-run signal works too, and an already-aborted one never starts anything.
    const before = requests.length;
    const stopped = await clock.run(createTeam(codeReviewTeam(), { provider, clock }).run({ diff: 'x' }, { signal: AbortSignal.abort('no') }));
    expect(!stopped.ok && stopped.error.kind).toBe('cancelled');
    expect(requests).toHaveLength(before);
  });
});

describe('optional agents', () => {
  /** The code review plus a linter that also emits findings; optional or not. */
  function withLinter(optional: boolean): TeamDefinition<{ diff: string }, { verdict: unknown }> {
    const definition = codeReviewTeam() as TeamDefinition<{ diff: string }, { verdict: unknown }>;
    definition.agents.push({
      name: 'linter',
      model: 'fast',
      replicas: 1,
      prompt: 'Lint {{diff}}',
      output: z.array(z.object({ file: z.string(), line: z.number(), severity: z.enum(['info', 'warning', 'error']), message: z.string() })),
      takes: [{ source: 'diff', from: 'input', all: false, optional: false }],
      reads: [],
      writes: [],
      emits: [{ channel: 'findings' }],
      calls: [],
      policy: { timeoutMs: 5_000 },
      optional,
    });
    return definition;
  }
  const script = (clock: VirtualClock) =>
    scriptedModel(clock, (request) =>
      request.agent === 'linter'
        ? { error: new Error('linter crashed') }
        : request.agent === 'reviewer'
          ? { output: [finding('a.ts', 1)] }
          : { output: { decision: 'approve', reasons: [] } },
    );

  it('an optional agent that fails does not fail the run; the join waits for it, then goes on', async () => {
    const clock = new VirtualClock();
    const result = await clock.run(createTeam(withLinter(true), { provider: script(clock).provider, clock }).run({ diff: 'x' }));
    expect(result.ok).toBe(true);
    expect(runnerEvents(result.trace, 'activation').filter((e) => e.agent === 'linter' && e.action === 'failed')).toHaveLength(2);
  });

  it('a required agent that fails fails the run, naming it', async () => {
    const clock = new VirtualClock();
    const result = await clock.run(createTeam(withLinter(false), { provider: script(clock).provider, clock }).run({ diff: 'x' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'agent_failed', agent: 'linter', message: expect.stringContaining('linter crashed') });
  });

  it('an output whose producer never ran leaves the run incomplete, not hung', async () => {
    const clock = new VirtualClock();
    const definition = writerCriticTeam();
    definition.outputs = [{ name: 'review', schema: z.unknown(), from: 'critic' }];
    definition.agents[0]!.optional = true;
    const { provider } = scriptedModel(clock, () => ({ error: Object.assign(new Error('bad request'), { status: 400 }) }));
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ brief: 'b' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'incomplete', missing: ['review'] });
  });
});

describe('tools', () => {
  it('an effect with an idempotency key runs once, though a retry asks for it again', async () => {
    const clock = new VirtualClock();
    const posted: unknown[] = [];
    const definition = writerCriticTeam();
    definition.tools.push({ name: 'publish', kind: 'effect', input: z.object({ title: z.string() }), output: z.string(), idempotencyKey: ['title'] });
    const writer = definition.agents[0]!;
    writer.calls = ['publish'];
    writer.policy = { timeoutMs: 5_000, retry: { attempts: 3, backoff: 'constant', minMs: 100, maxMs: 100, jitter: false } };
    definition.agents[1]!.emits = [];
    let attempt = 0;
    const { provider } = scriptedModel(clock, (request) => {
      if (request.agent === 'critic') return { output: { approved: true, comments: [] } };
      if (request.toolResults.length === 0) return { toolCalls: [{ tool: 'publish', input: { title: 'T' } }] };
      // The first attempt times out after its tool call: the retry repeats the call.
      return ++attempt === 1 ? { hang: true } : { output: { title: 'T', body: String(request.toolResults[0]!.output) } };
    });
    const result = await clock.run(
      createTeam(definition, { provider, clock, tools: { publish: async (input) => (posted.push(input), 'https://blog/T') } }).run({ brief: 'b' }),
    );
    expect(result.ok && result.output.article.body).toBe('https://blog/T');
    expect(posted).toEqual([{ title: 'T' }]);
    expect(runnerEvents(result.trace, 'tool').map((e) => e.action)).toEqual(['call', 'result', 'deduplicated']);
  });

  it('an agent cannot call a tool it did not declare', async () => {
    const clock = new VirtualClock();
    const definition = writerCriticTeam();
    definition.tools.push({ name: 'publish', kind: 'effect', input: z.object({ title: z.string() }) });
    const { provider } = scriptedModel(clock, (request) =>
      request.agent === 'writer' ? { toolCalls: [{ tool: 'publish', input: { title: 'T' } }] } : { output: { approved: true, comments: [] } },
    );
    const result = await clock.run(createTeam(definition, { provider, clock, tools: { publish: () => 'x' } }).run({ brief: 'b' }));
    expect(!result.ok && result.error).toMatchObject({ kind: 'agent_failed', agent: 'writer', message: expect.stringContaining('does not declare `calls publish`') });
  });
});

describe('determinism', () => {
  it('the same seed gives the same trace, event for event; another seed does not', async () => {
    const runOnce = async (seed: number) => {
      const clock = new VirtualClock();
      // Heavy-tailed latencies and injected faults, all drawn from the seed.
      const { provider } = simModel({ seed, steady: false, faults: { rateLimit: 0.15, serverError: 0.15, wrongAnswer: 0.1 } });
      const result = await clock.run(createTeam(codeReviewTeam(), { provider, clock, seed }).run({ diff: 'x' }));
      return result.trace;
    };
    const first = await runOnce(7);
    expect(first.some((e) => e.kind === 'retry')).toBe(true); // a fault was injected, and retried with seeded jitter
    expect(await runOnce(7)).toEqual(first);
    expect(await runOnce(8)).not.toEqual(first);
  });
});

describe('validation by a validator agent', () => {
  it('a rejected output is asked for again; the validator sees the candidate as `output`', async () => {
    const clock = new VirtualClock();
    const definition = writerCriticTeam();
    definition.agents[0]!.policy = { timeoutMs: 60_000, retry: { attempts: 3, backoff: 'constant', minMs: 10, maxMs: 10, jitter: false }, validator: 'checker' };
    definition.agents.push({
      name: 'checker',
      model: 'fast',
      replicas: 1,
      prompt: 'Brief: {{brief}}\nIs this title good? {{output.title}}',
      output: z.object({ valid: z.boolean(), reason: z.string().optional() }),
      takes: [{ source: 'brief', from: 'input', all: false, optional: false }],
      reads: [],
      writes: [],
      emits: [],
      calls: [],
      policy: { timeoutMs: 10_000 },
      optional: false,
    });
    let drafts = 0;
    const { provider, requests } = scriptedModel(clock, (request) => {
      if (request.agent === 'writer') return { output: { title: `title ${++drafts}`, body: 'b' } };
      if (request.agent === 'checker') return { output: request.prompt.includes('title 1') ? { valid: false, reason: 'dull title' } : { valid: true } };
      return { output: { approved: true, comments: [] } };
    });
    const result = await clock.run(createTeam(definition, { provider, clock }).run({ brief: 'b' }));
    expect(result.ok && result.output.article.title).toBe('title 2');
    expect(requests.filter((r) => r.agent === 'checker').map((r) => r.prompt)).toEqual(['Brief: b\nIs this title good? title 1', 'Brief: b\nIs this title good? title 2']);
    expect(result.trace.some((e) => e.kind === 'error' && e.where === 'validation:validator' && e.error.message.includes('dull title'))).toBe(true);
    expect(result.stats.activations['checker']).toBeUndefined(); // a validator never activates on its own
  });
});

describe('on an adversarial network', () => {
  const reviewScript = (clock: VirtualClock) =>
    scriptedModel(clock, (request) =>
      request.agent === 'reviewer'
        ? { output: [finding('a.ts', request.instance * 2 + 1), finding('a.ts', request.instance * 2 + 2)] }
        : { output: { decision: 'approve', reasons: [] } },
    );

  it('an exactly-once causal channel still hands the join every finding exactly once', async () => {
    for (const seed of [1, 2, 3]) {
      const clock = new VirtualClock();
      const network = createAdversarialNetwork({ clock, random: seededRandom(seed), faults: { drop: 0.2, duplicate: 0.3, reorder: 0.5, delayMs: [1, 200] } });
      const { provider, requests } = reviewScript(clock);
      const result = await clock.run(createTeam(codeReviewTeam(), { provider, clock, seed, transport: network }).run({ diff: 'x' }));
      expect(result.ok).toBe(true);
      const lines = requests.filter((r) => r.agent === 'judge')[0]!.prompt.match(/a\.ts:(\d+)/g)!;
      expect([...lines].sort()).toEqual(['a.ts:1', 'a.ts:2', 'a.ts:3', 'a.ts:4', 'a.ts:5', 'a.ts:6']);
      expect(network.stats().dropped + network.stats().duplicated).toBeGreaterThan(0);
    }
  });

  it('an at-most-once channel may lose messages, and the run still ends: the join completes once losses are settled', async () => {
    const clock = new VirtualClock();
    const definition = codeReviewTeam();
    definition.channels[0] = { ...definition.channels[0]!, ordering: 'unordered', delivery: 'at_most_once' };
    const network = createAdversarialNetwork({ clock, random: seededRandom(5), faults: { drop: 0.5 } });
    const { provider, requests } = reviewScript(clock);
    const result = await clock.run(createTeam(definition, { provider, clock, transport: network }).run({ diff: 'x' }));
    expect(result.ok).toBe(true);
    const judge = requests.filter((r) => r.agent === 'judge')[0]!;
    const seen = judge.prompt.match(/a\.ts:/g) ?? [];
    expect(result.stats.channels['findings']).toMatchObject({ published: 6, delivered: seen.length });
    expect(seen.length).toBeLessThan(6);
    // The join waited until the channel gave the lost messages up (its settle timeout), not forever.
    expect(judge.at).toBeGreaterThanOrEqual(30_000);
  });
});
