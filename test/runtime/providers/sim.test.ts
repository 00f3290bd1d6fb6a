import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import {
  MalformedOutputError,
  ProviderTimeoutError,
  RateLimitError,
  SchemaMismatchError,
  ServerError,
  UnsupportedSchemaError,
} from '../../../runtime/providers/errors.js';
import { createProvider } from '../../../runtime/providers/factory.js';
import { estimatePromptTokens } from '../../../runtime/providers/output.js';
import { canonicalJson } from '../../../runtime/providers/request-key.js';
import { createSimProvider, type SimCallRecord, type SimFault, type SimOptions } from '../../../runtime/providers/sim.js';
import type { CompletionRequest, ModelResponse } from '../../../runtime/providers/types.js';

const Verdict = z.object({
  decision: z.enum(['approve', 'reject', 'escalate']),
  score: z.int().min(0).max(100),
  reasons: z.array(z.string().min(3)).min(1).max(4),
  reviewer: z.email(),
  note: z.string().max(40).optional(),
});

function request(agent = 'judge', overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    agent,
    model: { provider: 'sim', model: 'sim-large', latencyMs: 800 },
    messages: [{ role: 'user', content: `Review proposal 7 as ${agent}.` }],
    schema: Verdict,
    schemaName: 'Verdict',
    ...overrides,
  };
}

/** Runs calls concurrently on one virtual clock; each settles to its response or its error. */
async function runAll(options: SimOptions, requests: CompletionRequest[]): Promise<Array<ModelResponse | Error>> {
  const clock = new VirtualClock();
  const sim = createSimProvider(options);
  return clock.run(Promise.all(requests.map((r) => sim.complete(r, { clock }).catch((error: Error) => error))));
}

const agents = ['judge', 'critic', 'scribe', 'planner'];
const manyRequests = agents.flatMap((agent) => [1, 2, 3].map((attempt) => request(agent, { attempt })));

describe('sim: determinism', () => {
  it('the same seed gives identical outputs, raw text, usage and latencies', async () => {
    const first = await runAll({ seed: 42 }, manyRequests);
    const second = await runAll({ seed: 42 }, manyRequests);
    expect(second).toEqual(first);
    for (const response of first) expect(response).not.toBeInstanceOf(Error);
  });

  it('a different seed gives different outputs and latencies', async () => {
    const a = (await runAll({ seed: 1 }, manyRequests)) as ModelResponse[];
    const b = (await runAll({ seed: 2 }, manyRequests)) as ModelResponse[];
    const outputsDiffer = a.filter((r, i) => canonicalJson(r.output) !== canonicalJson(b[i]!.output)).length;
    const latenciesDiffer = a.filter((r, i) => r.latencyMs !== b[i]!.latencyMs).length;
    expect(outputsDiffer).toBeGreaterThan(a.length / 2);
    expect(latenciesDiffer).toBeGreaterThan(a.length / 2);
  });

  it('the answer is fixed by (seed, agent, request): replicas and retries agree, while their latencies vary', async () => {
    const calls = [0, 1, 2].flatMap((instance) => [1, 2].map((attempt) => request('judge', { instance, attempt })));
    const responses = (await runAll({ seed: 7 }, calls)) as ModelResponse[];
    expect(new Set(responses.map((r) => canonicalJson(r.output))).size).toBe(1);
    expect(new Set(responses.map((r) => r.latencyMs)).size).toBeGreaterThan(1);
    // A different question gets a different answer.
    const [other] = (await runAll({ seed: 7 }, [request('judge', { messages: [{ role: 'user', content: 'Review proposal 8.' }] })])) as ModelResponse[];
    expect(canonicalJson(other!.output)).not.toBe(canonicalJson(responses[0]!.output));
  });

  it('answers are schema-valid and usage is estimated from the text', async () => {
    const [response] = (await runAll({ seed: 3 }, [request()])) as ModelResponse[];
    expect(Verdict.safeParse(response!.output).success).toBe(true);
    expect(JSON.parse(response!.raw)).toEqual(response!.output);
    expect(response!.usage).toEqual({ inputTokens: estimatePromptTokens(request().messages), outputTokens: Math.ceil(response!.raw.length / 4) });
  });
});

