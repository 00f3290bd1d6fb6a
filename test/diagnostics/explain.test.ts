import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  diagnosticsDocsDirectory,
  explain,
  explainedCodes,
  explanationPath,
  findPackageRoot,
} from '../../compiler/diagnostics/explain.js';
import { diagnostics } from '../../compiler/diagnostics/registry.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const registryCodes = Object.keys(diagnostics).sort();

describe('explain', () => {
  it('finds the docs folder of this package from the module, whatever the working directory', () => {
    expect(diagnosticsDocsDirectory()).toBe(path.join(repoRoot, 'docs', 'diagnostics'));
    const page = explain('T101');
    expect(page).toMatch(/^# T101: unknown name\n/);
  });

  it('returns undefined for an unknown or malformed code, and never leaves the docs folder', () => {
    expect(explain('T999')).toBeUndefined();
    expect(explain('t101')).toBeUndefined();
    expect(explain('../../package')).toBeUndefined();
    expect(explanationPath('../README')).toBeUndefined();
    expect(explanationPath('T101')).toBe(path.join(repoRoot, 'docs', 'diagnostics', 'T101.md'));
  });

  it('finds the package root from a nested build folder such as dist/compiler/diagnostics', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-explain-'));
    try {
      fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'teamc' }));
      const nested = path.join(root, 'dist', 'compiler', 'diagnostics');
      fs.mkdirSync(nested, { recursive: true });
      // A package.json of some other package on the way up is not ours, nor is a broken one.
      fs.writeFileSync(path.join(root, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
      fs.writeFileSync(path.join(root, 'dist', 'compiler', 'package.json'), '{ not json');
      expect(findPackageRoot(nested)).toBe(root);
      expect(() => findPackageRoot(os.tmpdir())).toThrow(/no package.json named "teamc"/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the explanation pages', () => {
  it('every registry code has a page, and every page is a registry code', () => {
    expect(explainedCodes()).toEqual(registryCodes);
  });

  it.each(registryCodes)('%s has its registry title, severity and every section', (code) => {
    const page = explain(code)!;
    const definition = diagnostics[code as keyof typeof diagnostics];
    expect(page.split('\n')[0]).toBe(`# ${code}: ${definition.title}`);
    expect(page).toContain(`**${definition.severity}**`);
    for (const section of ['## What it means', '## An example that fails', '## What goes wrong at run time', '## The fix', '## Suppressing it']) {
      expect(page).toContain(section);
    }
    // A failing and a fixed example, in the language, and they differ.
    const examples = [...page.matchAll(/```team[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const [failing, fixed] = splitAtFix(page);
    expect(failing).not.toBe(fixed);
    // Where the page quotes what teamc reports, it is this code at this severity.
    for (const [, severity, quoted] of page.matchAll(/^(error|warning|note)\[(T\d{3})\]:/gm)) {
      expect(quoted).toBe(code);
      expect(severity).toBe(definition.severity);
    }
    expect(page).toContain(`teamc-ignore ${code}`);
  });

  it('the README indexes every code, each linking to its page', () => {
    const readme = fs.readFileSync(path.join(diagnosticsDocsDirectory(), 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\[(T\d{3})\]\((T\d{3})\.md\)/g)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return m[1]!;
    });
    expect(linked).toEqual(registryCodes);
  });
});

/** The team examples before and after `## The fix`, each joined into one text. */
function splitAtFix(page: string): [string, string] {
  const at = page.indexOf('## The fix');
  const examples = (text: string) => [...text.matchAll(/```team[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
  return [examples(page.slice(0, at)), examples(page.slice(at))];
}
