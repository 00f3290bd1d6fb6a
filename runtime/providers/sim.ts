/**
 * A deterministic simulated model. Its answer to a request is a schema-valid value drawn from the
 * output type, fixed by (seed, agent, request): every replica and every retry that asks the same
 * question gets the same correct answer, so agreement is the normal case. What varies per call —
 * by (seed, agent, request, instance, attempt) — is the noise: a heavy-tailed latency waited on
 * the injected clock, and the injected faults (time-outs, 429s, 5xx, malformed or schema-invalid
 * output, wrong answers), each with its configured probability.
 *
 * Honest disagreement (`disagreement`, default 0): an instance may hold its own view of a question,
 * a sample of its own fixed by (seed, agent, request, instance) — what makes replicas of one agent
 * vote differently without any of them being faulty.
 *
 * Offered tools, the simulator first asks for each of them once (see `sim-tools.ts`), then answers
 * once the results are in; the faults apply to both calls.
 */
import { seededRandom, type Random } from '../random.js';
import { untilAborted } from './abort.js';
import { ProviderTimeoutError, RateLimitError, ServerError, type ErrorSource } from './errors.js';
import { generateValue } from './generate.js';
import { sampleLatency, type LatencyOptions } from './latency.js';
import { estimatePromptTokens, estimateTokens, parseModelOutput, parseToolArguments } from './output.js';
import { requestKey } from './request-key.js';
import { billedOutputTokens, corruptValue, differentValue, malformText } from './sim-faults.js';
import { simToolCalls, wantsTools } from './sim-tools.js';
import type { CallOptions, CompletionRequest, ModelProvider, ModelResponse } from './types.js';

/** Probability of each fault per call. They are exclusive; their sum must not exceed 1. */
export interface SimFaults {
  /** The call hangs until aborted (or fails with `ProviderTimeoutError` after `providerTimeoutMs`). */
  timeout?: number;
  /** 429 with `retryAfterMs`. */
  rateLimit?: number;
  /** 500, 502 or 503. */
  serverError?: number;
  /** Text that is not JSON: cut off mid-value, or wrapped in chatter. */
  malformed?: number;
  /** JSON the schema rejects. */
  schemaInvalid?: number;
  /** A valid value that differs from the correct answer (what a consensus must outvote). */
  wrongAnswer?: number;
}

export type SimFault = keyof SimFaults;

/** The order faults are drawn in: one uniform draw falls into at most one of them. */
export const SIM_FAULTS: readonly SimFault[] = ['timeout', 'rateLimit', 'serverError', 'malformed', 'schemaInvalid', 'wrongAnswer'];

/** Text a `respond` hook wants sent as-is (not JSON-encoded), e.g. to script malformed output. */
export class RawAnswer {
  constructor(readonly text: string) {}
}

export interface SimContext {
  attempt: number;
  instance: number;
  /** The request's hash (as a cassette would key it). */
  key: string;
  /** A generator private to this call (seeded like the rest of it). */
  random: Random;
  /** The simulator's own correct answer to this request (this instance's view, under `disagreement`). */
  answer(): unknown;
  /** Send `text` verbatim instead of the JSON encoding of a value. */
  raw(text: string): RawAnswer;
  signal: AbortSignal | undefined;
  clock: CallOptions['clock'];
}

/**
 * Scripts an agent's answers in tests: return a value (sent as JSON, then checked like any answer),
 * `context.raw(text)`, or undefined for the simulator's own answer; throw to fail the call.
 * Faults still apply on top.
 */
export type SimRespond = (request: CompletionRequest, context: SimContext) => unknown;

export interface SimBehaviour {
  faults?: SimFaults;
  /** Median latency; defaults to the model's `latencyMs`, then to the simulator's default. */
  latencyMs?: number;
  respond?: SimRespond;
  /**
   * Probability that an instance answers a question with its own sample instead of the common
   * answer; fixed per (request, instance), so its retries agree with it. Default 0.
   */
  disagreement?: number;
}

