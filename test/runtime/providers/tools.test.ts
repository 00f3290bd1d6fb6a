/**
 * Tool calls through every provider: the OpenAI provider against a real chat-completions server
 * on 127.0.0.1 (function definitions out, `tool_calls` back, the conversation with `role: 'tool'`
 * results on the next round, malformed arguments), the simulator (a call per offered tool, then the
 * answer; deterministic; faults on both rounds), replay (tool-call answers recorded and replayed),
 * and a whole team run on the OpenAI provider whose agent really calls its tool.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { realClock, VirtualClock } from '../../../runtime/clock.js';
import type { TeamDefinition } from '../../../runtime/definition.js';
import { MalformedOutputError, RateLimitError, ReplayMissError } from '../../../runtime/providers/errors.js';
import { createOpenAIProvider } from '../../../runtime/providers/openai.js';
import { createReplayProvider, type CassetteEntry } from '../../../runtime/providers/replay.js';
import { requestKey } from '../../../runtime/providers/request-key.js';
import { createSimProvider, type SimCallRecord } from '../../../runtime/providers/sim.js';
import type { ChatMessage, CompletionRequest, ModelResponse, ToolOffer } from '../../../runtime/providers/types.js';
import { createTeam, toModelInvoker } from '../../../runtime/team.js';
import { startChatServer, type ChatServer, type Handler } from './chat-server.js';

const Receipt = z.object({ id: z.string() });
const Page = z.object({ team: z.string().min(2), summary: z.string() });
const sendPage: ToolOffer = { name: 'send_page', description: 'Pages the on-call team.', input: Page };
const lookup: ToolOffer = { name: 'lookup', input: z.object({ query: z.string() }) };

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    agent: 'notifier',
    model: { provider: 'openai', model: 'gpt-test', maxTokens: 200 },
    messages: [{ role: 'user', content: 'Page the on-call team about the outage.' }],
    schema: Receipt,
    schemaName: 'Receipt',
    tools: [sendPage],
    ...overrides,
  };
}

/** A chat completion whose message asks for tool calls (arguments as the server sends them: JSON text). */
function toolCallCompletion(calls: Array<{ id: string; name: string; arguments: string }>, finishReason = 'tool_calls'): unknown {
  return {
    id: 'chatcmpl-tools',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-test',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
  };
}

function answerCompletion(content: string): unknown {
  return {
    id: 'chatcmpl-answer',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-test',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 50, completion_tokens: 6, total_tokens: 56 },
  };
}

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAt(handler: Handler) {
  server = await startChatServer(handler);
  return createOpenAIProvider({ apiKey: 'sk-test-tools-1234', baseURL: server.baseURL, env: {} });
}

const dir = mkdtempSync(join(tmpdir(), 'teamc-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openai: function calling against a real chat-completions server', () => {
  it('offers the tools as functions and returns the tool calls with parsed arguments', async () => {
    const provider = await providerAt(() => ({ json: toolCallCompletion([{ id: 'call_a', name: 'send_page', arguments: '{"team":"sre","summary":"db down"}' }]) }));
    const response = await provider.complete(request({ tools: [sendPage, lookup] }), { clock: realClock });

    expect(response.output).toBeUndefined();
    expect(response.toolCalls).toEqual([{ id: 'call_a', name: 'send_page', arguments: { team: 'sre', summary: 'db down' } }]);
    expect(response.usage).toEqual({ inputTokens: 30, outputTokens: 12 });
    const body = server!.requests[0]!.body;
    expect(body['tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'send_page',
          description: 'Pages the on-call team.',
          parameters: { type: 'object', properties: { team: { type: 'string', minLength: 2 }, summary: { type: 'string' } }, required: ['team', 'summary'] },
        },
      },
      { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } },
    ]);
    // Structured output still goes along: the model answers in it once it has what it needs.
    expect(body['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('sends the conversation back: the assistant tool_calls message and one role "tool" message per result', async () => {
    const provider = await providerAt(() => ({ json: answerCompletion('{"id":"page-7"}') }));
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Page the on-call team about the outage.' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_a', name: 'send_page', arguments: { team: 'sre', summary: 'db down' } }] },
      { role: 'tool', toolCallId: 'call_a', content: '{"id":"page-7"}' },
    ];
    const response = await provider.complete(request({ messages }), { clock: realClock });
    expect(response.output).toEqual({ id: 'page-7' });
    expect(response.toolCalls).toBeUndefined();
    expect(server!.requests[0]!.body['messages']).toEqual([
      { role: 'user', content: 'Page the on-call team about the outage.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'send_page', arguments: '{"team":"sre","summary":"db down"}' } }] },
      { role: 'tool', tool_call_id: 'call_a', content: '{"id":"page-7"}' },
    ]);
  });

  it('sends no tools when none are offered (the request is as before)', async () => {
    const provider = await providerAt(() => ({ json: answerCompletion('{"id":"x"}') }));
    await provider.complete(request({ tools: [] }), { clock: realClock });
    expect(server!.requests[0]!.body).not.toHaveProperty('tools');
  });

  it('arguments that are not JSON fail the answer as malformed output, with what the call cost', async () => {
    const provider = await providerAt((_, i) => ({
      json: toolCallCompletion([{ id: 'call_b', name: 'send_page', arguments: i === 0 ? '{"team": "sre", "summ' : 'team=sre' }], i === 0 ? 'length' : 'tool_calls'),
    }));
    const cut = await provider.complete(request(), { clock: realClock }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(MalformedOutputError);
    expect(cut).toMatchObject({ reason: 'truncated', raw: '{"team": "sre", "summ', retryable: true, tokenUsage: { inputTokens: 30, outputTokens: 12 } });
    const prose = await provider.complete(request(), { clock: realClock }).catch((e: unknown) => e);
    expect(prose).toMatchObject({ name: 'MalformedOutputError', reason: 'not_json', raw: 'team=sre' });
  });
});

