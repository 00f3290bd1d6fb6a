/**
 * Turns a run's trace into what the viewer draws: lanes, a bar per model-call attempt, an arrow
 * per delivered message, breaker bands, markers for votes, decisions and the policies' choices,
 * the budget over time, the critical path and the header's figures. One pass over the events in
 * the order they were recorded (that order, not the timestamps, pairs starts with ends), then
 * per-lane sorting: O(n log n) overall.
 */
import type { BreakerState } from '../../runtime/policies/events.js';
import type { ErrorInfo, TraceEvent, TraceEventOf, UsageInfo } from '../../runtime/trace.js';
import { findCriticalPath } from './critical-path.js';
import { instanceOf, LaneAllocator } from './lanes.js';
import type { BreakerBand, BudgetPoint, CallBar, CallOutcome, CallRole, Marker, MarkerKind, MessageArrow, Prediction, Timeline, TraceSummary } from './model.js';
import { assignTracks } from './tracks.js';

export interface TimelineOptions {
  /** The analysis's prediction, shown beside the measured figures. */
  predicted?: Prediction;
  /** From `screenEvents`: well-formed events of kinds the viewer does not draw, and malformed ones. */
  otherKinds?: number;
  malformed?: number;
}

const outcomes: ReadonlySet<string> = new Set<CallOutcome>(['ok', 'error', 'timeout', 'invalid', 'cancelled']);
const breakerStates: ReadonlySet<string> = new Set<BreakerState>(['closed', 'open', 'half-open']);

interface OpenCall {
  start: TraceEventOf<'call-start'>;
  slot: number;
  role: CallRole;
  hedgeBranch?: number;
  onBehalfOf?: string;
  fallbackFromSlot?: number;
}

/** A fallback alternative running for the agent whose stack failed, attempt after attempt. */
interface StandIn {
  onBehalfOf: string;
  fromSlot: number;
  lastAttempt: number;
}

