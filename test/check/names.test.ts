/**
 * Names and scopes: unknown names (T101) with suggestions of the right kind, duplicates (T102)
 * with the first declaration as a related label, misplaced declarations (T103), and what a file
 * sees of its imports.
 */
import { describe, expect, it } from 'vitest';
import { check, checkTexts, described, diagnose, spanText, team } from './helpers.js';

describe('the baseline team', () => {
  it('checks clean', () => {
    expect(diagnose(team())).toEqual([]);
  });
});

describe('unknown names (T101)', () => {
  it('suggests a model for `model`', () => {
    const checked = check(team({ members: '  model smart { provider sim }' }).replace('    model fast', '    model fats'));
    expect(described(checked)).toEqual(['9:11 T101 unknown model `fats`']);
    const [d] = checked.diagnostics;
    expect(d!.help).toEqual(['did you mean `fast`?']);
    expect(d!.label).toBe('not declared in team `T`');
    expect(spanText(checked, d!)).toBe('fats');
  });

  it('suggests inputs and channels for `takes`, never an agent of a closer name', () => {
    const text = team({ members: '  channel notes: string { ordering fifo }' }).replace('    takes diff', '    takes dif, note');
    const checked = check(text);
    expect(described(checked)).toEqual(['10:11 T101 unknown channel or input `dif`', '10:16 T101 unknown channel or input `note`']);
    expect(checked.diagnostics.map((d) => d.help)).toEqual([['did you mean `diff`?'], ['did you mean `notes`?']]);
  });

  it('says what a name of the wrong kind is', () => {
    const text = team({ members: '  store notes: string' }).replace('    takes diff', '    takes notes');
    const checked = check(text);
    // The prompt's `{{diff}}` is not reported again: the take that failed may have been meant for it.
    expect(described(checked)).toEqual(['10:11 T101 unknown channel or input `notes`']);
    expect(checked.diagnostics[0]!.label).toBe('`notes` is a store, not a channel or input');
    expect(checked.diagnostics[0]!.related.map((r) => r.message)).toEqual(['`notes` is declared here as a store']);
  });

  it('resolves each reference kind against its own kind', () => {
    const text = [
      'model fast { provider sim }',
      'team T {',
      '  input diff: string',
      '  output a: Out from decidee',
      '  type Out { ok: bool }',
      '  store notes: Out[] { merge append }',
      '  channel ch: Out { ordering fifo }',
      '  tool search(q: string) -> string { pure }',
      '  agent a1 {',
      '    model fast',
      '    takes diff',
      '    reads note',
      '    writes notess',
      '    emits chh',
      '    calls serch',
      '    output Outt',
      '    prompt "{{diff}}"',
      '    fallback a22',
      '    validate with a3',
      '  }',
      '  agent a2 { model fast  takes ch  output Out  prompt "{{ch.ok}}" }',
      '  consensus decide over a11 { replicas 3  quorum majority  agree on ok }',
      '  work w by a0 { task t1 { }  task t2 { after t11 } }',
      '}',
    ].join('\n');
    expect(diagnose(text)).toEqual([
      '4:22 T101 unknown agent, consensus or work `decidee`',
      '12:11 T101 unknown store `note`',
      '13:12 T101 unknown store `notess`',
      '14:11 T101 unknown channel `chh`',
      '15:11 T101 unknown tool `serch`',
      '16:12 T101 unknown type `Outt`',
      '18:14 T101 unknown agent `a22`',
      '19:19 T101 unknown agent `a3`',
      '22:25 T101 unknown agent `a11`',
      '23:13 T101 unknown agent `a0`',
      '23:47 T101 unknown task `t11`',
    ]);
    const help = check(text).diagnostics.map((d) => d.help[0]);
    expect(help).toEqual([
      'did you mean `decide`?',
      'did you mean `notes`?',
      'did you mean `notes`?',
      'did you mean `ch`?',
      'did you mean `search`?',
      'did you mean `Out`?',
      'did you mean `a2`?',
      'did you mean `a1`?',
      'did you mean `a1`?',
      'did you mean `a1`?',
      'did you mean `t1`?',
    ]);
  });

  it('suggests built-in types for a misspelt primitive', () => {
    const checked = check(team({ members: '  type Note { text: strng }' }));
    expect(described(checked)).toEqual(['7:21 T101 unknown type `strng`']);
    expect(checked.diagnostics[0]!.help).toEqual(['did you mean `string`?']);
  });

  it('does not report a reference to a misplaced declaration a second time', () => {
    const text = ['channel findings: string', team({}).replace('    takes diff', '    takes diff, findings')].join('\n');
    expect(diagnose(text)).toEqual(['1:1 T103 a `channel` cannot be declared at the top of a file']);
  });
});

