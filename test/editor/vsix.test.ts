/**
 * SLOW-ISH (a few seconds): packages the VS Code extension with the real `vsce` through
 * scripts/package-vsix.ts, offline, and reads the `.vsix` back: the manifest, the bundled client,
 * the grammar (identical to the generator's output) and the language configuration are inside,
 * and nothing that should stay out (sources, node_modules) is.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { textMateGrammarJson } from '../../grammar/tmlanguage.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-vsix-'));

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

/**
 * The entries of a zip archive, decompressed. Hand-written (the central directory, then each
 * local header) because a `.vsix` reader is all this test needs, and no zip library is a direct
 * dependency of the project.
 */
function readZip(bytes: Buffer): Map<string, Buffer> {
  const endOfDirectory = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory === -1) throw new Error('not a zip archive');
  const count = bytes.readUInt16LE(endOfDirectory + 10);
  let offset = bytes.readUInt32LE(endOfDirectory + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (bytes.readUInt32LE(offset) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localHeader = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = localHeader + 30 + bytes.readUInt16LE(localHeader + 26) + bytes.readUInt16LE(localHeader + 28);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

test('[slow: bundles the client and runs vsce] scripts/package-vsix.ts builds an installable .vsix', () => {
  // Packaging regenerates the grammar; it must already be current, or this would hide the drift.
  const grammarOnDisk = fs.readFileSync(path.join(root, 'editors', 'vscode', 'syntaxes', 'team.tmLanguage.json'), 'utf8');
  expect(grammarOnDisk, 'run `npm run build:grammar`').toBe(textMateGrammarJson());

  const out = path.join(workDir, 'team.vsix');
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(process.execPath, [tsx, path.join(root, 'scripts', 'package-vsix.ts'), '--out', out], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);

  const entries = readZip(fs.readFileSync(out));
  const names = [...entries.keys()].sort();
  expect(names).toEqual(
    expect.arrayContaining([
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/syntaxes/team.tmLanguage.json',
      'extension/language-configuration.json',
      'extension/readme.md',
      'extension/LICENSE.txt',
    ]),
  );
  expect(names.filter((name) => name.includes('node_modules/') || name.includes('/src/') || name.endsWith('.ts'))).toEqual([]);

  const manifest = JSON.parse(entries.get('extension/package.json')!.toString('utf8'));
  expect(manifest.main).toBe('./dist/extension.js');
  expect(entries.get('extension/syntaxes/team.tmLanguage.json')!.toString('utf8')).toBe(textMateGrammarJson());

  // The client is one self-contained CommonJS file: only `vscode` (provided by the editor) and
  // Node's own modules are left to `require`.
  const client = entries.get('extension/dist/extension.js')!.toString('utf8');
  const required = new Set([...client.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!));
  expect(required.has('vscode')).toBe(true);
  const builtins = new Set(['vscode', ...builtinModules]);
  for (const name of required) expect(builtins.has(name.replace(/^node:/, '')), name).toBe(true);
  expect(client).toContain('"lsp"');
  expect(client).toContain('team.restartServer');

  const vsixManifest = entries.get('extension.vsixmanifest')!.toString('utf8');
  expect(vsixManifest).toContain('Id="teamc-vscode"');
});
