/**
 * Every property of docs/language.md, one row each: source text → the AST fragment it must give.
 * Fragments are matched with `toMatchObject` (spans are checked in spans.test.ts), but lists must
 * match in length.
 */
import { describe, expect, it } from 'vitest';
import { member, teamMembers } from './helpers.js';

const id = (name: string) => ({ kind: 'Identifier', name });
const str = (value: string) => ({ kind: 'String', value, triple: false });
const num = (value: number) => ({ kind: 'Number', value });
const dur = (ms: number) => ({ kind: 'Duration', ms });
const size = (value: number) => ({ kind: 'Size', value });
const money = (dollars: number) => ({ kind: 'Money', dollars });
const path = (...segments: string[]) => ({ kind: 'FieldPath', segments: segments.map(id) });
const ref = (name: string) => ({ kind: 'TypeReference', name: id(name) });

const rows: Array<[source: string, expected: object]> = [
  // doc, input, output
  ['doc "Three reviewers read a diff."', { kind: 'Doc', text: str('Three reviewers read a diff.') }],
  ['input diff: string', { kind: 'Input', name: id('diff'), type: ref('string') }],
  ['input files: string[]', { kind: 'Input', name: id('files'), type: { kind: 'ArrayType', element: ref('string') } }],
  ['output verdict: Verdict from decide', { kind: 'Output', name: id('verdict'), type: ref('Verdict'), from: id('decide') }],
  ['output Finding[]', { kind: 'Output', type: { kind: 'ArrayType', element: ref('Finding') } }],
  ['output Verdict', { kind: 'Output', type: ref('Verdict') }],
  ['output "yes" | "no"', { kind: 'Output', type: { kind: 'UnionType', members: [{ kind: 'LiteralType' }, { kind: 'LiteralType' }] } }],
  ['output { ok: bool }', { kind: 'Output', type: { kind: 'RecordType', fields: [{ name: id('ok'), type: ref('bool') }] } }],

  // single-valued properties, one per key of the grammar's `valueKey`
  ['deadline 5m', { kind: 'Value', key: 'deadline', value: { ...dur(300_000), text: '5m' } }],
  ['provider openai', { kind: 'Value', key: 'provider', value: id('openai') }],
  ['name "gpt-4o-mini"', { kind: 'Value', key: 'name', value: str('gpt-4o-mini') }],
  ['temperature 0.2', { kind: 'Value', key: 'temperature', value: { ...num(0.2), text: '0.2' } }],
  ['latency 4s', { kind: 'Value', key: 'latency', value: dur(4_000) }],
  ['max_tokens 2k', { kind: 'Value', key: 'max_tokens', value: { ...size(2_000), text: '2k' } }],
  ['replicas 3', { kind: 'Value', key: 'replicas', value: num(3) }],
  ['timeout 30s', { kind: 'Value', key: 'timeout', value: dur(30_000) }],
  ['ordering causal', { kind: 'Value', key: 'ordering', value: id('causal') }],
  ['delivery exactly_once', { kind: 'Value', key: 'delivery', value: id('exactly_once') }],
  ['capacity 100', { kind: 'Value', key: 'capacity', value: num(100) }],
  ['backpressure drop_oldest', { kind: 'Value', key: 'backpressure', value: id('drop_oldest') }],
  ['consistency causal', { kind: 'Value', key: 'consistency', value: id('causal') }],
  ['merge append', { kind: 'Value', key: 'merge', value: id('append') }],
  ['quorum majority', { kind: 'Value', key: 'quorum', value: id('majority') }],
  // `all` is a reserved word and a quorum word: in a value slot it is the word.
  ['quorum all', { kind: 'Value', key: 'quorum', value: id('all') }],
  ['quorum 2', { kind: 'Value', key: 'quorum', value: num(2) }],
  ['rounds 2', { kind: 'Value', key: 'rounds', value: num(2) }],
  ['tie_break reject', { kind: 'Value', key: 'tie_break', value: id('reject') }],
  ['protocol leader', { kind: 'Value', key: 'protocol', value: id('leader') }],
  ['weight 2', { kind: 'Value', key: 'weight', value: num(2) }],
  ['lease 30s', { kind: 'Value', key: 'lease', value: dur(30_000) }],
  // The kind of a value is the checker's question: any value parses in any slot.
  ['timeout fast', { kind: 'Value', key: 'timeout', value: id('fast') }],
  ['temperature 95%', { kind: 'Value', key: 'temperature', value: { kind: 'Percent', value: 95, text: '95%' } }],

  // budget and price
  ['budget 200k tokens', { kind: 'Budget', limits: [{ value: size(200_000), tokens: true }] }],
  ['budget $5', { kind: 'Budget', limits: [{ value: money(5), tokens: false }] }],
  ['budget 1.5M tokens $8', { kind: 'Budget', limits: [{ value: size(1_500_000), tokens: true }, { value: money(8), tokens: false }] }],
  ['budget $8 120k tokens', { kind: 'Budget', limits: [{ value: money(8), tokens: false }, { value: size(120_000), tokens: true }] }],
  ['price input $0.15 output $0.60 per 1M', { kind: 'Price', input: money(0.15), output: money(0.6), per: size(1_000_000) }],
  ['price input $2.50 output $10', { kind: 'Price', input: money(2.5), output: money(10) }],

  // references
  ['model fast', { kind: 'ModelReference', model: id('fast') }],
  ['takes diff', { kind: 'Takes', items: [{ all: false, source: id('diff'), optional: false }] }],
  [
    'takes question, all answers requires causal, reviews?',
    {
      kind: 'Takes',
      items: [
        { all: false, source: id('question'), optional: false },
        { all: true, source: id('answers'), optional: false, requires: id('causal') },
        { all: false, source: id('reviews'), optional: true },
      ],
    },
  ],
  ['takes all findings? requires fifo', { kind: 'Takes', items: [{ all: true, source: id('findings'), optional: true, requires: id('fifo') }] }],
  ['reads notes', { kind: 'Reads', items: [{ store: id('notes') }] }],
  ['reads notes requires causal, log', { kind: 'Reads', items: [{ store: id('notes'), requires: id('causal') }, { store: id('log') }] }],
  ['writes notes', { kind: 'Writes', targets: [id('notes')] }],
  ['writes notes, "add.py", log', { kind: 'Writes', targets: [id('notes'), str('add.py'), id('log')] }],
  ['emits findings', { kind: 'Emits', items: [{ channel: id('findings') }] }],
  [
    'emits reviews unless approved, done when result.ok',
    {
      kind: 'Emits',
      items: [
        { channel: id('reviews'), condition: { negated: true, field: path('approved') } },
        { channel: id('done'), condition: { negated: false, field: path('result', 'ok') } },
      ],
    },
  ],
  ['calls post_comment, search', { kind: 'Calls', tools: [id('post_comment'), id('search')] }],
  ['fallback reviewer_lite, reviewer_cache', { kind: 'Fallback', agents: [id('reviewer_lite'), id('reviewer_cache')] }],
  ['validate with checker', { kind: 'Validate', validator: id('checker') }],

  // prompts
  ['prompt "Review {{diff}}"', { kind: 'Prompt', source: { kind: 'inline', text: str('Review {{diff}}') } }],
  [
    'prompt """\n      Review this.\n        {{diff}}\n    """',
    { kind: 'Prompt', source: { kind: 'inline', text: { kind: 'String', value: 'Review this.\n  {{diff}}', triple: true } } },
  ],
  ['prompt file "prompts/judge.hbs"', { kind: 'Prompt', source: { kind: 'file', path: str('prompts/judge.hbs') } }],

  // fault policies
  ['retry 3', { kind: 'Retry', attempts: num(3), jitter: false }],
  ['retry 3 jitter', { kind: 'Retry', attempts: num(3), jitter: true }],
  ['retry 2 backoff linear', { kind: 'Retry', attempts: num(2), backoff: { strategy: id('linear') }, jitter: false }],
  ['retry 2 backoff constant 1s', { kind: 'Retry', attempts: num(2), backoff: { strategy: id('constant'), delay: dur(1_000) }, jitter: false }],
  [
    'retry 3 backoff exponential 500ms..8s jitter',
    {
      kind: 'Retry',
      attempts: num(3),
      backoff: { strategy: id('exponential'), delay: { kind: 'Range', min: dur(500), max: dur(8_000) } },
      jitter: true,
    },
  ],
  ['breaker 5 failures in 1m cooldown 30s', { kind: 'Breaker', failures: num(5), window: dur(60_000), cooldown: dur(30_000) }],
  ['hedge after 10s', { kind: 'Hedge', after: dur(10_000) }],
  ['max rounds 4', { kind: 'MaxRounds', rounds: num(4) }],

  // flags
  ['optional', { kind: 'Flag', flag: 'optional' }],
  ['pure', { kind: 'Flag', flag: 'pure' }],
  ['effect', { kind: 'Flag', flag: 'effect' }],

  // consensus and work graphs
  ['faults 1 crash', { kind: 'Faults', count: num(1), model: id('crash') }],
  ['faults 1 byzantine', { kind: 'Faults', count: num(1), model: id('byzantine') }],
  ['agree on decision', { kind: 'Agree', fields: [path('decision')] }],
  [
    'agree on finding.severity, summary normalize trim_lower',
    { kind: 'Agree', fields: [path('finding', 'severity'), path('summary')], normalize: id('trim_lower') },
  ],
  ['assign claim', { kind: 'Assign', policy: id('claim') }],
  ['assign lead planner', { kind: 'Assign', policy: id('lead'), lead: id('planner') }],
  ['after core', { kind: 'After', tasks: [id('core')] }],
  ['after add, safe_add', { kind: 'After', tasks: [id('add'), id('safe_add')] }],
  // Field paths may pass through keywords (`file` is reserved).
  ['key comment.file, comment.line', { kind: 'Key', fields: [path('comment', 'file'), path('comment', 'line')] }],

  // an unknown property is kept for the checker
  ['colour red', { kind: 'UnknownProperty', name: id('colour'), values: [id('red')] }],
  ['temprature 0.2 3s "x"', { kind: 'UnknownProperty', name: id('temprature'), values: [num(0.2), dur(3_000), str('x')] }],
  ['verbose', { kind: 'UnknownProperty', name: id('verbose'), values: [] }],
];

