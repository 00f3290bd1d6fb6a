/**
 * The language server on an LSP connection: documents in, diagnostics out (debounced), and each
 * request handed to the language service. Nothing here knows the language; it only keeps the
 * editor's documents, schedules checks, and turns refusals into error responses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DidChangeWatchedFilesNotification,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { version } from '../cli/version.js';
import { createLanguageService, RefusedError, type LanguageService, type LanguageServiceHost } from './service.js';
import { uriToPath } from './uri.js';

/** A pending check that can be called off when a newer edit arrives. */
export interface Scheduled {
  cancel(): void;
}

export interface ServerOptions {
  /** Quiet time after an edit before the document is checked again (default 150 ms). */
  debounceMs?: number;
  /** Runs `task` after `delayMs`; tests pass their own to drive the debounce deterministically. */
  schedule?: (task: () => void, delayMs: number) => Scheduled;
  /** How the server reads files that are not open (default: the disk, and the workspace folders' `.team` files). */
  host?: LanguageServiceHost;
}

const defaultDebounceMs = 150;

function scheduleWithTimer(task: () => void, delayMs: number): Scheduled {
  const timer = setTimeout(task, delayMs);
  return { cancel: () => clearTimeout(timer) };
}

/** Starts serving on the connection: registers every handler, then listens. Returns the service it drives. */
export function startServer(connection: Connection, options: ServerOptions = {}): LanguageService {
  const debounceMs = options.debounceMs ?? defaultDebounceMs;
  const schedule = options.schedule ?? scheduleWithTimer;
  const workspaceRoots: string[] = [];
  const diskHost = new DiskHost(workspaceRoots);
  const service = createLanguageService(options.host ?? diskHost);
  const documents = new TextDocuments(TextDocument);
  const pending = new Map<string, Scheduled>();
  let canWatchFiles = false;

  /** Logs a bug and answers with nothing: one failing request must not take the server down. */
  const guard = <T>(fallback: T, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof RefusedError) throw new ResponseError(LSPErrorCodes.RequestFailed, error.message);
      connection.console.error(`teamc: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  };

  const publish = (uri: string): void => {
    const document = documents.get(uri);
    if (document === undefined) return;
    const diagnostics = guard([], () => service.diagnostics(uri));
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
  };

  /** Checks `uri` and the open documents that depend on it, once edits pause. */
  const scheduleCheck = (uri: string, delayMs: number): void => {
    const targets = new Set([uri, ...guard([], () => service.affectedBy(uri))]);
    for (const target of targets) {
      pending.get(target)?.cancel();
      pending.set(
        target,
        schedule(() => {
          pending.delete(target);
          publish(target);
        }, delayMs),
      );
    }
  };

  connection.onInitialize((params): InitializeResult => {
    for (const folder of params.workspaceFolders ?? []) workspaceRoots.push(uriToPath(folder.uri));
    if (workspaceRoots.length === 0 && params.rootUri) workspaceRoots.push(uriToPath(params.rootUri));
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: [' ', ','] },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'teamc', version },
    };
  });

  connection.onInitialized(() => {
    if (canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        // Imports, prompt templates and the project's configuration (severity overrides) are read from disk.
        watchers: [{ globPattern: '**/*.team' }, { globPattern: '**/*.hbs' }, { globPattern: '**/teamc.json' }],
      });
    }
  });

  const justOpened = new Set<string>();
  documents.onDidOpen(({ document }) => justOpened.add(document.uri));
  documents.onDidChangeContent(({ document }) => {
    service.openDocument(document.uri, document.getText(), document.version);
    // The first check of a document is not debounced: nothing is being typed yet.
    const opened = justOpened.delete(document.uri);
    scheduleCheck(document.uri, opened ? 0 : debounceMs);
  });

  documents.onDidClose(({ document }) => {
    pending.get(document.uri)?.cancel();
    pending.delete(document.uri);
    const dependents = guard([], () => service.affectedBy(document.uri)).filter((uri) => uri !== document.uri);
    service.closeDocument(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    // Importers read the file from disk again now.
    for (const uri of dependents) scheduleCheck(uri, 0);
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    service.filesChanged(changes.map((change) => change.uri));
    diskHost.forgetWorkspaceFiles();
    for (const change of changes) scheduleCheck(change.uri, debounceMs);
  });

  connection.onHover(({ textDocument, position }) => guard(null, () => service.hover(textDocument.uri, position)));
  connection.onDefinition(({ textDocument, position }) => guard([], () => service.definition(textDocument.uri, position)));
  connection.onReferences(({ textDocument, position, context }) =>
    guard([], () => service.references(textDocument.uri, position, context.includeDeclaration)),
  );
  connection.onPrepareRename(({ textDocument, position }) => guard(null, () => service.prepareRename(textDocument.uri, position)));
  connection.onRenameRequest(({ textDocument, position, newName }) => guard(null, () => service.rename(textDocument.uri, position, newName)));
  connection.onCompletion(({ textDocument, position, context }) =>
    guard([], () => service.completion(textDocument.uri, position, context?.triggerCharacter)),
  );
  connection.onDocumentSymbol(({ textDocument }) => guard([], () => service.documentSymbols(textDocument.uri)));
  connection.onDocumentFormatting(({ textDocument }) => guard([], () => service.format(textDocument.uri)));
  connection.onCodeAction(({ textDocument, range }) => guard([], () => service.codeActions(textDocument.uri, range)));

  documents.listen(connection);
  connection.listen();
  return service;
}

/** Folders never searched for `.team` files. */
const skippedDirectories = new Set(['node_modules', '.git', 'dist']);

/** Files from the disk, and the `.team` files under the workspace folders (listed once until files change). */
class DiskHost implements LanguageServiceHost {
  private teamFiles: string[] | undefined;

  constructor(private readonly roots: readonly string[]) {}

  readFile(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch {
      return undefined;
    }
  }

  workspaceFiles(): readonly string[] {
    this.teamFiles ??= this.roots.flatMap((root) => findTeamFiles(root));
    return this.teamFiles;
  }

  forgetWorkspaceFiles(): void {
    this.teamFiles = undefined;
  }
}

function findTeamFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !skippedDirectories.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(directory, entry.name));
      else if (entry.isFile() && entry.name.endsWith('.team')) found.push(path.join(directory, entry.name));
    }
  };
  walk(root);
  return found;
}
