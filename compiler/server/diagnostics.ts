/**
 * The compiler's diagnostics as the editor shows them: the same code, span and message as
 * `teamc check`, the notes and help under it, a link from the code to its explanation page, and
 * the other side of the contradiction as related information.
 */
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import { explain, explanationPath } from '../diagnostics/explain.js';
import type { SourceFile } from '../source.js';
import { rangeOf } from './positions.js';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

export interface DiagnosticContext {
  /** The source of a file a diagnostic or label points into. */
  sourceOf(file: string): SourceFile | undefined;
  uriOf(file: string): string;
}

export function toLspDiagnostic(diagnostic: Diagnostic, context: DiagnosticContext): LspDiagnostic | undefined {
  const source = context.sourceOf(diagnostic.file);
  if (source === undefined) return undefined;
  const lines = [diagnostic.message, ...diagnostic.notes.map((note) => `note: ${note}`), ...diagnostic.help.map((help) => `help: ${help}`)];
  const result: LspDiagnostic = {
    range: rangeOf(source, diagnostic.span),
    severity: severities[diagnostic.severity],
    code: diagnostic.code,
    source: 'teamc',
    message: lines.join('\n'),
  };
  const href = explanationHref(diagnostic.code);
  if (href !== undefined) result.codeDescription = { href };

  const related: DiagnosticRelatedInformation[] = [];
  for (const label of diagnostic.related) {
    const labelSource = context.sourceOf(label.file);
    if (labelSource === undefined) continue;
    related.push({ location: { uri: context.uriOf(label.file), range: rangeOf(labelSource, label.span) }, message: label.message });
  }
  if (related.length > 0) result.relatedInformation = related;
  return result;
}

const hrefs = new Map<string, string | undefined>();

/** The file URL of a code's explanation page, when the page exists. */
export function explanationHref(code: string): string | undefined {
  if (!hrefs.has(code)) {
    const page = explanationPath(code);
    hrefs.set(code, page !== undefined && explain(code) !== undefined ? pathToFileURL(page).href : undefined);
  }
  return hrefs.get(code);
}

const summaries = new Map<string, string | undefined>();

/**
 * The first paragraph of a code's explanation ("What it means"), joined onto one line per
 * paragraph as Markdown expects, or undefined when the code has no page.
 */
export function explanationSummary(code: string): string | undefined {
  if (!summaries.has(code)) summaries.set(code, firstParagraph(explain(code)));
  return summaries.get(code);
}

function firstParagraph(page: string | undefined): string | undefined {
  if (page === undefined) return undefined;
  const lines = page.split(/\r?\n/);
  const heading = lines.findIndex((line) => /^##\s+What it means/i.test(line));
  let start = heading >= 0 ? heading + 1 : lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#') && !line.startsWith('**'));
  if (start < 0) return undefined;
  while (start < lines.length && lines[start]!.trim() === '') start++;
  const paragraph: string[] = [];
  for (let i = start; i < lines.length && lines[i]!.trim() !== '' && !lines[i]!.startsWith('#'); i++) paragraph.push(lines[i]!.trim());
  return paragraph.length > 0 ? paragraph.join(' ') : undefined;
}
