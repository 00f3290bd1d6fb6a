/**
 * Fault policies (T500–T505): does every model call have a way to fail, and to recover?
 *
 * - T500 a model call with no `timeout`;
 * - T501 a `fallback` chain that loops (a fallback of another output type is T204, in flow.ts);
 * - T502 a `breaker` with nothing to degrade to;
 * - T503 retries with no pause, or replicas that back off in lockstep;
 * - T504 the worst-case latency of the longest path against the `deadline`;
 * - T505 an unprotected agent that every path to an output goes through.
 *
 * Graph questions use the flow graph of termination.ts (agents and channels as nodes): cycles by
 * Tarjan, dominators by Cooper–Harvey–Kennedy; the worst-case latency (the longest path over its
 * condensation) is counted in compiler/analyze/worst-latency.ts. Each is linear or near-linear in
 * the declarations.
 */
import { worstCaseLatencyOfModel } from '../../analyze/from-model.js';
import { createDigraph, stronglyConnected } from '../../analyze/graph.js';
import type { LatencyStep, WorstCaseLatency } from '../../analyze/worst-latency.js';
import type { Diagnostic, Label } from '../../diagnostics/diagnostic.js';
import { createDiagnostic, formatDuration } from '../../diagnostics/registry.js';
import type { AgentModel, TeamModel } from '../../model.js';
import type { RuleContext } from './context.js';
import { attemptsOf, flowGraph, instancesOf, type AgentLoop } from './termination.js';

export function checkPolicies(team: TeamModel, ctx: RuleContext): Diagnostic[] {
  const reachable = ctx.reachableAgents(team);
  const agents = [...team.agents.values()].filter((a) => reachable.has(a.name));
  return [
    ...agents.flatMap((a) => missingTimeout(team, a)),
    ...fallbackLoops(team),
    ...agents.flatMap(breakerWithoutFallback),
    ...agents.flatMap((a) => retryWithoutPause(team, a)),
    ...deadlineTooShort(team),
    ...singlePointsOfFailure(team, reachable),
  ];
}

// ---------------------------------------------------------------------------------------------
// T500