describe('sim: latency on the injected clock', () => {
  it('waits its latency on the VirtualClock, and only there', async () => {
    const clock = new VirtualClock();
    const sim = createSimProvider({ seed: 5 });
    const latencies: number[] = [];
    const observed = createSimProvider({ seed: 5, onCall: (r) => latencies.push(r.latencyMs) });
    const planned = await clock.run(observed.complete(request(), { clock }));
    const latency = latencies[0]!;
    expect(planned.latencyMs).toBe(latency);

    const clock2 = new VirtualClock(1000);
    let settled = false;
    const call = sim.complete(request(), { clock: clock2 }).then((r) => {
      settled = true;
      return r;
    });
    await clock2.advance(latency - 1);
    expect(settled).toBe(false);
    await clock2.advance(1);
    expect(settled).toBe(true);
    expect((await call).latencyMs).toBe(latency);
    expect(clock2.now()).toBe(1000 + latency);
    expect(clock2.pending()).toBe(0);
  });

  it('is log-normal around the model latency with a heavy straggler tail', async () => {
    const records: SimCallRecord[] = [];
    const calls = Array.from({ length: 600 }, (_, i) => request('judge', { instance: i }));
    await runAll({ seed: 11, latency: { stragglerRate: 0.1 }, onCall: (r) => records.push(r) }, calls);
    const sorted = records.map((r) => r.latencyMs).sort((a, b) => a - b);
    const quantile = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
    expect(quantile(0.5)).toBeGreaterThan(800 * 0.85);
    expect(quantile(0.5)).toBeLessThan(800 * 1.2);
    // Stragglers: the tail reaches far past the body.
    expect(quantile(0.99)).toBeGreaterThan(3 * quantile(0.5));

    const tame: SimCallRecord[] = [];
    await runAll({ seed: 11, latency: { stragglerRate: 0, sigma: 0.1 }, onCall: (r) => tame.push(r) }, calls);
    const tameMax = Math.max(...tame.map((r) => r.latencyMs));
    expect(tameMax).toBeLessThan(800 * Math.exp(0.1 * 5));
  });

  it('an agent or model latency overrides the default median', async () => {
    const records: SimCallRecord[] = [];
    const calls = Array.from({ length: 200 }, (_, i) => request(i % 2 === 0 ? 'fast' : 'slow', { instance: i, model: { provider: 'sim', model: 'm' } }));
    await runAll({ seed: 1, latency: { defaultMs: 2000, stragglerRate: 0 }, agents: { fast: { latencyMs: 50 } }, onCall: (r) => records.push(r) }, calls);
    const median = (agent: string) => {
      const sorted = records.filter((r) => r.agent === agent).map((r) => r.latencyMs).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    expect(median('fast')).toBeGreaterThan(40);
    expect(median('fast')).toBeLessThan(60);
    expect(median('slow')).toBeGreaterThan(1600);
    expect(median('slow')).toBeLessThan(2400);
  });

  it('an abort during the wait rejects with the reason and leaves no timer behind', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const reason = new Error('timeout policy');
    clock.schedule(100, () => controller.abort(reason));
    const error = await clock.run(createSimProvider().complete(request(), { clock, signal: controller.signal }).catch((e: unknown) => e));
    expect(error).toBe(reason);
    expect(clock.now()).toBe(100);
    expect(clock.pending()).toBe(0);
  });
});

