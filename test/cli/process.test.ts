// The CLI as a user runs it: a cold `node bin/teamc.js` process over the built dist/.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(() => {
  // `npm ci` builds dist/ through `prepare`; build here too when a developer has not yet.
  if (!fs.existsSync('dist/compiler/cli/main.js')) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
});

function teamc(...args: string[]) {
  return spawnSync(process.execPath, ['bin/teamc.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

describe('bin/teamc.js', () => {
  it('checks the examples in a fresh process', () => {
    const result = teamc('check', 'examples');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints its version and help', () => {
    expect(teamc('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = teamc('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('check');
  });

  it('exits 2 on a usage mistake without a stack trace', () => {
    const result = teamc('check', '--format', 'yaml', 'examples');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("'yaml'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
