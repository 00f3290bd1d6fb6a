/** The writer: nothing outside --out, nothing half-written, unchanged files left alone. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { confine, OutputPathError, writeOutputs, type WriterFs } from '../../compiler/emit/write.js';
import { scratchDirectory } from './helpers.js';

let base: string;
let out: string;
beforeEach(() => {
  base = scratchDirectory('write');
  out = path.join(base, 'out');
});

/** Every file below a directory, relative, sorted. */
function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('writeOutputs', () => {
  it('writes every module, making directories, and leaves identical files untouched', () => {
    const files = [
      { path: 'a.ts', text: 'export const a = 1;\n' },
      { path: 'nested/deeper/b.ts', text: 'export const b = 2;\n' },
    ];
    const first = writeOutputs(out, files);
    expect(first.written.map((f) => path.relative(out, f))).toEqual(['a.ts', path.join('nested', 'deeper', 'b.ts')]);
    expect(fs.readFileSync(path.join(out, 'nested/deeper/b.ts'), 'utf8')).toBe(files[1]!.text);
    const before = fs.statSync(path.join(out, 'a.ts')).mtimeMs;
    fs.utimesSync(path.join(out, 'a.ts'), new Date(1_000_000), new Date(1_000_000));
    const second = writeOutputs(out, [files[0]!, { ...files[1]!, text: 'export const b = 3;\n' }]);
    expect(second.unchanged.map((f) => path.relative(out, f))).toEqual(['a.ts']);
    expect(second.written).toHaveLength(1);
    expect(fs.statSync(path.join(out, 'a.ts')).mtimeMs).toBe(1_000_000);
    expect(before).toBeGreaterThan(0);
    expect(listing(out)).toEqual(['a.ts', path.join('nested', 'deeper', 'b.ts')]);
  });

  it.each([
    ['../escape.ts', /`\.\.`/],
    ['a/../../escape.ts', /`\.\.`/],
    ['/etc/passwd', /absolute/],
    ['C:/x.ts', /absolute/],
    ['a\\..\\..\\x.ts', /backslash/],
    ['', /empty/],
    ['a//b.ts', /segment/],
    ['./a.ts', /segment/],
    ['a\0.ts', /NUL/],
  ])('refuses %j and writes nothing', (relative, why) => {
    expect(() => writeOutputs(out, [{ path: 'fine.ts', text: 'x' }, { path: relative, text: 'x' }])).toThrow(why);
    expect(listing(base)).toEqual([]);
  });

  it('refuses a path that leads out through a symlink, creating nothing outside', () => {
    const outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.mkdirSync(out);
    fs.symlinkSync(outside, path.join(out, 'link'));
    expect(() => writeOutputs(out, [{ path: 'link/deeper/x.ts', text: 'x' }])).toThrow(/leads outside/);
    expect(fs.readdirSync(outside)).toEqual([]);
    // A symlink that stays inside is fine.
    fs.mkdirSync(path.join(out, 'real'));
    fs.symlinkSync(path.join(out, 'real'), path.join(out, 'alias'));
    writeOutputs(out, [{ path: 'alias/x.ts', text: 'y' }]);
    expect(fs.readFileSync(path.join(out, 'real/x.ts'), 'utf8')).toBe('y');
  });

  it('refuses two modules at one path, even differing only in case', () => {
    expect(() => writeOutputs(out, [{ path: 'A.ts', text: '1' }, { path: 'a.ts', text: '2' }])).toThrow(OutputPathError);
    expect(listing(base)).toEqual([]);
  });

  it('refuses to replace a directory with a module', () => {
    fs.mkdirSync(path.join(out, 'taken.ts'), { recursive: true });
    expect(() => writeOutputs(out, [{ path: 'taken.ts', text: 'x' }])).toThrow(/directory is in the way/);
  });

  it('leaves no half-written file when a write fails: old files keep their bytes, temporary files are gone', () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'a.ts'), 'old a\n');
    let writes = 0;
    const failing: WriterFs = {
      ...fs,
      writeFileSync(file, text, options) {
        if (++writes === 2) {
          // Half a file, then the disk fills up.
          fs.writeFileSync(file, text.slice(0, 3), options);
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        fs.writeFileSync(file, text, options);
      },
    };
    expect(() =>
      writeOutputs(
        out,
        [
          { path: 'a.ts', text: 'new a\n' },
          { path: 'b.ts', text: 'new b\n' },
        ],
        failing,
      ),
    ).toThrow(/ENOSPC/);
    expect(listing(out)).toEqual(['a.ts']);
    expect(fs.readFileSync(path.join(out, 'a.ts'), 'utf8')).toBe('old a\n');
  });

  it('when a rename fails midway, every file in place is whole and no temporary file remains', () => {
    let renames = 0;
    const failing: WriterFs = {
      ...fs,
      renameSync(from, to) {
        if (++renames === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        fs.renameSync(from, to);
      },
    };
    const files = ['a.ts', 'b.ts', 'c.ts'].map((p) => ({ path: p, text: `${p} `.repeat(1000) }));
    expect(() => writeOutputs(out, files, failing)).toThrow(/EIO/);
    for (const name of listing(out)) expect(fs.readFileSync(path.join(out, name), 'utf8')).toBe(files.find((f) => f.path === name)!.text);
    expect(listing(out)).toEqual(['a.ts']);
  });
});

describe('confine', () => {
  it('resolves inside the root only', () => {
    expect(confine('/root/out', 'a/b.ts')).toBe(path.resolve('/root/out/a/b.ts'));
    expect(confine('/root/out', '..a.ts')).toBe(path.resolve('/root/out/..a.ts'));
    expect(() => confine('/root/out', 'a/..')).toThrow(OutputPathError);
  });
});
