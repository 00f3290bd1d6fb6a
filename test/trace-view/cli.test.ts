import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOutput, runTraceView, type TraceViewOptions } from '../../compiler/cli/trace.js';
import type { Terminal } from '../../compiler/cli/terminal.js';
import { codeReviewTrace, toJsonLines } from './fixtures.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-trace-view-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(trace: string, options: TraceViewOptions = {}) {
  let stdout = '';
  let stderr = '';
  const terminal: Terminal = {
    cwd: dir,
    color: false,
    stdout: (text) => void (stdout += text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => void (stderr += text.endsWith('\n') ? text : `${text}\n`),
  };
  const code = runTraceView(trace, options, terminal);
  return { code, stdout, stderr };
}

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

describe('teamc trace view', () => {
  it('writes the page beside the trace and says what it drew', () => {
    const trace = write('review.jsonl', toJsonLines(codeReviewTrace()));
    const result = run(trace);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('wrote review.html (10 lanes, 10 calls, 4 messages; makespan 9.12 s, measured speed-up 2.19×)\n');
    const html = fs.readFileSync(path.join(dir, 'review.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('code-review');
    // Written atomically: no temporary file is left behind.
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes to --out, or to stdout with --out -, and shows a prediction when given one', () => {
    const trace = write('run2.jsonl', toJsonLines(codeReviewTrace()));
    expect(run(trace, { out: 'missing/page.html' })).toMatchObject({ code: 2, stderr: 'teamc: missing/page.html: cannot write: no such file or directory\n' });
    expect(run(trace, { out: 'page.html', predicted: { speedup: 3 } })).toMatchObject({ code: 0, stdout: expect.stringContaining('wrote page.html') });
    expect(fs.readFileSync(path.join(dir, 'page.html'), 'utf8')).toContain('3.00×');
    const piped = run(trace, { out: '-' });
    expect(piped.code).toBe(0);
    expect(piped.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(piped.stderr).toContain('run2.jsonl: 10 lanes');
  });

  it('is a usage error when the trace is missing or the page would overwrite it', () => {
    expect(run('nope.jsonl')).toEqual({ code: 2, stdout: '', stderr: 'teamc: nope.jsonl: no such file or directory\n' });
    const trace = write('same.html', toJsonLines(codeReviewTrace()));
    expect(run(trace)).toMatchObject({ code: 0 }); // same.html → same.html.html
    expect(run(trace, { out: 'same.html' })).toMatchObject({ code: 2, stderr: 'teamc: same.html: the page would overwrite the trace; pass --out\n' });
    expect(run(trace, { predicted: { speedup: -1 } })).toMatchObject({ code: 2, stderr: 'teamc: predicted speed-up must be a positive number, got -1\n' });
  });

  it('refuses a file that is not a trace, naming the line', () => {
    const notJson = write('broken.jsonl', '{"kind":"run-start","agent":"team","time":0}\n{oops\n');
    expect(run(notJson)).toMatchObject({ code: 1, stdout: '' });
    expect(run(notJson).stderr).toMatch(/^teamc: broken\.jsonl: not a trace: trace line 2 is not JSON/);
    const empty = write('empty.jsonl', '\n\n');
    expect(run(empty)).toMatchObject({ code: 1, stderr: 'teamc: empty.jsonl: not a trace: it holds no events\n' });
    const garbage = write('garbage.jsonl', '[1,2]\n{"kind":"send"}\n');
    expect(run(garbage)).toMatchObject({ code: 1, stderr: 'teamc: garbage.jsonl: not a trace: none of its 2 events is well-formed (event 1: not an object)\n' });
  });

  it('skips malformed events with a warning and still draws the rest', () => {
    const lines = toJsonLines(codeReviewTrace()) + '{"kind":"call-end","agent":"x","time":1}\n"text"\n{"kind":"vote","agent":"v","time":2}\n{"agent":"y","time":3}\n';
    const result = run(write('partly.jsonl', lines));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'teamc: partly.jsonl: skipped 4 malformed events (event 67: call-end: "attempt" is not a number; event 68: not an object; event 69: vote: "consensus" is not a string; 1 more)\n',
    );
    expect(fs.readFileSync(path.join(dir, 'partly.html'), 'utf8')).toContain('4 malformed events were skipped');
  });

  it('names the page after the trace', () => {
    expect(defaultOutput('/x/run.jsonl')).toBe('/x/run.html');
    expect(defaultOutput('/x/run.JSON')).toBe('/x/run.html');
    expect(defaultOutput('/x/run.trace')).toBe('/x/run.html');
    expect(defaultOutput('/x/run')).toBe('/x/run.html');
    expect(defaultOutput('/x/run.v2.txt')).toBe('/x/run.v2.txt.html');
  });
});
