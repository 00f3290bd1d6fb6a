/** Go to definition, find references and hover, on the language service (no connection). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Hover, Location, MarkupContent } from 'vscode-languageserver';
import { fixturePath, positionOf, serviceWith, uriOf, withCursors } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');

/** The position of the `n`-th occurrence of `needle` in `text`, `into` characters into it. */
function at(text: string, needle: string, into = 1, n = 1): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i < n; i++) offset = text.indexOf(needle, offset + 1);
  if (offset < 0) throw new Error(`no ${needle} in the fixture`);
  return positionOf(text, offset + into);
}

/** Each location as `file:line:character text` (1-based line, as editors show it). */
function described(locations: Location[]): string[] {
  const texts: Record<string, string> = { [uriOf('models.team')]: models, [uriOf('review.team')]: review };
  return locations.map((location) => {
    const text = texts[location.uri]!;
    const lines = text.split('\n');
    const { start, end } = location.range;
    const word = lines[start.line]!.slice(start.character, end.line === start.line ? end.character : undefined);
    return `${path.basename(location.uri)}:${start.line + 1}:${start.character} ${word}`;
  });
}

function hoverText(hover: Hover | null): string {
  expect(hover).not.toBeNull();
  return (hover!.contents as MarkupContent).value;
}

const service = () => serviceWith({ 'models.team': models, 'review.team': review }, ['review.team']);