/** What one call was dealt: for traces, and for tests that count injected faults. */
export interface SimCallRecord {
  agent: string;
  instance: number;
  attempt: number;
  key: string;
  fault: SimFault | undefined;
  latencyMs: number;
}

export interface SimOptions extends SimBehaviour {
  /** Everything the simulator draws derives from it. Default 0. */
  seed?: number | string;
  latency?: LatencyOptions & {
    /** Median for models that declare no `latencyMs`. Default 1000. */
    defaultMs?: number;
    /** An error status (429/5xx) comes back after this share of the call's latency. Default 0.1. */
    errorFraction?: number;
  };
  /** What a simulated 429 asks the caller to wait. Default 1000. */
  retryAfterMs?: number;
  /** When set, a timed-out call fails with `ProviderTimeoutError` after this long instead of hanging. */
  providerTimeoutMs?: number;
  /** Share of answers billed their whole `max_tokens` of output (see `billedOutputTokens`). Default 0. */
  verbose?: number;
  /** Per-agent overrides: faults replace the defaults field by field; respond and latency replace. */
  agents?: Record<string, SimBehaviour>;
  /** Depth past which generated values stop growing (recursive schemas). Default 4. */
  maxDepth?: number;
  onCall?: (record: SimCallRecord) => void;
}

export interface SimProvider extends ModelProvider {
  readonly seed: number | string;
}

