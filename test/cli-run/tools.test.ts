/**
 * `teamc run` with a team that calls tools: on the sim provider (virtual time) the tools are
 * simulated and the run says so; on a real model it stops before any call, naming the tools that
 * have no implementation and how to give them one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runRun, type RunCommandOptions } from '../../compiler/cli/run.js';
import { parseJsonLines } from '../../runtime/trace.js';
import { startChatServer, type ChatServer } from '../runtime/providers/chat-server.js';
import { recordingTerminal, tempDir } from './helpers.js';

const fixtures = path.resolve(import.meta.dirname, '../check/rules/fixtures');
const notify = path.join(fixtures, 'T401-accept.team');
const base: RunCommandOptions = { env: {}, readStdin: async () => undefined, input: ['incident=the database is down'] };

let dir: string;
beforeAll(() => (dir = tempDir()));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('teamc run with tools', () => {
  it('on the sim provider: the tools are simulated, said so, and the trace shows their calls', async () => {
    const terminal = recordingTerminal(dir);
    const trace = path.join(dir, 'notify.jsonl');
    const code = await runRun(notify, { ...base, seed: '4', trace }, terminal);
    expect(terminal.stderrText()).toContain('teamc: tool send_page: simulated');
    expect(code).toBe(0);
    expect(JSON.parse(terminal.out[0]!)).toEqual({ sent: { id: expect.any(String) } });
    const events = parseJsonLines(fs.readFileSync(trace, 'utf8')) as unknown as Array<Record<string, unknown>>;
    expect(events.filter((e) => e['kind'] === 'tool').map((e) => e['action'])).toEqual(['call', 'result']);
    expect(events.find((e) => e['kind'] === 'tool')).toMatchObject({ tool: 'send_page', activation: 'notifier:1', attempt: 1, key: expect.any(String) });
  });

  it('on a real model: a clear error before any call, naming the tools and how to implement them', async () => {
    server = await startChatServer(() => ({ json: {} }));
    const terminal = recordingTerminal(dir);
    const env = { OPENAI_API_KEY: 'sk-test-never-used-1234', OPENAI_BASE_URL: server.baseURL };
    const code = await runRun(notify, { ...base, env, trace: path.join(dir, 'never.jsonl') }, terminal);
    expect(code).toBe(2);
    const stderr = terminal.stderrText();
    expect(stderr).toContain('team Notify calls a tool with no implementation: send_page (effect)');
    expect(stderr).toContain('teamc build');
    expect(stderr).toContain("createNotify({ provider: 'openai', tools: { send_page: async (input) => … } })");
    expect(stderr).toContain('--provider sim');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(terminal.out).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
