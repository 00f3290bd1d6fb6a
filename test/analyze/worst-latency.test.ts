/**
 * The worst-case latency (T504) against what the runtime really takes. Each rule of the count is
 * checked on a real run on the virtual clock: a model scripted to the worst its policies allow —
 * every attempt but the last hangs to its timeout, the last answers a millisecond before it, a
 * critic never approves — reaches the figure to within those milliseconds, so a deadline at the
 * figure is met and one a second shorter is hit. And runs simulated under the faults that stretch
 * a run (time-outs, stragglers, a stubborn critic) never pass a deadline set at the figure.
 */
import { describe, expect, it } from 'vitest';
import { retryLoopMs, worstCaseLatency, LAST_REDELIVERY_MS, REDELIVERY_WINDOW_MS } from '../../compiler/analyze/worst-latency.js';
import { AT_LEAST_ONCE_HANDLINGS } from '../../compiler/analyze/worst-case.js';
import { toTeamDefinition } from '../../compiler/definition/index.js';
import { MAX_TOOL_ROUNDS, type ModelRequest } from '../../runtime/agent.js';
import { VirtualClock } from '../../runtime/clock.js';
import type { TeamDefinition } from '../../runtime/definition.js';
import { defaultRetryPolicy } from '../../runtime/delivery/retry.js';
import { checkTrace, simulateRun } from '../../runtime/simulate/index.js';
import { createTeam, type TeamResult } from '../../runtime/team.js';
import { checkWithRules } from '../check/rules/family-fixtures.js';
import { drawInputs, fixture } from '../runtime/simulate/proofs/harness.js';
import { runnerEvents, scriptedModel, type Scripted } from '../runtime/team/helpers.js';

type Definition = TeamDefinition<unknown, unknown>;

