import { describe, expect, it } from 'vitest';
import { checkTermination, flowGraph, niceCount, worstCaseSpend } from '../../../compiler/check/rules/termination.js';
import { createRuleContext } from '../../../compiler/check/rules/context.js';
import { checkConsensus } from '../../../compiler/check/rules/consensus.js';
import { checkPolicies } from '../../../compiler/check/rules/policies.js';
import { checkWithRules as check, expectFixturePair, runText } from './family-fixtures.js';

const T7 = /^T7/;
const found = (text: string) => runText(text, T7).found;

/** `head` goes in the team (line 4), `body` after the types and channels (from line 7). */
function team(head: string, channels: string, body: string, output = 'Text from a'): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    'model priced { provider sim  latency 2s  max_tokens 2k  price input $1 output $10 per 1M }',
    'team T {',
    `  input brief: string  output result: ${output}`,
    head,
    '  type Text { body: string  done: bool }',
    channels,
    body,
    '}',
    '',
  ].join('\n');
}
const agent = (name: string, lines: string) => `  agent ${name} { model fast  output Text  prompt "Go."  timeout 10s  ${lines} }`;

describe('the pages’ examples', () => {
  it('T700: a loop with no bound', () =>
    expectFixturePair('T700', T7, [
      '12:11 T700 the cycle `writer` → `critic` → `writer` has no `max rounds` bound: the run may never end',
    ]));
  it('T701: the worst case over the budget', () =>
    expectFixturePair('T701', T7, ["7:3 T701 the worst-case spend is 24.2k tokens, over the team's budget of 20k tokens"]));
  it('T702: retries and a loop with no budget', () =>
    expectFixturePair('T702', T7, [
      '4:6 T702 `WriterCritic` has cycles and retries but no `budget`: nothing bounds what a run can spend',
    ]));
});

describe('loops', () => {
  it('finds every loop once, in declaration order, however many agents share a channel', () => {
    const text = team(
      '  budget 1M tokens',
      '  channel x: Text  channel y: Text  channel self: Text',
      [
        agent('a', 'takes brief, y?  emits x'),
        agent('b', 'takes x  emits y'),
        agent('b2', 'takes x  emits y'),
        agent('solo', 'takes brief, self?  emits self'),
      ].join('\n'),
    );
    const flow = flowGraph(check(text).model.teams[0]!);
    expect(flow.loops.map((l) => ({ agents: l.agents, channels: l.channels, cycle: l.cycle, via: l.via }))).toEqual([
      { agents: ['a', 'b', 'b2'], channels: ['x', 'y'], cycle: ['a', 'b'], via: ['x', 'y'] },
      { agents: ['solo'], channels: ['self'], cycle: ['solo'], via: ['self'] },
    ]);
    expect(found(text)).toEqual([
      '7:11 T700 the cycle `a` → `b` → `a` has no `max rounds` bound: the run may never end',
      '7:45 T700 the cycle `solo` → `solo` has no `max rounds` bound: the run may never end',
    ]);
  });

  it('a bound on any agent or channel of the loop ends it', () => {
    const loop = (onAgent: string, onChannel: string) =>
      team('  budget 1M tokens', `  channel x: Text { ${onChannel} }  channel y: Text`, [agent('a', `takes brief, y?  emits x ${onAgent}`), agent('b', 'takes x  emits y')].join('\n'));
    expect(found(loop('', ''))).toHaveLength(1);
    expect(found(loop('max rounds 3', ''))).toEqual([]);
    expect(found(loop('', 'max rounds 3'))).toEqual([]);
    const bounded = flowGraph(check(loop('max rounds 5', 'max rounds 3')).model.teams[0]!).loops[0]!;
    expect(bounded.bound).toEqual({ rounds: 3, kind: 'channel', name: 'x' });
  });

  it('a cycle inside a bounded loop that never passes the bound is a loop with no bound', () => {
    // `b` answers itself on `z` as well as `a` on `y`: `max rounds 3` on `x` never counts `b`'s own trips down.
    const text = (z: string) =>
      team(
        '  budget 1M tokens',
        `  channel x: Text { max rounds 3 }  channel y: Text  channel z: Text { ${z} }`,
        [agent('a', 'takes brief, y?  emits x'), agent('b', 'takes x?, z?  emits y, z unless done')].join('\n'),
      );
    const run = runText(text(''), T7);
    expect(run.found).toEqual(['7:62 T700 the cycle `b` → `b` has no `max rounds` bound: the run may never end']);
    expect(run.diagnostics[0]!.notes[0]).toBe('`max rounds 3` on `x` bounds the loop it closes, not this cycle: nothing on it counts down');
    expect(run.diagnostics[0]!.help).toEqual(['add `max rounds 4` to `channel z`']);
    expect(worstCaseSpend(run.checked.model.teams[0]!).unboundedLoops).toEqual([{ agents: ['b'], channels: ['z'] }]);
    // Bounded too, the loop's counts follow: `b` runs once, then per message on `x` (3) and on `z` (2).
    const fixed = runText(text('max rounds 2'), T7);
    expect(fixed.found).toEqual([]);
    expect(Object.fromEntries(worstCaseSpend(fixed.checked.model.teams[0]!).activations)).toEqual({ a: 7, b: 6 });
  });
});

