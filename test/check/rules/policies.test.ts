import { describe, expect, it } from 'vitest';
import { REDELIVERY_WINDOW_MS } from '../../../compiler/analyze/worst-latency.js';
import { formatDuration } from '../../../compiler/diagnostics/registry.js';
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

  it('counts a loop’s agents as often as the runtime runs them, and a vote by its rounds', () => {
    const loop = pipeline(
      [
        { name: 'w', policy: safe, takes: 'brief, r?', emits: 'd' },
        { name: 'k', policy: safe, takes: 'd', emits: 'r' },
      ],
      '  deadline 1m',
      '  channel d: Text { delivery exactly_once  max rounds 3 }\n  channel r: Text { delivery exactly_once }',
    ).replace('output result: Text from k', 'output result: Text from w');
    // k reviews 3 drafts; w writes once at the start and once per review: 4 × 21s + 3 × 21s (not (21s + 21s) × 3).
    const run = runText(loop, T5);
    expect(run.found).toEqual(["5:3 T504 the critical path `w` → `k` can take 2m 27s in the worst case, more than the team's deadline of 1m"]);
    expect(run.diagnostics[0]!.notes[0]).toBe(
      'per agent: `w` 4 activations × (2 attempts × 10s timeout + 1s back-off); `k` 3 activations × (2 attempts × 10s timeout + 1s back-off); ' +
        'the loop `w` → `k` ends by `max rounds 3` on `d`, and `w` runs once more: the answer to the last round is dropped at `d`, after its calls',
    );
    expect(codes(loop.replace('deadline 1m', 'deadline 147s'))).toEqual([]);

    const vote = pipeline([{ name: 'a', policy: 'timeout 20s  retry 2 backoff exponential 1s..4s jitter' }], '  deadline 1m', [
      '  consensus v over a { replicas 3  quorum majority  agree on body  normalize trim  rounds 2  tie_break reject }',
    ].join('\n')).replace('Text from a', 'Text from v');
    expect(codes(vote)).toEqual(["5:3 T504 the critical path `a` can take 1m 22s in the worst case, more than the team's deadline of 1m"]);
  });

  it('counts a leader’s terms twice over: the leader, then the followers', () => {
    const leader = pipeline([{ name: 'a', policy: 'timeout 20s  retry 2 backoff exponential 1s..4s jitter' }], '  deadline 2m', [
      '  consensus v over a { replicas 3  quorum majority  faults 1 crash  agree on body  rounds 1  tie_break reject  protocol leader }',
    ].join('\n')).replace('Text from a', 'Text from v');
    // max(1 round, f + 1 = 2) terms × 2 calls × 41s
    const run = runText(leader, /^T504$/);
    expect(run.found).toEqual(["5:3 T504 the critical path `a` can take 2m 44s in the worst case, more than the team's deadline of 2m"]);
    expect(run.diagnostics[0]!.notes[0]).toBe('per agent: `a` 2 terms × 2 calls (leader, then followers) × (2 attempts × 20s timeout + 1s back-off)');
  });

  it('adds a hedge’s later copy, each attempt’s validation, and the fallbacks after the stack', () => {
    const text = (deadline: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  brief: string
  output result: Text from a
  deadline ${deadline}
  type Text { body: string }
  type Verdict { valid: bool  reason: string }
  agent a { model fast  takes brief  output Text  prompt "Go."  timeout 10s  retry 2 backoff constant 1s jitter  hedge after 4s  validate with check  fallback spare }
  agent check { model fast  takes brief  output Verdict  prompt "Check {{output.body}}."  timeout 5s }
  agent spare { model fast  takes brief  output Text  prompt "Go."  timeout 20s }
}
`;
    // a: 2 × (10s + 5s of validation) + 1s = 31s, its hedge's copy 4s later: 35s; then spare: 20s.
    const run = runText(text('50s'), /^T504$/);
    expect(run.found).toEqual(["6:3 T504 the critical path `a` can take 55s in the worst case, more than the team's deadline of 50s"]);
    expect(run.diagnostics[0]!.notes[0]).toBe(
      'per agent: `a` 2 attempts × (10s timeout + 5s validation by `check`) + 1s back-off, hedged 4s later, then fallback `spare` 1 attempt × 20s timeout',
    );
    expect(runText(text('55s'), /^T504$/).found).toEqual([]);
  });

  it('waits for an at-least-once message to come back, while it can', () => {
    const text = (policy: string) =>
      pipeline(
        [
          { name: 'a', policy: safe, emits: 'x' },
          { name: 'b', policy, takes: 'x' },
        ],
        '  deadline 1m',
        '  channel x: Text { ordering fifo  delivery at_least_once }',
      );
    // b handles the one message up to 10 times, but no redelivery leaves later than 42.6s after it was sent:
    // 21s + 42.6s + one more handling of 20s, not 10 × 20s.
    const slow = runText(text('timeout 20s'), /^T504$/);
    expect(slow.found).toEqual(["5:3 T504 the critical path `a` → `b` can take 1m 24s in the worst case, more than the team's deadline of 1m"]);
    expect(slow.diagnostics[0]!.notes[0]).toBe('per agent: `a` 2 attempts × 10s timeout + 1s back-off; `b` 43s of redeliveries of `x` + 1 handling × (1 attempt × 20s timeout)');
    // With a 1s timeout, the handling after the last redelivery ends before the sender gives up, 52.6s after sending.
    const quick = runText(text('timeout 1s'), /^T504$/);
    expect(quick.found).toEqual(["5:3 T504 the critical path `a` → `b` can take 1m 14s in the worst case, more than the team's deadline of 1m"]);
    expect(quick.diagnostics[0]!.notes[0]).toBe(
      'per agent: `a` 2 attempts × 10s timeout + 1s back-off; `b` 53s until the sender of `x` gives up (1 handling × (1 attempt × 1s timeout) after its last redelivery end sooner)',
    );
    // A loop's own at-least-once messages each may wait for a redelivery.
    const loop = pipeline(
      [
        { name: 'w', policy: safe, takes: 'brief, r?', emits: 'd' },
        { name: 'k', policy: safe, takes: 'd', emits: 'r' },
      ],
      '  deadline 1m',
      '  channel d: Text { delivery at_least_once  max rounds 2 }\n  channel r: Text { delivery exactly_once }',
    ).replace('output result: Text from k', 'output result: Text from w');
    const looped = runText(loop, /^T504$/);
    // k handles each of the 2 drafts up to 10 times (20 activations), w writes 1 + 20 times but is capped by nothing:
    // (21 × 21s) + (20 × 21s) + 2 × 52.6s.
    expect(looped.found).toEqual([`5:3 T504 the critical path \`w\` → \`k\` can take ${formatDuration(41 * 21_000 + 2 * REDELIVERY_WINDOW_MS)} in the worst case, more than the team's deadline of 1m`]);
    expect(looped.diagnostics[0]!.notes[0]).toContain('1m 45s for 2 messages of `d` to come back or be given up');
  });

  it('bounds a claimed work graph by its longest chain and its share of the rest', () => {
    const text = (deadline: string) => `
model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  spec: string
  output files: Text[] from build
  deadline ${deadline}
  type Text { body: string }
  agent dev { replicas 2  model fast  takes spec  output Text  prompt "Do {{task.name}}."  timeout 10s }
  work build by dev {
    assign claim
    task a { writes "a" }
    task b { after a  writes "b" }
    task c { after b  writes "c" }
    task d { writes "d" }
    task e { writes "e" }
  }
}
`;
    // A chain of 3, 5 tasks on 2 workers: (3 × (2 − 1) + 5) / 2 = 4 task runs of 10s in a row.
    const run = runText(text('39s'), /^T504$/);
    expect(run.found).toEqual(["6:3 T504 the critical path `dev` can take 40s in the worst case, more than the team's deadline of 39s"]);
    expect(run.diagnostics[0]!.notes[0]).toBe('per agent: `dev` 4 task runs in a row (`build`: 5 tasks on 2 workers, a chain of 3) × (1 attempt × 10s timeout)');
    expect(runText(text('40s'), /^T504$/).found).toEqual([]);
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
