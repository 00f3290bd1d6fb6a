/** The compiler's public API (`import … from 'teamc'`). */
export { checkFiles, loadProgram, type CheckedProgram, type CompilerHost } from './program.js';
export { createSourceFile, type SourceFile } from './source.js';
export { parseSourceFile } from './syntax/parse.js';
export type * from './syntax/ast.js';
export type { Diagnostic, Label, Location, Severity } from './diagnostics/diagnostic.js';
export { diagnostics as diagnosticRegistry, type DiagnosticCode } from './diagnostics/registry.js';
export { renderDiagnostic, renderSummary } from './diagnostics/render.js';
export { toGithub, toJson, toSarif } from './diagnostics/formats.js';
export type * from './model.js';
export { main as runCli } from './cli/main.js';
export { toTeamDefinition, definitionData } from './definition/index.js';
export { emitProgram, writeOutputs } from './emit/index.js';
export { formatSource } from './format/index.js';
export { analyzeTeamModel } from './analyze/from-model.js';
export { formatReport } from './analyze/index.js';
export { createLanguageService, startServer } from './server/index.js';
