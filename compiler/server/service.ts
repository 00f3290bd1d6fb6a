/**
 * The language service: every feature of the language server as a plain method, in LSP terms
 * (URIs, positions, LSP result types), with no connection, no timers and no process. The stdio
 * server (`connection.ts`) is a thin shell around it, and tests call it directly.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostics as registry, isKnownCode } from '../diagnostics/registry.js';
import { formatSource } from '../format/index.js';
import { createSourceFile, type SourceFile } from '../source.js';
import type { Span } from '../syntax/ast.js';
import { keywordDetails } from './block-properties.js';
import { fixesFor, type Fix } from './code-actions.js';
import { complete } from './completion.js';
import { impliedProperties } from './defaults.js';
import { describeSymbol } from './describe.js';
import { explanationHref, explanationSummary, toLspDiagnostic } from './diagnostics.js';
import { documentSymbols } from './outline.js';
import { offsetAt, rangeOf, touches } from './positions.js';
import { isFieldName, planRename, renameTarget } from './rename.js';
import { uriToPath } from './uri.js';
import { wordAt } from './words.js';
import { Workspace, type LanguageServiceHost } from './workspace.js';

export type { LanguageServiceHost } from './workspace.js';

/** A refusal the editor shows as an error message (a rename that cannot be made safely). */
export class RefusedError extends Error {}

export interface LanguageService {
  /** Opens a document, or replaces its text with a newer version. */
  openDocument(uri: string, text: string, version: number): void;
  closeDocument(uri: string): void;
  /** The editor saw files change on disk; undefined means it cannot say which. */
  filesChanged(uris?: readonly string[]): void;
  /**
   * The open documents whose diagnostics may change when `uri` changes: itself, and every open
   * document whose last check read it (it imports it, or uses it as a prompt).
   */
  affectedBy(uri: string): string[];
  /** The document's diagnostics, exactly those `teamc check <file>` reports in it. */
  diagnostics(uri: string): LspDiagnostic[];
  hover(uri: string, position: Position): Hover | null;
  definition(uri: string, position: Position): Location[];
  references(uri: string, position: Position, includeDeclaration: boolean): Location[];
  /** The range and current name of what a rename would rename; throws `RefusedError` with the reason. */
  prepareRename(uri: string, position: Position): { range: Range; placeholder: string };
  /** Throws `RefusedError` with the reason when the rename is unsafe. */
  rename(uri: string, position: Position, newName: string): WorkspaceEdit;
  /** `triggerCharacter`: the character whose typing made the editor ask, if any. */
  completion(uri: string, position: Position, triggerCharacter?: string): CompletionItem[];
  documentSymbols(uri: string): DocumentSymbol[];
  /** The edits that format the document; none when it is formatted or has syntax errors. */
  format(uri: string): TextEdit[];
  codeActions(uri: string, range: Range): CodeAction[];
}

