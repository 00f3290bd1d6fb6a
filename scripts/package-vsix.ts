/**
 * Packages the VS Code extension in `editors/vscode` as a `.vsix`, offline:
 *   1. regenerates the TextMate grammar from grammar/tmlanguage.ts;
 *   2. type-checks the client and bundles it, with vscode-languageclient, into dist/extension.js
 *      (esbuild): the package is built with `--no-dependencies`, so nothing is left to resolve
 *      from a node_modules that does not ship;
 *   3. runs the official `vsce package --no-dependencies`.
 *
 * Usage: `npm run package:vscode [-- --out <file.vsix>]`. Default output:
 * `editors/vscode/<name>-<version>.vsix` (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeGrammar } from './build-grammar.js';

const require = createRequire(import.meta.url);
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const extensionDir = path.join(repositoryRoot, 'editors', 'vscode');

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} failed (exit ${result.status})`);
}

export async function packageVsix(out?: string): Promise<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as { name: string; version: string };
  const target = path.resolve(out ?? path.join(extensionDir, `${manifest.name}-${manifest.version}.vsix`));

  writeGrammar();

  const typescript = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  run(process.execPath, [typescript, '-p', path.join(extensionDir, 'tsconfig.json')], repositoryRoot);
  await build({
    entryPoints: [path.join(extensionDir, 'src', 'extension.ts')],
    outfile: path.join(extensionDir, 'dist', 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // VS Code 1.91 runs extensions on Node 20.
    target: 'node20',
    external: ['vscode'],
    minify: true,
    logLevel: 'warning',
  });

  fs.mkdirSync(path.dirname(target), { recursive: true });
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  // The manifest names no repository (the extension ships from this one); vsce would otherwise ask.
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', target], extensionDir);
  return target;
}

const outIndex = process.argv.indexOf('--out');
packageVsix(outIndex === -1 ? undefined : process.argv[outIndex + 1]).then(
  (file) => process.stdout.write(`${path.relative(process.cwd(), file)}\n`),
  (error: unknown) => {
    process.stderr.write(`package-vsix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
