/** Completion: properties by block, names of the right kind, guarantee words, types — at cursor markers. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cursorContext } from '../../compiler/server/cursor.js';
import { positionOf, serviceWith, uriOf, withCursors } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');

/**
 * The fixture with `replace` swapped for `marked` (which holds one `|`), completed at the marker
 * as in an editor: the document was open and checked before the edit that put the cursor there.
 */
function completeAt(replace: string, marked: string, base = review) {
  if (!base.includes(replace)) throw new Error(`no ${replace} in the fixture`);
  const { text, offsets } = withCursors(base.replace(replace, marked));
  const service = serviceWith({ 'models.team': models, 'review.team': base }, ['review.team']);
  service.diagnostics(uriOf('review.team'));
  service.openDocument(uriOf('review.team'), text, 2);
  const items = service.completion(uriOf('review.team'), positionOf(text, offsets[0]!));
  return { items, labels: items.map((item) => item.label), text, offset: offsets[0]! };
}

describe('properties and declarations, by block', () => {
  test('in an agent: the agent properties not yet written, nothing of a channel', () => {
    const { labels } = completeAt('    timeout 1m\n', '    timeout 1m\n    |\n');
    expect(labels).toEqual(expect.arrayContaining(['replicas', 'calls', 'breaker', 'hedge', 'fallback', 'validate', 'max rounds', 'optional', 'takes', 'reads']));
    // Written once already in `judge`: not offered again. Lists may repeat.
    expect(labels).not.toContain('timeout');
    expect(labels).not.toContain('retry');
    expect(labels).not.toContain('output');
    expect(labels).not.toContain('prompt');
    expect(labels).not.toContain('ordering');
    expect(labels).not.toContain('agent');
  });

  test('in a channel block', () => {
    const { labels } = completeAt('{ ordering causal  delivery exactly_once }', '{ ordering causal  | }');
    expect(labels).toEqual(['doc', 'delivery', 'capacity', 'backpressure', 'max rounds']);
  });

  test('in a store block', () => {
    const { labels } = completeAt('{ consistency causal  merge append }', '{ | }');
    expect(labels).toEqual(['doc', 'consistency', 'merge']);
  });

  test('in a team: its properties and the declarations it holds', () => {
    const { labels } = completeAt('  deadline 5m\n', '  deadline 5m\n  |\n');
    // `doc`, `deadline` and `budget` are written already; inputs and outputs may be many.
    expect(labels).toEqual(['input', 'output', 'model', 'type', 'store', 'channel', 'agent', 'tool', 'consensus', 'work']);
  });

  test('at the top of the file', () => {
    const { labels } = completeAt('import "models.team"\n', 'import "models.team"\n|\n');
    expect(labels).toEqual(['import', 'team', 'model', 'type', 'tool']);
  });

  test('in a work graph and its tasks', () => {
    const work = '  work plan by reviewer {\n    assign claim\n    task a { }\n    task b { after a }\n  }\n';
    const withWork = review.replace('  agent judge {', `${work}\n  agent judge {`);
    expect(completeAt('    assign claim\n', '    assign claim\n    |\n', withWork).labels).toEqual(['doc', 'lease', 'task']);
    expect(completeAt('task a { }', 'task a { | }', withWork).labels).toEqual(['doc', 'after', 'weight', 'writes']);
    // A task never comes after itself.
    expect(completeAt('after a', 'after |', withWork).labels).toEqual(['a']);
  });

  test('a word being typed is replaced whole', () => {
    const { items, text, offset } = completeAt('    timeout 1m\n', '    timeout 1m\n    br|ea\n');
    const breaker = items.find((item) => item.label === 'breaker')!;
    const edit = breaker.textEdit as { range: { start: unknown; end: unknown }; newText: string };
    expect(edit.newText).toBe('breaker');
    expect(edit.range).toEqual({ start: positionOf(text, offset - 2), end: positionOf(text, offset + 2) });
  });

  test('after a complete item, the words that continue it come first', () => {
    const { items } = completeAt('    takes diff\n', '    takes diff |\n');
    expect(items[0]!.label).toBe('requires');
    expect(completeAt('    emits findings\n', '    emits findings |\n').items.slice(0, 2).map((i) => i.label)).toEqual(['when', 'unless']);
    expect(completeAt('    retry 3 backoff exponential 500ms..8s jitter', '    retry 3 |').items.slice(0, 2).map((i) => i.label)).toEqual(['backoff', 'jitter']);
  });
});