export function createLanguageService(host: LanguageServiceHost): LanguageService {
  const workspace = new Workspace(host);
  const project = workspace.project;

  const templateSources = new Map<string, SourceFile>();
  /** The source of any file, `.team` or not (a prompt template), for turning spans into ranges. */
  const anySourceOf = (file: string): SourceFile | undefined => {
    if (file.endsWith('.team')) return workspace.parse(file)?.source;
    const text = workspace.read(file);
    if (text === undefined) return undefined;
    let source = templateSources.get(file);
    if (source?.text !== text) templateSources.set(file, (source = createSourceFile(file, text)));
    return source;
  };
  const locationOf = (file: string, span: Span): Location | undefined => {
    const source = anySourceOf(file);
    return source === undefined ? undefined : { uri: workspace.uriOf(file), range: rangeOf(source, span) };
  };
  const documentAt = (uri: string, position: Position) => {
    const file = uriToPath(uri);
    const parsed = workspace.parse(file);
    if (parsed === undefined) return undefined;
    return { file, parsed, offset: offsetAt(parsed.source, position) };
  };
  const compilerDiagnostics = (file: string): Diagnostic[] => {
    if (workspace.document(file) === undefined) return [];
    return workspace.check(file).diagnostics.filter((diagnostic) => diagnostic.file === file);
  };
  const toLsp = (diagnostic: Diagnostic) => toLspDiagnostic(diagnostic, { sourceOf: anySourceOf, uriOf: (file) => workspace.uriOf(file) });

  return {
    openDocument(uri, text, version) {
      workspace.open({ uri, path: uriToPath(uri), text, version });
    },

    closeDocument(uri) {
      workspace.close(uriToPath(uri));
    },

    filesChanged(uris) {
      workspace.diskChanged(uris?.map(uriToPath));
    },

    affectedBy(uri) {
      return workspace.dependents(uriToPath(uri)).map((file) => workspace.uriOf(file));
    },

    diagnostics(uri) {
      return compilerDiagnostics(uriToPath(uri)).flatMap((diagnostic) => toLsp(diagnostic) ?? []);
    },

    hover(uri, position) {
      const at = documentAt(uri, position);
      if (at === undefined) return null;
      const sections: string[] = [];
      let span: Span | undefined;

      const target = project.targetAt(at.file, at.offset);
      const symbol = target === undefined ? undefined : project.symbolOf(target);
      if (target !== undefined && symbol !== undefined) {
        const text = workspace.read(symbol.file);
        const model = workspace.document(at.file) === undefined ? undefined : workspace.check(at.file).model;
        if (text !== undefined) sections.push(describeSymbol(symbol, text, at.file, impliedProperties(symbol, model)));
        span = target.span;
      } else if (target === undefined && !isFieldName(at.parsed.ast, at.offset)) {
        const keyword = wordAt(at.parsed.source.text, at.offset);
        if (keyword !== undefined && keywordDetails[keyword.word] !== undefined) {
          sections.push(`\`${keyword.word}\` — ${keywordDetails[keyword.word]}`);
          span = keyword.span;
        }
      }

      for (const diagnostic of workspace.document(at.file) === undefined ? [] : compilerDiagnostics(at.file)) {
        if (!touches(diagnostic.span, at.offset)) continue;
        sections.push(explainDiagnostic(diagnostic));
        span ??= diagnostic.span;
      }
      if (sections.length === 0 || span === undefined) return null;
      return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') }, range: rangeOf(at.parsed.source, span) };
    },

    definition(uri, position) {
      const at = documentAt(uri, position);
      if (at === undefined) return [];
      // An imported file, or a prompt's template file: the file itself.
      const index = workspace.indexOf(at.parsed);
      const imported = at.parsed.ast.imports.findIndex((declaration) => touches(declaration.path.span, at.offset));
      const template = index.templates.find((t) => t.source.kind === 'file' && touches(t.source.literal.span, at.offset));
      const linked = imported >= 0 ? index.imports[imported] : template?.source.kind === 'file' ? template.source.path : undefined;
      if (linked !== undefined) {
        return workspace.read(linked) === undefined ? [] : [{ uri: workspace.uriOf(linked), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
      }
      const target = project.targetAt(at.file, at.offset);
      const symbol = target === undefined ? undefined : project.symbolOf(target);
      if (symbol === undefined) return [];
      const location = locationOf(symbol.file, symbol.nameSpan);
      return location === undefined ? [] : [location];
    },

    references(uri, position, includeDeclaration) {
      const at = documentAt(uri, position);
      if (at === undefined) return [];
      const target = project.targetAt(at.file, at.offset);
      const symbol = target === undefined ? undefined : project.symbolOf(target);
      if (symbol === undefined) return [];
      const spans = project.referencesTo(symbol).map((reference) => ({ file: reference.file, span: reference.span }));
      if (includeDeclaration) spans.unshift({ file: symbol.file, span: symbol.nameSpan });
      return spans.flatMap(({ file, span }) => locationOf(file, span) ?? []);
    },

    prepareRename(uri, position) {
      const at = documentAt(uri, position);
      if (at === undefined) throw new RefusedError('the document is not open');
      const target = renameTarget(project, at.file, at.parsed.source.text, at.parsed.ast, at.offset);
      if (!target.ok) throw new RefusedError(target.reason);
      return { range: rangeOf(at.parsed.source, target.span), placeholder: target.placeholder };
    },

    rename(uri, position, newName) {
      const at = documentAt(uri, position);
      if (at === undefined) throw new RefusedError('the document is not open');
      const plan = planRename(project, at.file, at.parsed.source.text, at.parsed.ast, at.offset, newName);
      if (!plan.ok) throw new RefusedError(plan.reason);
      return workspaceEdit(plan.edits.map((edit) => ({ ...edit, newText: newName })));
    },

    completion(uri, position, triggerCharacter) {
      const file = uriToPath(uri);
      const text = workspace.read(file);
      if (text === undefined) return [];
      const source = createSourceFile(file, text);
      return complete(workspace, file, text, offsetAt(source, position), triggerCharacter === ' ');
    },

    documentSymbols(uri) {
      const parsed = workspace.parse(uriToPath(uri));
      return parsed === undefined ? [] : documentSymbols(parsed.source, parsed.ast);
    },

    format(uri) {
      const file = uriToPath(uri);
      const parsed = workspace.parse(file);
      if (parsed === undefined) return [];
      const text = parsed.source.text;
      let formatted: ReturnType<typeof formatSource>;
      try {
        formatted = formatSource(text, file);
      } catch {
        // The formatter refuses output that would change the file's meaning; leave the file as it is.
        return [];
      }
      if (typeof formatted !== 'string' || formatted === text) return [];
      return [{ range: rangeOf(parsed.source, { start: 0, end: text.length }), newText: formatted }];
    },

    codeActions(uri, range) {
      const file = uriToPath(uri);
      const parsed = workspace.parse(file);
      if (parsed === undefined) return [];
      const requested = { start: offsetAt(parsed.source, range.start), end: offsetAt(parsed.source, range.end) };
      const actions: CodeAction[] = [];
      for (const diagnostic of compilerDiagnostics(file)) {
        if (diagnostic.span.end < requested.start || diagnostic.span.start > requested.end) continue;
        const fixes = fixesFor({
          diagnostic,
          project,
          text: (f) => workspace.read(f),
          index: (f) => workspace.index(f),
        });
        const lsp = toLsp(diagnostic);
        for (const fix of fixes) actions.push(codeAction(fix, lsp));
      }
      return actions;
    },
  };

  function codeAction(fix: Fix, diagnostic: LspDiagnostic | undefined): CodeAction {
    const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, edit: workspaceEdit(fix.edits) };
    if (diagnostic !== undefined) action.diagnostics = [diagnostic];
    if (fix.preferred === true) action.isPreferred = true;
    return action;
  }

  function workspaceEdit(edits: ReadonlyArray<{ file: string; span: Span; newText: string }>): WorkspaceEdit {
    const changes: Record<string, TextEdit[]> = {};
    for (const edit of edits) {
      const source = anySourceOf(edit.file);
      if (source === undefined) continue;
      (changes[workspace.uriOf(edit.file)] ??= []).push({ range: rangeOf(source, edit.span), newText: edit.newText });
    }
    return { changes };
  }
}

/** A diagnostic's code, title and the first paragraph of its explanation, for hover. */
function explainDiagnostic(diagnostic: Diagnostic): string {
  const title = isKnownCode(diagnostic.code) ? registry[diagnostic.code].title : diagnostic.severity;
  const lines = [`**${diagnostic.code}**: ${title}`];
  const summary = explanationSummary(diagnostic.code);
  if (summary !== undefined) lines.push('', summary);
  const href = explanationHref(diagnostic.code);
  if (href !== undefined) lines.push('', `[teamc explain ${diagnostic.code}](${href})`);
  return lines.join('\n');
}