describe('duplicates (T102)', () => {
  it('reports the second declaration with the first as related', () => {
    const text = team({ members: '  channel summariser: string' });
    const checked = check(text);
    expect(described(checked)).toEqual(['8:9 T102 the name `summariser` is declared more than once']);
    const [d] = checked.diagnostics;
    expect(d!.label).toBe('declared again here, as an agent');
    expect(d!.related.map((r) => [r.message, checked.sources.get(r.file)!.position(r.span.start).line])).toEqual([['first declared here, as a channel', 7]]);
  });

  it('reports two declarations of the same kind', () => {
    const text = team({ members: '  type Summary { body: string }' });
    const checked = check(text);
    expect(described(checked)).toEqual(['7:8 T102 type `Summary` is declared more than once']);
    expect(checked.diagnostics[0]!.related.map((r) => r.message)).toEqual(['first declared here']);
  });

  it('refuses a team member that repeats a file-level name', () => {
    expect(diagnose(team({ members: '  model fast { provider sim }' }))).toEqual(['7:9 T102 model `fast` is declared more than once']);
  });

  it('refuses a built-in type name, duplicate teams, tasks, outputs and parameters', () => {
    const text = [
      'type string = "s"',
      'tool t(a: string, a: int) { pure }',
      team({ members: '  output summary: Summary from summariser\n  work w by summariser { task x { }  task x { } }' }),
      'team T { }',
    ].join('\n');
    expect(diagnose(text)).toEqual([
      '1:6 T102 type `string` is declared more than once',
      '2:19 T102 parameter `a` is declared more than once',
      '9:10 T102 output `summary` is declared more than once',
      '10:43 T102 task `x` is declared more than once',
      '21:6 T102 team `T` is declared more than once',
    ]);
  });

  it('reports a clash between two imported files at the later import', () => {
    const checked = checkTexts({
      'main.team': 'import "a.team"\nimport "b.team"\n' + team({}).replace('model fast { provider sim  latency 2s  max_tokens 1k }', ''),
      'a.team': 'model fast { provider sim }',
      'b.team': 'model fast { provider sim }\nmodel slow { provider sim }',
    });
    expect(described(checked)).toEqual(['2:1 T102 model `fast` is declared more than once']);
    expect(checked.diagnostics[0]!.related.map((r) => r.message)).toEqual(['declared here as a model', 'first declared here']);
  });

  it('reports a file declaration that an import repeats at the file’s own declaration', () => {
    const checked = checkTexts({ 'main.team': 'import "a.team"\n' + team({}), 'a.team': 'model fast { provider sim }' });
    expect(described(checked)).toEqual(['2:7 T102 model `fast` is declared more than once']);
    expect(checked.diagnostics[0]!.label).toBe('also declared in a.team');
  });
});

describe('what a file sees', () => {
  it('sees the models, types and tools of the files it imports directly, not their teams or their imports', () => {
    const checked = checkTexts({
      'main.team': [
        'import "shared.team"',
        'team T {',
        '  input diff: string',
        '  output s: Shared from summariser',
        '  agent summariser { model fast  takes diff  calls lookup  output Shared  prompt "{{diff}}" }',
        '  agent other { model deep  takes diff  output Deep  prompt "{{diff}}" }',
        '}',
      ].join('\n'),
      'shared.team': 'import "deeper.team"\nmodel fast { provider sim }\ntype Shared { text: string }\ntool lookup(q: string) { pure }\nteam Hidden { }',
      'deeper.team': 'model deep { provider sim }\ntype Deep { x: int }',
    });
    expect(described(checked)).toEqual(['6:23 T101 unknown model `deep`', '6:48 T101 unknown type `Deep`']);
    const model = checked.model.teams.find((t) => t.name === 'T')!;
    expect([...model.models.keys()]).toEqual(['fast']);
    expect([...model.types.keys()]).toEqual(['Shared']);
    expect([...model.tools.keys()]).toEqual(['lookup']);
    // The imported declarations are the same objects in every team that sees them.
    const shared = checked.model.files.get('/virtual/shared.team')!;
    expect(model.models.get('fast')).toBe(shared.models.get('fast'));
  });
});

describe('misplaced declarations (T103)', () => {
  it('names where each kind of declaration goes', () => {
    const text = [
      'agent a { }',
      'task t { }',
      'team T {',
      '  team Inner { }',
      '  agent b { model m  output string  prompt "x"  channel c: string }',
      '  model m { provider sim }',
      '}',
    ].join('\n');
    const checked = check(text);
    expect(described(checked)).toEqual([
      '1:1 T103 an `agent` cannot be declared at the top of a file',
      '2:1 T103 a `task` cannot be declared at the top of a file',
      '4:3 T103 a `team` cannot be declared inside a `team`',
      '5:49 T103 a `channel` cannot be declared inside an `agent`',
    ]);
    expect(checked.diagnostics.map((d) => d.help[0])).toEqual([
      'declare `a` inside a `team`',
      'declare `t` inside a `work` block',
      'declare `Inner` at the top of a file',
      'declare `c` inside a `team`',
    ]);
  });
});
