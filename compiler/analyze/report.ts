/**
 * `teamc analyze`: the figures of a work graph or an agent graph side by side, and the advice
 * they support (T900 nearly serial, T901 all-to-all, T902 more workers than the width).
 *
 * Reports are plain data: numbers, strings, arrays, no `Infinity` (an unbounded ceiling is
 * `null`), so `JSON.stringify` of a report is the `--json` output and parses back equal.
 */
import { agentTimeline, type AgentStep, type AllToAllGroup, type EdgeMessages } from './agents.js';
import { criticalPath } from './critical-path.js';
import { buildWorkDag, type AgentGraph, type Cost, type GraphFinding, type WorkGraph } from './graph.js';
import { simulateSchedule, type AssignPolicy, type LeadOptions, type Schedule } from './schedule.js';
import {
  amdahlCeiling,
  amdahlSpeedup,
  greedyTimeBound,
  loadBoundSpeedup,
  parallelFraction,
  workSpanSpeedup,
  workSpanTime,
} from './speedup.js';
import { dagWidth } from './width.js';

/** Below this predicted speed-up a team is not worth its coordination (T900). */
export const SERIAL_THRESHOLD = 1.3;
/** The recommended size reaches this share of the best speed-up in range. */
export const ENOUGH_OF_BEST = 0.9;
/** The default range searched for a recommendation stops here unless the team is larger. */
const DEFAULT_SEARCH_LIMIT = 16;

// ---------------------------------------------------------------------------------------------
// Report shapes

export interface AmdahlFigures {
  readonly workers: number;
  readonly speedup: number;
  /** 1 / (1 − p); null when nothing is serial (p = 1). */
  readonly ceiling: number | null;
}

export interface WorkSpanFigures {
  /** W / max(CP, W / n): no schedule does better. */
  readonly speedup: number;
  /** max(CP, W / n): no schedule finishes sooner. */
  readonly lowerTime: number;
  /** W / n + CP: a greedy schedule finishes by then. */
  readonly greedyTime: number;
}

/** One line of the table: the figures for n workers (or instances). */
export interface SizeRow {
  readonly workers: number;
  readonly amdahl: number;
  readonly workSpan: number;
  readonly greedyTime: number;
  /** Work graphs: the declared policy run with n workers. */
  readonly makespan?: number;
  readonly speedup?: number;
  readonly loadBound?: number;
  readonly efficiency?: number;
}

export interface Advice {
  /** T900: the predicted speed-up is below the threshold. */
  readonly serial: boolean;
  /** The smallest size reaching ≥ 90% of the best speed-up in range (work graphs). */
  readonly enough?: { readonly workers: number; readonly speedup: number };
  readonly best?: { readonly workers: number; readonly speedup: number };
  /** T902: workers beyond the graph's width, idle for the whole run. */
  readonly idleWorkers: number;
  /** The advice as sentences, most important first. */
  readonly lines: string[];
}

export interface WorkReport {
  readonly kind: 'work';
  readonly tasks: number;
  readonly workers: number;
  readonly policy: AssignPolicy;
  /** Milliseconds per weight unit, when known: times are then also given in ms. */
  readonly unitMs: number | null;
  readonly totalWork: number;
  readonly criticalPath: { readonly length: number; readonly tasks: string[] };
  readonly parallelFraction: number;
  readonly amdahl: AmdahlFigures;
  readonly workSpan: WorkSpanFigures;
  readonly width: { readonly width: number; readonly antichain: string[] };
  /** The declared policy on the declared workers. */
  readonly schedule: Schedule;
  readonly predicted: { readonly makespan: number; readonly makespanMs: number | null; readonly speedup: number };
  /** W / (largest per-worker load) under the declared policy. */
  readonly policyBound: number;
  readonly cost: Cost | null;
  /** Outputs passed between workers, plus claim or lead messages (2 per task: take and finish). */
  readonly messages: { readonly perRun: number; readonly handoffs: number; readonly coordination: number };
  readonly table: SizeRow[];
  readonly advice: Advice;
  readonly findings: GraphFinding[];
}