describe('declared names of the right kind', () => {
  test.each([
    ['takes: team inputs and channels', '    takes diff\n', '    takes |\n', ['diff', 'findings']],
    ['takes, after a comma', '    takes diff\n', '    takes diff, |\n', ['diff', 'findings']],
    ['takes all: channels', '    takes diff\n', '    takes all |\n', ['findings']],
    ['reads: stores', '    writes notes\n', '    reads |\n', ['notes']],
    ['writes: stores', '    writes notes\n', '    writes |\n', ['notes']],
    ['emits: channels', '    emits findings\n', '    emits |\n', ['findings']],
    ['model in an agent: models of the imports', '    model fast\n', '    model |\n', ['fast', 'smart']],
    ['fallback: other agents', '    timeout 30s\n', '    timeout 30s\n    fallback |\n', ['judge']],
    ['validate with: agents', '    timeout 30s\n', '    timeout 30s\n    validate with |\n', ['judge']],
    ['a team output from: agents, consensus, work', 'from judge', 'from |', ['reviewer', 'judge']],
  ])('%s', (_name, replace, marked, expected) => {
    expect(completeAt(replace, marked).labels).toEqual(expected);
  });

  test('a name completion documents the declaration', () => {
    const { items } = completeAt('    emits findings\n', '    emits |\n');
    expect(items[0]!.documentation).toEqual({ kind: 'markdown', value: expect.stringContaining('ordering causal') });
  });

  test('a declaration of a model at team level names nothing yet: no completion', () => {
    expect(completeAt('  deadline 5m\n', '  deadline 5m\n  model |\n').labels).toEqual([]);
  });

  test('types: the built-ins and the declared types', () => {
    expect(completeAt('    output Verdict\n', '    output |\n').labels).toEqual(['string', 'int', 'number', 'bool', 'Finding', 'Verdict']);
    expect(completeAt('  input  diff: string', '  input  diff: |').labels).toEqual(['string', 'int', 'number', 'bool', 'Finding', 'Verdict']);
    expect(completeAt('{ approve: bool', '{ approve: |').labels).toEqual(['string', 'int', 'number', 'bool', 'Finding', 'Verdict']);
  });
});

describe('fields', () => {
  const consensus = '  consensus decide over judge { replicas 3  quorum majority  agree on approve }\n';
  const withConsensus = review.replace('  agent judge {', `${consensus}\n  agent judge {`).replace('from judge', 'from decide');

  test('emits … when: the boolean fields of one emitted message', () => {
    const text = review.replace('type Finding { file: string', 'type Finding { blocking: bool  file: string');
    expect(completeAt('    emits findings\n', '    emits findings when |\n', text).labels).toEqual(['blocking']);
    expect(completeAt('    emits findings\n', '    emits findings unless |\n', text).items[0]!.detail).toBe('bool');
  });

  test('agree on: the fields of the decided value', () => {
    expect(completeAt('agree on approve', 'agree on |', withConsensus).labels).toEqual(['approve', 'reasons']);
    expect(completeAt('agree on approve', 'agree on approve, |', withConsensus).labels).toEqual(['approve', 'reasons']);
  });
});

