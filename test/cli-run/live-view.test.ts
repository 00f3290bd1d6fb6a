import { describe, expect, it } from 'vitest';
import { liveView, progressLines, renderRows, RunProgress } from '../../compiler/cli/live-view.js';
import { toTeamDefinition } from '../../compiler/definition/index.js';
import { VirtualClock } from '../../runtime/clock.js';
import { createSimProvider } from '../../runtime/providers/sim.js';
import { createTeam } from '../../runtime/team.js';
import { reviewTeam } from './fixtures.js';
import { recordingTerminal, teamFromText } from './helpers.js';

/** A real run of the review team on virtual time, its model failing now and then so it retries. */
async function recordedRun(seed: number) {
  const definition = toTeamDefinition(teamFromText(reviewTeam).team);
  const clock = new VirtualClock();
  const provider = createSimProvider({ seed, faults: { rateLimit: 0.3, serverError: 0.2 } });
  const result = await clock.run(createTeam(definition, { provider, clock, seed }).run({ diff: 'x' }));
  return { definition, result };
}

describe('the live view', () => {
  it('folds a run into one row per agent, totals that match the run, and happenings for retries and votes', async () => {
    const { definition, result } = await recordedRun(4);
    const progress = new RunProgress(definition);
    const happenings = result.trace.flatMap((event) => progress.apply(event));
    expect(progress.tokens).toBe(result.usage.tokens);
    expect(progress.dollars).toBeCloseTo(result.usage.dollars, 10);
    const reviewer = progress.agents().find((row) => row.name === 'reviewer')!;
    expect(reviewer).toMatchObject({ state: 'done', started: 3 });
    expect(reviewer.tokens).toBeGreaterThan(0);
    const standIn = progress.agents().find((row) => row.name === 'reviewer_lite')!;
    if (happenings.some((line) => line.includes('falling back to reviewer_lite'))) expect(['done', 'failed']).toContain(standIn.state);
    else expect(standIn.state).toBe('standby');
    expect(happenings.some((line) => /retry \d+ in [\d.]+m?s after/.test(line))).toBe(true);
    expect(happenings.some((line) => /decide: round 1, replica \d answer/.test(line))).toBe(true);
    const rows = renderRows(progress);
    expect(rows).toHaveLength(4);
    expect(rows.at(-1)).toMatch(new RegExp(`^total\\s+\\[\\s*[\\d.]+s\\]\\s+${result.usage.tokens} tokens of 200000, \\$`));
  });

  it('on a TTY: redraws the rows in place (cursor up, clear) and draws the last frame on close', async () => {
    const { definition, result } = await recordedRun(4);
    const terminal = recordingTerminal('/');
    let wall = 0;
    const view = liveView(new RunProgress(definition), terminal, 80, () => (wall += 10));
    for (const event of result.trace) view.write(event as never);
    await view.close();
    expect(terminal.err.length).toBeGreaterThan(2);
    expect(terminal.err[0]).not.toContain('\u001b[');
    for (const frame of terminal.err.slice(1)) expect(frame.startsWith('\u001b[4A\u001b[J')).toBe(true);
    expect(terminal.err.at(-1)).toMatch(/judge\s+done/);
  });

  it('on a pipe: plain lines only', async () => {
    const { definition, result } = await recordedRun(4);
    const terminal = recordingTerminal('/');
    const view = progressLines(new RunProgress(definition), terminal);
    for (const event of result.trace) view.write(event as never);
    expect(terminal.err[0]).toMatch(/team Review: started \(seed 4\)/);
    expect(terminal.err.join('\n')).not.toMatch(/\u001b/);
    expect(terminal.err.some((line) => line.includes('reviewer#2: finished'))).toBe(true);
  });
});
