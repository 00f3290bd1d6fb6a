/**
 * Properties (T103): unknown, misplaced and repeated properties, values of the wrong kind,
 * missing required properties, and the defaults the model applies to what is not written.
 */
import { describe, expect, it } from 'vitest';
import { check, described, diagnose, spanText, team } from './helpers.js';

describe('placement', () => {
  it('suggests the property an unknown word is closest to', () => {
    const checked = check(team({ agent: '    timout 30s' }));
    expect(described(checked)).toEqual(['14:5 T103 unknown property `timout` in agent `summariser`']);
    expect(checked.diagnostics[0]!.help).toEqual(['did you mean `timeout`?']);
  });

  it('says where a misplaced property goes', () => {
    const checked = check(team({ agent: '    quorum 3\n    ordering fifo' }));
    expect(described(checked)).toEqual(['14:5 T103 `quorum` does not belong in an agent', '15:5 T103 `ordering` does not belong in an agent']);
    expect(checked.diagnostics.map((d) => d.help)).toEqual([['`quorum` goes in a `consensus`'], ['`ordering` goes in a `channel`']]);
  });

  it('reports a repeated property at the repetition, with the first as related', () => {
    const checked = check(team({ agent: '    timeout 1m' }));
    expect(described(checked)).toEqual(['14:5 T103 `timeout` is given more than once in agent `summariser`']);
    const [d] = checked.diagnostics;
    expect(d!.related.map((r) => [r.message, checked.sources.get(r.file)!.position(r.span.start).line])).toEqual([['first given here', 13]]);
  });

  it('lets list properties repeat, and reports a repeated item', () => {
    const text = team({ members: '  channel c: string { ordering fifo }', agent: '    takes c\n    takes diff' });
    expect(diagnose(text)).toEqual(['15:11 T103 `diff` is taken twice']);
  });
});

describe('value kinds', () => {
  it('asks for a duration where a duration goes', () => {
    const checked = check(team().replace('timeout 30s', 'timeout 3'));
    expect(described(checked)).toEqual(['13:13 T103 `timeout` takes a duration such as `30s`, found the number `3`']);
    expect(checked.diagnostics[0]!.help).toEqual(['write the unit: `3s` for seconds, `3ms` for milliseconds']);
    expect(spanText(checked, checked.diagnostics[0]!)).toBe('3');
  });

  it('asks for whole numbers of at least one where a count goes', () => {
    expect(diagnose(team({ agent: '    replicas 30s' }))).toEqual(['14:14 T103 `replicas` takes a whole number such as `3`, found the duration `30s`']);
    expect(diagnose(team({ agent: '    replicas 2.5' }))).toEqual(['14:14 T103 `replicas` takes a whole number, found the number `2.5`']);
    expect(diagnose(team({ agent: '    replicas 0' }))).toEqual(['14:14 T103 `replicas` takes a whole number of at least 1, found the number `0`']);
  });

  it('suggests the word a misspelt guarantee is closest to', () => {
    const checked = check(team({ members: '  channel c: string { ordering casual  delivery exactly_one  backpressure "block" }' }));
    expect(described(checked)).toEqual([
      '7:32 T103 `ordering` takes one of `unordered`, `fifo`, `causal`, `total`, found the word `casual`',
      '7:49 T103 `delivery` takes one of `at_most_once`, `at_least_once`, `exactly_once`, found the word `exactly_one`',
      '7:75 T103 `backpressure` takes one of `block`, `drop_oldest`, `drop_newest`, `reject`, found the string "block"',
    ]);
    expect(checked.diagnostics.map((d) => d.help)).toEqual([['did you mean `causal`?'], ['did you mean `exactly_once`?'], ['write it without quotes: `block`']]);
  });

  it('checks model values: provider, name, temperature, latency, price', () => {
    const text = 'model m { provider opnai  name gpt4  temperature 3  latency 4  price input 0.15 output $0.60 }\n';
    expect(diagnose(text)).toEqual([
      '1:20 T103 `provider` takes one of `openai`, `sim`, found the word `opnai`',
      '1:32 T103 `name` takes a string such as `"gpt-4o"`, found the word `gpt4`',
      '1:50 T103 `temperature` takes a number from 0 to 2, found the number `3`',
      '1:61 T103 `latency` takes a duration such as `30s`, found the number `4`',
      '1:76 T103 `price input` takes an amount such as `$0.50`, found the number `0.15`',
    ]);
  });

  it('reads a retry: a backward range is refused', () => {
    expect(diagnose(team({ agent: '    retry 3 backoff exponential 8s..500ms jitter' }))).toEqual([
      '14:33 T103 the back-off range runs backwards: its first delay is longer than its last',
    ]);
    expect(diagnose(team({ agent: '    retry 3 backoff exponentail 1s' }))).toEqual([
      '14:21 T103 `retry … backoff` takes one of `exponential`, `linear`, `constant`, found the word `exponentail`',
    ]);
  });

  it('reads budgets: tokens need their unit, one limit of each kind', () => {
    const text = team().replace('  output summary', '  budget 200k $5 100k tokens\n  output summary');
    expect(diagnose(text)).toEqual(['5:10 T103 `budget` takes tokens or dollars, found the size `200k`']);
    const twice = team().replace('  output summary', '  budget 200k tokens 100k tokens\n  output summary');
    expect(diagnose(twice)).toEqual(['5:22 T103 the budget limits tokens twice']);
  });
});

