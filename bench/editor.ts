/**
 * Editor benchmark (issue 6): what a user feels while typing in a large spec. On a generated
 * ~5k-line document opened in the language service:
 * - diagnostics after a one-character edit: the edit is applied as the server applies it
 *   (`TextDocument.update`, then `openDocument` with the new version), then `diagnostics` is
 *   computed — exactly the server's work after its debounce, without the debounce;
 * - completion at cursor positions inside agent blocks, after `takes ` and after `ordering `,
 *   each right after the keystrokes that led there (so the request meets a changed document);
 * - the formatter's throughput on the 5k and 100k specs.
 */
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatSource } from '../compiler/format/index.js';
import { createLanguageService, type LanguageService } from '../compiler/server/index.js';
import { countLines, generateSpec } from './generate.js';
import { median, printTable, time, type Row } from './measure.js';

const diagnosticsTargetMs = 50;
const completionTargetMs = 20;
const samplesPerKind = 10;

/** An insertion of `text` at `offset`, as one content change from the editor. */
interface Insertion {
  offset: number;
  text: string;
}

/** One open document driven like an editor drives the server: incremental changes, versions. */
class EditorSession {
  private document: TextDocument;

  constructor(
    readonly service: LanguageService,
    readonly uri: string,
    text: string,
  ) {
    this.document = TextDocument.create(uri, 'team', 1, text);
    service.openDocument(uri, text, 1);
  }

  get text(): string {
    return this.document.getText();
  }

  /** Applies the change as `TextDocuments` does, then hands the new text to the service. */
  change(start: number, end: number, text: string): void {
    const range = { start: this.document.positionAt(start), end: this.document.positionAt(end) };
    this.document = TextDocument.update(this.document, [{ range, text }], this.document.version + 1);
    this.service.openDocument(this.uri, this.document.getText(), this.document.version);
  }

  insert({ offset, text }: Insertion): void {
    this.change(offset, offset, text);
  }

  /** Undoes `insert` (the text there is removed again), so the next sample starts from the clean spec. */
  undo({ offset, text }: Insertion): void {
    this.change(offset, offset + text.length, '');
  }
}

/** `count` offsets, spread evenly over the file, where `pattern` matches (at the match's start plus `shift`). */
function spreadMatches(text: string, pattern: RegExp, count: number, at: (match: RegExpExecArray) => number): number[] {
  const all: number[] = [];
  for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) all.push(at(match as RegExpExecArray));
  if (all.length < count) throw new Error(`only ${all.length} matches of ${pattern} in the spec`);
  return Array.from({ length: count }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / count)]!);
}

/**
 * One-character edits of three kinds, interleaved so caches see a realistic mix: a letter typed in
 * a prompt (the spec stays clean), a letter appended to a name reference (an unknown name), a
 * letter typed before a property keyword (a syntax error).
 */
function diagnosticEdits(text: string): { kind: string; edit: Insertion }[] {
  const prompt = spreadMatches(text, /Look at this input/, samplesPerKind, (m) => m.index + 'Look'.length);
  const name = spreadMatches(text, /takes c\d+_\d+/, samplesPerKind, (m) => m.index + m[0].length);
  const keyword = spreadMatches(text, /\n {4}timeout /, samplesPerKind, (m) => m.index + 5);
  return prompt.flatMap((_, i) => [
    { kind: 'prompt text (stays clean)', edit: { offset: prompt[i]!, text: 'x' } },
    { kind: 'name reference (unknown name)', edit: { offset: name[i]!, text: 'x' } },
    { kind: 'before a keyword (syntax error)', edit: { offset: keyword[i]!, text: 'x' } },
  ]);
}

interface CompletionCase {
  kind: string;
  /** The keystrokes that lead to the cursor; the cursor ends right after them. */
  edit: Insertion;
  trigger?: string;
  /** A label the list must hold, so a benchmark of an empty answer cannot pass as fast. */
  expects: string;
}

