/**
 * Machine-readable diagnostics: JSON (our own stable shape), SARIF 2.1.0 (code-scanning tools,
 * editors) and GitHub Actions workflow commands (annotations on a pull request). Also the
 * location helpers the pretty renderer shares: one place turns spans into lines and columns and
 * file names into what a reader sees.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceFile } from '../source.js';
import type { Span } from '../syntax/ast.js';
import type { Diagnostic, Severity } from './diagnostic.js';
import { explain, explanationPath } from './explain.js';
import { diagnostics as registry, isKnownCode } from './registry.js';

/** How every output finds a file's text; undefined when the file was never loaded. */
export type SourceLookup = (file: string) => SourceFile | undefined;

// ---------------------------------------------------------------------------------------------
// Locations

/** A point in a file: 1-based line and column (UTF-16 code units), and the 0-based offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** A span as positions; `end` is exclusive (the first character after the span). */
export interface Range {
  start: Position;
  end: Position;
}

/** The span's positions, offsets clamped into the file (a recovered node may overhang it). */
export function resolveRange(source: SourceFile, span: Span): Range {
  const start = clamp(span.start, 0, source.text.length);
  const end = clamp(span.end, start, source.text.length);
  return { start: { ...source.position(start), offset: start }, end: { ...source.position(end), offset: end } };
}

/**
 * The name a reader sees: relative to `cwd` (with `/`) when the file is inside it, as given
 * otherwise, so paths stay clickable in a terminal and stable in CI logs.
 */
export function displayPath(file: string, cwd?: string): string {
  if (cwd === undefined || !path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

// ---------------------------------------------------------------------------------------------
// JSON

export interface JsonLocation {
  file: string;
  /** Null only when the file's text is unknown (it was never loaded). */
  range: Range | null;
  span: Span;
}

export interface JsonLabel extends JsonLocation {
  message: string;
}

export interface JsonDiagnostic extends JsonLocation {
  code: string;
  severity: Severity;
  /** The code's catalogue line, e.g. `unknown name`. */
  title: string;
  message: string;
  label: string | null;
  related: JsonLabel[];
  notes: string[];
  help: string[];
}

export interface JsonReport {
  /** Bumped on any incompatible change of this shape. */
  version: 1;
  diagnostics: JsonDiagnostic[];
  summary: { errors: number; warnings: number; notes: number };
}

/** The stable JSON shape of `teamc check --format json`: keys always present, in this order. */
export function toJson(diagnostics: readonly Diagnostic[], sourceOf: SourceLookup, cwd?: string): JsonReport {
  const location = (file: string, span: Span): JsonLocation => {
    const source = sourceOf(file);
    return { file: displayPath(file, cwd), range: source ? resolveRange(source, span) : null, span: { start: span.start, end: span.end } };
  };
  return {
    version: 1,
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      title: isKnownCode(d.code) ? registry[d.code].title : '',
      message: d.message,
      ...location(d.file, d.span),
      label: d.label ?? null,
      related: d.related.map((r) => ({ ...location(r.file, r.span), message: r.message })),
      notes: [...d.notes],
      help: [...d.help],
    })),
    summary: countBySeverity(diagnostics),
  };
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; notes: number } {
  const count = (severity: Severity) => diagnostics.filter((d) => d.severity === severity).length;
  return { errors: count('error'), warnings: count('warning'), notes: count('note') };
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html)

export interface SarifOptions {
  toolVersion: string;
  /** Files inside it are written relative to `%SRCROOT%`, which is set to it. */
  cwd?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';

/** Only what we emit; the test validates the result against the official schema. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; rules: SarifRule[] } };
  originalUriBaseIds?: Record<string, { uri: string }>;
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
}

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  helpUri?: string;
  help?: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}

interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset: number;
  charLength: number;
}

interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: SarifArtifactLocation; region: SarifRegion };
  message?: { text: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
}

const sourceRoot = '%SRCROOT%';

const families: Record<string, string> = {
  '1': 'syntax-and-names',
  '2': 'types-and-templates',
  '3': 'ordering-and-consistency',
  '4': 'delivery-and-effects',
  '5': 'fault-policies',
  '6': 'consensus',
  '7': 'termination-time-and-money',
  '8': 'capabilities',
  '9': 'design-advice',
};

/**
 * One run of teamc. Rules are the codes that have results, in code order, each with its
 * explanation page as help (code-scanning UIs show it beside the alert).
 */
export function toSarif(diagnostics: readonly Diagnostic[], sourceOf: SourceLookup, options: SarifOptions): SarifLog {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  const ruleIndex = new Map(codes.map((code, index) => [code, index]));
  const physical = (file: string, span: Span) => ({
    artifactLocation: artifactLocation(file, options.cwd),
    region: sarifRegion(sourceOf(file), span),
  });

  const results = diagnostics.map((d): SarifResult => {
    const primary: SarifLocation = { physicalLocation: physical(d.file, d.span) };
    if (d.label !== undefined) primary.message = { text: d.label };
    const result: SarifResult = {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code)!,
      level: d.severity,
      message: { text: messageWithNotes(d) },
      locations: [primary],
    };
    if (d.related.length > 0) {
      result.relatedLocations = d.related.map((r, id) => ({ id, physicalLocation: physical(r.file, r.span), message: { text: r.message } }));
    }
    return result;
  });