export function buildTimeline(events: readonly TraceEvent[], options: TimelineOptions = {}): Timeline {
  const lanes = new LaneAllocator(replicatedAgents(events));
  const { start: origin, runEnd } = bounds(events);

  const bars: CallBar[] = [];
  const arrows: MessageArrow[] = [];
  const markers: Marker[] = [];
  const bands: BreakerBand[] = [];
  const budgetPoints: BudgetPoint[] = [];
  const budgetScale: { tokens?: number; dollars?: number } = {};
  const summary: TraceSummary = {
    start: origin,
    end: origin,
    makespanMs: 0,
    callMs: 0,
    tokens: 0,
    dollars: 0,
    calls: 0,
    retries: 0,
    timeouts: 0,
    hedges: 0,
    fallbacks: 0,
    messages: 0,
    votes: 0,
    decisions: 0,
    errors: 0,
    events: events.length + (options.otherKinds ?? 0),
    notShown: options.otherKinds ?? 0,
    malformed: options.malformed ?? 0,
  };
  if (options.predicted) summary.predicted = options.predicted;

  const openCalls = new Map<string, OpenCall[]>();
  const pendingHedges = new Map<string, number[]>();
  const pendingFallbacks = new Map<string, { onBehalfOf: string; fromSlot: number }>();
  const standIns = new Map<string, StandIn>();
  const sends = new Map<string, { agent: string; time: number; seq?: number; channel: string; message: string }>();
  const redeliveries = new Map<string, number>();
  const delivered = new Set<string>();
  const breakers = new Map<string, { slot: number; state: BreakerState; since: number }>();
  let latest = origin;
  let usageFromCalls = false;
  const settled = { tokens: 0, dollars: 0 };
  let timeoutEvents = 0;

  const mark = (slot: number, time: number, kind: MarkerKind, label: string, fields: Record<string, unknown>, outcome?: string) => {
    markers.push({ lane: slot, time, kind, label, detail: describe(fields), ...(outcome !== undefined ? { outcome } : {}) });
  };
  const policySlot = (event: { agent: string; policy?: string }) => lanes.slot(event.agent, instanceOf(event.policy, event.agent));

  /** One attempt's bar; `open` is its `call-start` when the trace has it. */
  const addBar = (identity: { agent: string; policy?: string }, open: OpenCall | undefined, start: number, end: number, attempt: number, outcome: CallOutcome, ending?: TraceEventOf<'call-end'>) => {
    const bar: CallBar = {
      id: bars.length,
      lane: open?.slot ?? policySlot(identity),
      track: 0,
      agent: identity.agent,
      attempt,
      start,
      end: Math.max(end, start),
      outcome,
      role: open?.role ?? (attempt > 1 ? 'retry' : 'first'),
      critical: false,
    };
    const instance = instanceOf(identity.policy, identity.agent);
    if (instance !== undefined) bar.instance = instance;
    if (identity.policy !== undefined) bar.policy = identity.policy;
    if (open?.start.model !== undefined) bar.model = open.start.model;
    if (open?.hedgeBranch !== undefined) bar.hedgeBranch = open.hedgeBranch;
    if (open?.onBehalfOf !== undefined) bar.onBehalfOf = open.onBehalfOf;
    if (open?.fallbackFromSlot !== undefined) bar.fallbackFromLane = open.fallbackFromSlot;
    if (ending?.usage) bar.usage = usageOf(ending.usage);
    if (ending?.error) bar.error = ending.error;
    bars.push(bar);
  };

  for (const event of events) {
    latest = Math.max(latest, event.time);
    switch (event.kind) {
      case 'run-start':
        if (typeof event.team === 'string') summary.team ??= event.team;
        if (event.clock === 'virtual' || event.clock === 'wall') summary.clock ??= event.clock;
        if (typeof event.seed === 'number' || typeof event.seed === 'string') summary.seed ??= event.seed;
        break;
      case 'prediction': {
        // `teamc run` writes the analysis's figures into the trace; a prediction the caller passes wins.
        const traced = { ...(event.speedup > 0 ? { speedup: event.speedup } : {}), ...(event.makespanMs >= 0 ? { makespanMs: event.makespanMs } : {}) };
        summary.predicted = { ...traced, ...(options.predicted ?? {}) };
        break;
      }
      case 'run-end':
        if (event.outcome === 'ok' || event.outcome === 'failed') summary.outcome = event.outcome;
        if (event.output !== undefined) summary.output = event.output;
        if (event.error) summary.runError = errorText(event.error);
        break;
      case 'call-start': {
        const key = callKey(event.agent, event.policy, event.attempt);
        const policyKey = callKey(event.agent, event.policy);
        const open: OpenCall = { start: event, slot: policySlot(event), role: event.attempt > 1 ? 'retry' : 'first' };
        const fallback = pendingFallbacks.get(event.agent) ?? (event.policy !== undefined ? pendingFallbacks.get(event.policy) : undefined);
        let standIn = standIns.get(policyKey);
        if (fallback) {
          pendingFallbacks.delete(event.agent);
          if (event.policy !== undefined) pendingFallbacks.delete(event.policy);
          open.role = 'fallback';
          standIn = { ...fallback, lastAttempt: event.attempt };
          standIns.set(policyKey, standIn);
        } else {
          const hedge = pendingHedges.get(policyKey)?.shift();
          if (hedge !== undefined) {
            open.role = 'hedge';
            open.hedgeBranch = hedge;
          }
          // Attempt numbers rise within one call, so a higher one is still the stand-in's call;
          // a lower one is a new call of that agent on its own account.
          if (standIn && event.attempt > standIn.lastAttempt) standIn.lastAttempt = event.attempt;
          else if (standIn) {
            standIns.delete(policyKey);
            standIn = undefined;
          }
        }
        if (standIn) {
          open.onBehalfOf = standIn.onBehalfOf;
          open.fallbackFromSlot = standIn.fromSlot;
        }
        const queue = openCalls.get(key);
        if (queue) queue.push(open);
        else openCalls.set(key, [open]);
        break;
      }
      case 'call-end': {
        const open = openCalls.get(callKey(event.agent, event.policy, event.attempt))?.shift();
        const outcome: CallOutcome = outcomes.has(event.outcome) ? event.outcome : 'error';
        // Without its start (a trace cut at the front), the attempt still says how long it took.
        const startTime = open?.start.time ?? event.time - Math.max(0, event.durationMs);
        addBar(event, open, startTime, event.time, event.attempt, outcome, event);
        if (event.usage) {
          usageFromCalls = true;
          summary.tokens += finite(event.usage.tokens);
          summary.dollars += finite(event.usage.dollars);
        }
        break;
      }
      case 'retry':
        if (event.action === 'scheduled') {
          summary.retries++;
          mark(policySlot(event), event.time, 'retry-scheduled', `retry ${event.retry ?? ''}`.trim(), {
            retry: event.retry,
            'wait (ms)': event.delayMs,
            'retry-after (ms)': event.retryAfterMs,
            policy: event.policy,
            error: errorText(event.error),
          });
        } else {
          mark(policySlot(event), event.time, 'retry-given-up', 'gave up', { attempts: event.attempts, reason: event.reason, policy: event.policy, error: errorText(event.error) });
        }
        break;
      case 'timeout':
        timeoutEvents++;
        break;
      case 'breaker': {
        const slot = lanes.slot(event.agent, instanceOf(event.breaker, event.agent));
        if (event.rejected) {
          mark(slot, event.time, 'breaker-rejected', 'rejected', { breaker: event.breaker, state: event.state });
          break;
        }
        if (!breakerStates.has(event.state)) break;
        const held = breakers.get(event.breaker) ?? { slot, state: event.from && breakerStates.has(event.from) ? event.from : 'closed', since: origin };
        if (event.time > held.since) bands.push({ lane: held.slot, breaker: event.breaker, state: held.state, start: held.since, end: event.time });
        breakers.set(event.breaker, { slot: held.slot, state: event.state, since: Math.max(held.since, event.time) });
        break;
      }
      case 'hedge': {
        const policyKey = callKey(event.agent, event.policy);
        if (event.action === 'fired') {
          summary.hedges++;
          const queue = pendingHedges.get(policyKey);
          if (queue) queue.push(event.branch);
          else pendingHedges.set(policyKey, [event.branch]);
          mark(policySlot(event), event.time, 'hedge-fired', `hedge ${event.branch}`, { branch: event.branch, 'after (ms)': event.afterMs, policy: event.policy });
        } else {
          mark(policySlot(event), event.time, 'hedge-won', `won: ${event.branch}`, { branch: event.branch, aborted: event.aborted, policy: event.policy });
        }
        break;
      }
      case 'fallback': {
        summary.fallbacks++;
        const fromSlot = lanes.slot(event.agent, instanceOf(event.from, event.agent));
        lanes.follow(event.to, event.agent);
        pendingFallbacks.set(event.to, { onBehalfOf: event.agent, fromSlot });
        mark(fromSlot, event.time, 'fallback', `→ ${event.to}`, { from: event.from, to: event.to, error: errorText(event.error) });
        break;
      }
      case 'budget': {
        const remaining = usageOf(event.remaining);
        budgetPoints.push({ time: event.time, action: event.action, remaining });
        const requested = event.action === 'reserve' && event.requested ? usageOf(event.requested) : {};
        for (const resource of ['tokens', 'dollars'] as const) {
          const left = remaining[resource];
          if (left === undefined) continue;
          budgetScale[resource] = Math.max(budgetScale[resource] ?? 0, left + (requested[resource] ?? 0));
        }
        if (event.action === 'settle' && event.actual) {
          settled.tokens += finite(event.actual.tokens);
          settled.dollars += finite(event.actual.dollars);
        }
        if (event.action === 'refused') {
          mark(policySlot(event), event.time, 'budget-refused', `no ${event.resource ?? 'budget'}`, { resource: event.resource, requested: event.requested, remaining: event.remaining, policy: event.policy });
        }
        break;
      }
      case 'vote':
        summary.votes++;
        mark(lanes.slot(event.agent), event.time, 'vote', `r${event.replica}: ${event.key ?? event.outcome}`, {
          consensus: event.consensus,
          round: event.round,
          replica: event.replica,
          outcome: event.outcome,
          key: event.key,
          reason: event.reason,
        }, event.outcome);
        break;
      case 'round':
        mark(lanes.slot(event.agent), event.time, 'round', `round ${event.round}`, { consensus: event.consensus, round: event.round, tally: event.tally, crashed: event.crashed, decided: event.decided });
        break;
      case 'election':
        mark(lanes.slot(event.agent), event.time, 'election', `term ${event.term}: r${event.leader}`, {
          consensus: event.consensus,
          term: event.term,
          leader: event.leader,
          reason: event.reason,
          proposal: event.proposal,
          key: event.key,
        });
        break;
      case 'decision':
        summary.decisions++;
        mark(lanes.slot(event.agent), event.time, 'decision', event.key, {
          consensus: event.consensus,
          round: event.round,
          term: event.term,
          decided: event.key,
          votes: event.votes,
          quorum: event.quorum,
          supporters: event.supporters,
          'by quorum': event.byQuorum,
          value: event.value,
        });
        break;
      case 'error':
        summary.errors++;
        mark(lanes.slot(event.agent), event.time, 'error', String(event.error.name ?? 'error'), { where: event.where, error: errorText(event.error) });
        break;
      case 'send': {
        const key = messageKey(event.channel, event.message);
        if (event.agent === 'transport' && event.to !== undefined) {
          // The transport's redelivery of a message someone else sent (at-least-once).
          redeliveries.set(`${key}\u0000${event.to}`, event.time);
        } else if (!sends.has(key)) {
          summary.messages++;
          sends.set(key, { agent: event.agent, time: event.time, channel: event.channel, message: event.message, ...(event.seq !== undefined ? { seq: event.seq } : {}) });
          lanes.slot(event.agent);
        }
        break;
      }
      case 'deliver': {
        const key = messageKey(event.channel, event.message);
        const sent = sends.get(key);
        const toSlot = lanes.slot(event.agent);
        if (!sent) {
          mark(toSlot, event.time, 'orphan-delivery', event.message, { channel: event.channel, message: event.message, from: event.from, note: 'its send is not in this trace' });
          break;
        }
        delivered.add(key);
        const redelivery = redeliveries.get(`${key}\u0000${event.agent}`);
        const redelivered = redelivery !== undefined && redelivery <= event.time && redelivery >= sent.time;
        const arrow: MessageArrow = {
          id: arrows.length,
          fromLane: lanes.slot(sent.agent),
          toLane: toSlot,
          from: sent.agent,
          to: event.agent,
          channel: event.channel,
          message: event.message,
          sent: redelivered ? redelivery : sent.time,
          delivered: event.time,
          redelivered,
          critical: false,
        };
        if (sent.seq !== undefined) arrow.seq = sent.seq;
        arrows.push(arrow);
        break;
      }
      case 'ack':
      case 'skip':
        summary.notShown++;
        break;
    }
  }

  const end = Math.max(runEnd ?? latest, latest);
  for (const queue of openCalls.values()) {
    for (const open of queue) addBar(open.start, open, open.start.time, end, open.start.attempt, 'unfinished');
  }
  for (const [breaker, held] of breakers) {
    if (end > held.since) bands.push({ lane: held.slot, breaker, state: held.state, start: held.since, end });
  }
  for (const [key, sent] of sends) {
    if (!delivered.has(key)) {
      mark(lanes.slot(sent.agent), sent.time, 'undelivered', sent.message, { channel: sent.channel, message: sent.message, note: 'no delivery of it in this trace' });
    }
  }

  // Provisional slots become lane ids, then each lane stacks its overlapping bars.
  const { lanes: laneList, laneOfSlot } = lanes.finish();
  for (const bar of bars) {
    bar.lane = laneOfSlot[bar.lane]!;
    if (bar.fallbackFromLane !== undefined) bar.fallbackFromLane = laneOfSlot[bar.fallbackFromLane]!;
  }
  for (const arrow of arrows) {
    arrow.fromLane = laneOfSlot[arrow.fromLane]!;
    arrow.toLane = laneOfSlot[arrow.toLane]!;
  }
  for (const marker of markers) marker.lane = laneOfSlot[marker.lane]!;
  for (const band of bands) band.lane = laneOfSlot[band.lane]!;
  stackBars(bars, laneList);

  const criticalPath = findCriticalPath(bars, arrows);
  for (const step of criticalPath.steps) {
    if (step.kind === 'call') bars[step.id]!.critical = true;
    else arrows[step.id]!.critical = true;
  }

  summary.end = end;
  summary.makespanMs = (runEnd ?? latest) - origin;
  summary.calls = bars.length;
  summary.callMs = bars.reduce((sum, bar) => sum + (bar.end - bar.start), 0);
  summary.timeouts = Math.max(timeoutEvents, bars.filter((bar) => bar.outcome === 'timeout').length);
  if (summary.makespanMs > 0) summary.measuredSpeedup = summary.callMs / summary.makespanMs;
  if (!usageFromCalls) {
    // Attempts that report no usage are still charged by the budget; its settlements are the record.
    summary.tokens = settled.tokens;
    summary.dollars = settled.dollars;
  }

  return {
    lanes: laneList,
    bars,
    arrows,
    markers,
    bands,
    budget: { points: budgetPoints, scale: budgetScale },
    criticalPath,
    summary,
  };
}

