/** `// teamc-ignore CODE: reason`: what it covers, what it requires (T105), and staleness (T106). */
import { describe, expect, it } from 'vitest';
import { described } from '../helpers.js';
import { check } from './fixture.js';

/** The T801 page's failing team: one unused channel, with room for a comment before it. */
const team = (beforeChannel: string, beforeAgent = '') => `model fast { provider sim  latency 2s  max_tokens 1k }
team Summary {
  input  diff: string
  output summary: Summary from summariser
  budget 50k tokens
  type Summary { text: string }
${beforeChannel}
  channel drafts: Summary { ordering fifo  delivery exactly_once }
${beforeAgent}
  agent summariser {
    model fast
    takes diff
    output Summary
    prompt "Summarise this diff: {{diff}}"
    timeout 30s
    retry 2 backoff exponential 500ms..4s jitter
  }
}
`;
const diagnose = (text: string) => described(check(text));

describe('suppressions', () => {
  it('without one, the rule reports', () => {
    expect(diagnose(team(''))).toEqual(['8:11 T801 channel `drafts` is never used']);
  });

  it('a reasoned suppression on the line before silences that code on that declaration', () => {
    expect(diagnose(team('  // teamc-ignore T801: wired up by the next release'))).toEqual([]);
  });

  it('stacks with other comments and blank lines in between, and takes several codes', () => {
    expect(diagnose(team('  // teamc-ignore T403, T801: wired up by the next release\n  // (the editor agent)\n'))).toEqual([
      '7:3 T106 `teamc-ignore T403` suppresses nothing: no T403 is reported on the declaration after it',
    ]);
  });

  it('a suppression with no reason is an error and silences nothing', () => {
    expect(diagnose(team('  // teamc-ignore T801'))).toEqual([
      '7:3 T105 `teamc-ignore T801` gives no reason: say why the rule does not apply here',
      '8:11 T801 channel `drafts` is never used',
    ]);
    expect(diagnose(team('  // teamc-ignore T801:   '))[0]).toContain('T105');
  });

  it('covers only the declaration after it', () => {
    expect(diagnose(team('', '  // teamc-ignore T801: not here'))).toEqual([
      '8:11 T801 channel `drafts` is never used',
      '9:3 T106 `teamc-ignore T801` suppresses nothing: no T801 is reported on the declaration after it',
    ]);
  });

  it('refuses name and type errors, unknown codes and a missing code', () => {
    expect(diagnose(team('  // teamc-ignore T101: no'))).toEqual([
      '7:3 T105 `T101` cannot be suppressed: only the rules about the design (T300 and up) can',
      '8:11 T801 channel `drafts` is never used',
    ]);
    expect(diagnose(team('  // teamc-ignore T999: no'))).toEqual(['7:3 T101 unknown diagnostic code `T999`', '8:11 T801 channel `drafts` is never used']);
    expect(diagnose(team('  // teamc-ignore: everything'))[0]).toBe('7:3 T105 `teamc-ignore` names no diagnostic code: write `// teamc-ignore T500: reason`');
  });

  it('a rule about two declarations can be silenced at the one its related label points into', () => {
    const work = (before: string) => `model fast { provider sim  latency 2s  max_tokens 1k }
team M {
  input  spec: string
  output library: Patch[] from library
  budget 300k tokens
  type Patch { path: string }
  agent dev { replicas 2  model fast  takes spec  output Patch  prompt "{{task.name}} {{spec}}"  timeout 2m }
  work library by dev {
${before}
    task add { writes "ops.py" }
    task sub { writes "ops.py" }
  }
}
`;
    expect(diagnose(work('')).filter((l) => l.includes('T305'))).toHaveLength(1);
    // The primary label is on `sub`; the comment is before `add`, where the related label points.
    expect(diagnose(work('    // teamc-ignore T305: add and sub append to ops.py through a lock the tool takes')).filter((l) => /T305|T106/.test(l))).toEqual([]);
  });

  it('a property can be the suppressed element', () => {
    const text = `model fast { provider sim  latency 2s  max_tokens 1k }
team P {
  input  goal: string
  output result: R from executor
  budget 50k tokens
  type R { done: bool }
  store plan: string { consistency eventual }
  agent planner { model fast  takes goal  writes plan  output string  prompt "{{goal}}"  timeout 30s }
  agent executor {
    model fast
    takes goal
    // teamc-ignore T301: the planner finishes before the executor starts
    reads plan requires strong
    output R
    prompt "{{goal}} {{plan}}"
    timeout 30s
  }
}
`;
    expect(diagnose(text).filter((l) => /T301|T106|T105/.test(l))).toEqual([]);
    expect(diagnose(text.replace('    // teamc-ignore T301: the planner finishes before the executor starts\n', '')).filter((l) => l.includes('T301'))).toHaveLength(1);
  });

  it('a suppression with nothing after it suppresses nothing', () => {
    expect(diagnose(team('') + '// teamc-ignore T801: trailing\n')).toEqual([
      '8:11 T801 channel `drafts` is never used',
      '19:1 T106 `teamc-ignore T801` suppresses nothing: no T801 is reported on the declaration after it',
    ]);
  });
});
