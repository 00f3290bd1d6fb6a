/**
 * Where values flow: emits and writes (T200, and `when`/`unless` gates), fallbacks (T204), team
 * outputs (T205), and the answers a validator or a work lead must give.
 */
import { describe, expect, it } from 'vitest';
import { check, described, diagnose } from './helpers.js';

/** A team with a producer `p` (output and emits/writes varied) and declared channels and stores. */
function producer(options: { output: string; uses: string; members?: string; extra?: string }): string {
  return [
    'model m { provider sim }',
    'team T {',
    '  input diff: string',
    '  type Finding { file: string  line: int  ok: bool }',
    '  type Other { file: string }',
    '  channel findings: Finding { ordering fifo }',
    '  channel lists: Finding[] { ordering fifo }',
    '  store notes: Finding[] { merge append }',
    '  store latest: Finding[]',
    '  store one: Finding',
    options.members ?? '',
    `  agent p { model m  takes diff  ${options.uses}  output ${options.output}  prompt "{{diff}}"${options.extra ?? ''} }`,
    '}',
    '',
  ].join('\n');
}

describe('emits (T200)', () => {
  it('a `T` and a `T[]` fit a channel of `T`; a `T[]` is sent per element', () => {
    const single = check(producer({ output: 'Finding', uses: 'emits findings' }));
    expect(described(single)).toEqual([]);
    expect(single.model.teams[0]!.agents.get('p')!.emits[0]!.perElement).toBe(false);
    const list = check(producer({ output: 'Finding[]', uses: 'emits findings' }));
    expect(described(list)).toEqual([]);
    expect(list.model.teams[0]!.agents.get('p')!.emits[0]!.perElement).toBe(true);
    const whole = check(producer({ output: 'Finding[]', uses: 'emits lists' }));
    expect(whole.model.teams[0]!.agents.get('p')!.emits[0]!.perElement).toBe(false);
  });

  it('refuses an output that fits neither way, naming both types', () => {
    const checked = check(producer({ output: 'Other', uses: 'emits findings' }));
    expect(described(checked)).toEqual(['12:40 T200 `p` produces `Other`, which does not fit channel `findings` of type `Finding`']);
    expect(checked.diagnostics[0]!.help).toEqual(['make `p` output `Finding` or `Finding[]`']);
    expect(checked.diagnostics[0]!.related.map((r) => r.message)).toEqual(['`findings` is declared here with type `Finding`']);
  });

  it('a gate names a `bool` field of what is sent (the element, for a per-element emit)', () => {
    expect(diagnose(producer({ output: 'Finding[]', uses: 'emits findings when ok' }))).toEqual([]);
    const checked = check(producer({ output: 'Finding', uses: 'emits findings unless okk, lists when file' }));
    expect(described(checked)).toEqual([
      '12:56 T101 unknown field `okk`',
      '12:61 T200 `p` produces `Finding`, which does not fit channel `lists` of type `Finding[]`',
    ]);
    expect(checked.diagnostics[0]!.help).toEqual(['did you mean `ok`?']);
    expect(diagnose(producer({ output: 'Finding', uses: 'emits findings when file' }))).toEqual([
      '12:54 T103 `when` needs a `bool` field, but `file` is `string`',
    ]);
  });
});

describe('writes (T200)', () => {
  it('an output fits a store of its type, or adds to an `append` store of a list', () => {
    expect(diagnose(producer({ output: 'Finding', uses: 'writes notes, one' }))).toEqual([]);
    expect(diagnose(producer({ output: 'Finding[]', uses: 'writes notes, latest' }))).toEqual([]);
  });

  it('refuses a single value for a list store with no merge rule, and suggests `merge append`', () => {
    const checked = check(producer({ output: 'Finding', uses: 'writes latest' }));
    expect(described(checked)).toEqual(['12:41 T200 `p` produces `Finding`, which does not fit store `latest` of type `Finding[]`']);
    expect(checked.diagnostics[0]!.help).toEqual(['add `merge append` to store `latest`, so each output adds to the list']);
  });

  it('refuses a value of another type', () => {
    expect(diagnose(producer({ output: 'Other', uses: 'writes notes' }))).toEqual([
      '12:41 T200 `p` produces `Other`, which does not fit store `notes` of type `Finding[]`',
    ]);
  });
});

describe('fallbacks (T204)', () => {
  it('refuses a fallback with another output type, and accepts the same structure under another name', () => {
    const members = '  type Same { file: string  line: int  ok: bool }\n  agent q { model m  takes diff  output Other  prompt "{{diff}}" }\n  agent r { model m  takes diff  output Same  prompt "{{diff}}" }';
    const checked = check(producer({ output: 'Finding', uses: '', members, extra: '  fallback q, r' }));
    expect(described(checked)).toEqual(['14:80 T204 fallback `q` outputs `Other`, but `p` outputs `Finding`']);
    expect(checked.diagnostics[0]!.related.map((r) => r.message)).toEqual(['`q` outputs `Other`']);
    expect(checked.model.teams[0]!.agents.get('q')!.helperOnly).toBe(true);
  });
});

describe('validators and leads (T200)', () => {
  it('a validator answers `{ valid: bool, reason?: string }`', () => {
    const ok = '  type V { valid: bool  reason?: string  score: int }\n  agent v { model m  output V  prompt "{{output.file}}" }';
    expect(diagnose(producer({ output: 'Finding', uses: '', members: ok, extra: '  validate with v' }))).toEqual([]);
    const wrong = '  agent v { model m  output Other  prompt "judge {{output.file}}" }';
    expect(diagnose(producer({ output: 'Finding', uses: '', members: wrong, extra: '  validate with v' }))).toEqual([
      '11:22 T200 `v` produces `Other`, which does not fit the verdict of a validator of type `{ valid: bool, reason?: string }`',
    ]);
  });

  it('a work lead answers with assignments', () => {
    const lead = '  agent boss { model m  output Other  prompt "{{#each ready}}{{name}}{{/each}} {{idle.length}}" }\n  work w by p { assign lead boss  task a { } }';
    expect(diagnose(producer({ output: 'Finding', uses: '', members: lead }))).toEqual([
      '11:25 T200 `boss` produces `Other`, which does not fit the plan of a work lead of type `{ assignments: { task: string, worker: int }[] }`',
    ]);
  });
});

describe('team outputs (T205)', () => {
  const outputs = (output: string) =>
    [
      'model m { provider sim }',
      'team T {',
      '  input diff: string',
      output,
      '  type Finding { file: string }',
      '  agent p { model m  takes diff  output Finding  prompt "{{diff}}" }',
      '  consensus vote over p { replicas 3  quorum majority  agree on file }',
      '  work w by p { task a { } }',
      '}',
      '',
    ].join('\n');

  it('an agent gives its output, a consensus the decided value, a work graph the list of task outputs', () => {
    expect(diagnose(outputs('  output a: Finding from p\n  output b: Finding from vote\n  output c: Finding[] from w'))).toEqual([]);
  });

  it('refuses a source that cannot produce the declared type', () => {
    const checked = check(outputs('  output a: Finding[] from p\n  output c: Finding from w'));
    expect(described(checked)).toEqual([
      '4:28 T205 team output `a` expects `Finding[]`, but `p` produces `Finding`',
      '5:26 T205 team output `c` expects `Finding`, but `w` produces `Finding[]`',
    ]);
    expect(checked.diagnostics[1]!.help).toEqual(['declare the output as `output c: Finding[] from w`, or change what `w` produces']);
  });
});
