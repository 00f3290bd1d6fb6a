/**
 * Quick fixes against the checker's own diagnostics: each fix, applied, makes its diagnostic go
 * away on the next check, and introduces no syntax error. (The rule families are run here as
 * well as through `checkFiles`, so this holds whether or not program.ts runs them yet.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runRules } from '../../compiler/check/rules/index.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { checkFiles } from '../../compiler/program.js';
import { fixesFor } from '../../compiler/server/code-actions.js';
import { Workspace } from '../../compiler/server/workspace.js';
import { applyEdits, fixturePath, memoryHost, positionOf, serviceWith, uriOf } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');
const file = fixturePath('review.team');

/** Every diagnostic of review.team: the checker's and the rule families'. */
function diagnosticsOf(text: string): Diagnostic[] {
  const host = memoryHost({ 'models.team': models, 'review.team': text });
  const checked = checkFiles([file], host);
  const all = [...checked.diagnostics, ...runRules(checked.model, { sources: new Map([[file, text]]) })];
  const seen = new Set<string>();
  return all.filter((d) => {
    const key = `${d.code}:${d.span.start}:${d.span.end}:${d.message}`;
    if (d.file !== file || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The text after the first fix for the one diagnostic of `code`, with the fix's title. */
function fixed(text: string, code: string): { title: string; text: string } {
  const diagnostics = diagnosticsOf(text).filter((d) => d.code === code);
  expect(diagnostics.map((d) => d.message)).toHaveLength(1);
  const workspace = new Workspace(memoryHost({ 'models.team': models, 'review.team': text }));
  workspace.open({ uri: uriOf('review.team'), path: file, text, version: 1 });
  const fixes = fixesFor({
    diagnostic: diagnostics[0]!,
    project: workspace.project,
    text: (f) => workspace.read(f),
    index: (f) => workspace.index(f),
  });
  expect(fixes.length).toBeGreaterThan(0);
  const edits = fixes[0]!.edits.map((edit) => ({ range: { start: positionOf(text, edit.span.start), end: positionOf(text, edit.span.end) }, newText: edit.newText }));
  return { title: fixes[0]!.title, text: applyEdits(text, edits) };
}

function expectFixed(text: string, code: string): string {
  const result = fixed(text, code);
  const after = diagnosticsOf(result.text);
  expect(after.filter((d) => d.code === 'T100')).toEqual([]);
  expect(after.filter((d) => d.code === code)).toEqual([]);
  return result.title;
}

describe('each fix removes its diagnostic', () => {
  test('T300: a channel below its consumer’s requirement', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ ordering fifo  delivery exactly_once }');
    expect(expectFixed(text, 'T300')).toBe('Raise `findings` to `ordering causal`');
  });

  test('T300: a channel that states no ordering', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ delivery exactly_once }');
    expectFixed(text, 'T300');
  });

  test('T301: a store below its reader’s requirement', () => {
    const text = review.replace('reads notes requires causal', 'reads notes requires strong');
    expect(expectFixed(text, 'T301')).toBe('Raise `notes` to `consistency strong`');
  });

  test('T302: a store and a channel too weak to carry happens-before', () => {
    const text = review
      .replace('{ consistency causal  merge append }', '{ consistency eventual  merge append }')
      .replace('{ ordering causal  delivery exactly_once }', '{ ordering fifo  delivery exactly_once }')
      .replace('takes all findings requires causal', 'takes all findings')
      .replace('reads notes requires causal', 'reads notes');
    expect(expectFixed(text, 'T302')).toBe('Make `notes` and `findings` causal');
  });

  test('T303: a list store with two writers and no merge rule', () => {
    const text = review.replace('{ consistency causal  merge append }', '{ consistency eventual }').replace('reads notes requires causal', 'reads notes\n    writes notes');
    expect(expectFixed(text, 'T303')).toBe('Add `merge append` to `notes`');
  });

  test('T403: a bounded channel with no back-pressure policy', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ ordering causal  delivery exactly_once  capacity 8 }');
    expect(expectFixed(text, 'T403')).toBe('Add `backpressure block` to `findings`');
  });

  test('T500: an agent calling a model with no timeout', () => {
    const text = review.replace('    timeout 1m\n', '');
    const title = expectFixed(text, 'T500');
    const help = diagnosticsOf(text).find((d) => d.code === 'T500')!.help.join(' ');
    // The fix writes what the help suggests.
    expect(help).toContain(title.replace('Add ', 'add ').replace(' to `judge`', ''));
  });

  test('T700: a loop with no bound', () => {
    const text = review
      .replace('  channel findings:', '  channel again: Verdict { ordering fifo  delivery exactly_once }\n  channel findings:')
      .replace('    takes diff\n', '    takes diff, again?\n')
      .replace('    output Verdict\n', '    emits again\n    output Verdict\n');
    expect(expectFixed(text, 'T700')).toMatch(/^Bound the loop: add `max rounds \d+` to `(again|findings)`$/);
  });

  test('T207: a block that reads through a store before its first write', () => {
    const text = review
      .replace('  channel findings:', '  store last: Verdict { consistency causal }\n  channel findings:')
      .replace('    reads notes requires causal\n', '    reads notes requires causal, last requires causal\n')
      .replace('      Notes: {{json notes}}\n', '      Notes: {{json notes}} {{#each last.reasons}}- {{this}}{{/each}}\n');
    expect(expectFixed(text, 'T207')).toBe('Wrap in `{{#if last}}`');
    expect(fixed(text, 'T207').text).toContain('Notes: {{json notes}} {{#if last}}{{#each last.reasons}}- {{this}}{{/each}}{{/if}}\n');
  });

  test('T207: a mustache inside a block, in a prompt with escapes', () => {
    const text = review
      .replace('  channel findings:', '  store last: Verdict { consistency causal }\n  channel findings:')
      .replace('    reads notes requires causal\n', '    reads notes requires causal, last requires causal\n')
      .replace('    prompt """\n      {{#each findings}}- {{file}}:{{line}} {{message}}\n      {{/each}}\n      Notes: {{json notes}}\n    """', '    prompt "\\"{{diff}}\\" {{#each findings}}{{file}} {{@root.last.approve}}{{/each}}"')
      .replace('    takes all findings requires causal\n', '    takes all findings requires causal, diff\n');
    expect(fixed(text, 'T207').text).toContain('prompt "\\"{{diff}}\\" {{#each findings}}{{file}} {{#if @root.last}}{{@root.last.approve}}{{/if}}{{/each}}"');
    expectFixed(text, 'T207');
  });

  test('T101: a misspelt channel', () => {
    const text = review.replace('emits findings', 'emits fidnings');
    expect(expectFixed(text, 'T101')).toBe('Change to `findings`');
  });
});

describe('through the language service', () => {
  test('the actions at a diagnostic’s range carry that diagnostic and the edit', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ ordering fifo  delivery exactly_once }');
    const service = serviceWith({ 'models.team': models, 'review.team': text }, ['review.team']);
    const diagnostic = service.diagnostics(uriOf('review.team')).find((d) => d.code === 'T300')!;
    const actions = service.codeActions(uriOf('review.team'), diagnostic.range);
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred])).toEqual([['Raise `findings` to `ordering causal`', 'quickfix', true]]);
    expect(actions[0]!.diagnostics).toEqual([diagnostic]);
    expect(applyEdits(text, actions[0]!.edit!.changes![uriOf('review.team')]!)).toBe(review);
    // Elsewhere in the file: nothing to fix.
    expect(service.codeActions(uriOf('review.team'), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })).toEqual([]);
  });
});
