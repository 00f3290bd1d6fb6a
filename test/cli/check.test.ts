import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-cli-'));
  fs.writeFileSync(path.join(dir, 'empty.team'), '');
  fs.writeFileSync(path.join(dir, 'binary.team'), Buffer.from([0x74, 0x65, 0x00, 0x01, 0x02]));
  fs.mkdirSync(path.join(dir, 'nothing-here'));
  fs.writeFileSync(path.join(dir, 'nothing-here', 'notes.txt'), 'not a team');
  fs.writeFileSync(
    path.join(dir, 'typo.team'),
    ['team T {', '  input diff: string', '  channel findings: string { ordering fifo }', '  agent a {', '    model m', '    takes findngs', '  }', '}', ''].join('\n'),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('teamc check', () => {
  it('passes every example, exit 0, with a summary line', async () => {
    const result = await runCli(['check', 'examples']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no problems in \d+ files/);
  });

  it('reports a mistake with path:line:col, code, frame and suggestion, exit 1', async () => {
    const result = await runCli(['check', 'typo.team'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('typo.team:6:11 error[T101]: unknown channel or input `findngs`');
    expect(result.stdout).toContain('did you mean `findings`?');
    expect(result.stdout).toMatch(/6 \|\s+takes findngs/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('prints machine-readable JSON with --format json', async () => {
    const result = await runCli(['check', 'typo.team', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as unknown;
    expect(JSON.stringify(parsed)).toContain('T101');
  });

  it.each([
    [['check', 'missing.team'], /missing\.team: no such file or directory/],
    [['check', 'binary.team'], /binary\.team: not a text file/],
    [['check', 'nothing-here'], /nothing-here: no \.team files in this directory/],
    [['check', 'nope/*.team'], /nope\/\*\.team: no \.team files match this pattern/],
    [['check'], /missing required argument/],
    [['frobnicate'], /unknown command/],
  ])('%j is a usage error with one clear line and no stack trace', async (args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says an empty file has nothing to check, and exits 0', async () => {
    const result = await runCli(['check', 'empty.team'], { cwd: dir });
    expect(result.stderr).toContain('empty.team: empty file, nothing to check');
    expect(result.code).toBe(0);
  });

  it('checks files matched by a glob', async () => {
    const result = await runCli(['check', 'examples/*.team']);
    expect(result.code).toBe(0);
  });
});

describe('teamc explain', () => {
  it('prints the page of a code', async () => {
    const result = await runCli(['explain', 'T101']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('T101');
  });

  it('suggests a code for a typo and exits 2', async () => {
    const result = await runCli(['explain', 'T1011']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no diagnostic T1011');
  });
});