/** The agents whose policies or breakers name two or more instances. */
function replicatedAgents(events: readonly TraceEvent[]): Set<string> {
  const seen = new Map<string, Set<number>>();
  for (const event of events) {
    const name = event.kind === 'breaker' ? event.breaker : 'policy' in event ? event.policy : undefined;
    const instance = instanceOf(name, event.agent);
    if (instance === undefined) continue;
    let instances = seen.get(event.agent);
    if (!instances) seen.set(event.agent, (instances = new Set()));
    instances.add(instance);
  }
  return new Set([...seen].filter(([, instances]) => instances.size >= 2).map(([agent]) => agent));
}

/** The time axis: the run's start (or the earliest event) and the run's end, when it was recorded. */
function bounds(events: readonly TraceEvent[]): { start: number; runEnd?: number } {
  let earliest = Infinity;
  let runStart: number | undefined;
  let runEnd: number | undefined;
  for (const event of events) {
    earliest = Math.min(earliest, event.time);
    if (event.kind === 'run-start' && runStart === undefined) runStart = event.time;
    if (event.kind === 'run-end') runEnd = event.time;
  }
  const start = runStart ?? (Number.isFinite(earliest) ? earliest : 0);
  return runEnd !== undefined ? { start: Math.min(start, earliest), runEnd } : { start: Math.min(start, earliest) };
}