/** A checked text's (first) team, as the runtime runs it; the text must check without errors. */
function definitionOf(text: string): Definition {
  const checked = checkWithRules(text);
  expect(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return toTeamDefinition(checked.model.teams[0]!) as Definition;
}

const withDeadline = (definition: Definition, deadlineMs: number): Definition => ({ ...definition, deadlineMs });

/** One run on a fresh virtual clock with a scripted model (and tools); its end time and the checkers' verdict. */
async function scriptedRun(definition: Definition, input: Record<string, unknown>, script: (request: ModelRequest) => Scripted, tools = {}) {
  const clock = new VirtualClock();
  const { provider, requests } = scriptedModel(clock, script);
  const team = createTeam(definition, { provider, clock, tools });
  const result: TeamResult<unknown> = await clock.run(team.run(input));
  return { result, requests, endedAt: result.stats.endedAt - result.stats.startedAt, violations: checkTrace(result.trace, definition) };
}

/** The policies' worst: attempts before the last hang to their timeout, the last answers 1ms before it. */
const lastAttemptJustInTime =
  (timeoutMs: (agent: string) => number, attempts: (agent: string) => number, output: (agent: string) => unknown) =>
  (request: ModelRequest): Scripted =>
    request.attempt < attempts(request.agent) ? { hang: true } : { latencyMs: timeoutMs(request.agent) - 1, output: output(request.agent) };

describe('one call', () => {
  it('runs every attempt to its timeout and every back-off to its ceiling', () => {
    expect(retryLoopMs(10_000, { attempts: 4, backoff: 'exponential', minMs: 1000, maxMs: 3000, jitter: true })).toEqual({ totalMs: 40_000 + 1000 + 2000 + 3000, backoffMs: 6000, attempts: 4 });
    expect(retryLoopMs(10_000, { attempts: 3, backoff: 'linear', minMs: 1000, maxMs: 30_000, jitter: false }).backoffMs).toBe(1000 + 2000);
    expect(retryLoopMs(10_000, { attempts: 3, backoff: 'constant', minMs: 0, maxMs: 0, jitter: false }).totalMs).toBe(30_000);
    expect(retryLoopMs(10_000, undefined).totalMs).toBe(10_000);
    // A validator runs after each attempt, outside its timeout.
    expect(retryLoopMs(10_000, { attempts: 2, backoff: 'constant', minMs: 1000, maxMs: 1000, jitter: false }, 5000).totalMs).toBe(2 * 15_000 + 1000);
  });

  const single = (policy: string, extra = '') => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  q: string
  output a: A from x
  type A { text: string }
  type Hit { url: string }
  tool lookup(q: string) -> Hit { pure  timeout 8s }
  agent x { model fast  takes q  output A  prompt "Answer {{q}}."  ${policy} }
  ${extra}
}
`;

  it('a hedge runs another copy of the whole retry loop, `after` later: a call that never answers ends exactly then', async () => {
    const definition = definitionOf(single('timeout 10s  retry 3 backoff constant 1s  hedge after 5s'));
    const latency = worstCaseLatency(definition);
    expect(latency.ms).toBe(3 * 10_000 + 2 * 1000 + 5000);
    const run = await scriptedRun(definition, { q: 'q' }, () => ({ hang: true }));
    expect(run.result.ok).toBe(false);
    expect(run.requests).toHaveLength(6);
    expect(run.endedAt).toBe(latency.ms);
  });

  it('a timeout bounds the whole attempt, its tool rounds included', async () => {
    const definition = definitionOf(single('calls lookup  timeout 30s  retry 2 backoff constant 1s'));
    const latency = worstCaseLatency(definition);
    // Not (MAX_TOOL_ROUNDS + 1) calls × 30s: the tool loop runs inside the timed call.
    expect(latency.ms).toBe(2 * 30_000 + 1000);
    // A model that keeps asking for a tool that hangs to its own 8s timeout: 1s + 8s a round.
    const run = await scriptedRun(definition, { q: 'q' }, () => ({ toolCalls: [{ tool: 'lookup', input: { q: 'more' } }] }), { lookup: () => new Promise(() => {}) });
    expect(run.result.ok).toBe(false);
    expect(run.endedAt).toBe(latency.ms);
    expect(run.requests.length).toBeLessThan(2 * (MAX_TOOL_ROUNDS + 1));
  });

  it('a validator runs after each attempt, outside its timeout, and fallbacks after the whole stack', async () => {
    const definition = definitionOf(
      single(
        'timeout 10s  retry 2 backoff constant 1s  validate with check  fallback spare',
        `type Verdict { valid: bool  reason: string }
  agent check { model fast  takes q  output Verdict  prompt "Is {{output.text}} right?"  timeout 4s }
  agent spare { model fast  takes q  output A  prompt "Answer {{q}} briefly."  timeout 6s }`,
      ),
    );
    const latency = worstCaseLatency(definition);
    expect(latency.ms).toBe(2 * (10_000 + 4000) + 1000 + 6000);
    // Every answer just in time, every verdict a rejection just in time, the stand-in never answering.
    const timeouts: Record<string, number> = { x: 10_000, check: 4000 };
    const run = await scriptedRun(definition, { q: 'q' }, (request) =>
      request.agent === 'spare' ? { hang: true } : { latencyMs: timeouts[request.agent]! - 1, output: request.agent === 'check' ? { valid: false, reason: 'no' } : { text: 't' } },
    );
    expect(run.result.ok).toBe(false);
    expect(run.endedAt).toBe(latency.ms - 4); // four answers, each a millisecond early
  });
});

// A writer and a critic over `drafts { max rounds 4 }`: the critic reviews four drafts; the writer
// writes once at the start and once per review, five times.
const loop = `
model fast { provider sim  latency 8s  max_tokens 1k }

team Loop {
  input  brief: string
  output article: Draft from writer
  deadline 1h

  type Draft  { title: string  body: string }
  type Review { approved: bool  comments: string[] }

  channel drafts: Draft { ordering fifo  delivery exactly_once  max rounds 4 }
  channel reviews: Review { ordering fifo  delivery exactly_once }

  agent writer { model fast  takes brief, reviews?  emits drafts  output Draft  prompt "Write an article, or revise it."  timeout 10s  retry 2 backoff constant 1s }
  agent critic { model fast  takes drafts  emits reviews unless approved  output Review  prompt "Review the draft."  timeout 10s  retry 2 backoff constant 1s }
}
`;

describe('a loop bounded by its channel', () => {
  const definition = definitionOf(loop);
  const latency = worstCaseLatency(definition);
  const call = 2 * 10_000 + 1000;

  it('counts the writer once more than `max rounds`, and a run at the worst case meets a deadline of it exactly', async () => {
    expect(Object.fromEntries([...latency.agents].map(([name, t]) => [name, t.activations]))).toEqual({ writer: 5, critic: 4 });
    expect(latency.ms).toBe((5 + 4) * call);
    expect(latency.path.map((s) => s.agents)).toEqual([['writer', 'critic']]);

    // The worst the policies allow: each first attempt times out, each retry answers just in time,
    // and the critic never approves.
    const worst = lastAttemptJustInTime(
      () => 10_000,
      () => 2,
      (agent) => (agent === 'writer' ? { title: 't', body: 'b' } : { approved: false, comments: ['again'] }),
    );
    const met = await scriptedRun(withDeadline(definition, latency.ms), { brief: 'b' }, worst);
    expect(met.result.ok).toBe(true);
    expect(met.violations).toEqual([]);
    expect(met.endedAt).toBe(latency.ms - 9); // nine activations, each answered a millisecond early
    expect(runnerEvents(met.result.trace, 'dropped').filter((e) => e.reason === 'max_rounds')).toHaveLength(1);

    // A second less and the run is stopped by its deadline, typed.
    const hit = await scriptedRun(withDeadline(definition, latency.ms - 1000), { brief: 'b' }, worst);
    expect(hit.result.ok).toBe(false);
    expect(!hit.result.ok && hit.result.error.kind).toBe('deadline');
    expect(hit.violations).toEqual([]);

    // The old count, (writer + critic) × 4 rounds, was a whole writer activation short.
    const old = 4 * (call + call);
    const short = await scriptedRun(withDeadline(definition, old), { brief: 'b' }, worst);
    expect(!short.result.ok && short.result.error.kind).toBe('deadline');
  });

  it('no simulated run passes a deadline set at the worst case', async () => {
    const at = withDeadline(definition, latency.ms);
    const input = drawInputs(at, 'latency');
    // Time-outs (each one waits its whole timeout), straggling answers on a model about as slow as
    // the timeouts, and a critic that never approves: what makes a run long without breaking a policy.
    for (const faults of ['stubborn=1,timeouts=1', 'stubborn=1,timeouts=0.3', 'stubborn=1,stragglers=0.3,timeouts=0.1']) {
      let longest = 0;
      let timedOut = 0;
      for (let i = 0; i < 300; i++) {
        const run = await simulateRun(at, { seed: `latency/${i}`, faults, input }, i);
        expect(run.violations.filter((v) => v.kind === 'deadline')).toEqual([]);
        expect(run.error?.kind).not.toBe('deadline');
        longest = Math.max(longest, run.makespanMs);
        timedOut += run.injected.timeout ?? 0;
      }
      expect(longest).toBeLessThanOrEqual(latency.ms);
      if (faults !== 'stubborn=1,stragglers=0.3,timeouts=0.1') expect(timedOut).toBeGreaterThan(100);
    }
  }, 60_000);
});

describe('redeliveries', () => {
  it('an at-least-once message whose handling fails comes back only while its sender redelivers it', async () => {
    // T400's fixed design: one comment, a publisher that handles it up to ten times.
    const { definition } = fixture('T400', 'accept');
    const latency = worstCaseLatency(definition);
    const publisher = latency.agents.get('publisher')!;
    expect(publisher.activations).toBe(AT_LEAST_ONCE_HANDLINGS);
    // Redeliveries leave up to 42.6s after the comment was sent; one handling after the last.
    expect(LAST_REDELIVERY_MS).toBe(200 + 400 + 800 + 1600 + 3200 + 6400 + 3 * defaultRetryPolicy.maxDelayMs);
    expect(REDELIVERY_WINDOW_MS).toBe(LAST_REDELIVERY_MS + defaultRetryPolicy.maxDelayMs);
    const reviewer = 2 * 30_000 + 500;
    expect(publisher.ms).toBe(LAST_REDELIVERY_MS + 30_000);
    expect(latency.ms).toBe(reviewer + publisher.ms);

    // The reviewer's first attempt hangs, its retry answers just in time; the publisher's model
    // fails every handling after 5s, and the comment comes back with the next redelivery, until
    // its sender gives up.
    const run = await scriptedRun(
      withDeadline(definition, latency.ms),
      { diff: 'd' },
      (request) =>
        request.agent === 'publisher'
          ? { latencyMs: 5000, error: new Error('the model went away') }
          : request.attempt === 1
            ? { hang: true }
            : { latencyMs: 29_999, output: [{ file: 'a.ts', line: 1, body: 'off by one' }] },
      { post_comment: () => ({ id: 'c1' }) },
    );
    expect(!run.result.ok && run.result.error.kind).toBe('agent_failed');
    expect(run.violations.filter((v) => v.kind === 'deadline')).toEqual([]);
    const handlings = runnerEvents(run.result.trace, 'activation').filter((e) => e.agent === 'publisher' && e.action === 'start');
    expect(handlings.length).toBeGreaterThan(1);
    expect(run.endedAt).toBeLessThanOrEqual(latency.ms);
    // Counting the publisher once, as the old count did, is short of the run.
    expect(run.endedAt).toBeGreaterThan(reviewer + 30_000);
  });
});

describe('consensus', () => {
  const vote = (protocol: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  q: string
  output a: A from decide
  type A { text: string }
  agent judge { model fast  takes q  output A  prompt "Answer {{q}}."  timeout 10s }
  consensus decide over judge { replicas 3  quorum majority  faults 1 crash  agree on text  rounds 1  tie_break reject  protocol ${protocol} }
}
`;

  it('a leader’s term is two calls, and f + 1 terms run however few rounds are declared', async () => {
    const definition = definitionOf(vote('leader'));
    const latency = worstCaseLatency(definition);
    expect(latency.ms).toBe(2 * 2 * 10_000);
    // Every replica holds its own view, each answered just in time: no term gathers a quorum.
    const run = await scriptedRun(withDeadline(definition, latency.ms), { q: 'q' }, (request) => ({ latencyMs: 9_999, output: { text: `view ${request.instance}` } }));
    expect(!run.result.ok && run.result.error.kind).toBe('no_consensus');
    expect(run.endedAt).toBe(latency.ms - 4);
    expect(run.violations).toEqual([]);
  });

  it('a vote’s round is one call', async () => {
    const definition = definitionOf(vote('vote'));
    const latency = worstCaseLatency(definition);
    expect(latency.ms).toBe(10_000);
    const run = await scriptedRun(definition, { q: 'q' }, (request) => ({ latencyMs: 9_999, output: { text: `view ${request.instance}` } }));
    expect(run.endedAt).toBe(latency.ms - 1);
  });
});