describe('worst-case spend', () => {
  it('multiplies activations, votes, fallbacks and work graphs, each call at its max_tokens and its prompt', () => {
    const text = team(
      '  budget 1M tokens',
      '  channel x: Text { max rounds 3 }  channel y: Text',
      [
        agent('a', 'takes brief, y?  emits x  retry 2 backoff constant 1s jitter'),
        agent('b', 'takes x  emits y  retry 3 backoff constant 1s jitter  fallback spare'),
        agent('spare', 'takes x  emits y'),
        agent('judge', 'takes brief  retry 2 backoff constant 1s jitter'),
        '  consensus vote over judge { replicas 5  quorum majority  agree on done  rounds 2 }',
        agent('dev', 'replicas 2  takes brief  retry 2 backoff constant 1s jitter'),
        '  work build by dev { task one {}  task two { after one }  task three { after one } }',
      ].join('\n'),
    );
    const spend = worstCaseSpend(check(text).model.teams[0]!);
    // Each call: 1k of answer, and the prompt "Go." as the provider bills it (3 + 4 per message + 1).
    // `x` carries 3 messages, so `b` runs 3 times; `a` runs once at the start and once per `y`: 4 times.
    expect(spend.terms.map((t) => [t.description, t.tokens])).toEqual([
      ['a 1 replica × 4 activations × 2 attempts × (1k + 8 prompt)', 8 * 1008],
      ['b 1 replica × 3 activations × 3 attempts × (1k + 8 prompt)', 9 * 1008],
      ['spare (for `b`) 3 × 1 attempt', 3 * 1008],
      ['judge 5 replicas × 2 vote rounds × 2 attempts × (1k + 8 prompt)', 20 * 1008],
      ['dev 3 tasks × 2 attempts × (1k + 8 prompt)', 6 * 1008],
    ]);
    expect(spend.tokens).toBe(46 * 1008);
    expect([...spend.activations]).toEqual([['a', 4], ['b', 3], ['spare', 0], ['judge', 1], ['dev', 1]]);
    expect([...spend.messages]).toEqual([['x', 3], ['y', 3]]);
    // `fast` has no price: no dollar figure.
    expect(spend.dollars).toBeUndefined();
  });

  it('counts a validator after every attempt, and names agents whose spend is unknown', () => {
    const text = team(
      '  budget 1k tokens',
      '  type Verdict { valid: bool }',
      [
        agent('a', 'takes brief  retry 3 backoff constant 1s jitter  validate with v'),
        '  agent v { model fast  output Verdict  prompt "Check {{output.body}}"  timeout 10s }',
        '  agent b { model bare  takes brief  output Text  prompt "Go."  timeout 10s }',
      ].join('\n'),
      'Text from a',
    ).replace('team T {', 'model bare { provider sim  latency 2s }\nteam T {');
    const run = runText(text, T7);
    // a: 3 attempts × (1k + 8); v: once per attempt, 3 × (1k + 9); b: no max_tokens anywhere, so the
    // runtime's default of 4096 (+ 8).
    expect(run.found).toEqual(["6:3 T701 the worst-case spend is 10.2k tokens, over the team's budget of 1k tokens"]);
    expect(run.diagnostics[0]!.notes).toEqual([
      'a 1 replica × 3 attempts × (1k + 8 prompt) + v (validating `a`) 3 times + b 1 replica × 1 attempt × (4.1k + 8 prompt)',
      "the worst case counts each prompt's fixed text; the inputs filled into it add to that",
      '`b` has no `max_tokens`: counted at the runtime\'s default of 4096 tokens an answer',
    ]);
    expect(worstCaseSpend(run.checked.model.teams[0]!).tokens).toBe(3 * 1008 + 3 * 1009 + 4104);
  });

  it('reports dollars over a money budget, priced at each model’s input and output prices', () => {
    const text = team('  budget 100k tokens $0.05', '', agent('a', 'takes brief  retry 3 backoff constant 1s jitter  replicas 2').replace('model fast', 'model priced'));
    // 2 replicas × 3 attempts × (2k output at $10 per 1M + 8 prompt tokens at $1 per 1M) = $0.120048
    const run = runText(text, T7);
    expect(run.found).toEqual(["5:3 T701 the worst-case cost is $0.12, over the team's budget of $0.05"]);
    expect(run.diagnostics[0]!.help).toEqual(['raise the budget to `$0.13`, or lower `max_tokens`, attempts or replicas']);
    expect(worstCaseSpend(run.checked.model.teams[0]!).dollars).toBeCloseTo(6 * (2000 * 10 + 8 * 1) / 1e6, 12);
  });

  it('rounds a suggested budget up to two significant digits', () => {
    expect([niceCount(24_000), niceCount(24_001), niceCount(1_234_567), niceCount(950)]).toEqual(['24k', '25k', '1.3M', '950']);
  });
});

