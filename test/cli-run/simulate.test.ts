import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../../compiler/cli/simulate.js';
import { examples, recordingTerminal, tempDir } from './helpers.js';
import { reviewTeam } from './fixtures.js';

let dir: string;
let review: string;
let unsafe: string;

beforeAll(() => {
  dir = tempDir();
  review = path.join(dir, 'review.team');
  fs.writeFileSync(review, reviewTeam);
  // T300: the judge needs causal order from a channel that promises none.
  unsafe = path.join(dir, 'unsafe.team');
  fs.writeFileSync(unsafe, reviewTeam.replace('channel findings: Finding { ordering causal', 'channel findings: Finding { ordering unordered'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('teamc simulate', () => {
  it('code-review, 50 runs: no violation, exit 0; the same seed gives the same summary', async () => {
    const file = path.join(examples, 'code-review.team');
    const summaries: string[] = [];
    for (const _ of [1, 2]) {
      const terminal = recordingTerminal(dir);
      // allowUnsafe only so a rule that currently flags the example does not stop its simulation.
      const code = await runSimulate(file, { runs: 50, seed: '42', allowUnsafe: true }, terminal);
      expect(code).toBe(0);
      summaries.push(terminal.stdoutText());
    }
    expect(summaries[0]).toContain('simulated CodeReview: 50 runs, seed 42');
    expect(summaries[0]).toContain('guarantees  no violation in 50 runs');
    expect(summaries[1]).toBe(summaries[0]);
  });

  it('a different seed gives a different summary (the seed is used)', async () => {
    const a = recordingTerminal(dir);
    const b = recordingTerminal(dir);
    await runSimulate(review, { runs: 10, seed: '1' }, a);
    await runSimulate(review, { runs: 10, seed: '2' }, b);
    expect(a.stdoutText()).not.toBe(b.stdoutText());
  });

  it('refuses a team with checker errors unless --allow-unsafe, printing them', async () => {
    const terminal = recordingTerminal(dir);
    expect(await runSimulate(unsafe, { runs: 5 }, terminal)).toBe(1);
    expect(terminal.stderrText()).toContain('error[T300]');
    expect(terminal.stderrText()).toContain('simulate anyway with --allow-unsafe');
    expect(terminal.out).toEqual([]);
  });

  it('--allow-unsafe: the broken guarantee, its seeds and a shrunk counterexample; exit 1', async () => {
    const terminal = recordingTerminal(dir);
    const code = await runSimulate(unsafe, { runs: 20, seed: '9', faults: 'reorder=0.5,delay=1..200', allowUnsafe: true }, terminal);
    expect(code).toBe(1);
    const text = terminal.stdoutText();
    expect(text).toMatch(/guarantees\s+VIOLATED in \d+ of 20 runs/);
    expect(text).toMatch(/causal: \d+ violations? in \d+ runs? \(seeds 9\/\d+/);
    expect(text).toMatch(/reproduce with seed 9\/\d+/);
    expect(terminal.stderrText()).toContain('error[T300]');
  });

  it('inputs: given ones are used, the rest drawn from their types (and said so)', async () => {
    const given = recordingTerminal(dir);
    expect(await runSimulate(review, { runs: 3, input: ['diff=a small diff'] }, given)).toBe(0);
    expect(given.stderrText()).not.toContain('drawn by the simulator');
    const drawn = recordingTerminal(dir);
    expect(await runSimulate(review, { runs: 3 }, drawn)).toBe(0);
    expect(drawn.stderrText()).toContain('input diff: drawn by the simulator from its type (choose it with --input diff=…)');
  });

  it('usage errors: a bad fault spec, a bad run count', async () => {
    const faults = recordingTerminal(dir);
    expect(await runSimulate(review, { faults: 'drops=2' }, faults)).toBe(2);
    expect(faults.stderrText()).toContain('--faults drops=2');
    const runs = recordingTerminal(dir);
    expect(await runSimulate(review, { runs: 0 }, runs)).toBe(2);
  });
});
