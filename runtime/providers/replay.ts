/**
 * Recorded model answers, so tests of real-model behaviour run offline and deterministically.
 * Recording wraps another provider and appends each answer to a cassette (JSON lines keyed by the
 * request's hash: model, messages, output schema); replaying looks answers up by that hash.
 *
 * A request asked several times (replicas, retries) is recorded once per answer and replayed in
 * the same order; past the last recording, `replay` repeats the last answer and `auto` records. Answers that failed as output
 * (malformed, refused, schema-invalid) are recorded too and fail the same way on replay, since
 * their raw text is re-checked. Transport failures (429, 5xx, time-outs) are not recorded.
 * An answer that asked for tools is recorded with its tool calls (ids and arguments) and replayed
 * as the same tool calls; the next round's request (with the results) is keyed like any other.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MalformedOutputError, ReplayMissError, SchemaMismatchError, type ErrorSource, type MalformedReason } from './errors.js';
import { parseModelOutput } from './output.js';
import { requestKey } from './request-key.js';
import type { CallOptions, ChatMessage, CompletionRequest, ModelProvider, ModelResponse, TokenUsage, ToolCall } from './types.js';

export type ReplayMode = 'replay' | 'record' | 'auto';

export interface ReplayOptions {
  /** The cassette file (JSON lines). */
  cassette: string;
  /**
   * `replay` (default): answer only from the cassette; a miss is a `ReplayMissError`.
   * `record`: ask `inner` every time and write a fresh cassette.
   * `auto`: replay what is recorded, ask `inner` and append for the rest.
   */
  mode?: ReplayMode;
  /** The provider to record from (required for `record` and `auto`). */
  inner?: ModelProvider;
  /** `recorded` (default) waits each answer's recorded latency on the call's clock; `none` answers at once. */
  latency?: 'recorded' | 'none';
}

/** One line of a cassette. */
export interface CassetteEntry {
  version: 1;
  key: string;
  agent: string;
  model: string;
  schemaName: string;
  /** Kept so a reader can see what was asked; the key alone decides a match. */
  messages: ChatMessage[];
  raw: string;
  /** The tool calls the model asked for instead of answering. */
  toolCalls?: ToolCall[];
  usage: TokenUsage;
  latencyMs: number;
  /** Set when the answer failed as output for a reason the raw text alone does not show. */
  malformed?: Extract<MalformedReason, 'truncated' | 'refusal'>;
}

export interface ReplayProvider extends ModelProvider {
  readonly cassette: string;
  /** Entries recorded or loaded so far, in file order. */
  entries(): readonly CassetteEntry[];
}