describe('T702', () => {
  it('names what multiplies the spend, and suggests the worst case as a budget', () => {
    const retries = runText(team('', '', agent('a', 'takes brief  retry 2 backoff constant 1s jitter').replace('model fast', 'model priced')), T7);
    expect(retries.found).toEqual(['3:6 T702 `T` has retries but no `budget`: nothing bounds what a run can spend']);
    // 2 attempts × (2k + 8 prompt) = 4,016 tokens, $0.040016
    expect(retries.diagnostics[0]!.help).toEqual(['add `budget 4.1k tokens $0.05` to `team T` (its worst case)']);

    const cycles = team('', '  channel x: Text { max rounds 2 }', agent('a', 'takes brief, x?  emits x'));
    expect(found(cycles)).toEqual(['3:6 T702 `T` has cycles but no `budget`: nothing bounds what a run can spend']);
    expect(found(team('', '', agent('a', 'takes brief')))).toEqual([]);
  });
});

describe('scale', () => {
  it('stays linear on a long loop, a long fallback chain and a fallback loop', () => {
    const n = 1000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`  channel c${i}: Text`);
    for (let i = 0; i < n; i++) {
      // A ring c0 → a0 → c1 → … → a(n-1) → c0; a(i) falls back to f(i), f(i) to f(i+1), the last to none;
      // the g(i) fall back round a ring (T501).
      lines.push(agent(`a${i}`, `takes ${i === 0 ? 'brief, ' : ''}c${i}${i === 0 ? '?' : ''}  emits c${(i + 1) % n}  fallback f${i}`));
      lines.push(agent(`f${i}`, `takes c${i}  emits c${(i + 1) % n}${i + 1 < n ? `  fallback f${i + 1}` : ''}`));
      lines.push(agent(`g${i}`, `takes c${i}  fallback g${(i + 1) % n}`));
    }
    const text = team('  budget 1M tokens  deadline 1h', lines.join('\n'), '', 'Text from a0');
    const checked = check(text);
    const ctx = createRuleContext(checked.model);
    const team0 = checked.model.teams[0]!;
    const started = performance.now();
    const codes = [checkTermination, checkPolicies, checkConsensus].flatMap((rule) => rule(team0, ctx).map((d) => d.code));
    const elapsed = performance.now() - started;
    // One round of the unbounded loop: n agents, and after a(i) the chain f(i) … f(n-1), n − i calls, all of 1k + 8.
    expect(worstCaseSpend(team0).tokens).toBe((n + (n * (n + 1)) / 2) * 1008);
    expect(worstCaseSpend(team0).unbounded).toHaveLength(n);
    expect(codes).toEqual(['T700', 'T701', 'T501', 'T504']);
    expect(elapsed).toBeLessThan(2000);
  });
});