function completionCases(text: string): CompletionCase[] {
  // A new line in an agent block, first letter typed: the agent's properties.
  const agent = spreadMatches(text, /\n {4}replicas 2/, samplesPerKind, (m) => m.index + m[0].length);
  // A new `takes ` line in an agent block, the space just typed: the team's channels.
  const takes = spreadMatches(text, /\n {4}model fast\d+/, samplesPerKind, (m) => m.index + m[0].length);
  const teamOfModel = (offset: number) => /fast(\d+)$/.exec(text.slice(offset - 20, offset))?.[1] ?? '0';
  // A new channel after a team's last one, `ordering ` just typed: the orderings.
  const ordering = spreadMatches(text, /channel c\d+_5: [^\n]*/, samplesPerKind, (m) => m.index + m[0].length);
  return agent.flatMap((_, i) => {
    const team = /channel c(\d+)_5/.exec(text.slice(ordering[i]! - 80, ordering[i]!))?.[1] ?? '0';
    return [
      { kind: 'inside an agent block', edit: { offset: agent[i]!, text: '\n    t' }, expects: 'calls' },
      { kind: 'after `takes `', edit: { offset: takes[i]!, text: '\n    takes ' }, trigger: ' ', expects: `c${teamOfModel(takes[i]!)}_0` },
      { kind: 'after `ordering `', edit: { offset: ordering[i]!, text: `\n  channel extra${team}: string { ordering ` }, trigger: ' ', expects: 'causal' },
    ];
  });
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export function editorBenchmark(): Row[] {
  const text = generateSpec(5_000);
  const lines = countLines(text);
  const uri = pathToFileURL('/bench/editor/spec.team').href;
  // Nothing on disk: the open document is the whole program, as for an unsaved buffer.
  const service = createLanguageService({ readFile: () => undefined });
  const session = new EditorSession(service, uri, text);
  const firstCheckMs = timed(() => service.diagnostics(uri));
  const clean = service.diagnostics(uri).filter((d) => d.severity === 1);
  if (clean.length > 0) throw new Error(`the generated spec is not clean: ${clean[0]!.message}`);

  // Diagnostics after each one-character edit; the undo is checked too (unmeasured), as the
  // server would, so every measured edit starts from a checked, clean document.
  const edits = diagnosticEdits(text);
  for (const { edit } of edits.slice(0, 3)) {
    session.insert(edit);
    service.diagnostics(uri);
    session.undo(edit);
    service.diagnostics(uri);
  }
  const diagnosticSamples = new Map<string, number[]>();
  for (const { kind, edit } of edits) {
    let found = 0;
    const ms = timed(() => {
      session.insert(edit);
      found = service.diagnostics(uri).length;
    });
    if (found === 0 && !kind.startsWith('prompt')) throw new Error(`no diagnostic after an edit of kind "${kind}"`);
    (diagnosticSamples.get(kind) ?? diagnosticSamples.set(kind, []).get(kind)!).push(ms);
    session.undo(edit);
    service.diagnostics(uri);
  }
  if (session.text !== text) throw new Error('the edits did not undo cleanly');

  // Completion right after the keystrokes that lead to the cursor (the server hands the new text
  // to the service before it answers the request, so both are timed).
  const cases = completionCases(text);
  for (const c of cases.slice(0, 3)) {
    session.insert(c.edit);
    service.completion(uri, cursorAfter(text, c.edit), c.trigger);
    session.undo(c.edit);
  }
  const completionSamples = new Map<string, number[]>();
  for (const c of cases) {
    let labels: string[] = [];
    const cursor = cursorAfter(text, c.edit);
    const ms = timed(() => {
      session.insert(c.edit);
      labels = service.completion(uri, cursor, c.trigger).map((item) => item.label);
    });
    if (!labels.includes(c.expects)) throw new Error(`completion ${c.kind} lacks "${c.expects}": [${labels.slice(0, 10).join(', ')}]`);
    (completionSamples.get(c.kind) ?? completionSamples.set(c.kind, []).get(c.kind)!).push(ms);
    session.undo(c.edit);
  }

  const rows: Row[] = [];
  const row = (measure: string, samples: number[], target: number | undefined): Row => {
    const ms = median(samples);
    return {
      measure,
      samples: samples.length,
      'median ms': ms.toFixed(1),
      'max ms': Math.max(...samples).toFixed(1),
      target: target === undefined ? '—' : `< ${target} ms`,
      met: target === undefined ? '—' : ms < target ? 'yes' : 'NO',
    };
  };
  rows.push(row(`diagnostics, first check on open (${lines} lines)`, [firstCheckMs], undefined));
  rows.push(row('diagnostics after a one-character edit, all', [...diagnosticSamples.values()].flat(), diagnosticsTargetMs));
  for (const [kind, samples] of diagnosticSamples) rows.push(row(`… edit ${kind}`, samples, diagnosticsTargetMs));
  rows.push(row('completion after a keystroke, all', [...completionSamples.values()].flat(), completionTargetMs));
  for (const [kind, samples] of completionSamples) rows.push(row(`… ${kind}`, samples, completionTargetMs));
  printTable(`Editor: latency on a ${lines}-line document in the language service`, rows);

  const formatRows: Row[] = [];
  for (const spec of [{ text, runs: 9 }, { text: generateSpec(100_000), runs: 3 }]) {
    const specLines = countLines(spec.text);
    const result = formatSource(spec.text, '/bench/format/spec.team');
    if (typeof result !== 'string') throw new Error(`the generated spec does not parse: ${result.diagnostics[0]?.message}`);
    const ms = time(spec.runs, () => formatSource(spec.text, '/bench/format/spec.team'));
    formatRows.push({ spec: `${specLines} lines`, 'format ms': ms.toFixed(0), 'lines/s': Math.round(specLines / (ms / 1000)) });
  }
  printTable('Formatter throughput (parse, print, re-parse to verify)', formatRows);
  return [...rows, ...formatRows];
}

/** The LSP position right after an insertion into `text` (computed before the clock starts). */
function cursorAfter(text: string, edit: Insertion): { line: number; character: number } {
  const before = text.slice(0, edit.offset) + edit.text;
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
