/**
 * The worst-case spend (T701, T702) against what the runtime really runs. Each figure is checked
 * on a real run: the calls a loop makes when its critic never approves (the writer runs once more
 * than its channel's `max rounds`), the prompt tokens every call bills, the model calls of an
 * attempt that keeps asking for tools, and the redeliveries of an at-least-once message whose
 * handling fails. Where the run can reach the worst case, it reaches it exactly, and a budget one
 * token smaller is stopped.
 */
import { describe, expect, it } from 'vitest';
import { toTeamDefinition } from '../../compiler/definition/index.js';
import { AT_LEAST_ONCE_HANDLINGS, CALLS_PER_TOOL_ATTEMPT, fixedText, promptTokens, worstCaseSpend } from '../../compiler/analyze/worst-case.js';
import { MAX_TOOL_ROUNDS } from '../../runtime/agent.js';
import { VirtualClock } from '../../runtime/clock.js';
import type { TeamDefinition } from '../../runtime/definition.js';
import { defaultRetryPolicy } from '../../runtime/delivery/retry.js';
import { simulateRun } from '../../runtime/simulate/index.js';
import { createTeam } from '../../runtime/team.js';
import { checkWithRules } from '../check/rules/family-fixtures.js';
import { drawInputs, fixture, survive } from '../runtime/simulate/proofs/harness.js';
import { runnerEvents, scriptedModel } from '../runtime/team/helpers.js';

type Definition = TeamDefinition<unknown, unknown>;

/** A checked text's (first) team, as the runtime runs it; the text must check without errors. */
function definitionOf(text: string): Definition {
  const checked = checkWithRules(text);
  expect(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return toTeamDefinition(checked.model.teams[0]!) as Definition;
}

const withBudget = (definition: Definition, tokens: number): Definition => ({ ...definition, budget: { tokens } });

/** Model calls per agent in a run's trace. */
function callsIn(trace: Awaited<ReturnType<typeof simulateRun>>['trace']): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const e of trace) if (e.kind === 'call-start') calls[e.agent] = (calls[e.agent] ?? 0) + 1;
  return calls;
}

// Prompts without variables: what a call bills for its prompt is exactly what the worst case counts.
const loop = (budget: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }

team Loop {
  input  brief: string
  output article: Draft from writer
  ${budget}

  type Draft  { title: string  body: string }
  type Review { approved: bool  comments: string[] }

  channel drafts: Draft { ordering fifo  delivery exactly_once  max rounds 4 }
  channel reviews: Review { ordering fifo  delivery exactly_once }

  agent writer { model fast  takes brief, reviews?  emits drafts  output Draft  prompt "Write a short article, or revise the last one."  timeout 1m }
  agent critic { model fast  takes drafts  emits reviews unless approved  output Review  prompt "Review the draft. Approve it only if it is clear."  timeout 30s }
}
`;

describe('a loop bounded by its channel', () => {
  it('runs its writer once more than `max rounds`, and the worst case is exactly what a stubborn critic costs', async () => {
    const definition = definitionOf(loop('budget 1M tokens'));
    const spend = worstCaseSpend(definition);
    // The fifth draft answers the fourth review: dropped at the channel, but the call is paid.
    expect(Object.fromEntries(spend.activations)).toEqual({ writer: 5, critic: 4 });
    expect(Object.fromEntries(spend.messages)).toEqual({ drafts: 4, reviews: 4 });
    const writerCall = 1000 + promptTokens('Write a short article, or revise the last one.');
    const criticCall = 1000 + promptTokens('Review the draft. Approve it only if it is clear.');
    // The provider bills 3 + 4 tokens of chat framing and about a token per 4 characters.
    expect(writerCall).toBe(1000 + 7 + Math.ceil(46 / 4));
    expect(spend.tokens).toBe(5 * writerCall + 4 * criticCall);

    // A critic that never approves, every answer run to max_tokens: the run spends the worst case, to the token.
    const faults = 'stubborn=1,verbose=1';
    const input = drawInputs(definition, 'loop');
    const exact = await simulateRun(withBudget(definition, spend.tokens), { seed: 'loop/0', faults, input });
    expect(exact.ok).toBe(true);
    expect(exact.violations).toEqual([]);
    expect(callsIn(exact.trace)).toEqual({ writer: 5, critic: 4 });
    expect(exact.trace.filter((e) => e.kind === 'dropped' && e.reason === 'max_rounds')).toHaveLength(1);
    expect(exact.usage.tokens).toBe(spend.tokens);

    // One token less and the last call is refused. (The old count, 8 × 1k, was 1,275 tokens short.)
    const short = await simulateRun(withBudget(definition, spend.tokens - 1), { seed: 'loop/0', faults, input });
    expect(short.violations.map((v) => v.kind)).toContain('budget');
  });

  it('T702’s fixed example survives the faults that used to exhaust its budget', async () => {
    const { definition, errors } = fixture('T702', 'accept');
    expect(errors).toEqual([]);
    const spend = worstCaseSpend(definition);
    expect(Object.fromEntries(spend.activations)).toEqual({ writer: 5, critic: 4 });
    expect(spend.tokens).toBeLessThanOrEqual(definition.budget!.tokens!);

    const faults = 'stubborn=1,verbose=1,timeouts=0.4';
    // Under the old count's budget (16k: 4 rounds × 2 agents × 2 attempts × 1k) this seed ran out.
    const input = drawInputs(definition, 'proof');
    const before = await simulateRun(withBudget(definition, 16_000), { seed: 'proof/694', faults, input }, 694);
    expect(before.violations.find((v) => v.kind === 'budget')?.message).toMatch(/writer was refused \d+ tokens with 576 of the budget of 16000 left/);

    const survival = await survive(definition, { faults, seeds: 1000, prefix: 'proof' });
    expect(survival.violations.filter((v) => v.violation.kind === 'budget')).toEqual([]);
    expect(survival.injected.timeout).toBeGreaterThan(1000);
  }, 60_000);
});

describe('calls per activation', () => {
  it('an attempt that keeps asking for tools makes MAX_TOOL_ROUNDS + 1 model calls, each counted', async () => {
    expect(CALLS_PER_TOOL_ATTEMPT).toBe(MAX_TOOL_ROUNDS + 1);
    const definition = definitionOf(`
