/**
 * `teamc lsp`: the language server on stdin/stdout. It runs until the editor sends `exit` or
 * closes the pipe (vscode-languageserver then ends the process: 0 after a `shutdown`, 1 without).
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from '../server/connection.js';

export interface LspStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export function runLsp(streams: LspStreams = { input: process.stdin, output: process.stdout }, options: ServerOptions = {}): void {
  const connection = createConnection(ProposedFeatures.all, streams.input, streams.output);
  if (streams.output === process.stdout) {
    // Standard output carries the protocol: a stray console.log would corrupt it, so logs go to the editor's log.
    console.log = (...args: unknown[]) => connection.console.log(format(...args));
    console.info = console.log;
    console.debug = console.log;
    console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  }
  startServer(connection, options);
}