describe('definition', () => {
  test.each([
    ['a model in an imported file', 'model fast', 7, ['models.team:2:6 fast']],
    ['a channel taken with `all`', 'all findings', 5, ['review.team:16:10 findings']],
    ['a store read with a requirement', 'reads notes', 7, ['review.team:14:8 notes']],
    ['a type in a type position', 'output Finding[]', 9, ['review.team:11:7 Finding']],
    ['a team input in a prompt variable', '{{diff}}', 3, ['review.team:6:9 diff']],
    ['a channel in a prompt block', '{{#each findings}}', 9, ['review.team:16:10 findings']],
    ['the source of a team output', 'from judge', 6, ['review.team:33:8 judge']],
    ['a declaration itself', 'agent judge', 7, ['review.team:33:8 judge']],
  ])('%s', (_name, needle, into, expected) => {
    const result = service().definition(uriOf('review.team'), at(review, needle, into));
    expect(described(result)).toEqual(expected);
  });

  test('an import leads to the imported file', () => {
    const result = service().definition(uriOf('review.team'), at(review, '"models.team"', 3));
    expect(result).toEqual([{ uri: uriOf('models.team'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
  });

  test('a prompt file leads to the template', () => {
    const team = review.replace(/prompt """\n\s+Report each problem in this diff.\n\s+\{\{diff\}\}\n\s+"""/, 'prompt file "prompts/review.hbs"');
    const s = serviceWith({ 'models.team': models, 'review.team': team, 'prompts/review.hbs': '{{diff}}\n' }, ['review.team']);
    expect(s.definition(uriOf('review.team'), at(team, '"prompts/review.hbs"', 4))).toEqual([
      { uri: uriOf('prompts/review.hbs'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
    ]);
  });

  test('a guarantee word, a built-in type and an undeclared name lead nowhere', () => {
    const s = service();
    expect(s.definition(uriOf('review.team'), at(review, 'ordering causal', 10))).toEqual([]);
    expect(s.definition(uriOf('review.team'), at(review, 'diff: string', 8))).toEqual([]);
    const broken = review.replace('model smart', 'model smrt');
    const withTypo = serviceWith({ 'models.team': models, 'review.team': broken }, ['review.team']);
    expect(withTypo.definition(uriOf('review.team'), at(broken, 'model smrt', 7))).toEqual([]);
  });

  test('the cursor just after a name still finds it', () => {
    const result = service().definition(uriOf('review.team'), at(review, 'takes diff', 'takes diff'.length));
    expect(described(result)).toEqual(['review.team:6:9 diff']);
  });
});

describe('references', () => {
  test('a channel: its producers, consumers and prompt uses, with the declaration first', () => {
    const result = service().references(uriOf('review.team'), at(review, 'channel findings', 9), true);
    expect(described(result)).toEqual([
      'review.team:16:10 findings',
      'review.team:23:10 findings',
      'review.team:35:14 findings',
      'review.team:39:14 findings',
    ]);
  });

  test('a team input, from a use in a prompt, without the declaration', () => {
    const result = service().references(uriOf('review.team'), at(review, '{{diff}}', 3), false);
    expect(described(result)).toEqual(['review.team:21:10 diff', 'review.team:27:8 diff']);
  });

  test('a shared model, from the file that declares it, finds uses in the files that import it', () => {
    const s = serviceWith({ 'models.team': models, 'review.team': review }, ['models.team']);
    const result = s.references(uriOf('models.team'), at(models, 'model smart', 7), true);
    expect(described(result)).toEqual(['models.team:8:6 smart', 'review.team:34:10 smart']);
  });

  test('a prompt in a template file is searched too', () => {
    const team = review.replace(/prompt """\n\s+Report each problem in this diff.\n\s+\{\{diff\}\}\n\s+"""/, 'prompt file "prompts/review.hbs"');
    const s = serviceWith({ 'models.team': models, 'review.team': team, 'prompts/review.hbs': 'Review:\n{{diff}} and {{#if diff}}{{diff}}{{/if}}\n' }, ['review.team']);
    const result = s.references(uriOf('review.team'), at(team, 'input  diff', 8), false);
    expect(result.map((l) => `${path.relative(fixturePath(''), new URL(l.uri).pathname)}:${l.range.start.line}:${l.range.start.character}`)).toEqual([
      'prompts/review.hbs:1:2',
      'prompts/review.hbs:1:19',
      'prompts/review.hbs:1:27',
      'review.team:20:10',
    ]);
  });
});

describe('hover', () => {
  test('a channel shows its type and guarantees', () => {
    const text = hoverText(service().hover(uriOf('review.team'), at(review, 'emits findings', 8)));
    expect(text).toContain('channel findings: Finding');
    expect(text).toContain('ordering causal');
    expect(text).toContain('delivery exactly_once');
  });

  test('what a declaration does not say, the checker’s defaults say, marked as such', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ delivery exactly_once }').replace('takes all findings requires causal', 'takes all findings');
    const s = serviceWith({ 'models.team': models, 'review.team': text }, ['review.team']);
    const channel = hoverText(s.hover(uriOf('review.team'), at(text, 'channel findings', 9)));
    expect(channel).toContain('  delivery exactly_once\n  ordering unordered  // default\n');
    expect(channel).not.toContain('delivery at_most_once');
    const store = hoverText(s.hover(uriOf('review.team'), at(review, 'store notes', 7)));
    expect(store).not.toContain('// default');

    const withTool = `tool post(body: string) { key body }\n${text}`;
    const t = serviceWith({ 'models.team': models, 'review.team': withTool }, ['review.team']);
    expect(hoverText(t.hover(uriOf('review.team'), at(withTool, 'tool post', 6)))).toContain('  effect  // default');
  });

  test('an agent shows its model, inputs and fault policies, not its prompt', () => {
    const text = hoverText(service().hover(uriOf('review.team'), at(review, 'agent reviewer', 8)));
    expect(text).toContain('agent reviewer');
    for (const line of ['replicas 3', 'model fast', 'takes diff', 'output Finding[]', 'timeout 30s', 'retry 3 backoff exponential 500ms..8s jitter']) {
      expect(text).toContain(line);
    }
    expect(text).not.toContain('Report each problem');
    expect(text).toContain('in team `Review`');
  });

  test('a model from an import says where it is declared', () => {
    const text = hoverText(service().hover(uriOf('review.team'), at(review, 'model fast', 7)));
    expect(text).toContain('latency 4s');
    expect(text).toContain('declared in `models.team`');
  });

  test('a team shows its doc, interface and limits', () => {
    const text = hoverText(service().hover(uriOf('review.team'), at(review, 'team Review', 6)));
    expect(text).toContain('input diff: string');
    expect(text).toContain('output verdict: Verdict from judge');
    expect(text).toContain('deadline 5m');
    expect(text).toContain('Reviewers report findings; a judge decides.');
    expect(text).not.toContain('channel');
  });

  test('a keyword explains itself; a record field named like one does not', () => {
    const text = hoverText(service().hover(uriOf('review.team'), at(review, 'timeout 30s', 2)));
    expect(text).toContain('`timeout`');
    const withName = review.replace('{ file: string', '{ name: string');
    const s = serviceWith({ 'models.team': models, 'review.team': withName }, ['review.team']);
    expect(s.hover(uriOf('review.team'), at(withName, '{ name: string', 3))).toBeNull();
  });

  test('over a diagnostic: the first paragraph of its explanation, with a link to the page', () => {
    const broken = review.replace('import "models.team"', 'import "missing.team"');
    const s = serviceWith({ 'models.team': models, 'review.team': broken }, ['review.team']);
    const hover = s.hover(uriOf('review.team'), at(broken, 'missing', 2));
    const text = hoverText(hover);
    expect(text).toContain('**T104**');
    expect(text).toContain('An `import "file.team"` names a file that cannot be read');
    expect(text).toMatch(/\[teamc explain T104\]\(file:\/\/.*\/docs\/diagnostics\/T104\.md\)/);
  });

  test('nothing on white space', () => {
    const { text, offsets } = withCursors(review.replace('  input  diff', '| input  diff'));
    expect(serviceWith({ 'models.team': models, 'review.team': text }, ['review.team']).hover(uriOf('review.team'), positionOf(text, offsets[0]!))).toBeNull();
  });
});
