/** `teamc.json`: severity overrides found upward from each file, validated, problems at their entry. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../compiler/config.js';
import { described } from '../helpers.js';
import { checkTexts } from './fixture.js';

/** One unused channel (T801, a warning) and nothing else. */
const team = `model fast { provider sim  latency 2s  max_tokens 1k }
team Summary {
  input  diff: string
  output summary: Summary from summariser
  budget 50k tokens
  type Summary { text: string }
  channel drafts: Summary { ordering fifo  delivery exactly_once }
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

const withSeverity = (files: Record<string, string>, roots?: string[]) => {
  const checked = checkTexts(files, roots);
  return checked.diagnostics.map((d) => `${d.file.replace('/virtual/', '')}:${checked.sources.get(d.file)!.position(d.span.start).line} ${d.severity}[${d.code}] ${d.message}`);
};

describe('severity overrides', () => {
  it('with no config, the default severity', () => {
    expect(withSeverity({ 'a.team': team })).toEqual(['a.team:7 warning[T801] channel `drafts` is never used']);
  });

  it('"off" drops a code, and another severity replaces the default', () => {
    expect(withSeverity({ 'a.team': team, 'teamc.json': '{ "rules": { "T801": "off" } }' })).toEqual([]);
    expect(withSeverity({ 'a.team': team, 'teamc.json': '{ "rules": { "T801": "error" } }' })).toEqual(['a.team:7 error[T801] channel `drafts` is never used']);
    expect(withSeverity({ 'a.team': team, 'teamc.json': '{ "rules": { "T801": "note" } }' })).toEqual(['a.team:7 note[T801] channel `drafts` is never used']);
  });

  it('the nearest config upward from each file applies to that file', () => {
    const files = {
      'project/sub/a.team': team,
      'project/b.team': team,
      'project/teamc.json': '{ "rules": { "T801": "error" } }',
      'project/sub/teamc.json': '{ "rules": { "T801": "off" } }',
    };
    expect(withSeverity(files, ['project/sub/a.team', 'project/b.team'])).toEqual(['project/b.team:7 error[T801] channel `drafts` is never used']);
  });
});

describe('problems in teamc.json are T104, at the entry, with the file path', () => {
  it('an error cannot be lowered; the rest of the file still applies', () => {
    const config = '{\n  "rules": {\n    "T302": "off",\n    "T801": "off"\n  }\n}\n';
    const checked = checkTexts({ 'a.team': team, 'teamc.json': config });
    expect(described(checked)).toEqual([
      'teamc.json:3:5 T104 T302 is an error and cannot be set to "off": an error is an unsafe design',
    ]);
    expect(checked.diagnostics[0]!.help).toEqual(['where it does not apply, put `// teamc-ignore T302: <reason>` on the line before the declaration']);
  });

  it('an unknown code, with the closest code', () => {
    const result = parseConfig('/p/teamc.json', '{ "rules": { "T8O1": "off" } }');
    expect(result.diagnostics.map((d) => [d.code, d.file, d.message, d.help])).toEqual([
      ['T104', '/p/teamc.json', 'unknown diagnostic code `T8O1` in teamc.json', ['did you mean `T801`?']],
    ]);
    expect(result.diagnostics[0]!.span).toEqual({ start: 13, end: 19 });
  });

  it('a value that is not a severity, an unknown key, and JSON that does not parse', () => {
    expect(parseConfig('/p/teamc.json', '{ "rules": { "T801": "loud" } }').diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^`rules\.T801` in teamc\.json: /),
    ]);
    const unknownKey = parseConfig('/p/teamc.json', '{ "rule": {} }');
    expect(unknownKey.diagnostics.map((d) => [d.message, d.span])).toEqual([['unknown key `rule` in teamc.json', { start: 2, end: 8 }]]);
    const broken = parseConfig('/p/teamc.json', '{ "rules": { "T801": "off", } }');
    expect(broken.diagnostics).toHaveLength(1);
    expect(broken.diagnostics[0]!.message).toMatch(/^teamc\.json is not valid JSON: /);
    expect(broken.diagnostics[0]!.span.start).toBeGreaterThan(20);
    expect(broken.config.rules.size).toBe(0);
  });

  it('a broken config is reported once however many files it applies to', () => {
    const checked = checkTexts({ 'a.team': team, 'b.team': team.replace('Summary {', 'Other {'), 'teamc.json': '{' }, ['a.team', 'b.team']);
    expect(checked.diagnostics.filter((d) => d.code === 'T104')).toHaveLength(1);
    // The config file is a source: its diagnostic gets a code frame.
    expect(checked.sources.has('/virtual/teamc.json')).toBe(true);
  });
});