function missingTimeout(team: TeamModel, agent: AgentModel): Diagnostic[] {
  if (agent.model === undefined || agent.policy.timeoutMs !== undefined) return [];
  const model = team.models.get(agent.model);
  const latency = model?.latencyMs;
  // Ten times the expected latency leaves room for slow days; under 30s, provider tails dominate.
  const suggested = roundUpDuration(Math.max(30_000, 10 * (latency ?? 0)));
  return [
    createDiagnostic({
      code: 'T500',
      args: { agent: agent.name, model: agent.model },
      at: { file: agent.file, span: agent.spans.model ?? agent.nameSpan },
      label: 'no `timeout` bounds this call',
      related: model ? [{ file: model.file, span: model.nameSpan, message: latency === undefined ? 'the model' : `expected to answer in about ${formatDuration(latency)}` }] : [],
      notes: ['a failure detector needs a timeout: without one, a hung call is indistinguishable from a slow one, and retries never start'],
      help: [`add \`timeout ${formatDuration(suggested)}\`${latency === undefined ? '' : ` (at least ten times the model's expected latency of ${formatDuration(latency)})`}`],
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// T501

function fallbackLoops(team: TeamModel): Diagnostic[] {
  const agents = [...team.agents.values()];
  const index = new Map(agents.map((a, i) => [a.name, i]));
  const from: number[] = [];
  const to: number[] = [];
  for (const [i, agent] of agents.entries()) {
    for (const name of agent.policy.fallback) {
      const target = index.get(name);
      if (target !== undefined) (from.push(i), to.push(target));
    }
  }
  const graph = createDigraph(agents.map((a) => a.name), from, to);
  const components = stronglyConnected(graph);
  const diagnostics: Diagnostic[] = [];
  components.members.forEach((members, id) => {
    if (!components.cyclic[id]) return;
    // Follow, from the first-declared member, the first fallback that stays in the loop.
    // Staying inside the component always finds a next step; the walk closes at the first repeat.
    const cycle: AgentModel[] = [agents[members[0]!]!];
    const visited = new Set(cycle);
    const steps: Label[] = [];
    for (;;) {
      const current = cycle[cycle.length - 1]!;
      const k = current.policy.fallback.findIndex((name) => index.has(name) && components.component[index.get(name)!] === id);
      const next = agents[index.get(current.policy.fallback[k]!)!]!;
      steps.push({ file: current.file, span: current.policy.fallbackSpans[k] ?? current.nameSpan, message: `\`${current.name}\` falls back to \`${next.name}\`` });
      cycle.push(next);
      if (visited.has(next)) break;
      visited.add(next);
    }
    const names = cycle.map((a) => a.name);
    const closing = cycle[cycle.length - 2]!;
    diagnostics.push(
      createDiagnostic({
        code: 'T501',
        args: { cycle: names },
        at: steps[0]!,
        label: steps[0]!.message,
        related: steps.slice(1).map((s, i) => (i === steps.length - 2 ? { ...s, message: `${s.message}, closing the loop` } : s)),
        notes: ['a fallback chain must end: each stand-in is tried once, after the one before it has failed'],
        help: [`remove \`fallback ${cycle[cycle.length - 1]!.name}\` from \`${closing.name}\``],
      }),
    );
  });
  return diagnostics;
}

// ---------------------------------------------------------------------------------------------
// T502, T503

function breakerWithoutFallback(agent: AgentModel): Diagnostic[] {
  const breaker = agent.policy.breaker;
  if (!breaker || agent.policy.fallback.length > 0) return [];
  return [
    createDiagnostic({
      code: 'T502',
      args: { agent: agent.name, cooldownMs: breaker.cooldownMs },
      at: { file: agent.file, span: agent.spans.breaker ?? agent.nameSpan },
      label: `opens after ${breaker.failures} failures, with nothing to fall back to`,
      notes: ['a circuit breaker fails fast on purpose; graceful degradation needs somewhere to degrade to'],
      help: ['add a `fallback` agent, ideally on another model'],
    }),
  ];
}

function retryWithoutPause(team: TeamModel, agent: AgentModel): Diagnostic[] {
  const retry = agent.policy.retry;
  if (!retry || retry.attempts <= 1) return [];
  const at = { file: agent.file, span: agent.spans.retry ?? agent.nameSpan };
  if (retry.backoff === undefined) {
    return [
      createDiagnostic({
        code: 'T503',
        args: { agent: agent.name, problem: 'no-backoff', attempts: retry.attempts },
        at,
        label: 'retries at once',
        notes: ['most failures are overload or rate limits: an immediate retry meets the same failure'],
        help: [`add a back-off: \`retry ${retry.attempts} backoff exponential 500ms..4s jitter\``],
      }),
    ];
  }
  const replicas = instancesOf(team, agent);
  if (retry.jitter || replicas <= 1) return [];
  const { strategy, minMs, maxMs } = retry.backoff;
  const range = minMs === maxMs ? formatDuration(minMs) : `${formatDuration(minMs)}..${formatDuration(maxMs)}`;
  return [
    createDiagnostic({
      code: 'T503',
      args: { agent: agent.name, problem: 'no-jitter', replicas },
      at,
      label: 'the same back-off schedule for every replica',
      related: [{ file: agent.file, span: agent.spans.replicas ?? agent.nameSpan, message: `${replicas} instances fail and retry together` }],
      notes: ['replicas hit by one outage retry in synchronised waves; randomised ("full") jitter spreads them out'],
      help: [`add \`jitter\`: \`retry ${retry.attempts} backoff ${strategy} ${range} jitter\``],
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// T504

/**
 * The deadline against the longest a run can take, counted on what runs by the runtime's rules
 * (compiler/analyze/worst-latency.ts, on the activation counts of the worst-case spend): every
 * activation of every agent on the longest path of the flow graph — a loop's agents as often as
 * its bound lets them run — each call at every attempt's timeout, back-off, validation, hedge and
 * fallback, and the redeliveries of at-least-once messages.
 */
function deadlineTooShort(team: TeamModel): Diagnostic[] {
  if (team.deadlineMs === undefined) return [];
  const latency = worstCaseLatencyOfModel(team);
  if (latency.ms <= team.deadlineMs) return [];

  const flow = flowGraph(team);
  const path: string[] = [];
  const lines: string[] = [];
  const related: Label[] = [];
  for (const step of latency.path) {
    const loop = step.cyclic ? flow.loopOf.get(step.agents[0] ?? '') : undefined;
    // A loop reads best in its cycle's order; members off that cycle (their time counts too) follow.
    const onCycle = (loop?.cycle ?? []).filter((name) => step.agents.includes(name));
    for (const name of [...onCycle, ...step.agents.filter((n) => !onCycle.includes(n))]) {
      const agent = team.agents.get(name)!;
      const time = latency.agents.get(name)!;
      path.push(name);
      lines.push(time.description.replace(name, `\`${name}\``));
      const each = time.activations > 1 ? ` (${time.activations} activations of up to ${formatDuration(time.activationMs)})` : '';
      related.push({ file: agent.file, span: agent.nameSpan, message: `up to ${formatDuration(time.ms)}${each}` });
    }
    if (loop?.bound) lines.push(loopLine(loop, step, latency));
    lines.push(...step.notes);
  }
  const notes = [`per agent: ${lines.join('; ')}`];
  const untimed = latency.untimed;
  if (untimed.length > 0) notes.push(`${untimed.map((n) => `\`${n}\``).join(', ')} ${untimed.length === 1 ? 'has' : 'have'} no \`timeout\` (T500): not counted, so the real worst case is longer`);
  const unbounded = latency.activations.unbounded.filter((n) => path.includes(n));
  if (unbounded.length > 0) notes.push(`${unbounded.map((n) => `\`${n}\``).join(', ')} ${unbounded.length === 1 ? 'is' : 'are'} in a loop with no \`max rounds\` (T700): counted once, so the real worst case is longer`);
  return [
    createDiagnostic({
      code: 'T504',
      args: { worstCaseMs: latency.ms, deadlineMs: team.deadlineMs, path },
      at: { file: team.file, span: team.spans.deadline ?? team.nameSpan },
      label: `${formatDuration(latency.ms - team.deadlineMs)} shorter than the worst case`,
      related,
      notes,
      help: [`raise the deadline to \`deadline ${formatDuration(roundUpDuration(latency.ms))}\`, or lower the timeouts or attempts on the path`],
    }),
  ];
}

/** `the loop \`w\` → \`k\` ends by \`max rounds 3\` on \`d\`; …` and who runs once more than that. */
function loopLine(loop: AgentLoop, step: LatencyStep, latency: WorstCaseLatency): string {
  const bound = loop.bound!;
  let line = `the loop ${loop.cycle.map((n) => `\`${n}\``).join(' → ')} ends by \`max rounds ${bound.rounds}\` on \`${bound.name}\``;
  // The agent that starts each round runs once more: it answers the last one too.
  const more = step.agents.filter((n) => latency.agents.get(n)?.activations === bound.rounds + 1);
  if (bound.kind === 'channel' && more.length > 0) {
    line += `, and ${more.map((n) => `\`${n}\``).join(', ')} ${more.length === 1 ? 'runs' : 'run'} once more: the answer to the last round is dropped at \`${bound.name}\`, after its calls`;
  }
  return line;
}

/** Up to a figure a person would write: whole seconds under a minute, whole minutes above. */
function roundUpDuration(ms: number): number {
  const unit = ms >= 60_000 ? 60_000 : 1000;
  return Math.ceil(ms / unit) * unit;
}

// ---------------------------------------------------------------------------------------------
// T505

/**
 * Agents every path from the team's inputs to an output goes through: the dominators of the
 * output's agent in the flow graph, from a virtual root that feeds every agent activated by the
 * run itself (a team input, or no takes at all). Stand-ins (fallbacks, validators) are not
 * roots: they only run when the agent they stand in for has failed.
 */
function singlePointsOfFailure(team: TeamModel, reachable: ReadonlySet<string>): Diagnostic[] {
  const { graph, agentCount } = flowGraph(team);
  const agents = [...team.agents.values()];
  const n = graph.names.length;
  const root = n;
  const successors = (v: number): number[] => {
    if (v === root) {
      return agents.flatMap((a, i) => (!a.helperOnly && (a.takes.length === 0 || a.takes.some((t) => t.from === 'input')) ? [i] : []));
    }
    const out: number[] = [];
    for (let i = graph.outStart[v]!; i < graph.outStart[v + 1]!; i++) out.push(graph.to[graph.outEdges[i]!]!);
    return out;
  };
  const idom = dominators(n + 1, root, successors);
  const indexOf = new Map(agents.map((a, i) => [a.name, i]));

  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const output of team.outputs.values()) {
    const sinkName = output.fromKind === 'agent' ? output.from : output.fromKind === 'consensus' ? team.consensus.get(output.from)?.over : team.work.get(output.from)?.by;
    const sink = sinkName === undefined ? -1 : (indexOf.get(sinkName) ?? -1);
    if (sink < 0 || idom[sink] === -1) continue;
    for (let v = sink; v !== root; v = idom[v]!) {
      if (v >= agentCount) continue;
      const agent = agents[v]!;
      if (reported.has(agent.name) || !reachable.has(agent.name)) continue;
      if (attemptsOf(agent) > 1 || agent.policy.fallback.length > 0 || instancesOf(team, agent) > 1) continue;
      reported.add(agent.name);
      diagnostics.push(
        createDiagnostic({
          code: 'T505',
          args: { agent: agent.name },
          at: { file: agent.file, span: agent.nameSpan },
          label: 'one failed call here fails the run',
          related: [{ file: output.file, span: output.span, message: `team output \`${output.name}\` depends on \`${agent.name}\`` }],
          notes: ['a component every path goes through, with no redundancy, bounds the availability of the whole'],
          help: [`add \`retry 2 backoff exponential 500ms..4s jitter\` to \`${agent.name}\``],
        }),
      );
    }
  }
  return diagnostics;
}

/**
 * Immediate dominators by the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
 * Dominance Algorithm", 2001): intersect the predecessors' dominators in reverse postorder until
 * nothing changes — a few passes over the edges for graphs like these. -1: unreachable.
 */
function dominators(size: number, root: number, successors: (v: number) => number[]): Int32Array {
  // Reverse postorder by an iterative depth-first search.
  const order: number[] = [];
  const seen = new Uint8Array(size);
  const predecessors: number[][] = Array.from({ length: size }, () => []);
  const stack: Array<{ v: number; next: number[]; i: number }> = [{ v: root, next: successors(root), i: 0 }];
  seen[root] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.next.length) {
      const w = top.next[top.i++]!;
      predecessors[w]!.push(top.v);
      if (!seen[w]) {
        seen[w] = 1;
        stack.push({ v: w, next: successors(w), i: 0 });
      }
    } else {
      order.push(top.v);
      stack.pop();
    }
  }
  order.reverse();
  const position = new Int32Array(size).fill(-1);
  order.forEach((v, i) => (position[v] = i));
  const idom = new Int32Array(size).fill(-1);
  idom[root] = root;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (position[a]! > position[b]!) a = idom[a]!;
      while (position[b]! > position[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of order) {
      if (v === root) continue;
      let candidate = -1;
      for (const p of predecessors[v]!) {
        if (idom[p] === -1) continue;
        candidate = candidate === -1 ? p : intersect(p, candidate);
      }
      if (candidate !== -1 && idom[v] !== candidate) {
        idom[v] = candidate;
        changed = true;
      }
    }
  }
  return idom;
}