export function createSimProvider(options: SimOptions = {}): SimProvider {
  const seed = options.seed ?? 0;
  const latency = options.latency ?? {};
  checkFaults(options.faults, 'faults');
  for (const [agent, behaviour] of Object.entries(options.agents ?? {})) checkFaults({ ...options.faults, ...behaviour.faults }, `agents.${agent}.faults`);
  for (const [where, p] of [['disagreement', options.disagreement], ...Object.entries(options.agents ?? {}).map(([a, b]) => [`agents.${a}.disagreement`, b.disagreement] as const)] as const) {
    if (p !== undefined && !(p >= 0 && p <= 1)) throw new RangeError(`${where} must be a probability in [0, 1], got ${String(p)}`);
  }

  const asked = new Map<string, number>();

  return {
    name: 'sim',
    seed,
    async complete(request: CompletionRequest, { signal, clock }: CallOptions): Promise<ModelResponse> {
      signal?.throwIfAborted();
      const started = clock.now();
      const source: ErrorSource = { provider: 'sim', agent: request.agent };
      const instance = request.instance ?? 0;
      const attempt = request.attempt ?? 1;
      const key = requestKey(request);
      const own = options.agents?.[request.agent];
      const faults = { ...options.faults, ...own?.faults };
      const respond = own?.respond ?? options.respond;
      const generate = { source, ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}) };

      // The same call asked again (a redelivered message, another round) is a fresh sample: its
      // noise takes the occurrence too, from the second on, so a first call's draws never change.
      const identity = `${request.agent}/${key}/${instance}/${attempt}`;
      const occurrence = (asked.get(identity) ?? 0) + 1;
      asked.set(identity, occurrence);
      const call = seededRandom(`${seed}/call/${identity}${occurrence > 1 ? `/${occurrence}` : ''}`);
      const median = own?.latencyMs ?? options.latencyMs ?? request.model.latencyMs ?? latency.defaultMs ?? 1000;
      const latencyMs = sampleLatency(median, call.fork('latency'), latency);
      const fault = drawFault(faults, call.fork('fault'));
      options.onCall?.({ agent: request.agent, instance, attempt, key, fault, latencyMs });

      // Failures that come back as a status arrive before a full answer would.
      const errorAfter = Math.max(1, Math.round(latencyMs * (latency.errorFraction ?? 0.1)));
      if (fault === 'timeout') {
        if (options.providerTimeoutMs === undefined) return untilAborted(signal);
        await clock.sleep(options.providerTimeoutMs, signal);
        throw new ProviderTimeoutError(source, options.providerTimeoutMs);
      }
      if (fault === 'rateLimit') {
        await clock.sleep(errorAfter, signal);
        throw new RateLimitError(source, options.retryAfterMs ?? 1000);
      }
      if (fault === 'serverError') {
        await clock.sleep(errorAfter, signal);
        throw new ServerError(source, call.fork('status').pick([500, 502, 503]), 'simulated');
      }

      // The common answer, or (honest disagreement) this instance's own view of the question.
      const disagreement = own?.disagreement ?? options.disagreement ?? 0;
      const view = disagreement > 0 && seededRandom(`${seed}/view/${request.agent}/${key}/${instance}`).chance(disagreement) ? `/${instance}` : '';
      let correct: { value: unknown } | undefined;
      const answer = (): unknown => (correct ??= { value: generateValue(request.schema, seededRandom(`${seed}/answer/${request.agent}/${key}${view}`), generate) }).value;
      const scripted = respond
        ? await respond(request, { attempt, instance, key, random: call.fork('respond'), answer, raw: (text) => new RawAnswer(text), signal, clock })
        : undefined;

      // Tools offered and no results yet: ask for them (a scripted answer skips the tools).
      if (scripted === undefined && wantsTools(request)) {
        const round = simToolCalls(request, { seed, key, fault, random: call, generate });
        await clock.sleep(Math.max(0, started + latencyMs - clock.now()), signal);
        const text = JSON.stringify(round.calls.map((c) => ({ name: c.name, arguments: c.text })));
        const usage = { inputTokens: estimatePromptTokens(request.messages), outputTokens: estimateTokens(text) };
        const toolCalls = round.calls.map((c) => ({ id: c.id, name: c.name, arguments: parseToolArguments(c.text, { source, usage, truncated: round.truncated }) }));
        return { output: undefined, raw: '', toolCalls, usage, latencyMs: clock.now() - started };
      }

      let raw: string;
      let truncated = false;
      if (scripted instanceof RawAnswer) raw = scripted.text;
      else {
        let value = scripted === undefined ? answer() : scripted;
        if (fault === 'wrongAnswer') value = differentValue(request.schema, value, call.fork('wrong'), generate) ?? value;
        let spoiled = false;
        if (fault === 'schemaInvalid') {
          const invalid = corruptValue(value, request.schema, call.fork('corrupt'));
          // A schema that accepts every JSON value cannot be answered invalidly; send broken JSON instead.
          if (invalid === undefined) spoiled = true;
          else value = invalid;
        }
        raw = JSON.stringify(value) ?? 'null';
        if (spoiled) ({ raw, truncated } = malformText(raw, call.fork('malformed')));
      }
      if (fault === 'malformed') ({ raw, truncated } = malformText(raw, call.fork('malformed')));

      await clock.sleep(Math.max(0, started + latencyMs - clock.now()), signal);
      const verbose = call.fork('verbose').chance(options.verbose ?? 0);
      const usage = { inputTokens: estimatePromptTokens(request.messages), outputTokens: billedOutputTokens(raw, { truncated, verbose, maxTokens: request.model.maxTokens }) };
      const output = parseModelOutput(raw, request.schema, { source, usage, truncated });
      return { output, raw, usage, latencyMs: clock.now() - started };
    },
  };
}

function drawFault(faults: SimFaults, random: Random): SimFault | undefined {
  const u = random.next();
  let cumulative = 0;
  for (const fault of SIM_FAULTS) {
    cumulative += faults[fault] ?? 0;
    if (u < cumulative) return fault;
  }
  return undefined;
}

function checkFaults(faults: SimFaults | undefined, where: string): void {
  if (!faults) return;
  let sum = 0;
  for (const [name, p] of Object.entries(faults)) {
    if (!(SIM_FAULTS as readonly string[]).includes(name)) throw new RangeError(`${where}: unknown fault "${name}" (known: ${SIM_FAULTS.join(', ')})`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${where}.${name} must be a probability in [0, 1], got ${String(p)}`);
    sum += p;
  }
  if (sum > 1 + 1e-9) throw new RangeError(`${where}: fault probabilities add up to ${sum}, more than 1`);
}