export interface AgentReport {
  readonly kind: 'agents';
  readonly agents: number;
  /** Instances: the sum of the replicas; the n of the formulas. */
  readonly teamSize: number;
  /** Model time over every instance and activation, in ms. */
  readonly totalWork: number;
  readonly criticalPath: { readonly length: number; readonly agents: string[] };
  readonly parallelFraction: number;
  readonly amdahl: AmdahlFigures;
  readonly workSpan: WorkSpanFigures;
  readonly predicted: { readonly makespanMs: number; readonly speedup: number };
  /** W / (the busiest instance's model time). */
  readonly policyBound: number;
  readonly cost: Cost;
  readonly singleAgentCost: Cost;
  /** Team cost over a single agent's, in tokens (in dollars when there are no token prices); null if unpriced. */
  readonly costRatio: number | null;
  readonly messages: { readonly perRun: number; readonly allToAll: AllToAllGroup[]; readonly edges: EdgeMessages[] };
  readonly steps: AgentStep[];
  readonly table: SizeRow[];
  readonly advice: Advice;
  readonly findings: GraphFinding[];
}

export type AnalysisReport = WorkReport | AgentReport;

// ---------------------------------------------------------------------------------------------
// Work graphs

export interface WorkAnalysisOptions {
  /** The team's workers (the replicas of the agent the work is `by`). */
  readonly workers: number;
  /** The table and the recommendation cover 1..maxWorkers; default max(workers, min(width, 16)). */
  readonly maxWorkers?: number;
  readonly policy?: AssignPolicy;
  readonly lead?: LeadOptions;
  /** Milliseconds per weight unit (the worker model's latency), to give times in ms. */
  readonly unitMs?: number;
  /** What one task costs (one activation of a worker); the report's cost is null without it. */
  readonly costPerTask?: Cost;
  /** What one decision of the lead costs (`lead` only). */
  readonly costPerDecision?: Cost;
}

export function analyzeWorkGraph(graph: WorkGraph, options: WorkAnalysisOptions): WorkReport {
  const workers = positiveInteger(options.workers, 'workers');
  const policy = options.policy ?? 'claim';
  const dag = buildWorkDag(graph);
  const path = criticalPath(dag);
  const W = path.totalWork;
  const CP = path.length;
  const p = parallelFraction(W, CP);
  const width = dagWidth(dag.graph);
  const maxWorkers = Math.max(workers, positiveInteger(options.maxWorkers ?? Math.min(Math.max(width.width, 1), DEFAULT_SEARCH_LIMIT), 'maxWorkers'));
  const run = (n: number) => simulateSchedule(dag, path, { workers: n, policy, listTasks: n === workers, ...(options.lead ? { lead: options.lead } : {}) });
  // Once n ≥ width no ready task ever waits for a worker, and `claim` (lowest idle index first)
  // never touches a worker beyond the width: every larger n gives the same schedule, so it is
  // simulated once. (`lead` spreads work to the least-loaded worker, so its loads still change.)
  const greedy = policy === 'claim';

  const table: SizeRow[] = [];
  let declared: Schedule | undefined;
  let saturated: Schedule | undefined;
  for (let n = 1; n <= maxWorkers; n++) {
    const schedule = n === workers ? run(n) : greedy && saturated ? saturated : run(n);
    if (n === workers) declared = schedule;
    if (greedy && n >= width.width && !saturated) saturated = schedule;
    const speedup = schedule.makespan > 0 ? W / schedule.makespan : 1;
    table.push({
      ...sizeRow(W, CP, p, n),
      makespan: schedule.makespan,
      speedup,
      loadBound: schedule.loadBound,
      efficiency: speedup / n,
    });
  }
  const schedule = declared!;
  const predictedSpeedup = schedule.makespan > 0 ? W / schedule.makespan : 1;
  const amdahl = amdahlFigures(W, CP, workers);
  const coordination = policy === 'preassigned' ? 0 : 2 * dag.graph.names.length;
  const cost = workCost(dag.graph.names.length, schedule, options);
  const advice = workAdvice(table, workers, amdahl.speedup, width.width, predictedSpeedup);
  return {
    kind: 'work',
    tasks: dag.graph.names.length,
    workers,
    policy,
    unitMs: options.unitMs ?? null,
    totalWork: W,
    criticalPath: { length: CP, tasks: path.path },
    parallelFraction: p,
    amdahl,
    workSpan: workSpanFigures(W, CP, workers),
    width,
    schedule,
    predicted: { makespan: schedule.makespan, makespanMs: options.unitMs === undefined ? null : schedule.makespan * options.unitMs, speedup: predictedSpeedup },
    policyBound: schedule.loadBound,
    cost,
    messages: { perRun: schedule.handoffs + coordination, handoffs: schedule.handoffs, coordination },
    table,
    advice,
    findings: dag.findings,
  };
}

