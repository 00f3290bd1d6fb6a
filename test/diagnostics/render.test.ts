import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderDiagnostic, renderSummary } from '../../compiler/diagnostics/render.js';
import { createSourceFile, type SourceFile } from '../../compiler/source.js';

const ansi = /\u001b\[/;

const reviewText = [
  'import "models.team"', // 1
  '', // 2
  'team CodeReview {', // 3
  '  channel findings: Finding { ordering fifo }', // 4
  '', // 5
  '  agent judge {', // 6
  '    model smart', // 7
  '    takes findngs', // 8
  '    output Verdict', // 9
  '    prompt "Decide."', // 10
  '    timeout 30s', // 11
  '    retry 2', // 12
  '  }', // 13
  '}', // 14
  '',
].join('\n');
const modelsText = ['// shared models', 'model smart {', '  provider openai', '}', ''].join('\n');

const files = new Map<string, SourceFile>([
  ['/work/review.team', createSourceFile('/work/review.team', reviewText)],
  ['/work/lib/models.team', createSourceFile('/work/lib/models.team', modelsText)],
]);
const sourceOf = (file: string) => files.get(file);

/** The span of the `nth` occurrence of `needle` in a file (0-based). */
function spanOf(file: string, needle: string, nth = 0): { start: number; end: number } {
  const text = files.get(file)!.text;
  let start = -1;
  for (let i = 0; i <= nth; i++) start = text.indexOf(needle, start + 1);
  if (start < 0) throw new Error(`${needle} not in ${file}`);
  return { start, end: start + needle.length };
}

function diagnostic(overrides: Partial<Diagnostic>): Diagnostic {
  return {
    code: 'T101',
    severity: 'error',
    message: 'unknown channel or input `findngs`',
    file: '/work/review.team',
    span: spanOf('/work/review.team', 'findngs'),
    label: 'not declared in team `CodeReview`',
    related: [],
    notes: [],
    help: ['did you mean `findings`?'],
    ...overrides,
  };
}

describe('renderDiagnostic', () => {
  it('renders a single-line span with path:line:col first, the frame, and help', () => {
    expect(renderDiagnostic(diagnostic({}), sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'review.team:8:11 error[T101]: unknown channel or input `findngs`',
        '  |',
        '8 |     takes findngs',
        '  |           ^^^^^^^ not declared in team `CodeReview`',
        '  |',
        'help: did you mean `findings`?',
      ].join('\n'),
    );
  });

  it('renders a multi-line span, marking each line from its code, the label on the last', () => {
    const start = spanOf('/work/review.team', 'agent judge').start;
    const end = spanOf('/work/review.team', 'prompt "Decide."').end;
    const d = diagnostic({ code: 'T500', severity: 'warning', message: 'no timeout', span: { start, end }, label: 'this agent', help: [], notes: ['one hung call stalls the team'] });
    expect(renderDiagnostic(d, sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'review.team:6:3 warning[T500]: no timeout',
        '   |',
        ' 6 |   agent judge {',
        '   |   ^^^^^^^^^^^^^',
        ' 7 |     model smart',
        '   |     ^^^^^^^^^^^',
        ' 8 |     takes findngs',
        '   |     ^^^^^^^^^^^^^',
        ' 9 |     output Verdict',
        '   |     ^^^^^^^^^^^^^^',
        '10 |     prompt "Decide."',
        '   |     ^^^^^^^^^^^^^^^^ this agent',
        '   |',
        'note: one hung call stalls the team',
      ].join('\n'),
    );
  });

  it('shows the first and last two lines of a long span around an elision, and drops a swallowed newline', () => {
    const start = spanOf('/work/review.team', 'agent judge').start;
    const end = spanOf('/work/review.team', '  }\n}').start + '  }\n'.length;
    const d = diagnostic({ span: { start, end }, label: 'in this agent', help: [] });
    expect(renderDiagnostic(d, sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'review.team:6:3 error[T101]: unknown channel or input `findngs`',
        '   |',
        ' 6 |   agent judge {',
        '   |   ^^^^^^^^^^^^^',
        ' 7 |     model smart',
        '   |     ^^^^^^^^^^^',
        '...',
        '12 |     retry 2',
        '   |     ^^^^^^^',
        '13 |   }',
        '   |   ^ in this agent',
      ].join('\n'),
    );
  });

  it('renders a related label in another file as its own frame, with one gutter width for all', () => {
    const d = diagnostic({
      code: 'T102',
      message: 'model `smart` is declared more than once',
      span: spanOf('/work/review.team', 'smart'),
      label: 'used here',
      related: [{ file: '/work/lib/models.team', span: spanOf('/work/lib/models.team', 'smart'), message: 'declared here' }],
      notes: ['each file sees the declarations of the files it imports'],
      help: ['rename one of them'],
    });
    expect(renderDiagnostic(d, sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'review.team:7:11 error[T102]: model `smart` is declared more than once',
        '  |',
        '7 |     model smart',
        '  |           ^^^^^ used here',
        '  |',
        ' --> lib/models.team:2:7',
        '  |',
        '2 | model smart {',
        '  |       ----- declared here',
        '  |',
        'note: each file sees the declarations of the files it imports',
        'help: rename one of them',
      ].join('\n'),
    );
  });

  it('keeps absolute paths outside cwd, and the path as given without cwd', () => {
    const outside = renderDiagnostic(diagnostic({}), sourceOf, { color: false, cwd: '/elsewhere' });
    expect(outside.split('\n')[0]).toBe('/work/review.team:8:11 error[T101]: unknown channel or input `findngs`');
    const noCwd = renderDiagnostic(diagnostic({}), sourceOf, { color: false });
    expect(noCwd.split('\n')[0]).toMatch(/^\/work\/review\.team:8:11 /);
  });

  it('marks an empty span with one caret and keeps tabs aligned', () => {
    const text = 'team T {\r\n\tagent a {\r\n\t\ttakes x\r\n\t}\r\n}\r\n';
    const source = createSourceFile('/w/tabs.team', text);
    const at = text.indexOf('x');
    const d = diagnostic({ file: '/w/tabs.team', span: { start: at, end: at }, label: 'here', help: [] });
    expect(renderDiagnostic(d, () => source, { color: false, cwd: '/w' })).toBe(
      ['tabs.team:3:9 error[T101]: unknown channel or input `findngs`', '  |', '3 | \t\ttakes x', '  | \t\t      ^ here'].join('\n'),
    );
  });

  it('aligns the later lines of a multi-line label and of notes', () => {
    const d = diagnostic({ label: 'first line\nsecond line', notes: ['a note\nthat wraps'], help: [] });
    expect(renderDiagnostic(d, sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'review.team:8:11 error[T101]: unknown channel or input `findngs`',
        '  |',
        '8 |     takes findngs',
        '  |           ^^^^^^^ first line',
        '  |                   second line',
        '  |',
        'note: a note',
        '      that wraps',
      ].join('\n'),
    );
  });

  it('still reports a diagnostic whose file text is unknown', () => {
    const d = diagnostic({ file: '/work/gone.team', related: [{ file: '/work/also-gone.team', span: { start: 0, end: 1 }, message: 'declared here' }] });
    expect(renderDiagnostic(d, sourceOf, { color: false, cwd: '/work' })).toBe(
      [
        'gone.team error[T101]: unknown channel or input `findngs`',
        '  = not declared in team `CodeReview`',
        '  |',
        ' --> also-gone.team',
        '  = declared here',
        'help: did you mean `findings`?',
      ].join('\n'),
    );
  });

  it('uses no ANSI codes at all when colour is off, and colours when it is on', () => {
    const d = diagnostic({
      related: [{ file: '/work/lib/models.team', span: spanOf('/work/lib/models.team', 'smart'), message: 'declared here' }],
      notes: ['a note'],
    });
    for (const severity of ['error', 'warning', 'note'] as const) {
      expect(renderDiagnostic({ ...d, severity }, sourceOf, { color: false })).not.toMatch(ansi);
      const coloured = renderDiagnostic({ ...d, severity }, sourceOf, { color: true });
      expect(coloured).toMatch(ansi);
      // Colour changes nothing but the escape codes.
      expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderDiagnostic({ ...d, severity }, sourceOf, { color: false }));
    }
    expect(renderDiagnostic(d, sourceOf, { color: true })).toContain('\u001b[31m'); // errors in red
  });
});

describe('renderSummary', () => {
  const of = (...severities: Diagnostic['severity'][]) => severities.map((severity) => diagnostic({ severity }));

  it.each([
    ['no problems in 4 files', of(), 4],
    ['no problems in 1 file', of(), 1],
    ['2 errors, 1 warning in 3 files', of('error', 'warning', 'error'), 3],
    ['1 warning in 1 file', of('warning'), 1],
    ['1 error, 2 notes in 2 files', of('note', 'note', 'error'), 2],
  ])('says %s', (expected, diagnostics, files) => {
    expect(renderSummary(diagnostics, files)).toBe(expected);
    expect(renderSummary(diagnostics, files, { color: false })).not.toMatch(ansi);
  });

  it('colours only when asked', () => {
    expect(renderSummary(of('error'), 1, { color: true })).toMatch(ansi);
    expect(renderSummary(of('error'), 1, { color: true }).replace(/\u001b\[\d+m/g, '')).toBe('1 error in 1 file');
  });
});
