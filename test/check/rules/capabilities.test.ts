/** T800–T802: each rule's failing page example is reported (exactly), its fixed one is not. */
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../../compiler/check/rules/capabilities.js';
import { described } from '../helpers.js';
import { check, checkTexts, otherErrors, ownDiagnostics } from './fixture.js';

const fixtures: Record<string, string[]> = {
  T800: ['26:51 T800 task `docs` makes `dev` write "README.md", which `dev` does not declare'],
  T801: ['11:11 T801 channel `drafts` is never used'],
  T802: ['15:58 T802 this string looks like an OpenAI API key: secrets come from the environment, never from the file'],
};

describe.each(Object.entries(fixtures))('%s', (code, expected) => {
  it('rejects the failing fixture with exactly this diagnostic', () => {
    expect(ownDiagnostics(`${code}-reject`)).toEqual(expected);
  });
  it('accepts the fixed fixture', () => {
    expect(ownDiagnostics(`${code}-accept`)).toEqual([]);
    expect(otherErrors(`${code}-accept`)).toEqual([]);
  });
});

const own = (text: string) => described(check(text)).filter((line) => /^\d+:\d+ T8/.test(line));

describe('T800: least privilege for work graphs', () => {
  it('a worker that lists no files leaves its tasks to state what they write', () => {
    const text = `model fast { provider sim  latency 2s  max_tokens 1k }
team M {
  input  spec: string
  output library: Patch[] from library
  budget 300k tokens
  type Patch { path: string }
  agent dev { model fast  takes spec  output Patch  prompt "{{task.name}} {{spec}}"  timeout 2m }
  work library by dev { task a { writes "a.py" } }
}
`;
    expect(own(text)).toEqual([]);
    expect(own(text.replace('takes spec', 'takes spec  writes "b.py"'))).toEqual(['8:34 T800 task `a` makes `dev` write "a.py", which `dev` does not declare']);
  });
});

describe('T801: what nobody uses', () => {
  const base = (members: string, top = '') => `model fast { provider sim  latency 2s  max_tokens 1k }
${top}
team S {
  input  diff: string
  output summary: Summary from summariser
  budget 50k tokens
  type Summary { text: string }
${members}
  agent summariser { model fast  takes diff  output Summary  prompt "{{diff}}"  timeout 30s }
}
`;

  it('an agent that nothing activates is unreachable from the inputs', () => {
    expect(own(base('  channel notes: Summary { delivery exactly_once }\n  agent lonely { model fast  takes notes  emits notes  output Summary  prompt "{{notes.text}}"  timeout 30s  max rounds 2 }'))).toEqual([
      "9:9 T801 agent `lonely` is unreachable from the team's inputs",
    ]);
  });

  it('a store nobody reads, a model, a tool and a type nobody names', () => {
    expect(
      own(
        base(
          '  store memo: Summary\n  type Unused { x: int }\n  agent w { model fast  takes diff  writes memo  output Summary  prompt "{{diff}}"  timeout 30s }',
          'model slow { provider sim  latency 9s }\ntool lookup(q: string) -> string { pure }',
        ),
      ),
    ).toEqual([
      '2:7 T801 model `slow` is never used',
      '3:6 T801 tool `lookup` is never used',
      '9:9 T801 store `memo` has no consumer',
      '10:8 T801 type `Unused` is never used',
    ]);
  });

  it('a file with no team is a library: what it declares is for its importers', () => {
    const checked = checkTexts(
      { 'main.team': base('').replace('model fast', '// fast comes from shared.team\nmodel quick').replace('model quick { provider sim  latency 2s  max_tokens 1k }', 'import "shared.team"'), 'shared.team': 'model fast { provider sim  latency 2s }\nmodel spare { provider sim  latency 1s }\n' },
      ['main.team'],
    );
    expect(described(checked).filter((line) => line.includes('T801'))).toEqual([]);
  });

  it('a type used only through another used type is used; a self-referencing type nobody names is not', () => {
    const text = base('  type Tree { children: Tree[] }\n  type Part { text: string }\n  type Whole { parts: Part[] }\n  store s: Whole\n  agent w { model fast  takes diff  writes s  output Whole  prompt "{{diff}}"  timeout 30s }\n  agent r { model fast  takes diff  reads s  output Summary  prompt "{{diff}} {{json s}}"  timeout 30s }');
    expect(own(text).filter((line) => line.includes('type'))).toEqual(['8:8 T801 type `Tree` is never used']);
  });
});

describe('T802: secret shapes', () => {
  const looks = (text: string) => findSecrets(text).map((m) => [text.slice(m.start, m.end), m.looksLike]);

  it('recognises well-known credential formats', () => {
    expect(looks('key sk-proj-Zq8vN3xK7pL2mR9tY4wB6cD1fG5hJ0aS here')).toEqual([['sk-proj-Zq8vN3xK7pL2mR9tY4wB6cD1fG5hJ0aS', 'an OpenAI API key']]);
    expect(looks('ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8')).toEqual([['ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8', 'a GitHub token']]);
    expect(looks('AKIAIOSFODNN7EXAMPLE')).toEqual([['AKIAIOSFODNN7EXAMPLE', 'an AWS access key']]);
    expect(looks('-----BEGIN RSA PRIVATE KEY-----')).toEqual([['-----BEGIN RSA PRIVATE KEY-----', 'a private key']]);
  });

  it('a random token counts next to a word like `token`, or when it is too random to be anything else', () => {
    expect(looks('token: 9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c')).toEqual([['9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c', 'a secret token']]);
    expect(looks('see Zq8vN3xK7pL2mR9tY4wB6cD1fG5hJ0aSuV')).toEqual([['Zq8vN3xK7pL2mR9tY4wB6cD1fG5hJ0aSuV', 'a secret token']]);
  });

  it('leaves hashes, long words, paths and short ids alone', () => {
    expect(looks('commit 3f2a1b0c9d8e7f6a5b4c3f2a1b0c9d8e7f6a5b4c')).toEqual([]);
    expect(looks('internationalization_and_localization_guidelines_v2')).toEqual([]);
    expect(looks('prompts/implement_the_whole_library_file.hbs sk-short')).toEqual([]);
  });

  it('scans prompt files too, and reports inside them', () => {
    const checked = checkTexts({
      'main.team': `model fast { provider sim  latency 2s  max_tokens 1k }
team S {
  input  diff: string
  output summary: Summary from summariser
  budget 50k tokens
  type Summary { text: string }
  agent summariser { model fast  takes diff  output Summary  prompt file "p.hbs"  timeout 30s }
}
`,
      'p.hbs': 'Use sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 to summarise {{diff}}',
    });
    expect(described(checked).filter((line) => line.includes('T802'))).toEqual([
      'p.hbs:1:5 T802 this string looks like an Anthropic API key: secrets come from the environment, never from the file',
    ]);
  });
});
