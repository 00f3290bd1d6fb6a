/**
 * T703: a cycle among a work graph's tasks. The page's examples are the fixtures; the rest are
 * the shapes a cycle takes (a task after itself, two tasks, a longer cycle, two separate ones),
 * with the spans and the `after` the help says to remove.
 */
import { describe, expect, it } from 'vitest';
import { checkWithRules, expectFixturePair, runText } from './family-fixtures.js';
import { spanText } from '../helpers.js';

const T703 = /^T703$/;

/** A work graph `w` whose tasks are `tasks` (one `task … { … }` per line, from line 14). */
function work(tasks: string[]): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    'team T {',
    '  input spec: string',
    '  output patches: Patch[] from w',
    '  budget 300k tokens',
    '  type Patch { path: string }',
    '  agent dev {',
    '    model fast',
    '    takes spec',
    '    output Patch',
    '    prompt "Do {{task.name}} for {{spec}}"',
    '    timeout 1m',
    '  }',
    '  work w by dev {',
    ...tasks.map((t) => `    ${t}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('the page’s example', () => {
  it('T703: a cycle through three tasks', () =>
    expectFixturePair('T703', T703, [
      '23:52 T703 the tasks of `library` wait for each other in a cycle, `core` → `docs` → `api` → `core`: none of them can ever start',
    ]));
});

describe('cycles', () => {
  it('a task after itself', () => {
    const run = runText(work(['task a { }', 'task b { after b }']), T703);
    expect(run.found).toEqual(['16:20 T703 the tasks of `w` wait for each other in a cycle, `b` → `b`: none of them can ever start']);
    const [d] = run.diagnostics;
    expect(d!.label).toBe('`b` waits for itself');
    expect(d!.related).toEqual([]);
    expect(d!.help).toEqual(['remove `after b` from task `b`']);
  });

  it('two tasks: the primary span is the first task’s `after`, the other edge is related', () => {
    const text = work(['task a { after b }', 'task b { after a }']);
    const run = runText(text, T703);
    expect(run.found).toEqual(['15:20 T703 the tasks of `w` wait for each other in a cycle, `a` → `b` → `a`: none of them can ever start']);
    const d = run.diagnostics[0]!;
    expect(spanText(run.checked, d)).toBe('b');
    expect(d.label).toBe('`a` waits for `b`, declared after it');
    expect(d.related.map((r) => [r.message, text.slice(r.span.start, r.span.end)])).toEqual([['`b` waits for `a`, closing the cycle', 'a']]);
    expect(d.help).toEqual(['remove `after b` from task `a`']);
  });

  it('a longer cycle is named in full, through the shortest way back, and the help names the item in a list', () => {
    const run = runText(work(['task a { after x, d }', 'task b { after a }', 'task c { after b }', 'task d { after c }', 'task x { }']), T703);
    expect(run.found).toEqual(['15:23 T703 the tasks of `w` wait for each other in a cycle, `a` → `d` → `c` → `b` → `a`: none of them can ever start']);
    const d = run.diagnostics[0]!;
    expect(d.related.map((r) => r.message)).toEqual(['`d` waits for `c`', '`c` waits for `b`', '`b` waits for `a`, closing the cycle']);
    expect(d.help).toEqual(['remove `d` from the `after` of task `a`']);
  });

  it('each group of tasks that wait for each other is reported once, in declaration order', () => {
    const run = runText(work(['task p { after q }', 'task q { after p }', 'task a { after c }', 'task b { after a }', 'task c { after b, a }']), T703);
    expect(run.found).toEqual([
      '15:20 T703 the tasks of `w` wait for each other in a cycle, `p` → `q` → `p`: none of them can ever start',
      '17:20 T703 the tasks of `w` wait for each other in a cycle, `a` → `c` → `a`: none of them can ever start',
    ]);
  });

  it('a graph without a cycle, however tangled, has none to report', () => {
    expect(runText(work(['task a { }', 'task b { after a }', 'task c { after a, b }', 'task d { after b, c }']), T703).found).toEqual([]);
  });

  it('an unknown task in `after` is T101, not a cycle', () => {
    const checked = checkWithRules(work(['task a { after b }', 'task b { after zz }']));
    expect(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['T101']);
  });

  it('a cyclic graph gets no advice on its width (T902): none of its tasks can start', () => {
    const checked = checkWithRules(work(['task a { after b }', 'task b { after a }']).replace('model fast\n', 'model fast\n    replicas 4\n'));
    expect(checked.diagnostics.map((d) => d.code)).toEqual(['T703']);
  });
});
