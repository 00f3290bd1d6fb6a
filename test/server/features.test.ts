/** The outline, formatting, diagnostics conversion and quick fixes of the language service. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DocumentSymbol } from 'vscode-languageserver';
import { createDiagnostic } from '../../compiler/diagnostics/registry.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { fixesFor, insertProperty, quickFixes } from '../../compiler/server/code-actions.js';
import { Workspace } from '../../compiler/server/workspace.js';
import { createSourceFile } from '../../compiler/source.js';
import type { Declaration } from '../../compiler/syntax/ast.js';
import { parseSourceFile } from '../../compiler/syntax/parse.js';
import { applyEdits, fixturePath, memoryHost, serviceWith, uriOf } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');

describe('document symbols', () => {
  test('teams, and in each its interface and declarations, nested as written', () => {
    const work = '  work plan by reviewer {\n    task a { }\n    task b { after a }\n  }\n';
    const text = review.replace('  agent judge {', `${work}\n  agent judge {`);
    const symbols = serviceWith({ 'models.team': models, 'review.team': text }, ['review.team']).documentSymbols(uriOf('review.team'));
    const outline = (items: DocumentSymbol[], depth = 0): string[] =>
      items.flatMap((item) => [`${'  '.repeat(depth)}${item.name}${item.detail === undefined ? '' : ` (${item.detail})`}`, ...outline(item.children ?? [], depth + 1)]);
    expect(outline(symbols)).toEqual([
      'Review',
      '  diff (input: string)',
      '  verdict (output: Verdict from judge)',
      '  Finding (record)',
      '  Verdict (record)',
      '  notes (Finding[])',
      '  findings (Finding)',
      '  reviewer (→ Finding[])',
      '  plan (by reviewer)',
      '    a',
      '    b',
      '  judge (→ Verdict)',
    ]);
    // The selection is the name; the range is the whole declaration.
    const judge = symbols[0]!.children!.find((s) => s.name === 'judge')!;
    expect(judge.selectionRange.start.line).toBe(judge.range.start.line);
    expect(judge.range.end.line).toBeGreaterThan(judge.range.start.line + 5);
  });
});

describe('formatting', () => {
  test('a file out of shape gets one edit to the formatter’s output', () => {
    const messy = 'team   T {\n    input x: string\n  agent a { model m   takes x }\n}\n';
    const service = serviceWith({ 'a.team': messy });
    const edits = service.format(uriOf('a.team'));
    expect(edits).toHaveLength(1);
    const formatted = applyEdits(messy, edits);
    expect(formatted).not.toBe(messy);
    // Formatting the result again changes nothing.
    expect(serviceWith({ 'a.team': formatted }).format(uriOf('a.team'))).toEqual([]);
  });

  test('a file with syntax errors is left alone', () => {
    expect(serviceWith({ 'a.team': 'team T {\n  agent a {\n' }).format(uriOf('a.team'))).toEqual([]);
  });
});

describe('diagnostics', () => {
  test('code, range, severity, the explanation link and the notes and help under the message', () => {
    const text = 'team T {\n  agent a { takes }\n}\n';
    const diagnostic = serviceWith({ 'a.team': text }).diagnostics(uriOf('a.team')).find((d) => d.code === 'T100');
    expect(diagnostic).toMatchObject({ code: 'T100', severity: 1, source: 'teamc', codeDescription: { href: expect.stringMatching(/^file:\/\/.*\/docs\/diagnostics\/T100\.md$/) } });
    expect(diagnostic!.range.start.line).toBe(1);
  });

  test('notes and help follow the message', () => {
    const text = 'import "gone.team"\nteam T { }\n';
    const [diagnostic] = serviceWith({ 'a.team': text }).diagnostics(uriOf('a.team'));
    expect(diagnostic!.code).toBe('T104');
    expect(diagnostic!.message).toContain('help: imports are resolved relative to the importing file');
  });

  test('related labels become related information, in whichever file they point', () => {
    const text = 'import "models.team"\nmodel fast { provider sim  latency 1s }\n';
    const diagnostics = serviceWith({ 'models.team': models, 'a.team': text }, ['a.team']).diagnostics(uriOf('a.team'));
    const duplicate = diagnostics.find((d) => d.code === 'T102');
    expect(duplicate?.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.message])).toEqual([
      [uriOf('models.team'), 1, expect.stringContaining('declared here')],
    ]);
  });

  test('a closed document has no diagnostics of its own', () => {
    const service = serviceWith({ 'a.team': 'team T {' }, []);
    expect(service.diagnostics(uriOf('a.team'))).toEqual([]);
  });
});

describe('quick fixes', () => {
  const file = fixturePath('review.team');

  /** The fixes for a diagnostic made at the given needles, applied to the file. */
  function fix(text: string, diagnostic: (offsetOf: (needle: string) => { start: number; end: number }) => Diagnostic) {
    const workspace = new Workspace(memoryHost({ 'models.team': models, 'review.team': text }));
    workspace.open({ uri: uriOf('review.team'), path: file, text, version: 1 });
    const spanOf = (needle: string) => {
      const start = text.indexOf(needle);
      if (start < 0) throw new Error(`no ${needle}`);
      return { start, end: start + needle.length };
    };
    const fixes = fixesFor({
      diagnostic: diagnostic(spanOf),
      project: workspace.project,
      text: (f) => workspace.read(f),
      index: (f) => workspace.index(f),
    });
    return fixes.map((f) => {
      const edits = f.edits.map((edit) => ({ range: rangeIn(text, edit.span), newText: edit.newText }));
      return { title: f.title, text: applyEdits(text, edits) };
    });
  }

  test('the table covers the mechanical fixes', () => {
    expect(Object.keys(quickFixes).sort()).toEqual(['T101', 'T207', 'T300', 'T301', 'T302', 'T303', 'T403', 'T500', 'T700']);
  });

  test('T300: the channel is raised to what its consumer requires', () => {
    const text = review.replace('ordering causal  delivery', 'ordering fifo  delivery');
    const fixes = fix(text, (span) =>
      createDiagnostic({ code: 'T300', args: { agent: 'judge', channel: 'findings', required: 'causal', provided: 'fifo' }, at: { file, span: span('findings requires causal') }, related: [{ file, span: span('ordering fifo'), message: 'provided here' }] }),
    );
    expect(fixes.map((f) => f.title)).toEqual(['Raise `findings` to `ordering causal`']);
    expect(fixes[0]!.text).toContain('channel findings: Finding { ordering causal  delivery exactly_once }');
  });

  test('T300: with no ordering written, one is added to the channel’s block', () => {
    const text = review.replace('{ ordering causal  delivery exactly_once }', '{ delivery exactly_once }');
    const fixes = fix(text, (span) =>
      createDiagnostic({ code: 'T300', args: { agent: 'judge', channel: 'findings', required: 'causal', provided: 'unordered' }, at: { file, span: span('channel findings') } }),
    );
    expect(fixes[0]!.text).toContain('channel findings: Finding { delivery exactly_once  ordering causal }');
    expect(parseSourceFile(createSourceFile(file, fixes[0]!.text)).diagnostics).toEqual([]);
  });

  test('T301: the store is raised to what its reader requires', () => {
    const text = review.replace('reads notes requires causal', 'reads notes requires strong');
    const fixes = fix(text, (span) =>
      createDiagnostic({ code: 'T301', args: { agent: 'judge', store: 'notes', required: 'strong', provided: 'causal' }, at: { file, span: span('notes requires strong') } }),
    );
    expect(fixes[0]!.text).toContain('store notes: Finding[] { consistency strong  merge append }');
  });

  test('T500: the timeout the help suggests, on its own line, indented like the rest', () => {
    const text = review.replace('    timeout 1m\n', '');
    const fixes = fix(text, (span) =>
      createDiagnostic({ code: 'T500', args: { agent: 'judge', model: 'smart' }, at: { file, span: span('model smart') }, help: ['add `timeout 2m` (at least ten times …)'] }),
    );
    expect(fixes.map((f) => f.title)).toEqual(['Add `timeout 2m` to `judge`']);
    expect(fixes[0]!.text).toContain('    retry 2 backoff exponential 1s..10s jitter\n    timeout 2m\n  }');
  });

  test('T500: with no usable help, ten times the model’s latency, at least 30s', () => {
    const text = review.replace('    timeout 1m\n', '').replace('    timeout 30s\n', '');
    const judge = fix(text, (span) => createDiagnostic({ code: 'T500', args: { agent: 'judge', model: 'smart' }, at: { file, span: span('model smart') }, help: ['add `timeout 2m 30s`'] }));
    expect(judge.map((f) => f.title)).toEqual(['Add `timeout 2m` to `judge`']);
    const reviewer = fix(text, (span) => createDiagnostic({ code: 'T500', args: { agent: 'reviewer', model: 'fast' }, at: { file, span: span('model fast') } }));
    expect(reviewer.map((f) => f.title)).toEqual(['Add `timeout 40s` to `reviewer`']);
  });

  test('T700: max rounds on the agent the diagnostic points at', () => {
    const fixes = fix(review, (span) => createDiagnostic({ code: 'T700', args: { cycle: ['reviewer', 'judge', 'reviewer'] }, at: { file, span: span('reviewer {') } }));
    expect(fixes.map((f) => f.title)).toEqual(['Bound the loop: add `max rounds 4` to `reviewer`']);
    expect(fixes[0]!.text).toContain('    retry 3 backoff exponential 500ms..8s jitter\n    max rounds 4\n  }');
  });

  test('T101: the name "did you mean" suggests', () => {
    const text = review.replace('emits findings', 'emits fidnings');
    const fixes = fix(text, (span) =>
      createDiagnostic({ code: 'T101', args: { what: 'channel', name: 'fidnings' }, at: { file, span: span('fidnings') }, help: ['did you mean `findings`?'] }),
    );
    expect(fixes.map((f) => f.title)).toEqual(['Change to `findings`']);
    expect(fixes[0]!.text).toBe(review);
  });

  test('a diagnostic the fix cannot read offers nothing', () => {
    expect(fix(review, () => createDiagnostic({ code: 'T500', args: { agent: 'x', model: 'y' }, at: { file, span: { start: 0, end: 0 } } }))).toEqual([]);
  });

  test('a property is inserted as the block is laid out', () => {
    const layouts: Array<[string, string]> = [
      ['channel c: T', 'channel c: T { ordering fifo }'],
      ['channel c: T { }', 'channel c: T { ordering fifo }'],
      ['channel c: T { delivery exactly_once }', 'channel c: T { delivery exactly_once  ordering fifo }'],
      ['channel c: T {\n    delivery exactly_once\n  }', 'channel c: T {\n    delivery exactly_once\n    ordering fifo\n  }'],
    ];
    for (const [before, after] of layouts) {
      const text = `team X {\n  ${before}\n}\n`;
      const declaration = (parseSourceFile(createSourceFile('/x.team', text)).ast.declarations[0] as { members: Declaration[] }).members[0]!;
      const edit = insertProperty('/x.team', text, declaration, 'ordering fifo');
      expect(text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end)).toBe(`team X {\n  ${after}\n}\n`);
    }
  });
});

function rangeIn(text: string, span: { start: number; end: number }) {
  const position = (offset: number) => {
    const before = text.slice(0, offset);
    return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  return { start: position(span.start), end: position(span.end) };
}
