/**
 * Diagnostics for people, in the rustc / Elm style:
 *
 *   examples/review.team:12:11 error[T101]: unknown channel `findngs`
 *      |
 *   12 |     takes findngs
 *      |           ^^^^^^^ not declared in team `CodeReview`
 *      |
 *     --> examples/review.team:20:11
 *      |
 *   20 |   channel findings: Finding { ordering causal }
 *      |           -------- declared here
 *      |
 *   note: …
 *   help: did you mean `findings`?
 *
 * The first line is `path:line:col` so terminals and editors can jump to it. `@babel/code-frame`
 * places the markers (tabs, multi-line spans); its frame is then re-laid out here because every
 * frame of one diagnostic must share one gutter width, secondary labels use `-` rather than `^`,
 * and its colours are JavaScript syntax highlighting through `node:util`, while ours are
 * picocolors, on only when asked.
 */
import { codeFrameColumns } from '@babel/code-frame';
import pc from 'picocolors';
import type { SourceFile } from '../source.js';
import type { Span } from '../syntax/ast.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { countBySeverity, displayPath, resolveRange, type Range, type SourceLookup } from './formats.js';

export interface RenderOptions {
  /** ANSI colours; the CLI turns them on only for a TTY without NO_COLOR. */
  color: boolean;
  /** Paths inside it are shown relative to it. */
  cwd?: string;
}

type Colors = ReturnType<typeof pc.createColors>;

/** A span longer than this many lines shows its first and last two lines around a `...`. */
const maxFrameLines = 5;

type Row =
  | { kind: 'source'; line: number; text: string }
  | { kind: 'marker'; indent: string; width: number }
  | { kind: 'elision' };

interface Frame {
  /** Undefined when the file's text is unknown: only the label is shown. */
  rows: Row[] | undefined;
  label: string | undefined;
  primary: boolean;
  /** `path:line:col` shown above a secondary frame. */
  heading?: string;
}

/** One diagnostic as a block of lines (no trailing newline). */
export function renderDiagnostic(diagnostic: Diagnostic, sourceOf: SourceLookup, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const severity = severityColor(diagnostic.severity, c);
  const primarySource = sourceOf(diagnostic.file);

  const primaryRange = primarySource && resolveRange(primarySource, diagnostic.span);
  const where = displayPath(diagnostic.file, options.cwd) + (primaryRange ? `:${primaryRange.start.line}:${primaryRange.start.column}` : '');
  const lines = [`${c.bold(where)} ${severity(`${diagnostic.severity}[${diagnostic.code}]`)}${c.bold(`: ${diagnostic.message}`)}`];

  const frames: Frame[] = [{ rows: primarySource && frameRows(primarySource, diagnostic.span), label: diagnostic.label, primary: true }];
  for (const related of diagnostic.related) {
    const source = sourceOf(related.file);
    const shown = displayPath(related.file, options.cwd);
    if (source === undefined) {
      frames.push({ rows: undefined, label: related.message, primary: false, heading: shown });
      continue;
    }
    const { start } = resolveRange(source, related.span);
    frames.push({ rows: frameRows(source, related.span), label: related.message, primary: false, heading: `${shown}:${start.line}:${start.column}` });
  }

  const width = Math.max(1, ...frames.flatMap((f) => f.rows ?? []).map((r) => (r.kind === 'source' ? String(r.line).length : 1)));
  const pad = ' '.repeat(width);
  const gutter = (text: string) => c.blue(text);
  const emptyGutter = gutter(`${pad} |`);

  for (const frame of frames) {
    if (frame.heading !== undefined) lines.push(emptyGutter, `${pad}${gutter('-->')} ${frame.heading}`);
    if (frame.rows === undefined) {
      if (frame.label !== undefined) lines.push(`${pad} ${gutter('=')} ${frame.label}`);
      continue;
    }
    const mark = frame.primary ? (text: string) => severity(text) : (text: string) => c.bold(c.blue(text));
    const markerChar = frame.primary ? '^' : '-';
    const lastMarker = frame.rows.findLastIndex((r) => r.kind === 'marker');
    lines.push(emptyGutter);
    frame.rows.forEach((row, index) => {
      switch (row.kind) {
        case 'source':
          lines.push(row.text === '' ? gutter(`${String(row.line).padStart(width)} |`) : `${gutter(`${String(row.line).padStart(width)} |`)} ${row.text}`);
          break;
        case 'elision':
          lines.push(gutter('...'));
          break;
        case 'marker': {
          const [first, ...rest] = index === lastMarker && frame.label !== undefined ? frame.label.split('\n') : [];
          lines.push(`${emptyGutter} ${row.indent}${mark(markerChar.repeat(row.width) + (first === undefined ? '' : ` ${first}`))}`);
          // Further lines of a label line up under its first.
          const align = `${row.indent.replace(/[^\t]/g, ' ')}${' '.repeat(row.width + 1)}`;
          for (const line of rest) lines.push(`${emptyGutter} ${align}${mark(line)}`);
          break;
        }
      }
    });
  }

  if (diagnostic.notes.length + diagnostic.help.length > 0) {
    if (frames.some((frame) => frame.rows !== undefined)) lines.push(emptyGutter);
    for (const note of diagnostic.notes) lines.push(prefixed(c.bold('note'), note));
    for (const help of diagnostic.help) lines.push(prefixed(c.bold(c.cyan('help')), help));
  }
  return lines.join('\n');
}