function workCost(tasks: number, schedule: Schedule, options: WorkAnalysisOptions): Cost | null {
  if (!options.costPerTask && !options.costPerDecision) return null;
  const perTask = options.costPerTask ?? { tokens: 0, dollars: 0 };
  const perDecision = options.costPerDecision ?? { tokens: 0, dollars: 0 };
  return {
    tokens: tasks * perTask.tokens + schedule.leadDecisions * perDecision.tokens,
    dollars: tasks * perTask.dollars + schedule.leadDecisions * perDecision.dollars,
  };
}

function workAdvice(table: SizeRow[], workers: number, amdahl: number, width: number, predicted: number): Advice {
  const lines: string[] = [];
  const serial = amdahl < SERIAL_THRESHOLD;
  if (serial) {
    lines.push(`the graph is nearly serial: ${workers} ${plural(workers, 'worker')} give at most ${times(amdahl)} (Amdahl); a single agent is likely as fast and cheaper`);
  }
  let best = table[0]!;
  for (const row of table) if (row.speedup! > best.speedup!) best = row;
  const enough = table.find((row) => row.speedup! >= ENOUGH_OF_BEST * best.speedup!)!;
  const gain = enough.speedup! > 0 ? best.speedup! / enough.speedup! - 1 : 0;
  const more = table.length > enough.workers ? `; more than ${enough.workers} add ${gain > 0 ? `at most ${percent(gain)}` : 'nothing'} (best ${times(best.speedup!)} at ${best.workers})` : '';
  const lead = `${workers} ${plural(workers, 'worker')} give ${times(predicted)}`;
  if (enough.workers < workers) lines.push(`${lead}, but ${enough.workers} already give ${times(enough.speedup!)}${more}`);
  else if (enough.workers > workers) lines.push(`${lead}; ${enough.workers} would give ${times(enough.speedup!)}${more}`);
  else lines.push(`${lead}${more}`);
  const idleWorkers = Math.max(0, workers - width);
  if (idleWorkers > 0) {
    lines.push(`at most ${width} ${plural(width, 'task')} can ever run at once: ${idleWorkers} of ${workers} workers will sit idle`);
  }
  return {
    serial,
    enough: { workers: enough.workers, speedup: enough.speedup! },
    best: { workers: best.workers, speedup: best.speedup! },
    idleWorkers,
    lines,
  };
}

// ---------------------------------------------------------------------------------------------
// Agent graphs

export interface AgentAnalysisOptions {
  /** The table covers 1..maxInstances; default the team size. */
  readonly maxInstances?: number;
  /** Agents whose instances take turns (the writers of a `strong` store or a `total` channel), per group. */
  readonly serialise?: readonly (readonly string[])[];
}

