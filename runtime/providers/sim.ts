/**
 * A deterministic simulated model. Its answer to a request is a schema-valid value drawn from the
 * output type, fixed by (seed, agent, request): every replica and every retry that asks the same
 * question gets the same correct answer, so agreement is the normal case. What varies per call —
 * by (seed, agent, request, instance, attempt) — is the noise: a heavy-tailed latency waited on
 * the injected clock, and the injected faults (time-outs, 429s, 5xx, malformed or schema-invalid
 * output, wrong answers), each with its configured probability.
 */
import { seededRandom, type Random } from '../random.js';
import { untilAborted } from './abort.js';
import { ProviderTimeoutError, RateLimitError, ServerError, type ErrorSource } from './errors.js';
import { generateValue } from './generate.js';
import { sampleLatency, type LatencyOptions } from './latency.js';
import { estimatePromptTokens, estimateTokens, parseModelOutput } from './output.js';
import { requestKey } from './request-key.js';
import { corruptValue, differentValue, malformText } from './sim-faults.js';
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
  /** The simulator's own correct answer to this request. */
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

      const call = seededRandom(`${seed}/call/${request.agent}/${key}/${instance}/${attempt}`);
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

      let correct: { value: unknown } | undefined;
      const answer = (): unknown => (correct ??= { value: generateValue(request.schema, seededRandom(`${seed}/answer/${request.agent}/${key}`), generate) }).value;
      const scripted = respond
        ? await respond(request, { attempt, instance, key, random: call.fork('respond'), answer, raw: (text) => new RawAnswer(text), signal, clock })
        : undefined;

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
      const usage = { inputTokens: estimatePromptTokens(request.messages), outputTokens: estimateTokens(raw) };
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