export function createReplayProvider(options: ReplayOptions): ReplayProvider {
  const mode = options.mode ?? 'replay';
  const path = options.cassette;
  if (mode !== 'replay' && !options.inner) throw new TypeError(`replay provider in "${mode}" mode needs an inner provider to record from`);
  const all: CassetteEntry[] = [];
  const byKey = new Map<string, CassetteEntry[]>();
  const served = new Map<string, number>();
  let loaded = false;
  let started = false;

  const load = () => {
    if (loaded) return;
    loaded = true;
    if (mode === 'record') return;
    if (!existsSync(path)) {
      if (mode === 'replay') throw new Error(`replay cassette ${path} does not exist; record it first (mode "record" or "auto")`);
      return;
    }
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (line.trim() === '') return;
        remember(parseEntry(line, `${path}:${index + 1}`));
      });
  };

  const remember = (entry: CassetteEntry) => {
    all.push(entry);
    const list = byKey.get(entry.key);
    if (list) list.push(entry);
    else byKey.set(entry.key, [entry]);
  };

  // Synchronous appends: each answer is on disk, in order, before the call returns; a model call
  // takes far longer than the write, and a crash mid-run keeps everything recorded so far.
  const write = (entry: CassetteEntry) => {
    if (!started) {
      started = true;
      mkdirSync(dirname(path), { recursive: true });
      if (mode === 'record') writeFileSync(path, '');
    }
    appendFileSync(path, `${JSON.stringify(entry)}\n`);
    remember(entry);
    // What was just recorded counts as served, so a replay in the same process continues after it.
    served.set(entry.key, (served.get(entry.key) ?? 0) + 1);
  };

  const record = async (request: CompletionRequest, key: string, call: CallOptions): Promise<ModelResponse> => {
    const begun = call.clock.now();
    const base = { version: 1 as const, key, agent: request.agent, model: request.model.model, schemaName: request.schemaName, messages: request.messages.map((m) => ({ ...m })) };
    try {
      const response = await options.inner!.complete(request, call);
      write({ ...base, raw: response.raw, ...(response.toolCalls?.length ? { toolCalls: response.toolCalls } : {}), usage: response.usage, latencyMs: response.latencyMs });
      return response;
    } catch (error) {
      if (error instanceof MalformedOutputError || error instanceof SchemaMismatchError) {
        const malformed = error instanceof MalformedOutputError && (error.reason === 'truncated' || error.reason === 'refusal') ? error.reason : undefined;
        write({
          ...base,
          raw: error.raw,
          usage: error.tokenUsage ?? { inputTokens: 0, outputTokens: 0 },
          latencyMs: call.clock.now() - begun,
          ...(malformed ? { malformed } : {}),
        });
      }
      throw error;
    }
  };

  const replay = async (request: CompletionRequest, entry: CassetteEntry, { signal, clock }: CallOptions): Promise<ModelResponse> => {
    const begun = clock.now();
    if (options.latency !== 'none') await clock.sleep(entry.latencyMs, signal);
    const source: ErrorSource = { provider: 'replay', agent: request.agent };
    if (entry.malformed === 'refusal') throw new MalformedOutputError(source, 'refusal', entry.raw, entry.usage);
    if (entry.toolCalls?.length) {
      return { output: undefined, raw: entry.raw, toolCalls: entry.toolCalls.map((c) => ({ ...c })), usage: { ...entry.usage }, latencyMs: clock.now() - begun };
    }
    const output = parseModelOutput(entry.raw, request.schema, { source, usage: entry.usage, truncated: entry.malformed === 'truncated' });
    return { output, raw: entry.raw, usage: { ...entry.usage }, latencyMs: clock.now() - begun };
  };

  return {
    name: 'replay',
    cassette: path,
    entries: () => {
      load();
      return all;
    },
    async complete(request: CompletionRequest, call: CallOptions): Promise<ModelResponse> {
      call.signal?.throwIfAborted();
      load();
      const key = requestKey(request);
      if (mode === 'record') return record(request, key, call);
      const recorded = byKey.get(key);
      if (!recorded) {
        if (mode === 'auto') return record(request, key, call);
        const forAgent = [...new Set(all.filter((e) => e.agent === request.agent).map((e) => e.key))];
        throw new ReplayMissError(request.agent, key, path, forAgent);
      }
      const position = served.get(key) ?? 0;
      // In auto mode a request asked more often than recorded (another replica, a retry) records anew.
      if (mode === 'auto' && position >= recorded.length) return record(request, key, call);
      served.set(key, position + 1);
      return replay(request, recorded[Math.min(position, recorded.length - 1)]!, call);
    },
  };
}

function parseEntry(line: string, where: string): CassetteEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not a JSON line`);
  }
  const e = entry as Partial<CassetteEntry>;
  if (
    e.version !== 1 ||
    typeof e.key !== 'string' ||
    typeof e.agent !== 'string' ||
    typeof e.raw !== 'string' ||
    typeof e.latencyMs !== 'number' ||
    typeof e.usage?.inputTokens !== 'number' ||
    typeof e.usage.outputTokens !== 'number' ||
    (e.toolCalls !== undefined && !(Array.isArray(e.toolCalls) && e.toolCalls.every((c) => typeof c?.id === 'string' && typeof c.name === 'string')))
  ) {
    throw new Error(`${where}: not a version-1 cassette entry (needs version, key, agent, raw, usage, latencyMs)`);
  }
  return entry as CassetteEntry;
}
