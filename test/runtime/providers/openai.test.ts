import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { realClock } from '../../../runtime/clock.js';
import {
  MalformedOutputError,
  ProviderAuthError,
  ProviderConnectionError,
  ProviderRequestError,
  ProviderTimeoutError,
  RateLimitError,
  SchemaMismatchError,
  ServerError,
} from '../../../runtime/providers/errors.js';
import { createOpenAIProvider, retryAfterFromHeaders, type OpenAIProviderOptions } from '../../../runtime/providers/openai.js';
import type { CompletionRequest } from '../../../runtime/providers/types.js';
import { apiError, completion, startChatServer, type ChatServer, type Handler } from './chat-server.js';

const API_KEY = 'sk-test-9f8e7d6c5b4a';

const Summary = z.object({
  title: z.string(),
  points: z.array(z.string()).min(1),
  confidence: z.number().min(0).max(1),
});

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    agent: 'summariser',
    model: { provider: 'openai', model: 'gpt-test', temperature: 0.2, maxTokens: 300 },
    messages: [
      { role: 'system', content: 'You summarise.' },
      { role: 'user', content: 'Summarise the design.' },
    ],
    schema: Summary,
    schemaName: 'Summary output',
    ...overrides,
  };
}

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function providerAt(handler: Handler, options: OpenAIProviderOptions = {}) {
  server = await startChatServer(handler);
  return createOpenAIProvider({ apiKey: API_KEY, baseURL: server.baseURL, env: {}, ...options });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

const answer = { title: 'Runtime', points: ['clock', 'policies'], confidence: 0.9 };

describe('openai provider against a real chat-completions server', () => {
  it('sends structured output from the zod schema with the API key, and returns the checked answer with usage', async () => {
    const provider = await providerAt(() => ({ json: completion(JSON.stringify(answer), { usage: { prompt_tokens: 42, completion_tokens: 17 } }) }));
    const response = await provider.complete(request(), { clock: realClock });

    expect(response.output).toEqual(answer);
    expect(response.raw).toBe(JSON.stringify(answer));
    expect(response.usage).toEqual({ inputTokens: 42, outputTokens: 17 });
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);

    expect(server!.requests).toHaveLength(1);
    const sent = server!.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(sent.body).toMatchObject({
      model: 'gpt-test',
      temperature: 0.2,
      max_completion_tokens: 300,
      messages: [
        { role: 'system', content: 'You summarise.' },
        { role: 'user', content: 'Summarise the design.' },
      ],
    });
    expect(sent.body['response_format']).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'Summary_output',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            points: { type: 'array', items: { type: 'string' }, minItems: 1 },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
          },
          required: ['title', 'points', 'confidence'],
          additionalProperties: false,
        },
      },
    });
  });

  it('turns strict mode off for a schema strict mode cannot take (an optional property)', async () => {
    const provider = await providerAt(() => ({ json: completion('{"title":"t"}') }));
    const response = await provider.complete(request({ schema: z.object({ title: z.string(), note: z.string().optional() }) }), { clock: realClock });
    expect(response.output).toEqual({ title: 't' });
    const format = server!.requests[0]!.body['response_format'] as { json_schema: { strict: boolean } };
    expect(format.json_schema.strict).toBe(false);
  });

  it('sends max_tokens instead when asked, and leaves out settings the model does not declare', async () => {
    const provider = await providerAt(() => ({ json: completion(JSON.stringify(answer)) }), { maxTokensParameter: 'max_tokens' });
    await provider.complete(request(), { clock: realClock });
    await provider.complete(request({ model: { provider: 'openai', model: 'bare' } }), { clock: realClock });
    expect(server!.requests[0]!.body['max_tokens']).toBe(300);
    expect(server!.requests[0]!.body).not.toHaveProperty('max_completion_tokens');
    expect(server!.requests[1]!.body).not.toHaveProperty('temperature');
    expect(server!.requests[1]!.body).not.toHaveProperty('max_tokens');
  });

  it('reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment', async () => {
    server = await startChatServer(() => ({ json: completion(JSON.stringify(answer)) }));
    const provider = createOpenAIProvider({ env: { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-from-env' } });
    await provider.complete(request(), { clock: realClock });
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-from-env');
  });

  it('needs no key for a local server, but fails fast without one against OpenAI itself', async () => {
    const local = await providerAt(() => ({ json: completion(JSON.stringify(answer)) }), { apiKey: undefined });
    await expect(local.complete(request(), { clock: realClock })).resolves.toMatchObject({ output: answer });

    const hosted = createOpenAIProvider({ env: {} });
    const error = await failure(hosted.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect((error as ProviderAuthError).retryable).toBe(false);
    expect((error as Error).message).toContain('OPENAI_API_KEY');
  });

  it('estimates usage when the server reports none', async () => {
    const provider = await providerAt(() => ({ json: completion(JSON.stringify(answer), { usage: null }) }));
    const response = await provider.complete(request(), { clock: realClock });
    expect(response.usage.outputTokens).toBe(Math.ceil(JSON.stringify(answer).length / 4));
    expect(response.usage.inputTokens).toBeGreaterThan(0);
  });

  it('accepts JSON inside a Markdown code fence, as local models often send it', async () => {
    const provider = await providerAt(() => ({ json: completion(`\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``) }));
    await expect(provider.complete(request(), { clock: realClock })).resolves.toMatchObject({ output: answer });
  });
});

describe('openai provider: HTTP failures become typed errors, with no SDK retries', () => {
  it('429 with Retry-After → RateLimitError with retryAfterMs, asked once', async () => {
    const provider = await providerAt(() => ({ status: 429, headers: { 'retry-after': '2' }, json: apiError('Rate limit reached', { type: 'requests' }) }));
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 2000, retryable: true, status: 429, agent: 'summariser', provider: 'openai' });
    // The SDK would have retried (and waited two seconds) unless its own retries are off.
    expect(server!.requests).toHaveLength(1);
  });

  it('prefers retry-after-ms, and a 429 for exhausted quota is not retryable', async () => {
    const provider = await providerAt((_, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' }, json: apiError('slow down') }
        : { status: 429, json: apiError('You exceeded your current quota', { type: 'insufficient_quota', code: 'insufficient_quota' }) },
    );
    expect(await failure(provider.complete(request(), { clock: realClock }))).toMatchObject({ retryAfterMs: 1500, retryable: true });
    const quota = await failure(provider.complete(request(), { clock: realClock }));
    expect(quota).toBeInstanceOf(RateLimitError);
    expect(quota).toMatchObject({ retryAfterMs: undefined, retryable: false });
  });

  it('500 → ServerError (retryable), asked once', async () => {
    const provider = await providerAt(() => ({ status: 500, json: apiError('The server had an error', { type: 'server_error' }) }));
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect((error as Error).message).toContain('The server had an error');
    expect(server!.requests).toHaveLength(1);
  });

  it('401 and 403 → ProviderAuthError (not retryable), never showing the key', async () => {
    const provider = await providerAt((_, i) =>
      i === 0 ? { status: 401, json: apiError(`Incorrect API key provided: ${API_KEY}.`) } : { status: 403, json: apiError('Project does not have access') },
    );
    const unauthorised = await failure(provider.complete(request(), { clock: realClock }));
    expect(unauthorised).toBeInstanceOf(ProviderAuthError);
    expect(unauthorised).toMatchObject({ status: 401, retryable: false });
    expect((unauthorised as Error).message).toContain('[redacted]');
    expect((unauthorised as Error).message).not.toContain(API_KEY);
    expect(JSON.stringify(unauthorised)).not.toContain(API_KEY);
    expect(await failure(provider.complete(request(), { clock: realClock }))).toMatchObject({ name: 'ProviderAuthError', status: 403 });
  });

  it('another 4xx → ProviderRequestError (not retryable)', async () => {
    const provider = await providerAt(() => ({ status: 404, json: apiError('The model `gpt-test` does not exist') }));
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toMatchObject({ status: 404, retryable: false });
  });

  it('an unreachable server → ProviderConnectionError (retryable)', async () => {
    server = await startChatServer(() => ({ json: {} }));
    const baseURL = server.baseURL;
    await server.close();
    server = undefined;
    const error = await failure(createOpenAIProvider({ apiKey: API_KEY, baseURL, env: {} }).complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(ProviderConnectionError);
    expect((error as ProviderConnectionError).retryable).toBe(true);
  });
});

describe('openai provider: cancellation and time-outs', () => {
  it('a slow response is abandoned when the signal aborts: the call rejects with the abort reason and the connection closes', async () => {
    const provider = await providerAt(() => 'hang');
    const controller = new AbortController();
    const reason = new Error('hedge lost');
    const call = provider.complete(request(), { signal: controller.signal, clock: realClock });
    const received = await server!.nextRequest();
    controller.abort(reason);
    expect(await failure(call)).toBe(reason);
    await received.clientGone;
  });

  it('an already-aborted signal sends nothing', async () => {
    const provider = await providerAt(() => ({ json: completion(JSON.stringify(answer)) }));
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(provider.complete(request(), { signal: controller.signal, clock: realClock })).rejects.toThrow('too late');
    expect(server!.requests).toHaveLength(0);
  });

  it("the SDK's own deadline → ProviderTimeoutError", async () => {
    const provider = await providerAt(() => 'hang', { timeoutMs: 30 });
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 30, retryable: true });
  });
});

describe('openai provider: bad output', () => {
  const cases: Array<[string, Parameters<typeof completion>, string]> = [
    ['truncated JSON at the token limit', ['{"title": "Runtime", "points": ["clo', { finishReason: 'length' }], 'truncated'],
    ['truncated JSON without a finish reason', ['{"title": "Runtime", "points": [', {}], 'truncated'],
    ['prose instead of JSON', ['Sure! The title is Runtime.', {}], 'not_json'],
    ['broken JSON syntax', ['{"title": Runtime}', {}], 'not_json'],
    ['an empty message', ['', {}], 'empty'],
    ['a refusal', [null, { refusal: "I can't help with that." }], 'refusal'],
  ];
  it.each(cases)('%s → MalformedOutputError', async (_, [content, options], reason) => {
    const provider = await providerAt(() => ({ json: completion(content, { ...options, usage: { prompt_tokens: 30, completion_tokens: 12 } }) }));
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(MalformedOutputError);
    expect(error).toMatchObject({ reason, retryable: true, tokenUsage: { inputTokens: 30, outputTokens: 12 } });
  });

  it('JSON of the wrong shape → SchemaMismatchError keeping zod’s issues', async () => {
    const provider = await providerAt(() => ({ json: completion('{"title": 5, "points": [], "confidence": 2}') }));
    const error = await failure(provider.complete(request(), { clock: realClock }));
    expect(error).toBeInstanceOf(SchemaMismatchError);
    const mismatch = error as SchemaMismatchError;
    expect(mismatch.retryable).toBe(true);
    expect(mismatch.output).toEqual({ title: 5, points: [], confidence: 2 });
    expect(mismatch.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['confidence', 'points', 'title']);
    expect(mismatch.message).toContain('title');
  });
});

describe('retryAfterFromHeaders', () => {
  it('reads milliseconds, seconds and HTTP dates, and ignores garbage', () => {
    expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250.5' }))).toBe(250.5);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:05 GMT' }), now)).toBe(5000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }), now)).toBe(0);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterFromHeaders(undefined)).toBeUndefined();
  });
});