function stackBars(bars: readonly CallBar[], lanes: ReturnType<LaneAllocator['finish']>['lanes']): void {
  const byLane = new Map<number, CallBar[]>();
  for (const bar of bars) {
    const list = byLane.get(bar.lane);
    if (list) list.push(bar);
    else byLane.set(bar.lane, [bar]);
  }
  for (const [lane, list] of byLane) {
    const { tracks, count } = assignTracks(list);
    list.forEach((bar, i) => (bar.track = tracks[i]!));
    lanes[lane]!.tracks = Math.max(1, count);
  }
}

function callKey(agent: string, policy: string | undefined, attempt?: number): string {
  return `${agent}\u0000${policy ?? ''}\u0000${attempt ?? ''}`;
}

function messageKey(channel: string, message: string): string {
  return `${channel}\u0000${message}`;
}

function usageOf(usage: UsageInfo): UsageInfo {
  const result: UsageInfo = {};
  if (typeof usage.tokens === 'number' && Number.isFinite(usage.tokens)) result.tokens = usage.tokens;
  if (typeof usage.dollars === 'number' && Number.isFinite(usage.dollars)) result.dollars = usage.dollars;
  return result;
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function errorText(error: ErrorInfo | undefined): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const name = typeof error.name === 'string' ? error.name : 'Error';
  return typeof error.message === 'string' && error.message !== '' ? `${name}: ${error.message}` : name;
}

/** `field: value` lines for the details panel; absent fields are left out. */
export function describe(fields: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    lines.push(`${field}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return lines.join('\n');
}
