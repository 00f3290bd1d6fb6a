/**
 * Suppressions: `// teamc-ignore T500: reason` on the line before a declaration or property
 * silences that code there. The comment covers the largest syntax node that starts on the next
 * line of code (comment-only and blank lines in between are skipped, so suppressions stack); a
 * diagnostic is silenced when its primary label, or one of its related labels, lies inside
 * that node (a rule about two declarations — two tasks, a tool and its caller — can be silenced at
 * either one).
 *
 * A reason is required (T105). Only design rules (T300 and up) can be silenced: a name or type
 * error leaves the model incomplete, so silencing it would only hide a broken build. A
 * suppression that silences nothing is reported (T106), so stale ones do not pile up.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { createDiagnostic, isKnownCode } from '../diagnostics/registry.js';
import type { SourceFileNode, Span } from '../syntax/ast.js';
import type { Comment } from '../syntax/parse.js';

export interface SuppressibleFile {
  path: string;
  text: string;
  ast: SourceFileNode;
  comments: readonly Comment[];
}

export interface Suppression {
  file: string;
  codes: string[];
  reason: string;
  /** The comment. */
  span: Span;
  /** What it covers: the node on the next line of code; absent when nothing follows. */
  covers?: Span;
}

const directive = /^\/\/\s*teamc-ignore\b(.*)$/s;
const codeList = /^\s*(T\d{3}(?:\s*,\s*T\d{3})*)\s*(?::(.*))?$/s;

/** The suppressions of one file, and the problems with malformed ones. */
export function findSuppressions(file: SuppressibleFile): { suppressions: Suppression[]; diagnostics: Diagnostic[] } {
  const suppressions: Suppression[] = [];
  const diagnostics: Diagnostic[] = [];
  const lineComments = file.comments.filter((c) => !c.block);
  if (!lineComments.some((c) => directive.test(c.text))) return { suppressions, diagnostics };

  const nodeEnds = largestNodeAt(file.ast);
  const commentStarts = new Set(lineComments.map((c) => c.span.start));
  for (const comment of lineComments) {
    const match = directive.exec(comment.text);
    if (!match) continue;
    const parsed = codeList.exec(match[1]!);
    const at = { file: file.path, span: comment.span };
    if (!parsed) {
      diagnostics.push(createDiagnostic({ code: 'T105', args: { codes: [], problem: 'no-code' }, at, help: ['`// teamc-ignore T500: the reason it does not apply here`'] }));
      continue;
    }
    const codes = parsed[1]!.split(',').map((code) => code.trim());
    const unknown = codes.filter((code) => !isKnownCode(code));
    if (unknown.length > 0) {
      for (const code of unknown) diagnostics.push(createDiagnostic({ code: 'T101', args: { what: 'diagnostic code', name: code }, at, help: ['`teamc explain` lists the codes'] }));
      continue;
    }
    const fixed = codes.filter((code) => Number(code.slice(1)) < 300);
    if (fixed.length > 0) {
      diagnostics.push(
        createDiagnostic({
          code: 'T105',
          args: { codes: fixed, problem: 'not-suppressible' },
          at,
          notes: ['a name or type error leaves the team incomplete; it must be fixed, not silenced'],
        }),
      );
      continue;
    }
    const reason = (parsed[2] ?? '').trim();
    if (reason === '') {
      diagnostics.push(
        createDiagnostic({
          code: 'T105',
          args: { codes, problem: 'no-reason' },
          at,
          notes: ['a suppression is a claim that the rule does not apply; the reason is what a reviewer checks'],
          help: [`\`// teamc-ignore ${codes.join(', ')}: <why it is safe here>\``],
        }),
      );
      continue;
    }
    const next = nextCodeStart(file.text, comment.span.end, commentStarts);
    const end = next === undefined ? undefined : nodeEnds.get(next);
    suppressions.push({ file: file.path, codes, reason, span: comment.span, ...(end === undefined ? {} : { covers: { start: next!, end } }) });
  }
  return { suppressions, diagnostics };
}

/**
 * Removes the diagnostics that a suppression covers and reports the suppressions that covered
 * nothing (T106, one per unused code). Malformed suppressions (T105) are added as found.
 */
export function applySuppressions(diagnostics: readonly Diagnostic[], files: readonly SuppressibleFile[]): Diagnostic[] {
  const byFile = new Map<string, Suppression[]>();
  const problems: Diagnostic[] = [];
  for (const file of files) {
    const found = findSuppressions(file);
    problems.push(...found.diagnostics);
    if (found.suppressions.length > 0) byFile.set(file.path, found.suppressions);
  }
  if (byFile.size === 0) return [...diagnostics, ...problems];

  const used = new Set<string>();
  const kept: Diagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const suppression = coveringSuppression(diagnostic, byFile);
    if (suppression === undefined) kept.push(diagnostic);
    else used.add(useKey(suppression, diagnostic.code));
  }
  for (const suppressions of byFile.values()) {
    for (const suppression of suppressions) {
      for (const code of suppression.codes) {
        if (used.has(useKey(suppression, code))) continue;
        problems.push(
          createDiagnostic({
            code: 'T106',
            args: { code },
            at: { file: suppression.file, span: suppression.span },
            label: suppression.covers === undefined ? 'no declaration follows this comment' : undefined,
            help: ['remove the comment if the problem was fixed, or move it to the line before the declaration the diagnostic points at'],
          }),
        );
      }
    }
  }
  return [...kept, ...problems];
}

const useKey = (suppression: Suppression, code: string) => `${suppression.file}\u0000${suppression.span.start}\u0000${code}`;

function coveringSuppression(diagnostic: Diagnostic, byFile: ReadonlyMap<string, Suppression[]>): Suppression | undefined {
  const places = [{ file: diagnostic.file, span: diagnostic.span }, ...diagnostic.related];
  for (const place of places) {
    for (const suppression of byFile.get(place.file) ?? []) {
      const covers = suppression.covers;
      if (covers && suppression.codes.includes(diagnostic.code) && covers.start <= place.span.start && place.span.end <= covers.end) return suppression;
    }
  }
  return undefined;
}

/** The offset of the first character of code after `from`, skipping blank lines and stacked line comments. */
function nextCodeStart(text: string, from: number, commentStarts: ReadonlySet<number>): number | undefined {
  let i = from;
  // Rest of the comment's own line first: a suppression covers the next line, not code before it.
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (commentStarts.has(i)) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    return i;
  }
  return undefined;
}

/** For every offset where a syntax node starts, the end of the largest node starting there. */
function largestNodeAt(ast: SourceFileNode): Map<number, number> {
  const ends = new Map<number, number>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const node = value as { span?: Span; kind?: unknown };
    if (node.kind !== 'File' && typeof node.kind === 'string' && node.span && typeof node.span.start === 'number') {
      const end = ends.get(node.span.start);
      if (end === undefined || node.span.end > end) ends.set(node.span.start, node.span.end);
    }
    for (const [key, child] of Object.entries(value)) if (key !== 'span' && typeof child === 'object') stack.push(child);
  }
  return ends;
}