describe('required properties', () => {
  it('an agent needs a model, an output and a prompt', () => {
    const text = team({ members: '  agent idle { takes diff }' });
    expect(diagnose(text)).toEqual([
      '7:9 T103 agent `idle` has no `model`',
      '7:9 T103 agent `idle` has no `output`',
      '7:9 T103 agent `idle` has no `prompt`',
    ]);
  });

  it('a model needs a provider, and a name unless it is simulated', () => {
    expect(diagnose('model a { latency 2s }\nmodel b { provider openai }\nmodel c { provider sim }\n')).toEqual([
      '1:7 T103 model `a` has no `provider`',
      '2:7 T103 model `b` has no `name`',
    ]);
  });

  it('a consensus needs replicas, a quorum and what must agree', () => {
    expect(diagnose(team({ members: '  consensus vote over summariser { rounds 2 }' }))).toEqual([
      '7:13 T103 consensus `vote` has no `replicas`',
      '7:13 T103 consensus `vote` has no `quorum`',
      '7:13 T103 consensus `vote` has no `agree`',
    ]);
  });
});

describe('shapes of particular properties', () => {
  it('a team output has a name and a source; an agent output is only a type', () => {
    const text = team({ agent: '' }).replace('  output summary: Summary from summariser', '  output Summary').replace('    output Summary', '    output s: Summary from x');
    expect(diagnose(text)).toEqual([
      '5:3 T103 a team output needs a name and a source',
      "11:5 T103 an agent's `output` is only its type",
    ]);
  });

  it('`all`, `?` and `requires` apply to channels, not team inputs', () => {
    expect(diagnose(team().replace('    takes diff', '    takes all diff'))).toEqual(['10:11 T103 `all` applies to a channel, but `diff` is a team input']);
    expect(diagnose(team().replace('    takes diff', '    takes diff requires causal'))).toEqual(['10:11 T103 `requires` applies to a channel, but `diff` is a team input']);
  });

  it('a task writes strings; an agent writes stores by name, or files it may write as strings', () => {
    const text = team({ members: '  work w by summariser { task t { writes out } }', agent: '    writes "out.txt"' });
    const checked = check(text);
    expect(described(checked)).toEqual(['7:42 T103 a task writes files or keys, written as strings; `out` is a name']);
    expect(checked.model.teams[0]!.agents.get('summariser')!.fileWrites.map((w) => w.target)).toEqual(['out.txt']);
  });

  it('`assign lead` names its lead; other policies do not', () => {
    expect(diagnose(team({ members: '  work w by summariser { assign lead }' }))).toEqual(['7:26 T103 `assign lead` needs the lead agent']);
    expect(diagnose(team({ members: '  work w by summariser { assign claim summariser }' }))).toEqual(['7:39 T103 `assign claim` takes no lead agent']);
  });

  it('a tool is pure or an effect, and its key names its parameters', () => {
    const text = 'type C { file: string  line: int }\ntool post(comment: C) { pure  effect  key comment.fiel, coment }\n';
    const checked = check(text);
    expect(described(checked)).toEqual([
      '2:31 T103 tool `post` cannot be both `pure` and `effect`',
      '2:51 T101 unknown field `comment.fiel`',
      '2:57 T101 unknown parameter `coment`',
    ]);
    expect(checked.diagnostics.slice(1).map((d) => d.help)).toEqual([['did you mean `file`?'], ['did you mean `comment`?']]);
  });

  it('an agent does not validate itself', () => {
    expect(diagnose(team({ agent: '    validate with summariser' }))).toEqual(['14:19 T103 `summariser` cannot validate its own output']);
  });
});