/** `2 errors, 1 warning in 3 files`, or `no problems in 4 files`. */
export function renderSummary(diagnostics: readonly Diagnostic[], fileCount: number, options: { color?: boolean } = {}): string {
  const c = pc.createColors(options.color ?? false);
  const files = `in ${plural(fileCount, 'file')}`;
  const { errors, warnings, notes } = countBySeverity(diagnostics);
  const parts = [
    errors > 0 ? c.bold(c.red(plural(errors, 'error'))) : '',
    warnings > 0 ? c.bold(c.yellow(plural(warnings, 'warning'))) : '',
    notes > 0 ? c.bold(c.cyan(plural(notes, 'note'))) : '',
  ].filter((part) => part !== '');
  if (parts.length === 0) return `${c.green('no problems')} ${files}`;
  return `${parts.join(', ')} ${files}`;
}

// ---------------------------------------------------------------------------------------------
// Frames

/** The rows that show `span`: every line it covers (or its first and last two) with markers. */
function frameRows(source: SourceFile, span: Span): Row[] {
  const { start, end } = displayRange(source, span);
  if (end.line - start.line + 1 <= maxFrameLines) return babelRows(source, start, end, start.line);
  const head = babelRows(source, start, { line: start.line + 1, column: lineText(source, start.line + 1).length + 1 }, start.line);
  const tail = babelRows(source, { line: end.line - 1, column: 1 }, end, start.line);
  return [...head, { kind: 'elision' }, ...tail];
}

/**
 * A range whose end does not sit just past a line break, so a span that swallowed its newline
 * (a whole declaration) does not mark an empty piece of the following line.
 */
function displayRange(source: SourceFile, span: Span): Range {
  const range = resolveRange(source, span);
  let end = range.end.offset;
  while (end > range.start.offset && (source.text[end - 1] === '\n' || source.text[end - 1] === '\r')) end--;
  return end === range.end.offset ? range : { start: range.start, end: { ...source.position(end), offset: end } };
}

/**
 * Babel's frame for lines start.line..end.line, parsed back into rows (see the file comment).
 * `spanStartLine` is where the whole span starts, which differs for the tail of an elided span.
 */
function babelRows(
  source: SourceFile,
  start: { line: number; column: number },
  end: { line: number; column: number },
  spanStartLine: number,
): Row[] {
  const texts: string[] = [];
  for (let line = start.line; line <= end.line; line++) texts.push(lineText(source, line));
  const frame = codeFrameColumns(
    // Babel also breaks lines at U+2028/U+2029, which the source does not: keep its lines ours.
    texts.map((text) => text.replace(/[\u2028\u2029]/g, ' ')).join('\n'),
    // Babel 8 columns are 0-based; ours are 1-based.
    { start: { line: start.line, column: start.column - 1 }, end: { line: end.line, column: end.column - 1 } },
    { startLine: start.line, linesAbove: 0, linesBelow: 0, highlightCode: false, forceColor: false },
  );
  const rows: Row[] = [];
  let line = start.line;
  for (const row of frame.split('\n')) {
    const sourceRow = /^[> ] *(\d+) \|/.exec(row);
    if (sourceRow) {
      line = Number(sourceRow[1]);
      rows.push({ kind: 'source', line, text: texts[line - start.line]!.replace(/[\u2028\u2029]/g, ' ') });
      continue;
    }
    const markerRow = /^ +\| ([ \t]*)(\^+)$/.exec(row);
    if (!markerRow) continue;
    let indent = markerRow[1]!;
    let width = markerRow[2]!.length;
    // Babel marks the later lines of a multi-line span from column 1; start at the code instead.
    const leading = /^[ \t]*/.exec(texts[line - start.line]!)![0];
    if (line !== spanStartLine && indent === '' && width > leading.length) {
      indent = leading;
      width -= leading.length;
    }
    rows.push({ kind: 'marker', indent, width });
  }
  return rows;
}

/** The text of a 1-based line, without its line break. */
function lineText(source: SourceFile, line: number): string {
  const lastLine = source.position(source.text.length).line;
  const start = source.offset(line, 1);
  const end = line < lastLine ? source.offset(line + 1, 1) : source.text.length;
  return source.text.slice(start, end).replace(/\r?\n$|\r$/, '');
}

function prefixed(prefix: string, text: string): string {
  const [first, ...rest] = text.split('\n');
  // Continuation lines line up under the text, past `note: ` / `help: `.
  return [`${prefix}: ${first}`, ...rest.map((line) => `      ${line}`)].join('\n');
}

function severityColor(severity: Severity, c: Colors): (text: string) => string {
  switch (severity) {
    case 'error':
      return (text) => c.bold(c.red(text));
    case 'warning':
      return (text) => c.bold(c.yellow(text));
    case 'note':
      return (text) => c.bold(c.cyan(text));
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
