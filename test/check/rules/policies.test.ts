import { describe, expect, it } from 'vitest';
import { worstCallMs } from '../../../compiler/check/rules/policies.js';
import { expectFixturePair, runText } from './family-fixtures.js';

const T5 = /^T5/;
const codes = (text: string) => runText(text, T5).found;

/** A chain of agents `a0 → a1 → …` over channels, each with `policy` lines, in a team with `head` lines. */
function pipeline(agents: Array<{ name: string; policy: string; takes?: string; emits?: string; extra?: string }>, head = '', channels = ''): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    'team T {',
    '  input  brief: string',
    `  output result: Text from ${agents[agents.length - 1]!.name}`,
    head,
    '  type Text { body: string }',
    channels,
    ...agents.flatMap((a) => [
      `  agent ${a.name} {`,
      '    model fast',
      `    takes ${a.takes ?? 'brief'}`,
      a.emits ? `    emits ${a.emits}` : '',
      '    output Text',
      '    prompt "Go."',
      `    ${a.policy}`,
      `    ${a.extra ?? ''}`,
      '  }',
    ]),
    '}',
    '',
  ].join('\n');
}

describe('the pages’ examples', () => {
  it('T500: a model call with no timeout', () =>
    expectFixturePair('T500', T5, ['12:5 T500 `summariser` calls model `fast` with no `timeout`: one hung call stalls the team']));
  it('T501: a fallback chain that loops', () =>
    expectFixturePair('T501', T5, ['18:14 T501 the fallback chain loops: `summariser` → `summariser_lite` → `summariser`']));
  it('T502: a breaker with no fallback', () =>
    expectFixturePair('T502', T5, [
      '18:5 T502 `summariser` has a `breaker` but no `fallback`: while it is open (30s), every activation fails at once',
    ]));
  it('T503: back-off without jitter across replicas', () =>
    expectFixturePair('T503', T5, [
      '18:5 T503 `researcher` backs off without `jitter` across 4 replicas: they retry in lockstep (thundering herd)',
    ]));
  it('T504: the worst case of the critical path exceeds the deadline', () =>
    expectFixturePair('T504', T5, [
      "7:3 T504 the critical path `planner` → `writer` can take 4m 2s in the worst case, more than the team's deadline of 2m",
    ]));
  it('T505: a single point of failure', () =>
    expectFixturePair('T505', T5, [
      '11:9 T505 `summariser` is a single point of failure: it is on every path to the output, with no retry, fallback or replicas',
    ]));
});

const safe = 'timeout 10s  retry 2 backoff exponential 1s..4s jitter';

describe('T500', () => {
  it('covers stand-ins too, and says nothing of an agent no run can reach', () => {
    const text = pipeline([
      { name: 'main', policy: safe, extra: 'fallback spare' },
      { name: 'spare', policy: '' },
      { name: 'stray', policy: 'retry 2 backoff exponential 1s..4s jitter', takes: 'nothing_emits_this' },
    ], '', '  channel nothing_emits_this: Text { delivery exactly_once }');
    expect(codes(text).filter((l) => l.includes('T500'))).toEqual(['18:5 T500 `spare` calls model `fast` with no `timeout`: one hung call stalls the team']);
  });
});

describe('T501', () => {
  it('reports an agent that falls back to itself, and one report per loop', () => {
    const text = pipeline([
      { name: 'a', policy: safe, extra: 'fallback a' },
      { name: 'b', policy: safe, extra: 'fallback c' },
      { name: 'c', policy: safe, extra: 'fallback d' },
      { name: 'd', policy: safe, extra: 'fallback b' },
    ]);
    expect(codes(text).filter((l) => l.includes('T501'))).toEqual([
      '15:14 T501 the fallback chain loops: `a` → `a`',
      '24:14 T501 the fallback chain loops: `b` → `c` → `d` → `b`',
    ]);
  });

  it('accepts a chain that ends', () => {
    const text = pipeline([
      { name: 'a', policy: safe, extra: 'fallback b, c' },
      { name: 'b', policy: safe, extra: 'fallback c' },
      { name: 'c', policy: safe },
    ]);
    expect(codes(text)).toEqual([]);
  });
});

describe('T503', () => {
  it('reports retries with no back-off, even on one replica', () => {
    expect(codes(pipeline([{ name: 'a', policy: 'timeout 10s  retry 3' }]))).toEqual([
      '14:18 T503 `a` retries 2 times with no `backoff`: it hammers a failing model with no pause',
    ]);
  });

  it('accepts a back-off without jitter on a single instance, and counts the replicas of a vote', () => {
    expect(codes(pipeline([{ name: 'a', policy: 'timeout 10s  retry 3 backoff constant 1s' }]))).toEqual([]);
    const voted = pipeline([{ name: 'a', policy: 'timeout 10s  retry 3 backoff constant 1s' }], '', [
      '  consensus vote over a { replicas 3  quorum majority  agree on body  normalize trim  rounds 1  tie_break reject }',
    ].join('\n'))
      .replace('output result: Text from a', 'output result: Text from vote');
    expect(codes(voted)).toEqual(['14:18 T503 `a` backs off without `jitter` across 3 replicas: they retry in lockstep (thundering herd)']);
  });
});

