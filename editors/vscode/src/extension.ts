/**
 * The VS Code client for `.team` files. Highlighting and editing support are declarative (the
 * grammar and the language configuration in package.json); this file only starts the language
 * server, `teamc lsp`, over stdio with `vscode-languageclient`, and restarts it on request or
 * when its settings change. Bundled with esbuild into `dist/extension.js` (scripts/package-vsix.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Team language server', { log: true });
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand('team.restartServer', () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('team.server')) void restart();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const settings = vscode.workspace.getConfiguration('team');
  if (!settings.get<boolean>('server.enabled', true)) return;

  const command = serverCommand(settings.get<string>('server.path', ''));
  const serverOptions: ServerOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
    // `.cmd` shims (npm's on Windows) only run through a shell.
    options: { shell: process.platform === 'win32' },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'team' }],
    outputChannel: output,
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{team,hbs}') },
  };
  client = new LanguageClient('team', 'Team language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showWarningMessage(
      `Could not start the Team language server (\`${command} lsp\`): ${reason}. Highlighting still works; ` +
        'install teamc (`npm i -D teamc`) or set `team.server.path`.',
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) await running.stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

/**
 * The `teamc` to run: the configured path; else the workspace's own install, so the server is
 * the same version as the project's compiler; else whatever `teamc` is on the PATH.
 */
function serverCommand(configured: string): string {
  if (configured.trim() !== '') return configured;
  const executable = process.platform === 'win32' ? 'teamc.cmd' : 'teamc';
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = path.join(folder.uri.fsPath, 'node_modules', '.bin', executable);
    if (fs.existsSync(local)) return local;
  }
  return 'teamc';
}
