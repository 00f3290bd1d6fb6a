/**
 * The simulation driver behind `teamc simulate`: runs a team many times, each run on a fresh
 * `VirtualClock` with its own seed, the `sim` provider dealing the model faults of the fault spec
 * and an adversarial network dealing its network faults; records each run's trace; checks it with
 * every checker; and sums the runs up: successes, typed failures, violations by kind (each with the
 * seed that reproduces it and a shrunk counterexample), virtual-makespan percentiles, measured
 * speed-up, tokens and cost.
 *
 * Run i of a simulation with seed S uses the seed `S/i` (a string) for everything: the team's
 * generator, the sim provider, the network and the fault plan. `simulateRun(definition, { seed:
 * 'S/i', … })` replays that run exactly — same trace, event for event — so every reported violation
 * can be reproduced from its seed alone. Nothing in a summary depends on wall time: the same
 * definition, input, faults and seed give the same summary.
 */
import { VirtualClock } from '../clock.js';
import type { TeamDefinition } from '../definition.js';
import { createSimProvider, type SimFault } from '../providers/sim.js';
import { seededRandom } from '../random.js';
import { createTeam, type TeamError, type TeamErrorKind, type TeamTraceEvent, type TeamUsage } from '../team.js';
import type { ToolImplementation } from '../agent.js';
import { simulatedTools } from './tools.js';
import { createAdversarialNetwork, type NetworkStats } from '../transport/adversarial.js';
import { checkers as allCheckers, checkTrace, violationKinds, type Checker, type Violation, type ViolationKind } from './checkers/index.js';
import { checkFaultSpec, faultNotes, formatFaultSpec, parseFaultSpec, planRunFaults, type ConsensusFaultPlan, type FaultSpec } from './faults.js';
import { shrink, type Counterexample } from './shrink.js';
import type { AnyDefinition } from './trace-view.js';

export interface SimulateRunOptions<In> {
  /** The run's seed; `simulate` gives run i of seed S the seed `S/i`. */
  seed: string | number;
  /** A SPEC string (`drops=0.1,reorder=0.3,…`) or a parsed spec; none by default. */
  faults?: string | FaultSpec;
  input: In;
  /** Tool implementations, as for `createTeam`; every other tool an agent calls is simulated (see `simulatedTools`). */
  tools?: Record<string, ToolImplementation>;
  /** Checkers to run (all by default). */
  checkers?: readonly Checker[];
  /** Run a design the checker rejects (see `TeamOptions.allowUnsafe`). */
  allowUnsafe?: boolean;
  /** Tests only: `false` ignores the causal context messages carry (see `TeamOptions.observeMessageContext`). */
  observeMessageContext?: boolean;
  /** A run still going at this virtual time is stopped and reported `stuck` (default: deadline × 4, else 24 h). */
  maxVirtualMs?: number;
}

export interface SimulateOptions<In> extends Omit<SimulateRunOptions<In>, 'seed'> {
  runs: number;
  seed: string | number;
  /** Called after each run, in order, with everything about it (the trace included). */
  onRun?: (run: SimulatedRun) => void;
  /** Counterexamples kept per violation kind (shrunk; default 1). */
  counterexamples?: number;
}

/** What stopped a run: the team's typed failure, or `stuck` when the run could not finish on virtual time. */
export type RunFailureKind = TeamErrorKind | 'stuck';

export interface SimulatedRun {
  index: number;
  seed: string;
  ok: boolean;
  error?: Pick<TeamError, 'kind' | 'message'> | { kind: 'stuck'; message: string };
  /** Virtual milliseconds from the run's start to its end. */
  makespanMs: number;
  /** Sum of the durations of every model call attempt (virtual ms). */
  callMs: number;
  /** callMs / makespanMs: how much model time the team overlapped (1 = serial). */
  speedup: number;
  usage: TeamUsage;
  violations: Violation[];
  trace: TeamTraceEvent[];
  network: NetworkStats;
  /** Faults the sim provider dealt, and the replicas crashed or made to lie by the fault plan. */
  injected: Partial<Record<SimFault | 'crashedReplicas' | 'lyingReplicas' | 'stubbornAgents', number>>;
}