describe('properties', () => {
  it.each(rows)('%s', (source, expected) => {
    const parsed = member(source);
    expect(parsed).toMatchObject(expected);
  });

  it('covers every single-valued property keyword', () => {
    const keys = new Set(rows.map(([, expected]) => (expected as { key?: string }).key).filter((key) => key !== undefined));
    // One row per `valueKey` of the grammar.
    expect([...keys].sort()).toEqual(
      [
        'deadline', 'provider', 'name', 'temperature', 'latency', 'max_tokens', 'replicas', 'timeout', 'ordering', 'delivery',
        'capacity', 'backpressure', 'consistency', 'merge', 'quorum', 'rounds', 'tie_break', 'protocol', 'weight', 'lease',
      ].sort(),
    );
  });

  it('keeps members in source order, whatever their kinds', () => {
    const members = teamMembers('timeout 1s\nagent a { }\ndoc "d"\nmodel m\ntype T = string\nretry 2\nfoo bar');
    expect(members.map((m) => m.kind)).toEqual(['Value', 'Agent', 'Doc', 'ModelReference', 'Type', 'Retry', 'UnknownProperty']);
  });

  it('ends the values of an unknown property at the end of its line', () => {
    const members = teamMembers('colour red\nshape square 3');
    expect(members).toMatchObject([
      { kind: 'UnknownProperty', name: id('colour'), values: [id('red')] },
      { kind: 'UnknownProperty', name: id('shape'), values: [id('square'), num(3)] },
    ]);
  });

  it('ends optional trailing values at the end of the line', () => {
    expect(teamMembers('budget 2M tokens $3\ncolour red')).toMatchObject([
      { kind: 'Budget', limits: [{ value: size(2_000_000) }, { value: money(3) }] },
      { kind: 'UnknownProperty', name: id('colour') },
    ]);
    expect(teamMembers('retry 2 backoff constant\nshape square')).toMatchObject([
      { kind: 'Retry', backoff: { strategy: id('constant') } },
      { kind: 'UnknownProperty', name: id('shape') },
    ]);
    expect((teamMembers('retry 2 backoff constant\nshape square')[0] as { backoff: object }).backoff).not.toHaveProperty('delay');
    expect(teamMembers('assign claim\nleader x')).toMatchObject([
      { kind: 'Assign', policy: id('claim') },
      { kind: 'UnknownProperty', name: id('leader'), values: [id('x')] },
    ]);
    expect(teamMembers('assign claim')[0]).not.toHaveProperty('lead');
  });

  it('reads properties written on one line, separated by spaces', () => {
    const members = teamMembers('replicas 3  quorum majority  faults 1 crash  agree on decision  rounds 2  tie_break reject');
    expect(members.map((m) => m.kind)).toEqual(['Value', 'Value', 'Faults', 'Agree', 'Value', 'Value']);
  });

  it('reads a model reference before a property on the same line', () => {
    expect(teamMembers('model fast  timeout 3s')).toMatchObject([
      { kind: 'ModelReference', model: id('fast') },
      { kind: 'Value', key: 'timeout' },
    ]);
  });
});
