import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { realClock, VirtualClock } from '../../../runtime/clock.js';
import { MalformedOutputError, ReplayMissError, SchemaMismatchError } from '../../../runtime/providers/errors.js';
import { createProvider } from '../../../runtime/providers/factory.js';
import { createOpenAIProvider } from '../../../runtime/providers/openai.js';
import { createReplayProvider, type CassetteEntry } from '../../../runtime/providers/replay.js';
import { requestKey } from '../../../runtime/providers/request-key.js';
import { createSimProvider } from '../../../runtime/providers/sim.js';
import type { CompletionRequest, ModelResponse } from '../../../runtime/providers/types.js';
import { completion, startChatServer, type ChatServer } from './chat-server.js';

const dir = mkdtempSync(join(tmpdir(), 'teamc-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let cassetteCount = 0;
const freshCassette = () => join(dir, `nested/cassette-${++cassetteCount}.jsonl`);

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const Answer = z.object({ answer: z.string(), confidence: z.number() });

function request(agent: string, question: string, overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    agent,
    model: { provider: 'openai', model: 'gpt-test', temperature: 0 },
    messages: [{ role: 'user', content: question }],
    schema: Answer,
    schemaName: 'Answer',
    ...overrides,
  };
}

/** A server that answers each request with the next scripted content, counting the calls. */
async function scriptedServer(contents: string[], options: { finishReason?: string } = {}) {
  server = await startChatServer((_, i) => ({
    json: completion(contents[Math.min(i, contents.length - 1)]!, { usage: { prompt_tokens: 20 + i, completion_tokens: 5 + i }, ...options }),
  }));
  return createOpenAIProvider({ apiKey: 'sk-replay-test', baseURL: server.baseURL, env: {} });
}

const settle = <T>(promise: Promise<T>) => promise.catch((error: unknown) => error);

describe('replay: record, then replay offline', () => {
  it('replays exactly what the real provider answered, without the network', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['{"answer":"Paris","confidence":0.9}', '{"answer":"4","confidence":1}']);
    const recorder = createReplayProvider({ cassette, mode: 'record', inner });
    const asked = [request('geographer', 'Capital of France?'), request('mathematician', '2 + 2?')];
    const recorded: ModelResponse[] = [];
    for (const r of asked) recorded.push(await recorder.complete(r, { clock: realClock }));
    expect(server!.requests).toHaveLength(2);
    await server!.close();
    server = undefined;

    const clock = new VirtualClock();
    const player = createReplayProvider({ cassette });
    const replayed = await clock.run(Promise.all(asked.map((r) => player.complete(r, { clock }))));
    expect(replayed).toEqual(recorded);
    // The recorded latency is waited on the run's clock: the calls ran concurrently.
    expect(clock.now()).toBe(Math.max(...recorded.map((r) => r.latencyMs)));
  });

  it('writes one JSON line per answer, keyed by the request hash', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['{"answer":"yes","confidence":0.5}']);
    const r = request('oracle', 'Is it?');
    await createReplayProvider({ cassette, mode: 'record', inner }).complete(r, { clock: realClock });
    const lines = readFileSync(cassette, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as CassetteEntry;
    expect(entry).toMatchObject({
      version: 1,
      key: requestKey(r),
      agent: 'oracle',
      model: 'gpt-test',
      schemaName: 'Answer',
      messages: r.messages,
      raw: '{"answer":"yes","confidence":0.5}',
      usage: { inputTokens: 20, outputTokens: 5 },
    });
    expect(entry.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a request asked several times replays its answers in order, then repeats the last', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['{"answer":"a","confidence":0.1}', '{"answer":"b","confidence":0.2}']);
    const recorder = createReplayProvider({ cassette, mode: 'record', inner });
    const replicaQuestion = (instance: number) => request('voter', 'Pick one', { instance });
    await recorder.complete(replicaQuestion(0), { clock: realClock });
    await recorder.complete(replicaQuestion(1), { clock: realClock });

    const clock = new VirtualClock();
    const player = createReplayProvider({ cassette, latency: 'none' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(((await clock.run(player.complete(replicaQuestion(i), { clock }))).output as { answer: string }).answer);
    expect(answers).toEqual(['a', 'b', 'b']);
    expect(clock.now()).toBe(0);
  });

  it('answers that failed as output are recorded and fail the same way on replay', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['{"answer": 42}', '{"answer": "cut of', '{"answer":"ok","confidence":1}']);
    const recorder = createReplayProvider({ cassette, mode: 'record', inner });
    const mismatch = await settle(recorder.complete(request('a', 'one'), { clock: realClock }));
    const truncated = await settle(recorder.complete(request('a', 'two'), { clock: realClock }));
    expect(mismatch).toBeInstanceOf(SchemaMismatchError);
    expect(truncated).toMatchObject({ name: 'MalformedOutputError', reason: 'truncated' });

    const clock = new VirtualClock();
    const player = createReplayProvider({ cassette });
    const replayedMismatch = await clock.run(settle(player.complete(request('a', 'one'), { clock })));
    const replayedTruncated = await clock.run(settle(player.complete(request('a', 'two'), { clock })));
    expect(replayedMismatch).toBeInstanceOf(SchemaMismatchError);
    expect((replayedMismatch as SchemaMismatchError).issues).toEqual((mismatch as SchemaMismatchError).issues);
    expect(replayedTruncated).toBeInstanceOf(MalformedOutputError);
    expect(replayedTruncated).toMatchObject({ reason: 'truncated', tokenUsage: (truncated as MalformedOutputError).tokenUsage });
  });

  it('keeps a token-limit truncation (finish_reason "length") as truncated on replay', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['Here is'], { finishReason: 'length' });
    const recorded = await settle(createReplayProvider({ cassette, mode: 'record', inner }).complete(request('a', 'q'), { clock: realClock }));
    expect(recorded).toMatchObject({ reason: 'truncated' });
    const clock = new VirtualClock();
    const replayed = await clock.run(settle(createReplayProvider({ cassette }).complete(request('a', 'q'), { clock })));
    expect(replayed).toMatchObject({ name: 'MalformedOutputError', reason: 'truncated' });
  });

  it('auto mode replays what it has and records what it lacks', async () => {
    const cassette = freshCassette();
    const inner = await scriptedServer(['{"answer":"first","confidence":1}', '{"answer":"second","confidence":1}']);
    const auto = () => createReplayProvider({ cassette, mode: 'auto', inner });
    await auto().complete(request('a', 'known'), { clock: realClock });
    expect(server!.requests).toHaveLength(1);

    const clock = new VirtualClock();
    const again = auto();
    const known = await clock.run(again.complete(request('a', 'known'), { clock }));
    expect(known.output).toEqual({ answer: 'first', confidence: 1 });
    expect(server!.requests).toHaveLength(1);
    const fresh = await again.complete(request('a', 'new'), { clock: realClock });
    expect(fresh.output).toEqual({ answer: 'second', confidence: 1 });
    expect(server!.requests).toHaveLength(2);
    expect(readFileSync(cassette, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('records from the simulator too, replaying its answers and latencies exactly', async () => {
    const cassette = freshCassette();
    const sim = createSimProvider({ seed: 3 });
    const clock = new VirtualClock();
    const recorder = createProvider('replay', { cassette, mode: 'record', inner: sim });
    const asked = ['x', 'y', 'z'].map((q) => request('sim-agent', q, { model: { provider: 'sim', model: 's', latencyMs: 300 } }));
    const recorded = await clock.run(Promise.all(asked.map((r) => recorder.complete(r, { clock }))));
    const clock2 = new VirtualClock();
    const replayed = await clock2.run(Promise.all(asked.map((r) => createProvider('replay', { cassette }).complete(r, { clock: clock2 }))));
    expect(replayed).toEqual(recorded);
  });
});

describe('replay: misses', () => {
  it('a request the cassette lacks is a ReplayMissError naming the agent and the hash', async () => {
    const cassette = freshCassette();
    const clock = new VirtualClock();
    const sim = createSimProvider();
    await clock.run(createReplayProvider({ cassette, mode: 'record', inner: sim }).complete(request('planner', 'Plan the week.'), { clock }));

    const player = createReplayProvider({ cassette });
    const changed = request('planner', 'Plan the month.');
    const error = await settle(player.complete(changed, { clock }));
    expect(error).toBeInstanceOf(ReplayMissError);
    const miss = error as ReplayMissError;
    expect(miss.retryable).toBe(false);
    expect(miss.agent).toBe('planner');
    expect(miss.key).toBe(requestKey(changed));
    expect(miss.recordedForAgent).toEqual([requestKey(request('planner', 'Plan the week.'))]);
    expect(miss.message).toContain('planner');
    expect(miss.message).toContain(requestKey(changed));
    expect(miss.message).toContain('did its prompt, model or schema change');

    const stranger = await settle(player.complete(request('nobody', 'Hi'), { clock }));
    expect((stranger as Error).message).toMatch(/nothing is recorded for this agent/);
  });

  it('a changed schema or model is a miss too', async () => {
    const cassette = freshCassette();
    const clock = new VirtualClock();
    await clock.run(createReplayProvider({ cassette, mode: 'record', inner: createSimProvider() }).complete(request('a', 'q'), { clock }));
    const player = createReplayProvider({ cassette });
    await expect(player.complete(request('a', 'q', { schema: Answer.extend({ source: z.string() }) }), { clock })).rejects.toBeInstanceOf(ReplayMissError);
    await expect(player.complete(request('a', 'q', { model: { provider: 'openai', model: 'gpt-other', temperature: 0 } }), { clock })).rejects.toBeInstanceOf(ReplayMissError);
  });

  it('a missing or corrupt cassette says so', async () => {
    const clock = new VirtualClock();
    await expect(createReplayProvider({ cassette: join(dir, 'absent.jsonl') }).complete(request('a', 'q'), { clock })).rejects.toThrow(/does not exist; record it first/);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"version":1}\n');
    await expect(createReplayProvider({ cassette: broken }).complete(request('a', 'q'), { clock })).rejects.toThrow(/broken\.jsonl:1: not a version-1 cassette entry/);
    expect(() => createReplayProvider({ cassette: broken, mode: 'record' })).toThrow(/needs an inner provider/);
  });
});

describe('requestKey', () => {
  it('depends on model, settings, messages and schema — not on who asks, which attempt, the provider name or latency', () => {
    const base = request('a', 'q');
    const key = requestKey(base);
    expect(requestKey({ ...base, agent: 'b', instance: 3, attempt: 2, schemaName: 'Other' })).toBe(key);
    // Equal schemas built separately, and settings listed in another order, are the same request.
    expect(requestKey({ ...base, schema: z.object({ answer: z.string(), confidence: z.number() }) })).toBe(key);
    expect(requestKey({ ...base, model: { temperature: 0, model: 'gpt-test', provider: 'replay', latencyMs: 5 } })).toBe(key);
    expect(requestKey({ ...base, messages: [{ role: 'user', content: 'q2' }] })).not.toBe(key);
    expect(requestKey({ ...base, messages: [{ role: 'system', content: 'q' }] })).not.toBe(key);
    expect(requestKey({ ...base, model: { ...base.model, temperature: 1 } })).not.toBe(key);
    expect(requestKey({ ...base, model: { ...base.model, model: 'other' } })).not.toBe(key);
    expect(requestKey({ ...base, schema: z.object({ answer: z.string() }) })).not.toBe(key);
    expect(requestKey({ ...base, schema: z.object({ answer: z.string().describe('one word'), confidence: z.number() }) })).not.toBe(key);
  });
});

describe('createProvider', () => {
  it('builds each provider by name and rejects unknown names', () => {
    expect(createProvider('sim').name).toBe('sim');
    expect(createProvider('openai', { env: {} }).name).toBe('openai');
    expect(createProvider('replay', { cassette: join(dir, 'x.jsonl') }).name).toBe('replay');
    expect(() => createProvider('anthropic' as 'sim')).toThrow(/unknown provider "anthropic" \(known: openai, sim, replay\)/);
    expect(() => (createProvider as (name: string) => unknown)('replay')).toThrow(/needs options/);
  });
});