describe('a team on the openai provider calls its tool for real', () => {
  const notify: TeamDefinition<unknown, unknown> = {
    name: 'Notify',
    inputs: [{ name: 'incident', schema: z.string() }],
    outputs: [{ name: 'sent', schema: Receipt, from: 'notifier' }],
    models: [{ name: 'fast', provider: 'openai', model: 'gpt-test' }],
    channels: [],
    stores: [],
    tools: [{ name: 'send_page', kind: 'effect', input: Page, output: Receipt, idempotencyKey: ['team', 'summary'], doc: 'Pages the on-call team.' }],
    agents: [
      {
        name: 'notifier',
        model: 'fast',
        replicas: 1,
        takes: [{ source: 'incident', from: 'input', all: false, optional: false }],
        emits: [],
        reads: [],
        writes: [],
        calls: ['send_page'],
        output: Receipt,
        prompt: 'Page the on-call team about: {{incident}}',
        policy: {},
      },
    ],
    consensus: [],
    work: [],
  } as unknown as TeamDefinition<unknown, unknown>;

  it('runs the tool the model asked for and answers with its result', async () => {
    server = await startChatServer((req) => {
      const messages = req.body['messages'] as Array<{ role: string }>;
      return { json: messages.some((m) => m.role === 'tool') ? answerCompletion('{"id":"page-7"}') : toolCallCompletion([{ id: 'call_1', name: 'send_page', arguments: '{"team":"sre","summary":"db down"}' }]) };
    });
    const paged: unknown[] = [];
    const provider = createOpenAIProvider({ apiKey: 'sk-test-tools-1234', baseURL: server.baseURL, env: {} });
    const team = createTeam(notify, { provider, tools: { send_page: (input) => (paged.push(input), { id: 'page-7' }) } });
    const result = await team.run({ incident: 'the database is down' });

    expect(result.ok).toBe(true);
    expect(result.ok && result.output).toEqual({ sent: { id: 'page-7' } });
    expect(paged).toEqual([{ team: 'sre', summary: 'db down' }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body['tools']).toEqual([expect.objectContaining({ function: expect.objectContaining({ name: 'send_page', description: 'Pages the on-call team.' }) })]);
    expect(server.requests[1]!.body['messages']).toEqual([
      { role: 'user', content: 'Page the on-call team about: the database is down' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_page', arguments: '{"team":"sre","summary":"db down"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"id":"page-7"}' },
    ]);
    const tools = result.trace.filter((e) => e.kind === 'tool');
    expect(tools.map((e) => e.kind === 'tool' && e.action)).toEqual(['call', 'result']);
    expect(tools[0]).toMatchObject({ activation: 'notifier:1', instance: 0, attempt: 1, args: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe('sim: tool calls', () => {
  const simRequest = (overrides: Partial<CompletionRequest> = {}) => request({ model: { provider: 'sim', model: 'sim', latencyMs: 500 }, tools: [sendPage, lookup], ...overrides });
  const complete = async (options: Parameters<typeof createSimProvider>[0], req: CompletionRequest) => {
    const clock = new VirtualClock();
    return clock.run(createSimProvider(options).complete(req, { clock }).catch((e: unknown) => e as Error));
  };

  it('asks for each offered tool once, with arguments valid for its input schema, after its latency', async () => {
    const calls: SimCallRecord[] = [];
    const clock = new VirtualClock();
    const response = await clock.run(createSimProvider({ seed: 3, onCall: (c) => calls.push(c) }).complete(simRequest(), { clock }));
    expect(response.output).toBeUndefined();
    expect(response.toolCalls!.map((c) => c.name)).toEqual(['send_page', 'lookup']);
    expect(Page.safeParse(response.toolCalls![0]!.arguments).success).toBe(true);
    expect(new Set(response.toolCalls!.map((c) => c.id)).size).toBe(2);
    expect(clock.now()).toBe(calls[0]!.latencyMs);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it('answers the output once the results are in', async () => {
    const first = (await complete({ seed: 3 }, simRequest())) as ModelResponse;
    const messages: ChatMessage[] = [
      ...simRequest().messages,
      { role: 'assistant', content: '', toolCalls: first.toolCalls! },
      ...first.toolCalls!.map((c) => ({ role: 'tool' as const, toolCallId: c.id, content: '{"id":"r"}' })),
    ];
    const second = (await complete({ seed: 3 }, simRequest({ messages }))) as ModelResponse;
    expect(second.toolCalls).toBeUndefined();
    expect(Receipt.safeParse(second.output).success).toBe(true);
  });

  it('is deterministic per seed, and a retry, another replica or a repeat of the request asks for the same call', async () => {
    const a = (await complete({ seed: 9 }, simRequest())) as ModelResponse;
    const b = (await complete({ seed: 9 }, simRequest({ attempt: 2, instance: 1 }))) as ModelResponse;
    const c = (await complete({ seed: 10 }, simRequest())) as ModelResponse;
    expect(b.toolCalls).toEqual(a.toolCalls);
    expect(c.toolCalls).not.toEqual(a.toolCalls);
    // The same provider asked the very same thing again: the same call, with fresh noise.
    const clock = new VirtualClock();
    const records: SimCallRecord[] = [];
    const sim = createSimProvider({ seed: 9, onCall: (r) => records.push(r) });
    const [x, y] = await clock.run(Promise.all([sim.complete(simRequest(), { clock }), sim.complete(simRequest(), { clock })]));
    expect(y!.toolCalls).toEqual(x!.toolCalls);
    expect(records[0]!.latencyMs).not.toBe(records[1]!.latencyMs);
  });

  it('faults hit the tool round too: an error, arguments the schema rejects, wrong or malformed arguments', async () => {
    const correct = ((await complete({ seed: 4 }, simRequest())) as ModelResponse).toolCalls!;
    expect(await complete({ seed: 4, faults: { rateLimit: 1 } }, simRequest())).toBeInstanceOf(RateLimitError);
    const invalid = (await complete({ seed: 4, faults: { schemaInvalid: 1 } }, simRequest())) as ModelResponse;
    expect(Page.safeParse(invalid.toolCalls![0]!.arguments).success).toBe(false);
    const wrong = (await complete({ seed: 4, faults: { wrongAnswer: 1 } }, simRequest())) as ModelResponse;
    expect(Page.safeParse(wrong.toolCalls![0]!.arguments).success).toBe(true);
    expect(wrong.toolCalls![0]!.arguments).not.toEqual(correct[0]!.arguments);
    expect(await complete({ seed: 4, faults: { malformed: 1 } }, simRequest())).toBeInstanceOf(MalformedOutputError);
  });

  it('a scripted answer skips the tools; without tools offered it answers at once', async () => {
    const scripted = (await complete({ seed: 1, respond: () => ({ id: 'scripted' }) }, simRequest())) as ModelResponse;
    expect(scripted).toMatchObject({ output: { id: 'scripted' } });
    expect(scripted.toolCalls).toBeUndefined();
    const plain = (await complete({ seed: 1 }, simRequest({ tools: [] }))) as ModelResponse;
    expect(Receipt.safeParse(plain.output).success).toBe(true);
  });

  it('through toModelInvoker, the tool results reach the model as the conversation', async () => {
    const seen: CompletionRequest[] = [];
    const sim = createSimProvider({ seed: 2 });
    const spy = { name: 'spy', complete: (r: CompletionRequest, o: Parameters<typeof sim.complete>[1]) => (seen.push(r), sim.complete(r, o)) };
    const clock = new VirtualClock();
    const invoke = toModelInvoker(spy, clock);
    const tool = { name: 'send_page', kind: 'effect' as const, input: Page, doc: 'Pages.' };
    const model = { name: 'fast', provider: 'sim', model: 'sim' };
    const base = { agent: 'notifier', instance: 0, model, prompt: 'Page them.', schema: Receipt, maxTokens: 100, attempt: 1, tools: [tool] };
    const first = await clock.run(invoke({ ...base, toolResults: [] }, new AbortController().signal));
    expect(first.toolCalls).toEqual([{ id: expect.any(String), tool: 'send_page', input: expect.any(Object) }]);
    const call = first.toolCalls![0]!;
    const second = await clock.run(invoke({ ...base, toolResults: [{ ...call, round: 0, ok: false, output: 'ToolError: down' }] }, new AbortController().signal));
    expect(Receipt.safeParse(second.output).success).toBe(true);
    expect(seen[0]!.tools).toEqual([{ name: 'send_page', description: 'Pages.', input: Page }]);
    expect(seen[1]!.messages).toEqual([
      { role: 'user', content: 'Page them.' },
      { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: 'send_page', arguments: call.input }] },
      { role: 'tool', toolCallId: call.id, content: '{"error":"ToolError: down"}' },
    ]);
  });
});

describe('replay: tool-call answers are recorded and replayed', () => {
  it('records the tool calls of an answer and replays them offline, the next round keyed by its results', async () => {
    const cassette = join(dir, 'tools.jsonl');
    let asked = 0;
    server = await startChatServer((req) => {
      asked++;
      const messages = req.body['messages'] as Array<{ role: string }>;
      return { json: messages.some((m) => m.role === 'tool') ? answerCompletion('{"id":"page-9"}') : toolCallCompletion([{ id: 'call_r', name: 'send_page', arguments: '{"team":"sre","summary":"disk full"}' }]) };
    });
    const inner = createOpenAIProvider({ apiKey: 'sk-test-tools-1234', baseURL: server.baseURL, env: {} });
    const recorder = createReplayProvider({ cassette, mode: 'record', inner });
    const round1 = await recorder.complete(request(), { clock: realClock });
    const followUp = (calls: NonNullable<ModelResponse['toolCalls']>): CompletionRequest =>
      request({ messages: [...request().messages, { role: 'assistant', content: '', toolCalls: calls }, { role: 'tool', toolCallId: calls[0]!.id, content: '{"id":"page-9"}' }] });
    const round2 = await recorder.complete(followUp(round1.toolCalls!), { clock: realClock });
    expect(asked).toBe(2);

    const lines = readFileSync(cassette, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CassetteEntry);
    expect(lines[0]!.toolCalls).toEqual([{ id: 'call_r', name: 'send_page', arguments: { team: 'sre', summary: 'disk full' } }]);
    expect(lines[1]!.toolCalls).toBeUndefined();
    expect(lines[1]!.key).toBe(requestKey(followUp(round1.toolCalls!)));

    await server.close();
    server = undefined;
    const player = createReplayProvider({ cassette, latency: 'none' });
    const replayed1 = await player.complete(request(), { clock: realClock });
    expect(replayed1.toolCalls).toEqual(round1.toolCalls);
    const replayed2 = await player.complete(followUp(replayed1.toolCalls!), { clock: realClock });
    expect(replayed2.output).toEqual(round2.output);
    // Other tool results are another question: not in the cassette.
    const other = request({ messages: [...followUp(replayed1.toolCalls!).messages.slice(0, 2), { role: 'tool', toolCallId: 'call_r', content: '{"id":"other"}' }] });
    await expect(player.complete(other, { clock: realClock })).rejects.toBeInstanceOf(ReplayMissError);
  });

  it('the tools offered are part of the request key; a request without tools keys as before', () => {
    const bare = request({ tools: undefined });
    const { tools: _, ...withoutField } = bare;
    expect(requestKey(bare)).toBe(requestKey(withoutField as CompletionRequest));
    expect(requestKey(request())).not.toBe(requestKey(bare));
    expect(requestKey(request({ tools: [lookup] }))).not.toBe(requestKey(request()));
  });
});
