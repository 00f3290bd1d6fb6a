/**
 * Checker test helpers: check in-memory files through the real loader (program.ts), and describe
 * diagnostics as `line:column CODE message` so a test states the exact list it expects.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { checkFiles, type CheckedProgram } from '../../compiler/program.js';
import { createSourceFile } from '../../compiler/source.js';

export const root = '/virtual';

/** Checks `files` (name → text); the first file is the root unless `roots` says otherwise. */
export function checkTexts(files: Record<string, string>, roots?: string[]): CheckedProgram {
  const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(root, name), text]));
  const rootFiles = (roots ?? [Object.keys(files)[0]!]).map((name) => path.join(root, name));
  return checkFiles(rootFiles, { readFile: (file) => texts.get(file) }, { rules: false });
}

/** Checks one `.team` text. */
export function check(text: string): CheckedProgram {
  return checkTexts({ 'test.team': text });
}

/** The position of a diagnostic as `line:column`, in its own file (a `.team` or a prompt file). */
export function positionOf(checked: CheckedProgram, file: string, offset: number): string {
  const source = checked.sources.get(file) ?? sourceOfPromptFile(checked, file);
  if (source === undefined) return `?:${offset}`;
  const { line, column } = source.position(offset);
  return `${line}:${column}`;
}

function sourceOfPromptFile(checked: CheckedProgram, file: string) {
  const text = checked.model.promptFiles.get(file);
  return text === undefined ? undefined : createSourceFile(file, text);
}

/** Each diagnostic as `line:column CODE message` (with `file:` in front when not the root). */
export function described(checked: CheckedProgram, diagnostics: readonly Diagnostic[] = checked.diagnostics): string[] {
  const mainFile = checked.program.roots[0];
  return diagnostics.map((d) => {
    const where = positionOf(checked, d.file, d.span.start);
    const prefix = d.file === mainFile ? '' : `${path.relative(root, d.file)}:`;
    return `${prefix}${where} ${d.code} ${d.message}`;
  });
}

/** `described` for one `.team` text. */
export function diagnose(text: string): string[] {
  return described(check(text));
}

/** The text a diagnostic's primary span covers. */
export function spanText(checked: CheckedProgram, diagnostic: Diagnostic): string {
  const text = checked.sources.get(diagnostic.file)?.text ?? checked.model.promptFiles.get(diagnostic.file) ?? '';
  return text.slice(diagnostic.span.start, diagnostic.span.end);
}

/** A whole diagnostic as plain text lines: position, code, message, then label, related, notes, help. */
export function renderPlain(checked: CheckedProgram, d: Diagnostic, relativeTo: string): string[] {
  const file = (f: string) => path.relative(relativeTo, f);
  // Absolute paths in messages (`resolved to /…`) would tie a baseline to one machine.
  const portable = (text: string) => text.split(`${relativeTo}${path.sep}`).join('');
  const lines = [`${file(d.file)}:${positionOf(checked, d.file, d.span.start)} ${d.severity}[${d.code}] ${portable(d.message)}`];
  if (d.label !== undefined) lines.push(`  label: ${portable(d.label)} (${JSON.stringify(spanText(checked, d))})`);
  for (const related of d.related) {
    lines.push(`  related: ${file(related.file)}:${positionOf(checked, related.file, related.span.start)} ${portable(related.message)}`);
  }
  for (const note of d.notes) lines.push(`  note: ${portable(note)}`);
  for (const help of d.help) lines.push(`  help: ${portable(help)}`);
  return lines;
}

/**
 * A minimal valid team to vary: one model (file level), one input, one agent that summarises it.
 * `members` is added inside the team, `agent` inside the agent.
 */
export function team(options: { members?: string; agent?: string; prompt?: string; top?: string } = {}): string {
  return [
    'model fast { provider sim  latency 2s  max_tokens 1k }',
    options.top ?? '',
    'team T {',
    '  input  diff: string',
    '  output summary: Summary from summariser',
    '  type Summary { text: string }',
    options.members ?? '',
    '  agent summariser {',
    '    model fast',
    '    takes diff',
    '    output Summary',
    `    prompt ${options.prompt ?? '"Summarise {{diff}}"'}`,
    '    timeout 30s',
    options.agent ?? '',
    '  }',
    '}',
    '',
  ].join('\n');
}