export interface ViolationGroup {
  kind: ViolationKind;
  /** Violations of this kind over all runs. */
  count: number;
  /** Runs with at least one. */
  runs: number;
  /** Seeds of the first runs that showed it (at most 10), each reproducing it on its own. */
  seeds: string[];
  /** The first ones found, shrunk. */
  examples: Counterexample[];
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface SimulationSummary {
  team: string;
  seed: string;
  faults: string;
  /** What the fault spec could not do to this team without exceeding a declared guarantee. */
  notes: string[];
  runs: number;
  successes: number;
  successRate: number;
  failures: Partial<Record<RunFailureKind, number>>;
  /** Runs with no violation of any checked guarantee (a typed failure is not a violation). */
  clean: number;
  violations: ViolationGroup[];
  /** Virtual makespan of the successful runs. */
  latencyMs: Percentiles | undefined;
  /** Sum of call durations / makespan, over the successful runs. */
  speedup: Percentiles | undefined;
  tokens: { total: number; mean: number };
  dollars: { total: number; mean: number };
  network: NetworkStats;
  injected: SimulatedRun['injected'];
}

export function resolveFaults(faults: string | FaultSpec | undefined): FaultSpec {
  if (faults === undefined) return {};
  if (typeof faults === 'string') return parseFaultSpec(faults);
  checkFaultSpec(faults);
  return faults;
}

/** One simulated run, fully determined by its seed. */
export async function simulateRun<In, Out>(definition: TeamDefinition<In, Out>, options: SimulateRunOptions<In>, index = 0): Promise<SimulatedRun> {
  const untyped = definition as unknown as AnyDefinition;
  const seed = String(options.seed);
  const spec = resolveFaults(options.faults);
  const random = seededRandom(seed);
  const plan = planRunFaults(untyped, spec, random.fork('faults'));
  const clock = new VirtualClock();
  const network = createAdversarialNetwork({ clock, random: random.fork('network'), faults: plan.network });
  const injected: SimulatedRun['injected'] = {};
  const crashed = plan.consensus.reduce((n, p) => n + p.crashed.length, 0);
  const lying = plan.consensus.reduce((n, p) => n + p.liars.length, 0);
  if (crashed > 0) injected.crashedReplicas = crashed;
  if (lying > 0) injected.lyingReplicas = lying;
  if (plan.stubborn.length > 0) injected.stubbornAgents = plan.stubborn.length;
  const provider = createSimProvider({
    ...plan.sim,
    seed,
    onCall: (call) => {
      if (call.fault) injected[call.fault] = (injected[call.fault] ?? 0) + 1;
    },
  });
  // Every declared tool runs: the given implementation, else a simulated one subject to the run's model faults.
  const modelFaults = plan.sim.faults ?? {};
  const tools = {
    ...simulatedTools(untyped, { seed, clock, faults: { timeout: modelFaults.timeout ?? 0, error: (modelFaults.rateLimit ?? 0) + (modelFaults.serverError ?? 0) } }),
    ...options.tools,
  };
  // Every event as it is recorded: a run the simulator has to stop (`stuck`) never returns its trace.
  const recorded: TeamTraceEvent[] = [];
  const sink = { write: (event: TeamTraceEvent) => void recorded.push(event) };
  const team = createTeam(definition, { provider, clock, seed, transport: network, tools, trace: sink, ...(options.allowUnsafe ? { allowUnsafe: true } : {}), ...(options.observeMessageContext === false ? { observeMessageContext: false } : {}) });
  const maxTime = options.maxVirtualMs ?? (definition.deadlineMs !== undefined ? definition.deadlineMs * 4 : 86_400_000);

  let run: SimulatedRun;
  try {
    const result = await clock.run(team.run(options.input), { maxTime });
    const trace = noteReplicaFaults(result.trace, plan.consensus);
    const makespanMs = result.stats.endedAt - result.stats.startedAt;
    const callMs = result.trace.reduce((sum, e) => (e.kind === 'call-end' ? sum + e.durationMs : sum), 0);
    run = {
      index,
      seed,
      ok: result.ok,
      ...(result.ok ? {} : { error: { kind: result.error.kind, message: result.error.message } }),
      makespanMs,
      callMs,
      speedup: makespanMs > 0 ? callMs / makespanMs : 0,
      usage: result.usage,
      violations: checkTrace(trace, untyped, options.checkers ?? allCheckers),
      trace,
      network: network.stats(),
      injected,
    };
  } catch (error) {
    // The run could not finish on virtual time (a deadlock, or still going at maxTime): its trace so
    // far, closed by a `run-end` the simulator writes, is checked like any other (see termination.ts).
    const message = error instanceof Error ? error.message : String(error);
    const trace = noteReplicaFaults([...recorded, { kind: 'run-end', agent: 'team', time: clock.now(), outcome: 'failed', error: { name: 'stuck', message } }], plan.consensus);
    run = {
      index,
      seed,
      ok: false,
      error: { kind: 'stuck', message },
      makespanMs: clock.now(),
      callMs: 0,
      speedup: 0,
      usage: { tokens: 0, dollars: 0 },
      violations: checkTrace(trace, untyped, options.checkers ?? allCheckers),
      trace,
      network: network.stats(),
      injected,
    };
  }
  await network.close();
  return run;
}

/**
 * The trace with the fault plan's crashed and lying replicas noted on its `run-start` event: a
 * Byzantine replica's lie looks like any answer, so the consensus checkers learn from here which
 * replicas could have voted both ways.
 */
function noteReplicaFaults(trace: TeamTraceEvent[], plans: readonly ConsensusFaultPlan[]): TeamTraceEvent[] {
  if (plans.length === 0) return trace;
  const consensus = Object.fromEntries(plans.map((p) => [p.consensus, { crashed: [...p.crashed], liars: [...p.liars] }]));
  return trace.map((event) => (event.kind === 'run-start' ? { ...event, faults: { consensus } } : event));
}

/** Runs the team `runs` times and sums the runs up. Runs are sequential: each owns the process's event loop while it drives its clock. */
export async function simulate<In, Out>(definition: TeamDefinition<In, Out>, options: SimulateOptions<In>): Promise<SimulationSummary> {
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError(`simulate: runs must be a positive whole number, got ${options.runs}`);
  const untyped = definition as unknown as AnyDefinition;
  const spec = resolveFaults(options.faults);
  const keep = options.counterexamples ?? 1;
  const checkers = options.checkers ?? allCheckers;
  const groups = new Map<ViolationKind, ViolationGroup>();
  const failures: SimulationSummary['failures'] = {};
  const makespans: number[] = [];
  const speedups: number[] = [];
  const network: NetworkStats = { delivered: 0, dropped: 0, duplicated: 0, reordered: 0, acksDropped: 0, partitioned: 0 };
  const injected: SimulatedRun['injected'] = {};
  let successes = 0;
  let clean = 0;
  let tokens = 0;
  let dollars = 0;

  for (let i = 0; i < options.runs; i++) {
    const run = await simulateRun(definition, { ...options, faults: spec, seed: `${options.seed}/${i}` }, i);
    if (run.ok) {
      successes++;
      makespans.push(run.makespanMs);
      speedups.push(run.speedup);
    } else if (run.error) {
      failures[run.error.kind] = (failures[run.error.kind] ?? 0) + 1;
    }
    if (run.violations.length === 0) clean++;
    tokens += run.usage.tokens;
    dollars += run.usage.dollars;
    for (const [key, value] of Object.entries(run.network) as Array<[keyof NetworkStats, number]>) network[key] += value;
    for (const [key, value] of Object.entries(run.injected) as Array<[keyof SimulatedRun['injected'], number]>) injected[key] = (injected[key] ?? 0) + value;
    const seenKinds = new Set<ViolationKind>();
    for (const found of run.violations) {
      let group = groups.get(found.kind);
      if (!group) groups.set(found.kind, (group = { kind: found.kind, count: 0, runs: 0, seeds: [], examples: [] }));
      group.count++;
      if (!seenKinds.has(found.kind)) {
        seenKinds.add(found.kind);
        group.runs++;
        if (group.seeds.length < 10) group.seeds.push(run.seed);
      }
      if (group.examples.length < keep) {
        const checker = checkers.find((c) => c.kind === found.kind);
        group.examples.push(shrink(run.trace, found, untyped, { seed: run.seed, ...(checker ? { checker } : {}) }));
      }
    }
    options.onRun?.(run);
  }

  return {
    team: definition.name,
    seed: String(options.seed),
    faults: formatFaultSpec(spec),
    notes: faultNotes(untyped, spec),
    runs: options.runs,
    successes,
    successRate: successes / options.runs,
    failures,
    clean,
    violations: violationKinds.filter((k) => groups.has(k)).map((k) => groups.get(k)!),
    latencyMs: percentiles(makespans),
    speedup: percentiles(speedups),
    tokens: { total: tokens, mean: tokens / options.runs },
    dollars: { total: dollars, mean: dollars / options.runs },
    network,
    injected,
  };
}

/** Nearest-rank percentiles (each one a value some run actually had). */
export function percentiles(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.at(-1)!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}