describe('work graphs', () => {
  const graph = (assign: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  spec: string
  output files: Text[] from build
  type Text { body: string }
  agent dev { replicas 2  model fast  takes spec  output Text  prompt "Do {{task.name}}."  timeout 10s }
  work build by dev {
    assign ${assign}
    task a { weight 3  writes "a" }
    task b { after a  writes "b" }
    task c { after b  writes "c" }
    task d { writes "d" }
    task e { writes "e" }
    task f { writes "f" }
  }
}
`;

  // Every task takes its whole call, whatever its weight: the weights only steer the scheduler.
  for (const [assign, runs] of [
    ['claim', (3 * (2 - 1) + 6) / 2],
    ['preassigned', 4],
  ] as const) {
    it(`${assign}: no run of tasks that each take a whole call is longer than ${runs} calls`, async () => {
      const definition = definitionOf(graph(assign));
      const latency = worstCaseLatency(definition);
      expect(latency.ms).toBe(runs * 10_000);
      const run = await scriptedRun(definition, { spec: 's' }, () => ({ latencyMs: 9_999, output: { body: 'done' } }));
      expect(run.result.ok).toBe(true);
      expect(run.endedAt).toBeLessThanOrEqual(latency.ms);
      expect(run.endedAt).toBeGreaterThan(latency.ms - 2 * 10_000);
    });
  }
});
