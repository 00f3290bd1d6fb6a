/** T300–T305: each rule's failing page example is reported (exactly), its fixed one is not. */
import { describe, expect, it } from 'vitest';
import { described, renderPlain, root } from '../helpers.js';
import { check, checkFixture, otherErrors, ownDiagnostics } from './fixture.js';

const fixtures: Record<string, string[]> = {
  T300: ['27:11 T300 `judge` requires `causal` order on `findings`, but `findings` only provides `unordered`'],
  T301: ['27:11 T301 `executor` requires `strong` reads of `plan`, but `plan` is only `eventual`'],
  T302: [
    '31:11 T302 `judge` can take a message on `findings` before it can read what `reviewer` wrote to `notes` first (store `notes` is `eventual`, channel `findings` is `fifo`; both must be at least `causal`)',
  ],
  T303: ['12:9 T303 2 writers (`reviewer`, `linter`) share the `eventual` store `notes`, which has no `merge` rule: concurrent writes are lost'],
  T304: ["12:27 T304 store `ledger` is `strong` with 4 writers on the critical path: their writes take turns, which caps the team's speed-up at 1.2×"],
  T305: ['25:51 T305 tasks `add` and `sub` of `library` may run at the same time and both write "ops.py", with no `lease` or merge rule: one overwrites the other'],
};

describe.each(Object.entries(fixtures))('%s', (code, expected) => {
  it('rejects the failing fixture with exactly this diagnostic', () => {
    expect(ownDiagnostics(`${code}-reject`)).toEqual(expected);
    expect(otherErrors(`${code}-reject`)).toEqual([]);
  });
  it('accepts the fixed fixture', () => {
    expect(ownDiagnostics(`${code}-accept`)).toEqual([]);
    expect(otherErrors(`${code}-accept`)).toEqual([]);
  });
});

const plain = (name: string, code: string) => {
  const checked = checkFixture(name);
  return renderPlain(checked, checked.diagnostics.find((d) => d.code === code)!, root);
};

describe('labels, notes and help', () => {
  it('T300 points at the requirement and at the channel that provides less', () => {
    expect(plain('T300-reject', 'T300')).toEqual([
      '/virtual/T300-reject.team:27:11 error[T300] `judge` requires `causal` order on `findings`, but `findings` only provides `unordered`'.replace('/virtual/', ''),
      '  label: requires `causal` ("all findings requires causal")',
      '  related: T300-reject.team:12:31 `findings` provides `unordered`',
      '  note: orderings form a ladder, `unordered` < `fifo` < `causal` < `total`; the channel decides what is delivered',
      '  help: make the channel `ordering causal`, or lower the requirement if `judge` does not need it',
    ]);
  });

  it('T302 prints the path A→S, A→C→B→S and labels both sides', () => {
    const lines = plain('T302-reject', 'T302');
    expect(lines).toContain('  note: path: reviewer → notes, reviewer → findings → judge → notes');
    expect(lines).toContain('  related: T302-reject.team:20:12 `reviewer` writes `notes` …');
    expect(lines).toContain('  related: T302-reject.team:21:11 … then emits on `findings`');
    expect(lines).toContain('  related: T302-reject.team:30:11 `judge` takes `findings`');
    expect(lines).toContain('  related: T302-reject.team:12:28 `notes` is `eventual`');
    expect(lines).toContain('  related: T302-reject.team:14:31 `findings` provides `fifo`');
    expect(lines).toContain('  help: make `notes` `consistency causal` and `findings` `ordering causal`');
  });

  it('T303 labels every writer', () => {
    const lines = plain('T303-reject', 'T303');
    expect(lines.filter((l) => l.startsWith('  related:'))).toEqual([
      '  related: T303-reject.team:17:12 `reviewer` writes it',
      '  related: T303-reject.team:27:12 `linter` writes it',
    ]);
    expect(lines).toContain('  help: add `merge append` to `notes`');
  });
});

/** A team to vary for the cases the pages do not show. */
const team = (members: string, agents: string) => `model fast { provider sim  latency 2s  max_tokens 1k }
team T {
  input  diff: string
  output verdict: Verdict from judge
  budget 50k tokens
  type Verdict { ok: bool }
${members}
${agents}
  agent judge {
    model fast
    takes diff
    output Verdict
    prompt "{{diff}}"
    timeout 30s
  }
}
`;
const own = (text: string) => described(check(text)).filter((line) => /^\d+:\d+ T3/.test(line));

