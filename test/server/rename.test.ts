/** Rename: every use renamed (prompts too), and unsafe renames refused with a reason. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { WorkspaceEdit } from 'vscode-languageserver';
import { RefusedError } from '../../compiler/server/service.js';
import { createSourceFile } from '../../compiler/source.js';
import { parseSourceFile } from '../../compiler/syntax/parse.js';
import { applyEdits, positionOf, serviceWith, uriOf } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');

function at(text: string, needle: string, into = 1): { line: number; character: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`no ${needle} in the fixture`);
  return positionOf(text, offset + into);
}

const service = (files: Record<string, string> = { 'models.team': models, 'review.team': review }) => serviceWith(files, ['review.team']);

/** The files after a workspace edit. */
function applied(edit: WorkspaceEdit, files: Record<string, string>): Record<string, string> {
  const result = { ...files };
  for (const [name, text] of Object.entries(files)) {
    const edits = edit.changes?.[uriOf(name)];
    if (edits !== undefined) result[name] = applyEdits(text, edits);
  }
  return result;
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RefusedError) return error.message;
    throw error;
  }
  throw new Error('the rename was not refused');
}

function parsesCleanly(text: string): void {
  expect(parseSourceFile(createSourceFile('/x.team', text)).diagnostics).toEqual([]);
}

describe('rename', () => {
  test('a channel: declaration, producers, consumers and its prompt variable', () => {
    const edit = service().rename(uriOf('review.team'), at(review, 'emits findings', 8), 'issues');
    const after = applied(edit, { 'models.team': models, 'review.team': review })['review.team']!;
    expect(after).toContain('channel issues: Finding');
    expect(after).toContain('emits issues');
    expect(after).toContain('takes all issues requires causal');
    expect(after).toContain('{{#each issues}}');
    // The doc string's "findings" is prose, not a name: left alone.
    expect(after.match(/\bfindings\b/g)).toHaveLength(1);
    expect(after).toContain('doc "Reviewers report findings; a judge decides."');
    parsesCleanly(after);
  });

  test('a team input, from its use in a prompt', () => {
    const edit = service().rename(uriOf('review.team'), at(review, '{{diff}}', 3), 'patch');
    const after = applied(edit, { 'models.team': models, 'review.team': review })['review.team']!;
    expect(after).toContain('input  patch: string');
    expect(after).toContain('takes patch');
    expect(after).toContain('{{patch}}');
    expect(after).toContain('problem in this diff.');
  });

  test('a shared model: the declaring file and the importing file', () => {
    const files = { 'models.team': models, 'review.team': review };
    const edit = service().rename(uriOf('review.team'), at(review, 'model fast', 7), 'quick');
    expect(Object.keys(edit.changes!).sort()).toEqual([uriOf('models.team'), uriOf('review.team')].sort());
    const after = applied(edit, files);
    expect(after['models.team']).toContain('model quick {');
    expect(after['review.team']).toContain('model quick\n');
  });

  test('a type: every type position', () => {
    const edit = service().rename(uriOf('review.team'), at(review, 'type Finding', 6), 'Issue');
    const after = applied(edit, { 'models.team': models, 'review.team': review })['review.team']!;
    expect(after.match(/\bIssue\b/g)).toHaveLength(4);
    expect(after).not.toMatch(/\bFinding\b/);
    expect(after).toContain('store notes: Issue[]');
  });

  test('prepare: the range and the current name', () => {
    const result = service().prepareRename(uriOf('review.team'), at(review, 'agent judge', 8));
    expect(result).toEqual({ range: { start: at(review, 'agent judge', 6), end: at(review, 'agent judge', 11) }, placeholder: 'judge' });
  });

  test('to the same name: no edits', () => {
    expect(service().rename(uriOf('review.team'), at(review, 'agent judge', 8), 'judge')).toEqual({ changes: {} });
  });
});

describe('refused renames', () => {
  test.each([
    ['a keyword', 'agent judge', 2, /`agent` is a keyword/],
    ['a built-in type', 'diff: string', 8, /`string` is a built-in type/],
    ['a guarantee word', 'ordering causal', 11, /`causal` is a guarantee or policy word/],
    ['a record field', '{ file: string', 3, /`file` is a record field/],
    ['an undeclared name', 'model fast', 7, /`fast` is not declared/],
  ])('on %s', (_name, needle, into, reason) => {
    const s = _name === 'an undeclared name' ? service({ 'review.team': review }) : service();
    expect(refusal(() => s.prepareRename(uriOf('review.team'), at(review, needle, into)))).toMatch(reason);
    expect(refusal(() => s.rename(uriOf('review.team'), at(review, needle, into), 'other'))).toMatch(reason);
  });

  test.each([
    ['a keyword', 'agent judge', 'timeout', /`timeout` is a keyword/],
    ['not a name', 'agent judge', '2judge', /not a name/],
    ['a built-in type', 'type Finding', 'int', /`int` is a built-in type/],
    ['an agent beside it', 'agent judge', 'reviewer', /agent `reviewer` is already declared/],
    ['a model in the same file as it', 'model fast', 'smart', /model `smart` is already declared, where model `fast` is visible/],
    ['a type beside it', 'type Finding', 'Verdict', /type `Verdict` is already declared/],
    ['a model its team sees through an import', 'store notes', 'fast', /model `fast` is already declared in models.team/],
    ['a template helper, where the prompt uses it', 'store notes', 'json', /template helper/],
  ])('to %s', (_name, needle, newName, reason) => {
    expect(refusal(() => service().rename(uriOf('review.team'), at(review, needle, 7), newName))).toMatch(reason);
  });

  test('types and values are separate namespaces: a channel may take a type’s name', () => {
    const edit = service().rename(uriOf('review.team'), at(review, 'channel findings', 9), 'Finding');
    expect(edit.changes?.[uriOf('review.team')]).toHaveLength(4);
  });

  test('a name used without a declaration would be captured', () => {
    const broken = review.replace('fallback', 'fallback').replace('    timeout 1m\n', '    timeout 1m\n    fallback backup\n');
    const s = service({ 'models.team': models, 'review.team': broken });
    expect(refusal(() => s.rename(uriOf('review.team'), at(broken, 'agent reviewer', 8), 'backup'))).toMatch(/`backup` is used in agent `judge` without a declaration/);
  });
});