  const run: SarifRun = {
    tool: { driver: { name: 'teamc', version: options.toolVersion, rules: codes.map(sarifRule) } },
    columnKind: 'utf16CodeUnits',
    results,
  };
  if (options.cwd !== undefined) run.originalUriBaseIds = { [sourceRoot]: { uri: directoryUri(options.cwd) } };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

function sarifRule(code: string): SarifRule {
  const known = isKnownCode(code) ? registry[code] : undefined;
  const rule: SarifRule = {
    id: code,
    shortDescription: { text: known?.title ?? code },
    defaultConfiguration: { level: known?.severity ?? 'error' },
    properties: { tags: [families[code.charAt(1)] ?? 'other'] },
  };
  const page = explain(code);
  if (page !== undefined) {
    // The page ships with the package; a file URL is the one address valid wherever it is installed.
    rule.helpUri = pathToFileURL(explanationPath(code)!).href;
    rule.help = { text: page, markdown: page };
  }
  return rule;
}

function sarifRegion(source: SourceFile | undefined, span: Span): SarifRegion {
  if (source === undefined) return { charOffset: Math.max(0, span.start), charLength: Math.max(0, span.end - span.start) };
  const { start, end } = resolveRange(source, span);
  return {
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: end.column,
    charOffset: start.offset,
    charLength: end.offset - start.offset,
  };
}

function artifactLocation(file: string, cwd: string | undefined): SarifArtifactLocation {
  if (!path.isAbsolute(file)) return { uri: encodePath(file.split(path.sep).join('/')) };
  const shown = displayPath(file, cwd);
  if (shown !== file) return { uri: encodePath(shown), uriBaseId: sourceRoot };
  return { uri: pathToFileURL(file).href };
}

/** A relative path as a URI reference: each segment percent-encoded, `/` kept. */
function encodePath(relative: string): string {
  return relative.split('/').map(encodeURIComponent).join('/');
}

function directoryUri(directory: string): string {
  const uri = pathToFileURL(directory).href;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function messageWithNotes(d: Diagnostic): string {
  return [d.message, ...d.notes.map((n) => `note: ${n}`), ...d.help.map((h) => `help: ${h}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands

const githubCommand: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/**
 * One `::error file=…,line=…::message` line per diagnostic. Columns are sent only for a span on
 * one line (GitHub ignores them otherwise), and `endColumn` is the last column inside the span.
 */
export function toGithub(diagnostics: readonly Diagnostic[], sourceOf: SourceLookup, cwd?: string): string[] {
  return diagnostics.map((d) => {
    const properties: Array<[string, string | number]> = [['file', displayPath(d.file, cwd)]];
    const source = sourceOf(d.file);
    if (source !== undefined) {
      const { start, end } = resolveRange(source, d.span);
      properties.push(['line', start.line]);
      if (start.line === end.line) {
        properties.push(['col', start.column], ['endLine', end.line], ['endColumn', Math.max(start.column, end.column - 1)]);
      } else {
        properties.push(['endLine', end.line]);
      }
    }
    properties.push(['title', d.code]);
    const rendered = properties.map(([key, value]) => `${key}=${escapeGithubProperty(String(value))}`).join(',');
    return `::${githubCommand[d.severity]} ${rendered}::${escapeGithubData(messageWithNotes(d))}`;
  });
}

/** As `@actions/core` escapes a command's message. */
export function escapeGithubData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** As `@actions/core` escapes a property value: the message escapes, plus the separators `:` and `,`. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
