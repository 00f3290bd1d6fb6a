/**
 * `runFmt` (`teamc fmt`) on real files in a temporary directory: `--check` names the files that
 * would change, writes nothing and exits 1; without it, files are rewritten by replacing them
 * (a temporary file renamed over the original), formatted files are left alone, and files with
 * syntax errors are reported and never touched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runFmt } from '../../compiler/cli/fmt.js';
import { ExitCode, type Terminal } from '../../compiler/cli/terminal.js';

const formatted = 'model fast {\n  provider openai\n  name "gpt-4o-mini"\n}\n';
const unformatted = 'model   fast { provider openai name "gpt-4o-mini" }';
const broken = 'model fast {\n  provider openai\n';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-fmt-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(paths: string[], check: boolean): { code: ExitCode; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const terminal: Terminal = {
    cwd: dir,
    color: false,
    stdout: (text) => {
      stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    stderr: (text) => {
      stderr += text.endsWith('\n') ? text : `${text}\n`;
    },
  };
  const code = runFmt(paths, { check }, terminal);
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function snapshot(file: string): { text: string; inode: number; mtimeMs: number } {
  const stat = fs.statSync(file);
  return { text: fs.readFileSync(file, 'utf8'), inode: stat.ino, mtimeMs: stat.mtimeMs };
}

describe('teamc fmt --check', () => {
  test('exits 1, names exactly the files that would change, and writes nothing', () => {
    const good = write('good.team', formatted);
    const bad = write('nested/bad.team', unformatted);
    const before = [snapshot(good), snapshot(bad)];

    const result = run(['.'], true);

    expect(result.code).toBe(ExitCode.Diagnostics);
    expect(result.stdout).toBe(`${path.join('nested', 'bad.team')}\n`);
    expect(result.stderr).toContain('1 file would be reformatted');
    expect([snapshot(good), snapshot(bad)]).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'nested'))).toEqual(['bad.team']);
  });

  test('exits 0 when every file is formatted', () => {
    write('a.team', formatted);
    write('b.team', formatted);
    const result = run(['a.team', 'b.team'], true);
    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('2 files already formatted');
  });
});

describe('teamc fmt', () => {
  test('rewrites the files that change, by replacing them, and leaves the others alone', () => {
    const good = write('good.team', formatted);
    const bad = write('bad.team', unformatted);
    fs.chmodSync(bad, 0o640);
    const goodBefore = snapshot(good);
    const badBefore = snapshot(bad);

    const result = run(['.'], false);

    expect(result.code).toBe(ExitCode.Ok);
    expect(result.stdout).toBe('bad.team\n');
    expect(result.stderr).toContain('1 file reformatted, 1 file unchanged');
    expect(fs.readFileSync(bad, 'utf8')).toBe(formatted);
    // A new file was renamed over the old one (not written in place), keeping its permissions,
    // and no temporary file is left behind.
    expect(fs.statSync(bad).ino).not.toBe(badBefore.inode);
    expect(fs.statSync(bad).mode & 0o777).toBe(0o640);
    expect(snapshot(good)).toEqual(goodBefore);
    expect(fs.readdirSync(dir).sort()).toEqual(['bad.team', 'good.team']);

    // A second run has nothing to do.
    const again = run(['.'], true);
    expect(again.code).toBe(ExitCode.Ok);
  });

  test('a hard link to the old file keeps the old text: the write is a replacement, never a truncation', () => {
    const bad = write('bad.team', unformatted);
    const link = path.join(dir, 'link.team.bak');
    fs.linkSync(bad, link);
    expect(run(['bad.team'], false).code).toBe(ExitCode.Ok);
    expect(fs.readFileSync(bad, 'utf8')).toBe(formatted);
    expect(fs.readFileSync(link, 'utf8')).toBe(unformatted);
  });

  test('a file with syntax errors is reported, left untouched, and makes the exit code 1', () => {
    const bad = write('bad.team', unformatted);
    const wrong = write('wrong.team', broken);
    const before = snapshot(wrong);

    const result = run(['.'], false);

    expect(result.code).toBe(ExitCode.Diagnostics);
    expect(result.stderr).toContain('error[T100]');
    expect(result.stderr).toContain('wrong.team');
    expect(result.stderr).toContain('1 file not formatted: syntax errors');
    expect(snapshot(wrong)).toEqual(before);
    // The other file is still formatted.
    expect(fs.readFileSync(bad, 'utf8')).toBe(formatted);
  });

  test('a path that does not exist is a usage error', () => {
    const result = run(['missing.team'], false);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain('missing.team: no such file or directory');
  });

  test('CRLF files keep CRLF', () => {
    const file = write('crlf.team', 'model fast {\r\n    provider openai\r\n}\r\n');
    expect(run(['crlf.team'], false).code).toBe(ExitCode.Ok);
    expect(fs.readFileSync(file, 'utf8')).toBe('model fast {\r\n  provider openai\r\n}\r\n');
  });
});
