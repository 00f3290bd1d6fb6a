import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../runtime/clock.js';
import { seededRandom } from '../../runtime/random.js';
import { Budget } from '../../runtime/policies/budget.js';
import { CircuitBreaker } from '../../runtime/policies/breaker.js';
import { composePolicies } from '../../runtime/policies/compose.js';
import { runVote } from '../../runtime/consensus/vote.js';
import { jsonLinesWriter, parseJsonLines, redact, redactString, REDACTED, TraceRecorder, type TraceEvent } from '../../runtime/trace.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-trace-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const OPENAI_KEY = 'sk-proj-Abc123Def456Ghi789Jkl012';
const BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';

describe('trace redaction', () => {
  it('redacts values of secret-named keys at any depth, but not token counts', () => {
    const copy = redact({
      apiKey: 'k1',
      api_key: 'k2',
      'X-API-Key': 'k3',
      headers: { Authorization: 'anything', accept: 'json' },
      client_secret: 'k4',
      secrets: { nested: 'k5' },
      accessToken: 'k6',
      token: 'k7',
      refresh_token: 'k8',
      tokens: 500,
      maxTokens: 4096,
      usage: { inputTokens: 10, outputTokens: 20 },
      list: [{ apikey: 'k9' }],
    });
    expect(copy).toEqual({
      apiKey: REDACTED,
      api_key: REDACTED,
      'X-API-Key': REDACTED,
      headers: { Authorization: REDACTED, accept: 'json' },
      client_secret: REDACTED,
      secrets: REDACTED,
      accessToken: REDACTED,
      token: REDACTED,
      refresh_token: REDACTED,
      tokens: 500,
      maxTokens: 4096,
      usage: { inputTokens: 10, outputTokens: 20 },
      list: [{ apikey: REDACTED }],
    });
    expect(JSON.stringify(copy)).not.toMatch(/k[1-9]"/);
  });

  it('redacts key-shaped strings wherever they appear, and leaves look-alikes alone', () => {
    expect(redactString(`calling with ${OPENAI_KEY} now`)).toBe(`calling with sk-${REDACTED} now`);
    expect(redactString(`Authorization: ${BEARER}`)).not.toContain('eyJ');
    expect(redactString('GET https://api.example.com/v1?api_key=abc123&q=cats')).toBe(`GET https://api.example.com/v1?api_key=${REDACTED}&q=cats`);
    expect(redactString('{"token": "tok_live_1234"}')).toBe(`{"token": "${REDACTED}"}`);
    expect(redactString('ghp_' + 'a'.repeat(36))).toBe(REDACTED);
    expect(redactString('AKIAABCDEFGHIJKLMNOP')).toBe(REDACTED);
    for (const harmless of ['task-0123456789abcdef', 'max_tokens=500', 'tokens: 12', 'ask-me-anything-please', 'risk-assessment-summary']) {
      expect(redactString(harmless)).toBe(harmless);
    }
  });

  it('turns errors into {name, message, fields} with secrets removed and no stack', () => {
    const error = Object.assign(new Error(`401 Incorrect API key provided: ${OPENAI_KEY}`), {
      status: 401,
      headers: { authorization: BEARER },
      request: { body: `key ${OPENAI_KEY}` },
    });
    const copy = redact({ error, wrapped: new Error('outer', { cause: error }) }) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(copy);
    expect(text).not.toContain('Abc123');
    expect(text).not.toContain('eyJ');
    expect(copy.error).toMatchObject({ name: 'Error', status: 401, headers: { authorization: REDACTED } });
    expect(copy.error!.stack).toBeUndefined();
    expect(copy.wrapped!.cause).toMatchObject({ status: 401 });
  });

  it('makes anything JSON-safe: cycles, non-finite numbers, bigints, maps, undefined', () => {
    const cyclic: Record<string, unknown> = { n: Number.POSITIVE_INFINITY, big: 10n, gone: undefined, fn: () => 1, map: new Map<string, unknown>([['secret', 'x'], ['ok', 1]]) };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ n: null, big: '10', map: { secret: REDACTED, ok: 1 }, self: '[Circular]' });
  });
});

