import { describe, expect, it } from 'vitest';
import { analysisInputsFromModel, analyzeTeamModel } from '../../../compiler/analyze/from-model.js';
import { checkWithRules as check, expectFixturePair, runExample, runText } from './family-fixtures.js';

const T9 = /^T9/;
const found = (text: string) => runText(text, T9).found;

function team(body: string, output = 'Text from last'): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    'team T {',
    `  input brief: string  output result: ${output}  budget 1M tokens`,
    '  type Text { body: string }',
    body,
    '}',
    '',
  ].join('\n');
}
const agent = (name: string, lines: string) => `  agent ${name} { model fast  output Text  prompt "Go."  timeout 10s  retry 2 backoff constant 1s jitter  ${lines} }`;

describe('the pages’ examples', () => {
  it('T900: a nearly serial team', () =>
    expectFixturePair('T900', T9, [
      '4:6 T900 `Pipeline` is nearly serial: predicted speed-up 1× at 3× the cost of a single agent, which is likely as fast and cheaper',
    ]));
  it('T901: all-to-all communication', () =>
    expectFixturePair('T901', T9, ['12:11 T901 all-to-all communication among 5 agents: 20 messages per round, growing as n²']));
  it('T902: more workers than the width', () =>
    expectFixturePair('T902', T9, ['12:5 T902 `dev` has 8 replicas, but at most 3 can ever work at once: 5 will sit idle']));
});

describe('T900', () => {
  it('accepts a fan-out, a single agent, and a loop (serial by nature)', () => {
    const fanOut = team(
      [
        '  channel parts: Text  channel done: Text',
        agent('split', 'takes brief  emits parts'),
        agent('worker', 'replicas 4  takes parts  emits done'),
        agent('last', 'takes all done'),
      ].join('\n'),
    );
    expect(found(fanOut)).toEqual([]);
    expect(found(team(agent('last', 'takes brief')))).toEqual([]);
    const loop = team(['  channel d: Text { max rounds 3 }  channel r: Text', agent('last', 'takes brief, r?  emits d'), agent('critic', 'takes d  emits r')].join('\n'));
    expect(found(loop)).toEqual([]);
  });

  it('reports a two-stage pipeline and cites Amdahl', () => {
    const run = runText(team(['  channel a: Text', agent('first', 'takes brief  emits a'), agent('last', 'takes a')].join('\n')), T9);
    expect(run.found).toEqual(['2:6 T900 `T` is nearly serial: predicted speed-up 1× at 2× the cost of a single agent, which is likely as fast and cheaper']);
    expect(run.diagnostics[0]!.notes).toEqual(['Amdahl: with a parallel fraction p = 0.00 on 2 instances, S = 1 / ((1 − p) + p / n) = 1×']);
    expect(run.diagnostics[0]!.related.map((r) => r.message)).toEqual(['on the critical path', 'on the critical path']);
  });
});

describe('T901 and T902', () => {
  it('no all-to-all when the replicas do not take their own channel', () => {
    const text = team(['  channel ideas: Text { max rounds 2 }', agent('thinker', 'replicas 4  takes brief  emits ideas'), agent('last', 'takes all ideas')].join('\n'));
    expect(found(text).filter((l) => l.includes('T901'))).toEqual([]);
  });

  it('a work graph as wide as its workers is fine', () => {
    const text = (replicas: number) =>
      team(
        [agent('dev', `replicas ${replicas}  takes brief`), '  work last by dev { assign claim  task a {}  task b {}  task c { after a, b } }'].join('\n'),
        'Text[] from last',
      );
    expect(found(text(2))).toEqual([]);
    expect(found(text(3))).toEqual(['5:103 T902 `dev` has 3 replicas, but at most 2 can ever work at once: 1 will sit idle']);
  });
});

describe('from the checked model to the analyser', () => {
  it('maps replicas, votes, stand-ins and joins as the definition does', () => {
    const { checked } = runExample('code-review.team', T9);
    const team = checked.model.teams.find((t) => t.name === 'CodeReview')!;
    const inputs = analysisInputsFromModel(team);
    expect(inputs.agents.nodes.map((n) => [n.name, n.replicas, n.activations, n.latencyMs, n.costPerActivation.tokens])).toEqual([
      ['reviewer', 3, 1, 4000, 2000],
      ['reviewer_lite', 1, 0, 4000, 2000],
      ['judge', 3, 1, 12_000, 4000],
    ]);
    expect(inputs.agents.edges.filter((e) => e.kind !== 'store').map((e) => `${e.from}→${e.to} ${e.kind} ${e.channel}`)).toEqual([
      'reviewer→judge join findings',
      'reviewer_lite→judge join findings',
    ]);
  });

  it('gives each work graph its own report', () => {
    const { checked } = runExample('math-library.team', T9);
    const reports = analyzeTeamModel(checked.model.teams.find((t) => t.name === 'MathLibrary')!);
    expect(reports.work.map((w) => [w.name, w.report.tasks, w.report.workers])).toEqual([['library', 20, 4]]);
  });
});

describe('the examples', () => {
  const all = (name: string) => runExample(name, /^T[5679]/).found;

  it('raise nothing of these families: every deadline and budget covers its worst case', () => {
    expect(all('research.team')).toEqual([]);
    // writer–critic is serial by nature (a bounded loop): no T900.
    expect(all('writer-critic.team')).toEqual([]);
    expect(all('code-review.team')).toEqual([]);
    expect(all('math-library.team')).toEqual([]);
  });

  it('a deadline below the worst case would be refused, with the figure (T504)', () => {
    const { checked } = runExample('writer-critic.team', /^T504$/);
    const team = checked.model.teams.find((t) => t.name === 'WriterCritic')!;
    expect(team.deadlineMs).toBeGreaterThanOrEqual(12 * 60_000 + 6000);
  });
});

describe('a team with checker errors', () => {
  it('still gets figures: an agent with no prompt is analysed, not fatal', () => {
    const text = team([agent('first', 'takes brief'), '  agent last { model fast  takes brief  output Text  timeout 10s }'].join('\n'));
    const checked = check(text);
    expect(checked.diagnostics.some((d) => d.code === 'T103')).toBe(true);
    expect(analysisInputsFromModel(checked.model.teams[0]!).agents.nodes.map((n) => n.name)).toEqual(['first', 'last']);
  });
});
