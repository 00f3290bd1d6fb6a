// `teamc check` as a linter in CI: warnings, --max-warnings, --quiet, and the machine formats.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

let dir: string;

// Two warnings (T500: a model call with no timeout; T505: a single point of failure), no error.
const warnOnly = `team T {
  input question: string
  output answer: Answer from solo
  budget 10k tokens
  model m { provider sim  latency 2s  max_tokens 1k }
  type Answer { text: string }
  agent solo {
    model m
    takes question
    output Answer
    prompt """
      {{question}}
    """
  }
}
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-lint-'));
  fs.writeFileSync(path.join(dir, 'warn.team'), warnOnly);
  fs.writeFileSync(path.join(dir, 'error.team'), warnOnly.replace('takes question', 'takes questoin'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('teamc check in CI', () => {
  it('exits 0 on warnings alone, and 1 once they pass --max-warnings', async () => {
    const relaxed = await runCli(['check', 'warn.team'], { cwd: dir });
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('warning[T500]');
    expect((await runCli(['check', 'warn.team', '--max-warnings', '2'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['check', 'warn.team', '--max-warnings', '1'], { cwd: dir })).code).toBe(1);
  });

  it('--quiet shows errors only', async () => {
    const quiet = await runCli(['check', 'warn.team', 'error.team', '--quiet'], { cwd: dir });
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toContain('error[T101]');
    expect(quiet.stdout).not.toContain('warning[');
  });

  it('prints GitHub workflow annotations', async () => {
    const github = await runCli(['check', 'error.team', '--format', 'github'], { cwd: dir });
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=error\.team,line=9,col=11,endLine=9,endColumn=18,title=T101::/m);
  });

  it('prints a SARIF 2.1.0 log', async () => {
    const sarif = await runCli(['check', 'error.team', '--format', 'sarif'], { cwd: dir });
    const log = JSON.parse(sarif.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toContain('T101');
  });
});
