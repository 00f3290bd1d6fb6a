import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTeam } from '../../compiler/analyze/index.js';
import { defaultTracePath, INTERRUPTED, runRun, type RunCommandOptions } from '../../compiler/cli/run.js';
import { runTraceView } from '../../compiler/cli/trace.js';
import { toTeamDefinition } from '../../compiler/definition/index.js';
import { formatMs, formatSpeedup } from '../../compiler/trace-view/format.js';
import type { TeamDefinition } from '../../runtime/definition.js';
import { parseJsonLines } from '../../runtime/trace.js';
import { exampleErrors, exampleTeam, examples, recordingTerminal, teamFromText, tempDir } from './helpers.js';
import { reviewTeam } from './fixtures.js';

let dir: string;
let review: string;
const noStdin = async () => undefined;
/** Offline and deterministic: no API key, nothing piped in. */
const base: RunCommandOptions = { env: {}, readStdin: noStdin };

beforeAll(() => {
  dir = tempDir();
  fs.writeFileSync(path.join(dir, 'change.diff'), 'diff --git a/add.py b/add.py\n+def add(a, b): return a - b\n');
  review = path.join(dir, 'review.team');
  fs.writeFileSync(review, reviewTeam);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const exampleInputs: Record<string, string[]> = {
  'code-review': ['diff=@change.diff'],
  'math-library': ['spec=Add, subtract, multiply and divide, with tests.'],
  research: ['question=Why is the sky blue?'],
  'writer-critic': ['brief=A short article on vector clocks.'],
};

describe('teamc run on the examples, sim provider', () => {
  for (const [name, input] of Object.entries(exampleInputs)) {
    it(`${name}: exit 0, the typed output as JSON on stdout, a summary and a trace`, async () => {
      // Every example must pass the checker: `teamc run` refuses a file with errors.
      expect(exampleErrors(name)).toEqual([]);
      const terminal = recordingTerminal(dir);
      const trace = path.join(dir, `${name}.jsonl`);
      const code = await runRun(path.join(examples, `${name}.team`), { ...base, input, seed: '7', trace }, terminal);
      expect(terminal.stderrText()).not.toMatch(/error\[/);
      expect(code).toBe(0);
      expect(terminal.out).toHaveLength(1);
      const output = JSON.parse(terminal.out[0]!) as Record<string, unknown>;
      const definition = toTeamDefinition(exampleTeam(name));
      expect(Object.keys(output).sort()).toEqual(definition.outputs.map((o) => o.name).sort());
      for (const declared of definition.outputs) expect(declared.schema.safeParse(output[declared.name]).success).toBe(true);
      expect(terminal.stderrText()).toContain('no OPENAI_API_KEY set: running on the sim provider');
      expect(terminal.stderrText()).toMatch(new RegExp(`team ${definition.name} finished in .* of virtual time on the sim provider \\(seed 7\\)`));
      const events = parseJsonLines(fs.readFileSync(trace, 'utf8'));
      expect(events[0]).toMatchObject({ kind: 'run-start', team: definition.name, clock: 'virtual' });
      expect(events.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'ok' });
    });
  }

});

describe('teamc run on a review team with replicas, a causal channel and a vote', () => {
  it('exit 0: the verdict as JSON of the declared type, the summary with virtual time, a full trace', async () => {
    const terminal = recordingTerminal(dir);
    const trace = path.join(dir, 'review.jsonl');
    const code = await runRun(review, { ...base, input: ['diff=@change.diff'], seed: '5', trace }, terminal);
    expect(code).toBe(0);
    const output = JSON.parse(terminal.out[0]!) as { verdict: { decision: string; reasons: string[] } };
    expect(Object.keys(output)).toEqual(['verdict']);
    expect(['approve', 'request_changes']).toContain(output.verdict.decision);
    expect(output.verdict.reasons).toEqual(expect.any(Array));
    expect(terminal.stderrText()).toContain('no OPENAI_API_KEY set: running on the sim provider');
    expect(terminal.stderrText()).toMatch(/team Review finished in [\d.]+s of virtual time on the sim provider \(seed 5\): \d+ activations, \d+ tokens, \$[\d.]+\. Trace: review\.jsonl/);
    // Progress lines, plain: no control characters on a pipe.
    expect(terminal.stderrText()).toContain('reviewer#0: started');
    expect(terminal.stderrText()).toMatch(/decide: decided "(approve|request_changes)"/);
    expect(terminal.stderrText()).not.toMatch(/\u001b/);
    const events = parseJsonLines(fs.readFileSync(trace, 'utf8'));
    expect(events[0]).toMatchObject({ kind: 'run-start', team: 'Review', clock: 'virtual', input: { diff: expect.stringContaining('def add') } });
    expect(events.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'ok' });
  });

  it('the same seed gives the same output and the same trace', async () => {
    const outputs: string[] = [];
    const traces: string[] = [];
    for (const run of [1, 2]) {
      const terminal = recordingTerminal(dir);
      const trace = path.join(dir, `same-${run}.jsonl`);
      const code = await runRun(review, { ...base, input: ['diff=@change.diff'], seed: '3', trace }, terminal);
      expect(code).toBe(0);
      outputs.push(terminal.out[0]!);
      traces.push(fs.readFileSync(trace, 'utf8'));
    }
    expect(outputs[0]).toBe(outputs[1]);
    expect(traces[0]).toBe(traces[1]);
  });

  it('--record writes a cassette that --cassette replays offline to the same output', async () => {
    const cassette = path.join(dir, 'cassettes', 'review.jsonl');
    const recording = recordingTerminal(dir);
    expect(await runRun(review, { ...base, input: ['diff=@change.diff'], seed: '8', record: cassette, trace: path.join(dir, 'rec.jsonl') }, recording)).toBe(0);
    expect(fs.readFileSync(cassette, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(4);
    const replaying = recordingTerminal(dir);
    expect(await runRun(review, { ...base, input: ['diff=@change.diff'], seed: '8', cassette, trace: path.join(dir, 'replay.jsonl') }, replaying)).toBe(0);
    expect(replaying.stderrText()).toContain('on the replay provider (cassette cassettes/review.jsonl)');
    expect(replaying.stderrText()).not.toContain('no OPENAI_API_KEY');
    expect(replaying.out[0]).toBe(recording.out[0]);
  });

  it('writes the trace under .teamc/traces/<team>-<seed>.jsonl by default', async () => {
    const terminal = recordingTerminal(dir);
    const code = await runRun(review, { ...base, input: ['diff=x'], seed: '11' }, terminal);
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(dir, '.teamc', 'traces', 'review-11.jsonl'))).toBe(true);
    expect(terminal.stderrText()).toContain(`Trace: ${path.join('.teamc', 'traces', 'review-11.jsonl')}`);
    expect(defaultTracePath('CodeReview', undefined, new Date('2026-01-02T03:04:05.678Z'))).toBe(path.join('.teamc', 'traces', 'code-review-2026-01-02T03-04-05Z.jsonl'));
  });

  it('records the analysis’s prediction in the trace, so `trace view` shows predicted beside measured with no flags', async () => {
    const trace = path.join(dir, 'predicted.jsonl');
    expect(await runRun(review, { ...base, input: ['diff=@change.diff'], seed: '5', trace }, recordingTerminal(dir))).toBe(0);
    const { predicted } = analyzeTeam(toTeamDefinition(teamFromText(reviewTeam).team) as TeamDefinition<unknown, unknown>).agents;
    expect(predicted.speedup).toBeGreaterThan(1);
    const events = parseJsonLines(fs.readFileSync(trace, 'utf8'));
    // Right after run-start, at its time: the timeline's bounds do not move.
    expect(events[1]).toEqual({ kind: 'prediction', agent: 'team', time: events[0]!.time, speedup: predicted.speedup, makespanMs: predicted.makespanMs });
    expect(events.filter((e) => e.kind === 'prediction')).toHaveLength(1);

    const viewing = recordingTerminal(dir);
    expect(runTraceView(trace, { out: 'predicted.html' }, viewing)).toBe(0);
    expect(viewing.stdoutText()).toMatch(new RegExp(`measured speed-up \\d+\\.\\d\\d× \\(predicted ${formatSpeedup(predicted.speedup).replace('.', '\\.')}\\)`));
    const html = fs.readFileSync(path.join(dir, 'predicted.html'), 'utf8');
    const figure = (id: string) => new RegExp(`id="fig-${id}"><dt>[^<]*</dt><dd>([^<]*)<small>([^<]*)</small>`).exec(html)!;
    const [, predictedShown, comparison] = figure('predicted-speedup');
    expect(predictedShown).toBe(formatSpeedup(predicted.speedup));
    expect(comparison).toMatch(/^measured is \d+% of predicted$/);
    const [, measuredShown] = figure('measured-speedup');
    expect(measuredShown).toMatch(/^\d+\.\d\d×$/);
    expect(figure('makespan')[2]).toBe(`predicted ${formatMs(predicted.makespanMs)}`);
  });

  it('reads a single missing text input from piped standard input', async () => {
    const terminal = recordingTerminal(dir);
    const code = await runRun(review, { ...base, readStdin: async () => 'diff --git a/x b/x\n', trace: path.join(dir, 'stdin.jsonl') }, terminal);
    expect(code).toBe(0);
    expect(terminal.stderrText()).toContain('input diff: read from standard input');
    const start = parseJsonLines(fs.readFileSync(path.join(dir, 'stdin.jsonl'), 'utf8'))[0]!;
    expect(start).toMatchObject({ kind: 'run-start', input: { diff: 'diff --git a/x b/x\n' } });
  });
});

describe('teamc run: usage errors', () => {
  it('a missing input: exit 2, naming the input and the flag to pass, nothing run', async () => {
    const terminal = recordingTerminal(dir);
    const code = await runRun(review, { ...base, trace: path.join(dir, 'never.jsonl') }, terminal);
    expect(code).toBe(2);
    expect(terminal.stderrText()).toContain('team Review needs an input that was not given');
    expect(terminal.stderrText()).toContain('diff: a string; pass --input diff=TEXT  or  --input diff=@FILE');
    expect(terminal.out).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'never.jsonl'))).toBe(false);
  });

  it('an unknown input, an unreadable @file, a replay without a cassette', async () => {
    const file = review;
    const unknown = recordingTerminal(dir);
    expect(await runRun(file, { ...base, input: ['dif=x'] }, unknown)).toBe(2);
    expect(unknown.stderrText()).toContain('team Review has no input `dif` (its inputs: diff)');
    const unreadable = recordingTerminal(dir);
    expect(await runRun(file, { ...base, input: ['diff=@no-such.diff'] }, unreadable)).toBe(2);
    expect(unreadable.stderrText()).toContain('--input diff=@no-such.diff: no such file or directory');
    const replay = recordingTerminal(dir);
    expect(await runRun(file, { ...base, input: ['diff=x'], provider: 'replay' }, replay)).toBe(2);
    expect(replay.stderrText()).toContain('pass --cassette FILE');
  });

  it('a value of the wrong type is refused before the run, naming the input', async () => {
    const file = path.join(dir, 'typed.team');
    fs.writeFileSync(
      file,
      [
        'model m { provider sim  latency 1s  max_tokens 100 }',
        'team Typed {',
        '  input limit: int',
        '  output answer: Answer from solver',
        '  type Answer { text: string }',
        '  agent solver { model m  takes limit  output Answer  prompt "Up to {{limit}}"  timeout 10s }',
        '}',
        '',
      ].join('\n'),
    );
    const bad = recordingTerminal(dir);
    expect(await runRun(file, { ...base, input: ['limit=2.5'] }, bad)).toBe(2);
    expect(bad.stderrText()).toMatch(/input limit: .*int/i);
    const good = recordingTerminal(dir);
    expect(await runRun(file, { ...base, input: ['limit=3'], trace: path.join(dir, 'typed.jsonl') }, good)).toBe(0);
    expect(JSON.parse(good.out[0]!)).toMatchObject({ answer: { text: expect.any(String) } });
  });

  it('refuses a file with checker errors, printing them as teamc check does', async () => {
    const file = path.join(dir, 'broken.team');
    fs.writeFileSync(file, ['model m { provider sim }', 'team Broken {', '  input diff: string', '  output o: string from a', '  agent a { model m  takes dif  output string  prompt "x" }', '}', ''].join('\n'));
    const terminal = recordingTerminal(dir);
    expect(await runRun(file, { ...base }, terminal)).toBe(1);
    expect(terminal.stderrText()).toMatch(/broken\.team:5:\d+ error\[T101\]/);
    expect(terminal.stderrText()).toContain('teamc: not run: fix the');
    expect(terminal.out).toEqual([]);
  });
});

describe('teamc run: interrupted', () => {
  it('aborting the injected signal mid-run (as Ctrl-C does) stops cleanly: exit 130 and a partial trace', async () => {
    const controller = new AbortController();
    // Abort as soon as the first reviewer has started: the run is then well under way.
    const terminal = recordingTerminal(dir, (line) => {
      if (line.includes('reviewer#0: started')) queueMicrotask(() => controller.abort());
    });
    const trace = path.join(dir, 'interrupted.jsonl');
    const code = await runRun(review, { ...base, input: ['diff=@change.diff'], trace, signal: controller.signal }, terminal);
    expect(code).toBe(INTERRUPTED);
    expect(terminal.out).toEqual([]);
    expect(terminal.stderrText()).toContain('teamc: interrupted');
    const events = parseJsonLines(fs.readFileSync(trace, 'utf8'));
    expect(events[0]).toMatchObject({ kind: 'run-start' });
    expect(events.some((e) => e.kind === 'run-end' && e.outcome === 'ok')).toBe(false);
    // Partial: no judge ever voted.
    expect(events.some((e) => e.kind === 'decision')).toBe(false);
  });
});
