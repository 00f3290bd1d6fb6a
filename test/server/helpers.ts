/**
 * Test helpers for the language server: fixtures with cursor markers, an in-memory file system,
 * and a real server driven over in-memory streams by a JSON-RPC client (no editor, no process).
 */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  createConnection,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { startServer, type Scheduled } from '../../compiler/server/connection.js';
import { createLanguageService, type LanguageService } from '../../compiler/server/service.js';
import type { LanguageServiceHost } from '../../compiler/server/workspace.js';

/** A root for fixture paths that cannot exist on disk. */
export const root = path.resolve('/teamc-lsp-fixtures');

export function fixturePath(name: string): string {
  return path.join(root, name);
}

export function uriOf(name: string): string {
  return pathToFileURL(fixturePath(name)).href;
}

/**
 * Text with cursor markers: each `|` marks a cursor and is removed. (No fixture here writes a
 * `|` of its own where a cursor is: union types are written without markers nearby.)
 */
export function withCursors(marked: string, marker = '|'): { text: string; offsets: number[] } {
  const offsets: number[] = [];
  let text = '';
  for (let i = 0; i < marked.length; i++) {
    if (marked.startsWith(marker, i)) {
      offsets.push(text.length);
      i += marker.length - 1;
    } else {
      text += marked.charAt(i);
    }
  }
  return { text, offsets };
}

/** Line and character of an offset (LSP's 0-based position). */
export function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The offset of an LSP position in a text (lines split on `\n`). */
export function offsetOf(text: string, position: { line: number; character: number }): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < position.line; i++) offset += lines[i]!.length + 1;
  return offset + position.character;
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: ReadonlyArray<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): string {
  const resolved = edits
    .map((edit) => ({ start: offsetOf(text, edit.range.start), end: offsetOf(text, edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of resolved) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** Files in memory, by fixture name; also the workspace the server searches. */
export function memoryHost(files: Record<string, string>): LanguageServiceHost & { files: Map<string, string> } {
  const map = new Map(Object.entries(files).map(([name, text]) => [fixturePath(name), text]));
  return {
    files: map,
    readFile: (filePath) => map.get(filePath),
    workspaceFiles: () => [...map.keys()].filter((file) => file.endsWith('.team')),
  };
}

/** A language service over in-memory files, with some of them open. */
export function serviceWith(files: Record<string, string>, open: readonly string[] = Object.keys(files).filter((f) => f.endsWith('.team'))): LanguageService {
  const service = createLanguageService(memoryHost(files));
  for (const name of open) service.openDocument(uriOf(name), files[name]!, 1);
  return service;
}

/** A scheduler the test runs by hand: nothing runs until `flush`. */
export class ManualScheduler {
  private tasks: Array<{ task: () => void; cancelled: boolean; delayMs: number }> = [];

  readonly schedule = (task: () => void, delayMs: number): Scheduled => {
    const entry = { task, cancelled: false, delayMs };
    this.tasks.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  };

  /** Runs every task scheduled so far that was not called off; returns how many ran. */
  flush(): number {
    const due = this.tasks.filter((entry) => !entry.cancelled);
    this.tasks = [];
    for (const entry of due) entry.task();
    return due.length;
  }

  get delays(): number[] {
    return this.tasks.filter((entry) => !entry.cancelled).map((entry) => entry.delayMs);
  }
}

export interface TestClient {
  connection: MessageConnection;
  /** The server's answer to `initialize`. */
  initialized: InitializeResult;
  /** The next diagnostics published for a document (optionally of at least a version). */
  diagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams>;
  /** Every diagnostics notification received so far, in order. */
  published: PublishDiagnosticsParams[];
  open(name: string, text: string, version?: number): Promise<void>;
  request<R>(method: string, params: unknown): Promise<R>;
  notify(method: string, params: unknown): Promise<void>;
  dispose(): void;
}

/**
 * A real server (`startServer`) on one end of two in-memory pipes and a JSON-RPC client on the
 * other, initialized. By default the debounce is zero; pass a `ManualScheduler` to drive it.
 */
export async function startTestServer(
  files: Record<string, string>,
  options: { scheduler?: ManualScheduler; debounceMs?: number } = {},
): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Reader and writer objects (not raw streams): the library then never ends the process when a stream closes.
  const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(serverConnection, {
    host: memoryHost(files),
    debounceMs: options.debounceMs ?? 0,
    ...(options.scheduler === undefined ? {} : { schedule: options.scheduler.schedule }),
  });

  const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: Array<{ uri: string; version: number | undefined; resolve: (params: PublishDiagnosticsParams) => void }> = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.push(params);
    for (const waiter of [...waiters]) {
      if (waiter.uri !== params.uri || (waiter.version !== undefined && (params.version ?? -1) < waiter.version)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(params);
    }
  });
  connection.listen();

  const initialized = await connection.sendRequest<InitializeResult>('initialize', {
    processId: null,
    rootUri: pathToFileURL(root).href,
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } } },
  });
  await connection.sendNotification('initialized', {});

  const client: TestClient = {
    connection,
    initialized,
    published,
    diagnostics: (uri, version) => new Promise((resolve) => waiters.push({ uri, version, resolve })),
    async open(name, text, version = 1) {
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(name), languageId: 'team', version, text } });
    },
    request: (method, params) => connection.sendRequest(method, params),
    notify: (method, params) => connection.sendNotification(method, params),
    dispose() {
      connection.dispose();
      serverConnection.dispose();
      toServer.destroy();
      toClient.destroy();
    },
  };
  return client;
}
