/**
 * Simulated tools: what `teamc simulate` (and `teamc run` on virtual time) runs for a tool with no
 * implementation — a latency on the virtual clock within the tool's timeout, a value of its output
 * type fixed by the seed and the arguments, and the run's faults as far as they make sense.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { VirtualClock } from '../../../runtime/clock.js';
import { ToolError, ToolRunner, type ToolEvent } from '../../../runtime/agent.js';
import type { AgentDefinition, TeamDefinition, ToolDefinition } from '../../../runtime/definition.js';
import { SimulatedToolFailure, simulatedTool, simulatedTools, simulateRun, toolsWithoutImplementation } from '../../../runtime/simulate/index.js';
import { drawInputs, fixture } from './proofs/harness.js';

const Receipt = z.object({ id: z.string().min(3), at: z.int().min(0) });
const page: ToolDefinition = { name: 'send_page', kind: 'effect', input: z.object({ team: z.string() }), output: Receipt, timeoutMs: 10_000 };
const search: ToolDefinition = { name: 'search', kind: 'pure', input: z.object({ q: z.string() }), output: z.array(z.string()) };
const unused: ToolDefinition = { name: 'unused', kind: 'pure', input: z.object({}) };
const caller = { name: 'notifier', calls: ['send_page', 'search'] } as AgentDefinition;
const team = { tools: [page, search, unused], agents: [caller] } as unknown as TeamDefinition<unknown, unknown>;

const noSignal = () => new AbortController().signal;

describe('simulated tools', () => {
  it('cover exactly the tools some agent calls and no implementation covers', () => {
    expect(Object.keys(simulatedTools(team, { seed: 1, clock: new VirtualClock() }))).toEqual(['send_page', 'search']);
    expect(toolsWithoutImplementation(team, { search: () => [] })).toEqual(['send_page']);
  });

  it('answer after a latency within the timeout, with a value of the output type fixed by seed and arguments', async () => {
    const clock = new VirtualClock();
    const tool = simulatedTool(page, { seed: 'a', clock });
    const first = await clock.run(Promise.resolve(tool({ team: 'sre' }, { agent: 'notifier', signal: noSignal() })));
    const took = clock.now();
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(10_000);
    expect(Receipt.safeParse(first).success).toBe(true);
    const again = await clock.run(Promise.resolve(tool({ team: 'sre' }, { agent: 'notifier', signal: noSignal() })));
    expect(again).toEqual(first);
    const otherArgs = await clock.run(Promise.resolve(tool({ team: 'db' }, { agent: 'notifier', signal: noSignal() })));
    const otherSeed = await clock.run(Promise.resolve(simulatedTool(page, { seed: 'b', clock })({ team: 'sre' }, { agent: 'notifier', signal: noSignal() })));
    expect([otherArgs, otherSeed]).not.toContainEqual(first);
  });

  it('under faults, hang until the runner’s timeout for the tool, or fail; a tool without a timeout never hangs', async () => {
    const clock = new VirtualClock();
    const dealt: string[] = [];
    const events: ToolEvent[] = [];
    const hanging = simulatedTool(page, { seed: 1, clock, faults: { timeout: 1 }, onFault: (_, f) => dealt.push(f) });
    const runner = new ToolRunner([page], { send_page: hanging }, clock, new Map(), (e) => events.push(e));
    const agent = { name: 'notifier', calls: ['send_page'] } as AgentDefinition;
    const error = await clock.run(runner.call(agent, 'send_page', { team: 'sre' }, noSignal()).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ToolError);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect(clock.now()).toBe(10_000);
    // The call was made: an effect's trace counts it.
    expect(events.map((e) => e.type)).toEqual(['tool_call', 'tool_result']);

    const failing = simulatedTool(page, { seed: 1, clock, faults: { error: 1 } });
    await expect(clock.run(Promise.resolve(failing({ team: 'sre' }, { agent: 'n', signal: noSignal() })))).rejects.toBeInstanceOf(SimulatedToolFailure);
    const untimed = simulatedTool(search, { seed: 1, clock, faults: { timeout: 1 } });
    await expect(clock.run(Promise.resolve(untimed({ q: 'x' }, { agent: 'n', signal: noSignal() })))).resolves.toEqual(expect.any(Array));
    expect(dealt).toEqual(['timeout']);
  });

  it('simulateRun simulates what it is not given, and runs what it is given', async () => {
    const { definition } = fixture('T401', 'accept');
    const input = drawInputs(definition, 'tools');
    const simulated = await simulateRun(definition, { seed: 's/1', input });
    expect(simulated.ok).toBe(true);
    expect(simulated.trace.filter((e) => e.kind === 'tool').map((e) => e.kind === 'tool' && e.action)).toEqual(['call', 'result']);
    const paged: unknown[] = [];
    const given = await simulateRun(definition, { seed: 's/1', input, tools: { send_page: (args) => (paged.push(args), { id: 'given' }) } });
    expect(paged).toHaveLength(1);
    expect(given.trace.at(-1)).toMatchObject({ kind: 'run-end', outcome: 'ok' });
  });
});