describe('T504', () => {
  it('adds every attempt at its timeout and every back-off at its ceiling', () => {
    expect(worstCallMs(10_000, { attempts: 4, backoff: { strategy: 'exponential', minMs: 1000, maxMs: 3000 }, jitter: true })).toEqual({
      totalMs: 40_000 + 1000 + 2000 + 3000,
      backoffMs: 6000,
      attempts: 4,
    });
    expect(worstCallMs(10_000, { attempts: 3, backoff: { strategy: 'linear', minMs: 1000, maxMs: 30_000 }, jitter: false }).backoffMs).toBe(3000);
    expect(worstCallMs(10_000, { attempts: 3, jitter: false }).totalMs).toBe(30_000);
    expect(worstCallMs(10_000, undefined).totalMs).toBe(10_000);
  });

  const chain = (deadline: string) =>
    pipeline(
      [
        { name: 'a', policy: safe, emits: 'x' },
        { name: 'b', policy: safe, takes: 'x', emits: 'y' },
        { name: 'side', policy: 'timeout 1m  retry 2 backoff exponential 1s..4s jitter', emits: 'y' },
        { name: 'c', policy: safe, takes: 'all y' },
      ],
      `  deadline ${deadline}`,
      '  channel x: Text { delivery exactly_once }\n  channel y: Text { delivery exactly_once }',
    );

  it('follows the longest path, not the sum of the team', () => {
    // a, b, c: 2 × 10s + 1s each; side: 2 × 1m + 1s. Longest: side → c = 2m 1s + 21s.
    expect(codes(chain('2m'))).toEqual([
      "5:3 T504 the critical path `side` → `c` can take 2m 22s in the worst case, more than the team's deadline of 2m",
    ]);
    expect(codes(chain('142s'))).toEqual([]);
  });

  it('leaves out, and names, an agent with no timeout', () => {
    const text = pipeline(
      [
        { name: 'a', policy: 'retry 2 backoff exponential 1s..4s jitter', emits: 'x' },
        { name: 'b', policy: 'timeout 1m  retry 2 backoff exponential 1s..4s jitter', takes: 'x' },
      ],
      '  deadline 1m',
      '  channel x: Text { delivery exactly_once }',
    ).replace('Text from b', 'Text from b');
    const run = runText(text, /^T504$/);
    expect(run.found).toEqual(["5:3 T504 the critical path `b` can take 2m 1s in the worst case, more than the team's deadline of 1m"]);
    expect(run.diagnostics[0]!.notes).toEqual([
      'per agent: `b` 2 attempts × 1m timeout + 1s back-off',
      '`a` has no `timeout` (T500): not counted, so the real worst case is longer',
    ]);
    expect(run.diagnostics[0]!.help).toEqual(['raise the deadline to `deadline 3m`, or lower the timeouts or attempts on the path']);
  });

  it('multiplies a loop by its rounds and a vote by its rounds', () => {
    const loop = pipeline(
      [
        { name: 'w', policy: safe, takes: 'brief, r?', emits: 'd' },
        { name: 'k', policy: safe, takes: 'd', emits: 'r' },
      ],
      '  deadline 1m',
      '  channel d: Text { delivery exactly_once  max rounds 3 }\n  channel r: Text { delivery exactly_once }',
    ).replace('output result: Text from k', 'output result: Text from w');
    // (21s + 21s) × 3 rounds
    expect(codes(loop)).toEqual(["5:3 T504 the critical path `w` → `k` can take 2m 6s in the worst case, more than the team's deadline of 1m"]);

    const vote = pipeline([{ name: 'a', policy: 'timeout 20s  retry 2 backoff exponential 1s..4s jitter' }], '  deadline 1m', [
      '  consensus v over a { replicas 3  quorum majority  agree on body  normalize trim  rounds 2  tie_break reject }',
    ].join('\n')).replace('Text from a', 'Text from v');
    expect(codes(vote)).toEqual(["5:3 T504 the critical path `a` can take 1m 22s in the worst case, more than the team's deadline of 1m"]);
  });
});

describe('T505', () => {
  it('spares agents that another path goes round, and reports the join every path meets', () => {
    const text = pipeline(
      [
        { name: 'left', policy: 'timeout 10s', emits: 'y' },
        { name: 'right', policy: 'timeout 10s', emits: 'y' },
        { name: 'join', policy: 'timeout 10s', takes: 'all y' },
      ],
      '',
      '  channel y: Text { delivery exactly_once }',
    );
    expect(codes(text)).toEqual([
      '26:9 T505 `join` is a single point of failure: it is on every path to the output, with no retry, fallback or replicas',
    ]);
  });

  it('reports the head of a chain too, and replicas or a fallback protect', () => {
    const text = (extra: string) =>
      pipeline(
        [
          { name: 'head', policy: 'timeout 10s', emits: 'y', extra },
          { name: 'tail', policy: safe, takes: 'y' },
          { name: 'spare', policy: safe, emits: 'y' },
        ].filter((a) => a.name !== 'spare' || extra.includes('fallback')),
        '',
        '  channel y: Text { delivery exactly_once }',
      );
    expect(codes(text(''))).toEqual([
      '8:9 T505 `head` is a single point of failure: it is on every path to the output, with no retry, fallback or replicas',
    ]);
    expect(codes(text('replicas 2'))).toEqual([]);
    expect(codes(text('fallback spare'))).toEqual([]);
  });
});
