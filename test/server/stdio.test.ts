/**
 * `runLsp` in its own process on stdin/stdout, as an editor starts it: the protocol on the
 * pipes (nothing else may be written to stdout), and a clean exit after `shutdown` + `exit`.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node';

const repository = path.resolve(import.meta.dirname, '../..');

test('a server process answers over stdio and exits 0 after shutdown', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "const { runLsp } = await import('./compiler/cli/lsp.ts'); runLsp(); console.log('stray output');"],
    { cwd: repository, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const logs: string[] = [];
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    logs.push(params.message);
  });
  const uri = pathToFileURL(path.join(repository, 'test/server/fixtures/not-on-disk.team')).href;
  const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
  connection.listen();

  const initialized = await connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', { processId: null, rootUri: null, capabilities: {} });
  expect(initialized.capabilities).toHaveProperty('hoverProvider', true);
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'team', version: 1, text: 'team T {\n' } });
  const { diagnostics } = await published;
  expect(diagnostics.map((d) => d.code)).toContain('T100');

  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  expect(await exited).toBe(0);
  connection.dispose();
  expect(stderr).toBe('');
  // A stray console.log in the server goes to the editor's log, not into the protocol.
  expect(logs).toContain('stray output');
}, 20_000);
