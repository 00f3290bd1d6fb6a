/**
 * The project configuration: `teamc.json`, the nearest one found upward from each checked file,
 * as linters do. It overrides the severity of diagnostics:
 *
 *   { "rules": { "T500": "off", "T801": "error", "T304": "note" } }
 *
 * A code whose default is `error` cannot be lowered: an error is an unsafe design, and the
 * project exists to reject those. Silencing one where it does not apply is a per-declaration
 * decision with a reason (`// teamc-ignore T302: reason`), never a project-wide switch.
 * Problems in the file are diagnostics with the config file's path and the span of the
 * offending entry: T104, the code for a file of the program that cannot be loaded.
 */
import * as path from 'node:path';
import { z } from 'zod';
import type { Diagnostic, Severity } from './diagnostics/diagnostic.js';
import { createDiagnostic, diagnostics as registry, isKnownCode } from './diagnostics/registry.js';
import { didYouMean } from './diagnostics/suggest.js';
import type { Span } from './syntax/ast.js';

export const configFileName = 'teamc.json';

export type RuleSetting = Severity | 'off';

const configSchema = z
  .object({
    $schema: z.string().optional(),
    rules: z.record(z.string(), z.enum(['off', 'note', 'warning', 'error'])).optional(),
  })
  .strict();

export interface ProjectConfig {
  /** The absolute path of the `teamc.json`. */
  path: string;
  rules: ReadonlyMap<string, RuleSetting>;
}

export interface LoadedConfig {
  /** The valid part of the file (entries with problems are left out). */
  config: ProjectConfig;
  diagnostics: Diagnostic[];
}

/** Parses and validates one config file's text. Never throws. */
export function parseConfig(filePath: string, text: string): LoadedConfig {
  const diagnostics: Diagnostic[] = [];
  const problem = (message: string, span: Span, help?: string) =>
    diagnostics.push(createDiagnostic({ code: 'T104', args: { message }, at: { file: filePath, span }, help: help === undefined ? [] : [help] }));
  const empty: ProjectConfig = { path: filePath, rules: new Map() };

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(message, text);
    problem(`${configFileName} is not valid JSON: ${message}`, { start: offset, end: Math.min(text.length, offset + 1) });
    return { config: empty, diagnostics };
  }

  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.map(String);
      const shown = where.length === 0 ? 'the file' : `\`${where.join('.')}\``;
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const span = keys.length > 0 ? keySpan(text, keys[0]!) : where.length > 0 ? keySpan(text, where[where.length - 1]!) : { start: 0, end: 0 };
      const message =
        keys.length > 0 ? `unknown key${keys.length === 1 ? '' : 's'} ${keys.map((k) => `\`${k}\``).join(', ')} in ${configFileName}` : `${shown} in ${configFileName}: ${issue.message}`;
      problem(message, span, keys.length > 0 ? 'the only key is `rules`: `{ "rules": { "T500": "off" } }`' : 'a rule is set to "off", "note", "warning" or "error"');
    }
    return { config: empty, diagnostics };
  }

  const rules = new Map<string, RuleSetting>();
  for (const [code, setting] of Object.entries(parsed.data.rules ?? {})) {
    const span = keySpan(text, code);
    if (!isKnownCode(code)) {
      const suggestion = didYouMean(code, Object.keys(registry));
      problem(`unknown diagnostic code \`${code}\` in ${configFileName}`, span, suggestion === undefined ? '`teamc explain` lists the codes' : `did you mean \`${suggestion}\`?`);
      continue;
    }
    if (registry[code].severity === 'error' && setting !== 'error') {
      problem(
        `${code} is an error and cannot be set to "${setting}": an error is an unsafe design`,
        span,
        `where it does not apply, put \`// teamc-ignore ${code}: <reason>\` on the line before the declaration`,
      );
      continue;
    }
    rules.set(code, setting);
  }
  return { config: { path: filePath, rules }, diagnostics };
}

/**
 * The config that applies to each file: the nearest `teamc.json` in its directory or above.
 * Each directory is asked once, and each config file read and validated once.
 */
export function createConfigResolver(readFile: (filePath: string) => string | undefined): {
  configFor(file: string): LoadedConfig | undefined;
  /** Every config file loaded so far, with its text (for code frames). */
  loaded(): ReadonlyMap<string, { text: string; result: LoadedConfig }>;
} {
  const byDirectory = new Map<string, LoadedConfig | undefined>();
  const files = new Map<string, { text: string; result: LoadedConfig }>();
  const inDirectory = (directory: string): LoadedConfig | undefined => {
    if (byDirectory.has(directory)) return byDirectory.get(directory);
    const candidate = path.join(directory, configFileName);
    const text = readFile(candidate);
    let found: LoadedConfig | undefined;
    if (text !== undefined) {
      const result = parseConfig(candidate, text);
      files.set(candidate, { text, result });
      found = result;
    } else {
      const parent = path.dirname(directory);
      found = parent === directory ? undefined : inDirectory(parent);
    }
    byDirectory.set(directory, found);
    return found;
  };
  return {
    configFor: (file) => inDirectory(path.dirname(path.resolve(file))),
    loaded: () => files,
  };
}

/** Each diagnostic with its file's configured severity; those set to "off" are dropped. */
export function applyConfig(diagnostics: readonly Diagnostic[], configFor: (file: string) => LoadedConfig | undefined): Diagnostic[] {
  const result: Diagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const setting = configFor(diagnostic.file)?.config.rules.get(diagnostic.code);
    if (setting === undefined) result.push(diagnostic);
    else if (setting !== 'off') result.push(setting === diagnostic.severity ? diagnostic : { ...diagnostic, severity: setting });
  }
  return result;
}

/** The span of `"key"` as a key in the JSON text (its first occurrence followed by a colon). */
function keySpan(text: string, key: string): Span {
  const quoted = JSON.stringify(key);
  const pattern = new RegExp(`${quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`);
  const match = pattern.exec(text);
  return match ? { start: match.index, end: match.index + quoted.length } : { start: 0, end: 0 };
}

/** Where JSON.parse stopped: V8 says "at position N" or "(line L column C)". */
function jsonErrorOffset(message: string, text: string): number {
  const position = /position (\d+)/.exec(message);
  if (position) return Math.min(text.length, Number(position[1]));
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const lines = text.split('\n');
    const line = Number(lineColumn[1]);
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
    return Math.min(text.length, offset + Number(lineColumn[2]) - 1);
  }
  return text.length;
}
