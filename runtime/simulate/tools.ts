/**
 * Simulated tool implementations, for the tools a team declares but no implementation was given
 * for: under `teamc simulate` (always) and `teamc run` on the sim or replay provider. A simulated
 * tool waits a latency on the run's clock — a twentieth of its declared `timeout` at the median,
 * never reaching it — then returns a value drawn from its output schema.
 *
 * Everything comes from the seed: the output is fixed by (seed, tool, arguments), so a pure tool
 * asked the same thing twice answers the same; latency and faults by (seed, tool, arguments, n-th
 * call with them). The faults are the run's model faults, as far as they make sense for a tool:
 * with probability `timeout` the call hangs until the tool's own timeout (only a tool that declares
 * one: anything else would hang the run), and with probability `error` it fails. A failed call
 * was still *made*: for an effect, the trace counts it, as a real one might have been applied.
 */
import type { Clock } from '../clock.js';
import { argumentsHash, type ToolImplementation } from '../agent.js';
import type { TeamDefinition, ToolDefinition } from '../definition.js';
import { untilAborted } from '../providers/abort.js';
import { generateValue } from '../providers/generate.js';
import { sampleLatency } from '../providers/latency.js';
import { seededRandom } from '../random.js';

export interface SimulatedToolOptions {
  seed: number | string;
  clock: Clock;
  /** Probability per call that it hangs until the tool's timeout, and that it fails; none by default. */
  faults?: { timeout?: number; error?: number };
  /** Called for each fault dealt (to count them). */
  onFault?: (tool: string, fault: 'timeout' | 'error') => void;
}

/** Median latency of a tool that declares no timeout. */
export const DEFAULT_TOOL_LATENCY_MS = 100;

/** A tool call that failed in simulation (the model sees it as a failed result). */
export class SimulatedToolFailure extends Error {
  override readonly name = 'SimulatedToolFailure';
  constructor(readonly tool: string) {
    super(`tool ${tool} failed (simulated)`);
  }
}

/** A simulated implementation of every tool some agent of `definition` calls. */
export function simulatedTools(definition: TeamDefinition<unknown, unknown>, options: SimulatedToolOptions): Record<string, ToolImplementation> {
  const called = new Set(definition.agents.flatMap((a) => a.calls));
  return Object.fromEntries(definition.tools.filter((t) => called.has(t.name)).map((tool) => [tool.name, simulatedTool(tool, options)]));
}

/** The tools some agent calls that `implementations` does not cover, by name. */
export function toolsWithoutImplementation(definition: TeamDefinition<unknown, unknown>, implementations: Readonly<Record<string, unknown>> = {}): string[] {
  const called = new Set(definition.agents.flatMap((a) => a.calls));
  return definition.tools.filter((t) => called.has(t.name) && !(t.name in implementations)).map((t) => t.name);
}

export function simulatedTool(tool: ToolDefinition, options: SimulatedToolOptions): ToolImplementation {
  const calls = new Map<string, number>();
  const { clock, seed } = options;
  const hang = tool.timeoutMs !== undefined ? (options.faults?.timeout ?? 0) : 0;
  const fail = options.faults?.error ?? 0;
  const median = tool.timeoutMs !== undefined ? Math.max(1, Math.round(tool.timeoutMs / 20)) : DEFAULT_TOOL_LATENCY_MS;
  return async (input, { signal }) => {
    const args = argumentsHash(input);
    const n = (calls.get(args) ?? 0) + 1;
    calls.set(args, n);
    const random = seededRandom(`${seed}/tool/${tool.name}/${args}/${n}`);
    const latency = Math.min(sampleLatency(median, random.fork('latency')), tool.timeoutMs !== undefined ? tool.timeoutMs - 1 : Infinity);
    const u = random.fork('fault').next();
    if (u < hang) {
      options.onFault?.(tool.name, 'timeout');
      return untilAborted(signal); // the runner's timeout for the tool aborts it
    }
    await clock.sleep(Math.max(1, latency), signal);
    if (u < hang + fail) {
      options.onFault?.(tool.name, 'error');
      throw new SimulatedToolFailure(tool.name);
    }
    return tool.output ? generateValue(tool.output, seededRandom(`${seed}/tool-output/${tool.name}/${args}`), { source: { provider: 'sim', agent: `tool ${tool.name}` } }) : null;
  };
}