describe('defaults', () => {
  it('applies the documented defaults to what is not written', () => {
    const text = [
      'model m { provider sim  price input $1 output $2 per 1k }',
      'team T {',
      '  input diff: string',
      '  output out: string[] from w',
      '  store s: string[]',
      '  channel c: string',
      '  tool t(x: string)',
      '  agent a { model m  takes diff  emits c  output string  prompt "{{diff}}"  retry 3 backoff exponential }',
      '  agent b { model m  takes c  output string  prompt "{{c}}"  retry 2 backoff constant }',
      '  consensus v over a { replicas 5  quorum majority  agree on x }',
      '  work w by b { task one { } }',
      '}',
    ].join('\n');
    const checked = check(text);
    expect(described(checked).filter((d) => !d.includes('T603'))).toEqual([]);
    const team = checked.model.teams[0]!;
    expect(team.models.get('m')).toMatchObject({ modelName: 'm', price: { inputPerMillion: 1000, outputPerMillion: 2000 } });
    expect(team.stores.get('s')).toMatchObject({ consistency: 'eventual' });
    expect(team.stores.get('s')!.merge).toBeUndefined();
    expect(team.channels.get('c')).toMatchObject({ ordering: 'unordered', delivery: 'at_most_once' });
    expect(team.channels.get('c')!.capacity).toBeUndefined();
    expect(team.channels.get('c')!.spans.ordering).toBeUndefined();
    expect(team.tools.get('t')!.kind).toBe('effect');
    const a = team.agents.get('a')!;
    expect(a.replicas).toBe(1);
    expect(a.policy.retry).toEqual({ attempts: 3, jitter: false, backoff: { strategy: 'exponential', minMs: 1000, maxMs: 30_000 } });
    expect(team.agents.get('b')!.policy.retry!.backoff).toEqual({ strategy: 'constant', minMs: 1000, maxMs: 1000 });
    expect(a.policy.timeoutMs).toBeUndefined();
    expect(team.consensus.get('v')).toMatchObject({ quorumSize: 3, faults: { count: 0, model: 'crash' }, protocol: 'vote' });
    expect(team.consensus.get('v')!.rounds).toBeUndefined();
    expect(team.work.get('w')).toMatchObject({ assign: { policy: 'preassigned' } });
    expect(team.work.get('w')!.tasks.get('one')).toMatchObject({ weight: 1, after: [], writes: [] });
  });
});

describe('the tables agree with the reference and the runtime', () => {
  it('places properties as docs/language.md, "Where each property goes", says', async () => {
    const { readFileSync } = await import('node:fs');
    const { blockProperties } = await import('../../compiler/check/properties.js');
    const reference = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
    const section = reference.slice(reference.indexOf('## Where each property goes'), reference.indexOf('**Required.**'));
    const rows = [...section.matchAll(/^\| `(\w+)` \| `([^`]+)`/gm)].map((m) => [m[1]!, m[2]!.replace('max rounds', 'max_rounds').split(/\s+/).map((w) => w.replace('max_rounds', 'max rounds'))]);
    expect(Object.fromEntries(rows)).toEqual(blockProperties);
  });

  it('accepts exactly the runtime’s normalisers', async () => {
    const { normalizers } = await import('../../compiler/model.js');
    const { isNormalizerName } = await import('../../runtime/consensus/projection.js');
    for (const name of normalizers) expect(isNormalizerName(name)).toBe(true);
    expect(isNormalizerName('upper')).toBe(false);
  });
});
