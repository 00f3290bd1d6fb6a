/**
 * Whole-file baselines: each `fixtures/*.team` is checked (with its imports and prompt files) and
 * its diagnostics, as plain text, are compared with `<name>.baseline.txt`. `UPDATE_BASELINES=1`
 * rewrites the baselines; review the diff.
 *
 * A fixture named `<CODE>-ok.team` must check clean; any other `<CODE>-….team` must report CODE.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFiles } from '../../compiler/program.js';
import { renderPlain } from './helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const update = process.env.UPDATE_BASELINES === '1';
const host = { readFile: (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined) };
const names = fs.readdirSync(fixtures).filter((name) => name.endsWith('.team')).sort();

function baselineOf(name: string): { text: string; codes: string[] } {
  const checked = checkFiles([path.join(fixtures, name)], host, { rules: false });
  const lines = checked.diagnostics.flatMap((d) => renderPlain(checked, d, fixtures));
  return { text: lines.length === 0 ? '(no diagnostics)\n' : `${lines.join('\n')}\n`, codes: checked.diagnostics.map((d) => d.code) };
}

describe('fixture baselines', () => {
  it('has a rejecting and an accepting fixture for every T1xx and T2xx code the checker reports', () => {
    const codes = ['T101', 'T102', 'T103', 'T200', 'T201', 'T202', 'T203', 'T204', 'T205', 'T206', 'T207', 'T208'];
    for (const code of codes) {
      expect(names.some((name) => name.startsWith(`${code}-`) && !name.endsWith('-ok.team')), code).toBe(true);
      expect(names, code).toContain(`${code}-ok.team`);
    }
  });

  it.each(names)('%s', (name) => {
    const { text, codes } = baselineOf(name);
    const code = name.split('-')[0]!;
    if (name.endsWith('-ok.team')) expect(codes).toEqual([]);
    else expect(codes).toContain(code);

    const baselineFile = path.join(fixtures, name.replace(/\.team$/, '.baseline.txt'));
    if (update || !fs.existsSync(baselineFile)) {
      fs.writeFileSync(baselineFile, text);
      if (!update) throw new Error(`wrote a missing baseline ${path.basename(baselineFile)}: review it, then run again`);
    }
    expect(text).toBe(fs.readFileSync(baselineFile, 'utf8'));
  });
});