describe('T300, T301 with defaults and equal guarantees', () => {
  it('a channel with no `ordering` provides `unordered`, and says so where it is declared', () => {
    const checked = check(
      team(
        '  channel notes: Verdict { delivery exactly_once }',
        '  agent w { model fast  takes diff  emits notes  output Verdict  prompt "{{diff}}"  timeout 30s }\n  agent r { model fast  takes notes requires fifo  output Verdict  prompt "{{notes.ok}}"  timeout 30s }',
      ),
    );
    const d = checked.diagnostics.find((x) => x.code === 'T300')!;
    expect(d.message).toBe('`r` requires `fifo` order on `notes`, but `notes` only provides `unordered`');
    expect(d.related[0]!.message).toBe('`notes` has no `ordering`: it defaults to `unordered`');
  });

  it('a requirement equal to the provision is met', () => {
    expect(
      own(
        team(
          '  store plan: Verdict { consistency causal }',
          '  agent w { model fast  takes diff  writes plan  output Verdict  prompt "{{diff}}"  timeout 30s }\n  agent r { model fast  takes diff  reads plan requires causal  output Verdict  prompt "{{plan.ok}}"  timeout 30s }',
        ),
      ),
    ).toEqual([]);
  });
});

describe('T303 and T304 edges', () => {
  it('one writer of an eventual store needs no merge rule; a non-list store is told about `lww`', () => {
    const one = team('  store plan: Verdict', '  agent w { model fast  takes diff  writes plan  output Verdict  prompt "{{diff}}"  timeout 30s }');
    expect(own(one)).toEqual([]);
    const two = team(
      '  store plan: Verdict',
      '  agent w { model fast  takes diff  writes plan  output Verdict  prompt "{{diff}}"  timeout 30s }\n  agent v { model fast  takes diff  writes plan  output Verdict  prompt "{{diff}}"  timeout 30s }',
    );
    const d = check(two).diagnostics.find((x) => x.code === 'T303')!;
    expect(d.help).toEqual(['add `merge lww` to `plan` if losing all but the last write is intended, or give each writer its own store']);
  });

  it('a strong store with a single writer instance does not serialise anything', () => {
    const text = team('  store plan: Verdict { consistency strong }', '  agent w { model fast  takes diff  writes plan  output Verdict  prompt "{{diff}}"  timeout 30s }');
    expect(own(text)).toEqual([]);
  });
});

describe('T305 reachability', () => {
  const work = (tasks: string, extra = '') => `model fast { provider sim  latency 2s  max_tokens 1k }
team M {
  input  spec: string
  output library: Patch[] from library
  budget 300k tokens
  type Patch { path: string }
  agent dev { replicas 2  model fast  takes spec  output Patch  prompt "{{task.name}} {{spec}}"  timeout 2m }
  work library by dev {
    assign claim
${extra}
${tasks}
  }
}
`;

  it('tasks ordered through a chain of `after` may write the same file', () => {
    expect(own(work('    task a { writes "x.py" }\n    task b { after a }\n    task c { after b  writes "x.py" }'))).toEqual([]);
  });

  it('two branches of a diamond may overlap; the join after both may not', () => {
    expect(own(work('    task a { writes "x.py" }\n    task b { after a  writes "y.py" }\n    task c { after a  writes "y.py" }\n    task d { after b, c  writes "y.py" }'))).toEqual([
      '13:23 T305 tasks `b` and `c` of `library` may run at the same time and both write "y.py", with no `lease` or merge rule: one overwrites the other',
    ]);
  });

  it('a `lease` arbitrates concurrent writes', () => {
    expect(own(work('    task a { writes "x.py" }\n    task b { writes "x.py" }', '    lease 5m'))).toEqual([]);
  });

  it('stays linear on large graphs: a 3000-task chain on one file and 3000 independent files', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => `    task t${i} { ${i > 0 ? `after t${i - 1}  ` : ''}writes "same.py" }`).join('\n');
    expect(own(work(chain))).toEqual([]);
    const spread = Array.from({ length: 3000 }, (_, i) => `    task t${i} { writes "f${i}.py" }`).join('\n');
    expect(own(work(spread))).toEqual([]);
  });
});
