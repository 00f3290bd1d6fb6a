/**
 * The single entry the CLI, the language server and the tests use:
 * load (files and their imports) → parse → bind and check → the checked model → the design
 * rules (T3xx–T9xx) → suppressions (`// teamc-ignore`) → the project config's severities.
 */
import * as path from 'node:path';
import { checkProgram, type LoadedProgram, type ParsedFile } from './check/index.js';
import { runRules } from './check/rules/index.js';
import { applySuppressions } from './check/suppress.js';
import { applyConfig, createConfigResolver } from './config.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { createDiagnostic } from './diagnostics/registry.js';
import type { ProgramModel } from './model.js';
import { createSourceFile, type SourceFile } from './source.js';
import type { ImportDeclaration } from './syntax/ast.js';
import { parseSourceFile, type Comment } from './syntax/parse.js';

/** How the compiler reaches files: the disk for the CLI, open editor buffers for the language server. */
export interface CompilerHost {
  /** The file's text, or undefined when it cannot be read. */
  readFile(filePath: string): string | undefined;
}

export interface CheckedProgram {
  /** Every diagnostic, sorted by file, then position. */
  diagnostics: Diagnostic[];
  model: ProgramModel;
  /** Every file that was loaded, roots and imports. */
  sources: ReadonlyMap<string, SourceFile>;
  program: LoadedProgram;
}

export interface CheckOptions {
  /**
   * Run the design rules (T3xx–T9xx), then suppressions and `teamc.json`; default true. False
   * stops after names, types and templates (T1xx, T2xx): what tests of the checker proper want.
   */
  rules?: boolean;
}

export function checkFiles(roots: readonly string[], host: CompilerHost, options: CheckOptions = {}): CheckedProgram {
  const { program, diagnostics: loadDiagnostics, comments } = loadProgram(roots, host);
  const { diagnostics, model } = checkProgram(program);
  const sources = new Map([...program.files].map(([file, parsed]) => [file, parsed.source]));
  let found = [...loadDiagnostics, ...diagnostics];
  const configProblems: Diagnostic[] = [];
  if (options.rules ?? true) {
    const rules = runRules(model, { sources: new Map([...sources].map(([file, source]) => [file, source.text])) });
    const suppressible = [...program.files].map(([file, parsed]) => ({ path: file, text: parsed.source.text, ast: parsed.ast, comments: comments.get(file) ?? [] }));
    const configs = createConfigResolver((file) => host.readFile(file));
    found = applyConfig(applySuppressions([...found, ...rules], suppressible), configs.configFor);
    // A config file is a source too: its problems get a code frame.
    for (const [file, { text, result }] of configs.loaded()) {
      sources.set(file, createSourceFile(file, text));
      configProblems.push(...result.diagnostics);
    }
  }
  // Prompt templates are sources too: a diagnostic inside a `.hbs` file gets its code frame.
  for (const [file, text] of model.promptFiles) if (!sources.has(file)) sources.set(file, createSourceFile(file, text));
  return { diagnostics: sortDiagnostics([...found, ...configProblems]), model, sources, program };
}

/**
 * Parses the roots and, depth first, every file they import. A file is parsed once however many
 * files import it; an import that closes a cycle is reported and not followed.
 */
export function loadProgram(
  roots: readonly string[],
  host: CompilerHost,
): { program: LoadedProgram; diagnostics: Diagnostic[]; /** Each file's comments (suppressions live there). */ comments: Map<string, Comment[]> } {
  const files = new Map<string, ParsedFile>();
  const comments = new Map<string, Comment[]>();
  const diagnostics: Diagnostic[] = [];
  const onStack: string[] = [];

  const load = (filePath: string, text: string): void => {
    const source = createSourceFile(filePath, text);
    const parsed = parseSourceFile(source);
    diagnostics.push(...parsed.diagnostics);
    comments.set(filePath, parsed.comments);
    const file: ParsedFile = { source, ast: parsed.ast, imports: [] };
    files.set(filePath, file);
    onStack.push(filePath);
    for (const declaration of parsed.ast.imports) {
      const target = resolveImport(filePath, declaration);
      if (onStack.includes(target)) {
        diagnostics.push(importCycle(filePath, declaration, [...onStack.slice(onStack.indexOf(target)), target]));
        continue;
      }
      if (!files.has(target)) {
        const imported = host.readFile(target);
        if (imported === undefined) {
          diagnostics.push(unreadableImport(filePath, declaration, target));
          continue;
        }
        load(target, imported);
      }
      file.imports.push(target);
    }
    onStack.pop();
  };

  const rootPaths: string[] = [];
  for (const root of roots) {
    const filePath = path.resolve(root);
    rootPaths.push(filePath);
    if (files.has(filePath)) continue;
    const text = host.readFile(filePath);
    // The CLI screens roots before it gets here; a host that cannot read one loads an empty file.
    load(filePath, text ?? '');
  }

  return {
    program: { files, roots: rootPaths, readFile: (filePath) => host.readFile(filePath) },
    diagnostics,
    comments,
  };
}

function resolveImport(importer: string, declaration: ImportDeclaration): string {
  return path.resolve(path.dirname(importer), declaration.path.value);
}

function importCycle(file: string, declaration: ImportDeclaration, cycle: string[]): Diagnostic {
  const names = cycle.map((f) => path.basename(f)).join(' → ');
  return createDiagnostic({
    code: 'T104',
    args: { message: `import cycle: ${names}` },
    at: { file, span: declaration.span },
    label: 'this import closes the cycle',
    notes: ['imports form a tree: each file sees the declarations of the files it imports'],
    help: ['move the shared declarations into a file that both import'],
  });
}

function unreadableImport(file: string, declaration: ImportDeclaration, target: string): Diagnostic {
  return createDiagnostic({
    code: 'T104',
    args: { message: `cannot read imported file \`${declaration.path.value}\`` },
    at: { file, span: declaration.path.span },
    label: `resolved to ${target}`,
    help: ['imports are resolved relative to the importing file; check the path'],
  });
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.span.start - b.span.start ||
      a.span.end - b.span.end ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
