/** Test helpers for team runs: a scripted model, trace queries. */
import type { VirtualClock } from '../../../runtime/clock.js';
import type { ModelAnswer, ModelInvoker, ModelRequest } from '../../../runtime/agent.js';
import type { RunnerEvent, TeamTraceEvent } from '../../../runtime/team.js';
import { createSimProvider, type SimContext, type SimFaults } from '../../../runtime/providers/sim.js';
import type { CompletionRequest } from '../../../runtime/providers/types.js';

export interface Scripted {
  output?: unknown;
  toolCalls?: ModelAnswer['toolCalls'];
  /** Virtual milliseconds the call takes (default 1 s). */
  latencyMs?: number;
  /** Throw this instead of answering (after the latency). */
  error?: unknown;
  /** Never answer (until aborted). */
  hang?: boolean;
}

/**
 * A model whose every answer the test decides, taking virtual time, honouring aborts, and
 * recording each request (with whether it was aborted).
 */
export function scriptedModel(clock: VirtualClock, script: (request: ModelRequest) => Scripted) {
  const requests: Array<ModelRequest & { at: number; aborted: boolean }> = [];
  const invoke: ModelInvoker = async (request, signal) => {
    const record = { ...request, at: clock.now(), aborted: false };
    requests.push(record);
    signal.addEventListener('abort', () => (record.aborted = true), { once: true });
    const answer = script(request);
    if (answer.hang) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    await clock.sleep(answer.latencyMs ?? 1_000, signal);
    if (answer.error !== undefined) throw answer.error;
    return {
      ...(answer.output !== undefined ? { output: answer.output } : {}),
      ...(answer.toolCalls ? { toolCalls: answer.toolCalls } : {}),
      usage: { inputTokens: Math.ceil(request.prompt.length / 4), outputTokens: 50 },
    };
  };
  return { provider: { invoke }, requests };
}

export function runnerEvents<K extends RunnerEvent['kind']>(trace: readonly TeamTraceEvent[], kind: K): Extract<RunnerEvent, { kind: K }>[] {
  return trace.filter((e): e is Extract<RunnerEvent, { kind: K }> => e.kind === kind);
}

/** The task name a worker's prompt is about (`Your task: name`). */
export function taskOf(prompt: string): string {
  return /Your task: (\w+)/.exec(prompt)![1]!;
}

/**
 * The `sim` provider with a steady latency (no spread, no stragglers) so virtual times can be
 * asserted, recording every prompt it is asked. `respond` scripts answers where a test needs
 * specific values; undefined leaves the simulator's own schema-valid answer.
 */
export function simModel(options: { seed?: number; faults?: SimFaults; respond?: (request: CompletionRequest, context: SimContext, prompt: string) => unknown; steady?: boolean } = {}) {
  const prompts: Array<{ agent: string; instance: number; attempt: number; prompt: string; at: number }> = [];
  const provider = createSimProvider({
    seed: options.seed ?? 0,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.steady === false ? {} : { latency: { sigma: 0, stragglerRate: 0 } }),
    respond: (request, context) => {
      const prompt = request.messages.map((m) => m.content).join('\n');
      prompts.push({ agent: request.agent, instance: context.instance, attempt: context.attempt, prompt, at: context.clock.now() });
      return options.respond?.(request, context, prompt);
    },
  });
  return { provider, prompts };
}