describe('TraceRecorder', () => {
  it('timestamps from the run clock, keeps events in memory, and redacts before anything sees them', async () => {
    const clock = new VirtualClock(1000);
    const seen: TraceEvent[] = [];
    const trace = new TraceRecorder({ clock, sinks: [{ write: (e) => void seen.push(e) }] });
    await clock.advance(250);
    const sent = trace.record({ kind: 'send', agent: 'reviewer', channel: 'findings', message: 'm1', vc: { reviewer: 1 }, payload: { note: `use ${OPENAI_KEY}`, apiKey: 'x' } });
    expect(sent).toMatchObject({ time: 1250, vc: { reviewer: 1 }, payload: { note: `use sk-${REDACTED}`, apiKey: REDACTED } });
    expect(trace.events).toEqual([sent]);
    expect(seen).toEqual([sent]);
    expect(trace.ofKind('send')).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(trace.events))).toEqual(trace.events);
  });

  it('records a composed call: attempts, timeout, retry, breaker and budget, with the agent and its vector clock', async () => {
    const clock = new VirtualClock();
    const trace = new TraceRecorder({ clock });
    const sink = trace.policySink('reviewer', () => ({ reviewer: 3 }));
    const breaker = new CircuitBreaker({ name: 'gpt-4o', failures: 1, windowMs: 60_000, cooldownMs: 1000, clock, onEvent: sink });
    const run = composePolicies<string>(
      {
        name: 'reviewer',
        budget: { budget: new Budget({ tokens: 10_000 }), estimate: { tokens: 100 } },
        breaker,
        retry: { attempts: 2, backoff: 'constant', minMs: 50, maxMs: 50, jitter: false },
        timeoutMs: 100,
      },
      { clock, random: seededRandom(1), onEvent: sink },
    );
    const hang = (signal: AbortSignal) => new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    await expect(clock.run(run(hang))).rejects.toThrow(/timed out/);
    const kinds = trace.events.map((e) => e.kind);
    expect(kinds).toEqual(['budget', 'call-start', 'timeout', 'budget', 'call-end', 'retry', 'budget', 'call-start', 'timeout', 'budget', 'call-end', 'retry', 'breaker']);
    expect(trace.events.every((e) => e.agent === 'reviewer' && e.vc?.reviewer === 3)).toBe(true);
    expect(trace.ofKind('breaker')[0]).toMatchObject({ breaker: 'gpt-4o', from: 'closed', state: 'open', time: 250 });
    expect(trace.ofKind('call-end')[0]).toMatchObject({ outcome: 'timeout', error: { name: 'TimeoutError', timeoutMs: 100 }, usage: { tokens: 100 } });
    expect(trace.ofKind('retry')[0]).toMatchObject({ action: 'scheduled', delayMs: 50 });
    expect(trace.ofKind('retry')[1]).toMatchObject({ action: 'given-up', reason: 'attempts-exhausted' });
  });

  it('records votes and the decision of a consensus', async () => {
    const clock = new VirtualClock();
    const trace = new TraceRecorder({ clock });
    await clock.run(
      runVote({
        name: 'decide',
        replicas: 3,
        faults: 1,
        faultModel: 'crash',
        rounds: 1,
        tieBreak: 'reject',
        clock,
        onEvent: trace.consensusSink('decide'),
        ask: (replica) => clock.sleep(10 * (replica + 1)).then(() => ({ decision: 'approve', apiKey: 'leak' })),
        agreeOn: ['decision'],
      }),
    );
    expect(trace.events.map((e) => e.kind)).toEqual(['vote', 'vote', 'round', 'decision']);
    expect(trace.ofKind('decision')[0]).toMatchObject({ consensus: 'decide', key: '"approve"', value: { decision: 'approve', apiKey: REDACTED }, supporters: [0, 1] });
  });
});

describe('JSON-lines writer', () => {
  it('writes one redacted event per line to a file, readable back', async () => {
    const file = path.join(dir, 'run.jsonl');
    const clock = new VirtualClock();
    const trace = new TraceRecorder({ clock, sinks: [jsonLinesWriter(file)] });
    trace.record({ kind: 'run-start', agent: 'team', team: 'CodeReview', clock: 'virtual', seed: 7, input: { diff: '+x', authorization: BEARER } });
    trace.error('reviewer', Object.assign(new Error(`bad key ${OPENAI_KEY}`), { status: 401 }));
    trace.record({ kind: 'run-end', agent: 'team', outcome: 'failed' });
    // Synchronous writes: the trace is on disk before close, as it must be when a run dies.
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(text).not.toContain('Abc123');
    expect(text).not.toContain('eyJ');
    await trace.close();
    expect(parseJsonLines(text)).toEqual(trace.events);
    expect(() => parseJsonLines('{"kind":"send"}\nnot json\n')).toThrow(/line 2/);
  });

  it('writes to a stream and leaves it open unless asked to end it', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const writer = jsonLinesWriter(stream);
    writer.write({ kind: 'ack', agent: 'judge', time: 5, channel: 'findings', message: 'm1', to: 'reviewer' });
    await writer.close!();
    expect(stream.writableEnded).toBe(false);
    const ending = jsonLinesWriter(stream, { end: true });
    ending.write({ kind: 'timeout', agent: 'judge', time: 9, timeoutMs: 30_000, secret: 'x' } as unknown as TraceEvent);
    await ending.close!();
    expect(stream.writableEnded).toBe(true);
    const lines = parseJsonLines(chunks.join(''));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ kind: 'timeout', secret: REDACTED });
  });
});