model fast { provider sim  latency 2s  max_tokens 1k }

team Search {
  input  query: string
  output answer: Answer from searcher
  budget 1M tokens

  type Answer { text: string }
  type Hit { url: string }

  tool lookup(q: string) -> Hit { pure  timeout 5s }

  agent searcher {
    model fast
    takes query
    calls lookup
    output Answer
    prompt "Answer {{query}} and cite your sources."
    timeout 5m
    retry 2 backoff constant 1s jitter
  }
}
`);
    const spend = worstCaseSpend(definition);
    expect(spend.calls.get('searcher')).toBe(2 * CALLS_PER_TOOL_ATTEMPT);
    expect(spend.terms.map((t) => t.description)).toEqual([`searcher 1 replica × 2 attempts × ${CALLS_PER_TOOL_ATTEMPT} calls (tool rounds) × (1k + ${promptTokens('Answer {{query}} and cite your sources.')} prompt)`]);
    expect(promptTokens('Answer {{query}} and cite your sources.')).toBe(7 + Math.ceil('Answer  and cite your sources.'.length / 4));

    const clock = new VirtualClock();
    const { provider, requests } = scriptedModel(clock, () => ({ toolCalls: [{ tool: 'lookup', input: { q: 'more' } }] }));
    const team = createTeam(definition, { provider, clock, tools: { lookup: () => ({ url: 'https://example.com' }) } });
    const result = await clock.run(team.run({ query: 'q' }));
    expect(result.ok).toBe(false);
    expect(requests).toHaveLength(spend.calls.get('searcher')!);
  });

  it('a message of an at-least-once channel whose handling fails comes back, at most once per transmission', async () => {
    const { definition } = fixture('T400', 'accept');
    const spend = worstCaseSpend(definition);
    expect(AT_LEAST_ONCE_HANDLINGS).toBe(defaultRetryPolicy.maxAttempts);
    expect(spend.messages.get('comments')).toBe(1);
    expect(spend.activations.get('publisher')).toBe(AT_LEAST_ONCE_HANDLINGS);
    // …and each attempt of the publisher, which calls a tool, may take every tool round.
    expect(spend.calls.get('publisher')).toBe(AT_LEAST_ONCE_HANDLINGS * CALLS_PER_TOOL_ATTEMPT);
    expect(spend.tokens).toBeLessThanOrEqual(definition.budget!.tokens!);

    // One comment, and a publisher that always fails after posting: every transmission is handled again.
    const clock = new VirtualClock();
    const { provider } = scriptedModel(clock, (request) => {
      if (request.agent === 'reviewer') return { output: [{ file: 'a.ts', line: 1, body: 'off by one' }] };
      if (request.toolResults.length === 0) return { toolCalls: [{ tool: 'post_comment', input: { file: 'a.ts', line: 1, body: 'off by one' } }] };
      return { error: new Error('the model went away') };
    });
    const team = createTeam(definition, { provider, clock, tools: { post_comment: () => ({ id: 'c1' }) } });
    const result = await clock.run(team.run({ diff: 'd' }));
    expect(result.ok).toBe(false);
    const handlings = runnerEvents(result.trace, 'activation').filter((e) => e.agent === 'publisher' && e.action === 'start');
    expect(handlings.length).toBeGreaterThan(1);
    expect(handlings.length).toBeLessThanOrEqual(spend.activations.get('publisher')!);
  });

  it('a hedge runs a second copy of the whole retry loop', () => {
    const text = (hedge: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  q: string
  output a: A from x
  budget 1M tokens
  type A { text: string }
  agent x { model fast  takes q  output A  prompt "Go."  timeout 10s  retry 3 backoff constant 1s jitter ${hedge} }
}
`;
    expect(worstCaseSpend(definitionOf(text(''))).calls.get('x')).toBe(3);
    expect(worstCaseSpend(definitionOf(text('hedge after 5s'))).calls.get('x')).toBe(6);
  });
});

describe('a prompt’s fixed text', () => {
  it('is what every rendering contains: text outside blocks, and the shorter branch of an `else`', () => {
    expect(fixedText('Review {{diff}} now.')).toBe('Review  now.');
    expect(fixedText('A{{#if x}}B{{/if}}C{{#each xs}}D{{/each}}E')).toBe('ACE');
    expect(fixedText('A{{#if x}}long text{{else}}no{{/if}}')).toBe('Ano');
    expect(fixedText('{{#if x}}')).toBe(''); // does not parse (T206): nothing is known
    // Standalone block lines leave no blank line behind, as handlebars renders them.
    expect(fixedText('Findings:\n{{#each findings}}\n- {{message}}\n{{/each}}\nDecide.\n')).toBe('Findings:\nDecide.\n');
  });
});