describe('sim: injected faults', () => {
  const faults = { timeout: 0.05, rateLimit: 0.1, serverError: 0.05, malformed: 0.1, schemaInvalid: 0.1, wrongAnswer: 0.15 };
  const total = 3000;

  function classify(result: ModelResponse | Error, correct: string): SimFault | 'ok' {
    if (result instanceof ProviderTimeoutError) return 'timeout';
    if (result instanceof RateLimitError) return 'rateLimit';
    if (result instanceof ServerError) return 'serverError';
    if (result instanceof MalformedOutputError) return 'malformed';
    if (result instanceof SchemaMismatchError) return 'schemaInvalid';
    if (result instanceof Error) throw result;
    return canonicalJson(result.output) === correct ? 'ok' : 'wrongAnswer';
  }

  it('each fault occurs at roughly its configured rate, and surfaces as its typed error', async () => {
    const calls = Array.from({ length: total }, (_, i) => request(`agent-${i % 10}`, { instance: Math.floor(i / 10) }));
    const records: SimCallRecord[] = [];
    const results = await runAll({ seed: 99, faults, providerTimeoutMs: 30_000, retryAfterMs: 750, onCall: (r) => records.push(r) }, calls);
    const correct = new Map<string, string>();
    const clean = (await runAll({ seed: 99 }, Array.from({ length: 10 }, (_, i) => request(`agent-${i}`)))) as ModelResponse[];
    clean.forEach((r, i) => correct.set(`agent-${i}`, canonicalJson(r.output)));

    const dealt = new Map(records.map((r) => [`${r.agent}/${r.instance}`, r.fault ?? 'ok']));
    const counts: Record<string, number> = {};
    results.forEach((result, i) => {
      const kind = classify(result, correct.get(calls[i]!.agent)!);
      counts[kind] = (counts[kind] ?? 0) + 1;
      // What the call was dealt is what it did.
      expect(kind).toBe(dealt.get(`${calls[i]!.agent}/${calls[i]!.instance}`));
      if (result instanceof RateLimitError) expect(result.retryAfterMs).toBe(750);
    });
    const expected: Record<string, number> = { ...faults, ok: 1 - Object.values(faults).reduce((a, b) => a + b, 0) };
    for (const [kind, p] of Object.entries(expected)) {
      const sd = Math.sqrt(total * p * (1 - p));
      expect(Math.abs((counts[kind] ?? 0) - total * p), `${kind}: ${counts[kind]} of ${total}`).toBeLessThan(4 * sd);
    }
  });

  it('a time-out hangs until the signal aborts (and is a detectable deadlock without one)', async () => {
    const options: SimOptions = { faults: { timeout: 1 } };
    const clock = new VirtualClock();
    const controller = new AbortController();
    const reason = new Error('deadline');
    clock.schedule(60_000, () => controller.abort(reason));
    const error = await clock.run(createSimProvider(options).complete(request(), { clock, signal: controller.signal }).catch((e: unknown) => e));
    expect(error).toBe(reason);
    expect(clock.now()).toBe(60_000);

    const stuck = new VirtualClock();
    await expect(stuck.run(createSimProvider(options).complete(request(), { clock: stuck }))).rejects.toThrow(/stuck/);
  });

  it('status errors come back early; output faults after the full latency', async () => {
    const seen: SimCallRecord[] = [];
    const clock = new VirtualClock();
    const sim = createSimProvider({ seed: 4, faults: { serverError: 1 }, onCall: (r) => seen.push(r) });
    await clock.run(sim.complete(request(), { clock }).catch(() => undefined));
    expect(clock.now()).toBe(Math.max(1, Math.round(seen[0]!.latencyMs * 0.1)));

    const clock2 = new VirtualClock();
    const seen2: SimCallRecord[] = [];
    const malformed = createSimProvider({ seed: 4, faults: { malformed: 1 }, onCall: (r) => seen2.push(r) });
    const error = await clock2.run(malformed.complete(request(), { clock: clock2 }).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(MalformedOutputError);
    expect(clock2.now()).toBe(seen2[0]!.latencyMs);
  });

  it('a wrong answer is valid but different; for a boolean it is the other value', async () => {
    const Bool = z.object({ ok: z.boolean() });
    const calls = Array.from({ length: 20 }, (_, i) => request('voter', { instance: i, schema: Bool }));
    const right = (await runAll({ seed: 8 }, calls)) as ModelResponse[];
    const wrong = (await runAll({ seed: 8, faults: { wrongAnswer: 1 } }, calls)) as ModelResponse[];
    wrong.forEach((response, i) => {
      expect(Bool.safeParse(response.output).success).toBe(true);
      expect(response.output).toEqual({ ok: !(right[i]!.output as { ok: boolean }).ok });
    });
  });

  it('schema-invalid output for a schema that accepts anything becomes malformed output instead', async () => {
    const [result] = await runAll({ faults: { schemaInvalid: 1 } }, [request('free', { schema: z.any() })]);
    expect(result).toBeInstanceOf(MalformedOutputError);
  });

  it('per-agent faults override the defaults field by field', async () => {
    const results = await runAll({ seed: 1, faults: { serverError: 1 }, agents: { healthy: { faults: { serverError: 0 } } } }, [request('healthy'), request('sick')]);
    expect(results[0]).not.toBeInstanceOf(Error);
    expect(results[1]).toBeInstanceOf(ServerError);
  });

  it('rejects impossible fault settings', () => {
    expect(() => createSimProvider({ faults: { timeout: 0.6, rateLimit: 0.6 } })).toThrow(RangeError);
    expect(() => createSimProvider({ faults: { timeout: -0.1 } })).toThrow(/probability/);
    expect(() => createSimProvider({ faults: { meteor: 0.1 } as never })).toThrow(/unknown fault "meteor"/);
    expect(() => createSimProvider({ faults: { timeout: 0.5 }, agents: { a: { faults: { malformed: 0.6 } } } })).toThrow(/agents\.a/);
  });
});

describe('sim: scripted behaviour', () => {
  it('a respond hook scripts one agent; others keep the generated answer', async () => {
    const seen: Array<{ attempt: number; instance: number }> = [];
    const options: SimOptions = {
      seed: 1,
      agents: {
        judge: {
          respond: (_req, ctx) => {
            seen.push({ attempt: ctx.attempt, instance: ctx.instance });
            return { decision: 'escalate', score: ctx.attempt * 10, reasons: ['scripted'], reviewer: 'a@b.io' };
          },
        },
      },
    };
    const [judge, critic] = (await runAll(options, [request('judge', { attempt: 3, instance: 2 }), request('critic')])) as ModelResponse[];
    expect(judge!.output).toEqual({ decision: 'escalate', score: 30, reasons: ['scripted'], reviewer: 'a@b.io' });
    expect(seen).toEqual([{ attempt: 3, instance: 2 }]);
    const [plain] = (await runAll({ seed: 1 }, [request('critic')])) as ModelResponse[];
    expect(critic!.output).toEqual(plain!.output);
  });

  it('a hook can edit the generated answer, send raw text, throw a typed error, or defer', async () => {
    const options: SimOptions = {
      seed: 2,
      agents: {
        editor: { respond: (_r, ctx) => ({ ...(ctx.answer() as object), score: 100 }) },
        rambler: { respond: (_r, ctx) => ctx.raw('I think the answer is yes') },
        invalid: { respond: () => ({ decision: 'maybe' }) },
        limited: {
          respond: () => {
            throw new RateLimitError({ provider: 'sim', agent: 'limited' }, 5);
          },
        },
        deferring: { respond: () => undefined },
      },
    };
    const [edited, rambled, invalid, limited, deferred] = await runAll(options, ['editor', 'rambler', 'invalid', 'limited', 'deferring'].map((a) => request(a)));
    const [generated] = (await runAll({ seed: 2 }, [request('editor')])) as ModelResponse[];
    expect((edited as ModelResponse).output).toEqual({ ...(generated!.output as object), score: 100 });
    expect(rambled).toBeInstanceOf(MalformedOutputError);
    expect(invalid).toBeInstanceOf(SchemaMismatchError);
    expect(limited).toMatchObject({ name: 'RateLimitError', retryAfterMs: 5 });
    const [plainDeferred] = (await runAll({ seed: 2 }, [request('deferring')])) as ModelResponse[];
    expect((deferred as ModelResponse).output).toEqual(plainDeferred!.output);
  });

  it('a schema JSON cannot carry is a non-retryable UnsupportedSchemaError', async () => {
    const [result] = await runAll({}, [request('clock', { schema: z.object({ at: z.date() }) })]);
    expect(result).toBeInstanceOf(UnsupportedSchemaError);
    expect(result).toMatchObject({ retryable: false, path: '$.at', agent: 'clock' });
  });

  it('is what createProvider("sim") builds', async () => {
    const clock = new VirtualClock();
    const sim = createProvider('sim', { seed: 42 });
    expect(sim.name).toBe('sim');
    const viaFactory = await clock.run(sim.complete(request(), { clock }));
    const [direct] = (await runAll({ seed: 42 }, [request()])) as ModelResponse[];
    expect(viaFactory).toEqual(direct);
  });
});