describe('typing a space', () => {
  function afterSpace(replace: string, marked: string): string[] {
    const { text, offsets } = withCursors(review.replace(replace, marked));
    const service = serviceWith({ 'models.team': models, 'review.team': text }, ['review.team']);
    return service.completion(uriOf('review.team'), positionOf(text, offsets[0]!), ' ').map((item) => item.label);
  }

  test('opens a list where a keyword asks for something', () => {
    expect(afterSpace('ordering causal', 'ordering |')).toEqual(['unordered', 'fifo', 'causal', 'total']);
    expect(afterSpace('    emits findings\n', '    emits |\n')).toEqual(['findings']);
  });

  test('does not after a value, where anything may follow', () => {
    expect(afterSpace('    timeout 30s\n', '    timeout 30s |\n')).toEqual([]);
    expect(afterSpace('    takes diff\n', '    takes diff |\n')).toEqual([]);
  });
});

describe('guarantee and policy words', () => {
  test.each([
    ['ordering', 'ordering causal', 'ordering |', ['unordered', 'fifo', 'causal', 'total']],
    ['delivery', 'delivery exactly_once', 'delivery |', ['at_most_once', 'at_least_once', 'exactly_once']],
    ['consistency', 'consistency causal', 'consistency |', ['eventual', 'causal', 'strong']],
    ['merge', 'merge append', 'merge |', ['lww', 'append', 'union']],
    ['a requirement on a channel', 'all findings requires causal', 'all findings requires |', ['unordered', 'fifo', 'causal', 'total']],
    ['a requirement on a store', 'reads notes requires causal', 'reads notes requires |', ['eventual', 'causal', 'strong']],
    ['backoff', 'backoff exponential', 'backoff |', ['exponential', 'linear', 'constant']],
    ['provider', 'provider sim', 'provider |', ['openai', 'sim']],
    ['max', '    timeout 1m\n', '    timeout 1m\n    max |\n', ['rounds']],
  ])('%s', (name, replace, marked, expected) => {
    const base = name === 'provider' ? models : review;
    if (name === 'provider') {
      const { text, offsets } = withCursors(models.replace(replace, marked));
      const service = serviceWith({ 'models.team': text }, ['models.team']);
      expect(service.completion(uriOf('models.team'), positionOf(text, offsets[0]!)).map((i) => i.label)).toEqual(expected);
      return;
    }
    expect(completeAt(replace, marked, base).labels).toEqual(expected);
  });
});

describe('nowhere to complete', () => {
  test.each([
    ['in a comment', '  deadline 5m\n', '  deadline 5m  // so|me\n'],
    ['in a string', 'doc "Reviewers', 'doc "Revie|wers'],
    ['in a prompt', '      Report each problem', '      Report ea|ch problem'],
    ['in a number', '    timeout 30s', '    timeout 3|'],
    ['after a value keyword that takes a number', '    replicas 3', '    replicas |'],
    ['a new name', '  agent judge {', '  agent |'],
  ])('%s', (_name, replace, marked) => {
    expect(completeAt(replace, marked).labels).toEqual([]);
  });
});

describe('the cursor context', () => {
  test('blocks are found by tokens, records apart', () => {
    const text = 'team T {\n  type R { a: { b: int } }\n  channel c: { x: int } { ordering fifo }\n  tool t(p: int) -> string { pure }\n  consensus d over j { quorum 2 }\n}';
    const inside = (needle: string) => cursorContext(text, text.indexOf(needle)).blocks.map((b) => `${b.kind}${b.name === undefined ? '' : ` ${b.name}`}`);
    expect(inside('b: int')).toEqual(['team T', 'record', 'record']);
    expect(inside(' ordering fifo')).toEqual(['team T', 'channel c']);
    expect(inside('x: int')).toEqual(['team T', 'record']);
    expect(inside(' pure')).toEqual(['team T', 'tool t']);
    expect(inside('p: int')).toEqual(['team T', 'parameters']);
    expect(inside(' quorum')).toEqual(['team T', 'consensus d']);
  });
});