export function analyzeAgentGraph(graph: AgentGraph, options: AgentAnalysisOptions = {}): AgentReport {
  const timeline = agentTimeline(graph, options.serialise ? { serialise: options.serialise } : {});
  const W = timeline.totalWork;
  const CP = timeline.makespan;
  const p = parallelFraction(W, CP);
  const n = Math.max(1, timeline.teamSize);
  const rows = positiveInteger(options.maxInstances ?? n, 'maxInstances');
  const table = Array.from({ length: rows }, (_, i) => sizeRow(W, CP, p, i + 1));
  const amdahl = amdahlFigures(W, CP, n);
  const costRatio = ratio(timeline.cost, timeline.singleAgentCost);
  const lines: string[] = [];
  const serial = amdahl.speedup < SERIAL_THRESHOLD;
  if (serial) {
    const price = costRatio === null ? '' : ` at ${times(costRatio)} the cost of a single agent`;
    lines.push(`the team is nearly serial: predicted speed-up ${times(amdahl.speedup)}${price}, which is likely as fast and cheaper`);
  }
  for (const group of timeline.messages.allToAll) {
    lines.push(`all-to-all communication on \`${group.channel}\` among ${group.instances} instances: ${group.messagesPerRound} messages per round, growing as n²`);
  }
  for (const finding of timeline.findings) {
    if (finding.kind === 'cycle') lines.push(`the loop ${finding.cycle.join(' → ')} → ${finding.cycle[0]} has no \`max rounds\`: counted as one round`);
  }
  return {
    kind: 'agents',
    agents: graph.nodes.length,
    teamSize: timeline.teamSize,
    totalWork: W,
    criticalPath: { length: CP, agents: timeline.criticalPath },
    parallelFraction: p,
    amdahl,
    workSpan: workSpanFigures(W, CP, n),
    predicted: { makespanMs: CP, speedup: CP > 0 ? W / CP : 1 },
    policyBound: loadBoundSpeedup(W, timeline.largestLoad),
    cost: timeline.cost,
    singleAgentCost: timeline.singleAgentCost,
    costRatio,
    messages: timeline.messages,
    steps: timeline.steps,
    table,
    advice: { serial, idleWorkers: 0, lines },
    findings: timeline.findings,
  };
}

function ratio(team: Cost, single: Cost): number | null {
  if (single.tokens > 0) return team.tokens / single.tokens;
  if (single.dollars > 0) return team.dollars / single.dollars;
  return null;
}

// ---------------------------------------------------------------------------------------------

function sizeRow(W: number, CP: number, p: number, n: number): SizeRow {
  return { workers: n, amdahl: amdahlSpeedup(p, n), workSpan: workSpanSpeedup(W, CP, n), greedyTime: greedyTimeBound(W, CP, n) };
}

function amdahlFigures(W: number, CP: number, n: number): AmdahlFigures {
  const p = parallelFraction(W, CP);
  // 1 / (1 − p) is W / CP; dividing the inputs avoids the rounding of 1 − p (5, not 5.000000000000001).
  const ceiling = CP > 0 ? W / CP : amdahlCeiling(p);
  return { workers: n, speedup: amdahlSpeedup(p, n), ceiling: Number.isFinite(ceiling) ? ceiling : null };
}

function workSpanFigures(W: number, CP: number, n: number): WorkSpanFigures {
  return { speedup: workSpanSpeedup(W, CP, n), lowerTime: workSpanTime(W, CP, n), greedyTime: greedyTimeBound(W, CP, n) };
}

function positiveInteger(value: number, name: string): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

/** `3.1×`: one decimal, two below 10 when it matters (1.25× stays 1.25×, not a rounded 1.3×). */
export function times(value: number): string {
  return `${trim(value >= 10 ? value.toFixed(1) : value.toFixed(2))}×`;
}

function percent(share: number): string {
  return `${trim((share * 100).toFixed(share < 0.1 ? 1 : 0))}%`;
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
