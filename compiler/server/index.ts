/**
 * The language server. `createLanguageService` is the host-independent core (every feature as
 * a method, tested in-process); `startServer` serves it on an LSP connection; `teamc lsp`
 * (`cli/lsp.ts`) runs that on stdin/stdout.
 */
export { createLanguageService, RefusedError, type LanguageService, type LanguageServiceHost } from './service.js';
export { startServer, type Scheduled, type ServerOptions } from './connection.js';
