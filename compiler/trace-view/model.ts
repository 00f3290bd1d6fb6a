/**
 * What the trace viewer draws, computed from a run's trace by `buildTimeline` and rendered by
 * `renderTraceHtml`. Everything here is plain data with times in the run clock's milliseconds, so
 * the computation is tested without a browser and the renderer only maps it to pixels.
 */
import type { BreakerState } from '../../runtime/policies/events.js';
import type { ErrorInfo, JsonValue, UsageInfo } from '../../runtime/trace.js';

/** One horizontal row: an agent, or one replica instance of a replicated agent (depth 1). */
export interface Lane {
  id: number;
  agent: string;
  /** Set on a replica's sub-row; an agent with one instance has a single lane without it. */
  instance?: number;
  label: string;
  depth: 0 | 1;
  /** How many overlapping bars the lane stacks (hedge copies run beside their original). */
  tracks: number;
}

export type CallOutcome = 'ok' | 'error' | 'timeout' | 'invalid' | 'cancelled' | 'unfinished';

/** Why an attempt ran: the call's first attempt, a retry, a hedge copy, or a fallback stand-in. */
export type CallRole = 'first' | 'retry' | 'hedge' | 'fallback';

/** One model-call attempt, from `call-start` to `call-end`. */
export interface CallBar {
  id: number;
  lane: number;
  /** The stacking position inside the lane (0 unless it overlaps another bar). */
  track: number;
  agent: string;
  instance?: number;
  policy?: string;
  attempt: number;
  start: number;
  end: number;
  outcome: CallOutcome;
  role: CallRole;
  model?: string;
  usage?: UsageInfo;
  error?: ErrorInfo;
  /** For a hedge copy: its branch number. */
  hedgeBranch?: number;
  /** For a fallback stand-in: the agent it answers for, and the lane of the primary that failed. */
  onBehalfOf?: string;
  fallbackFromLane?: number;
  critical: boolean;
}

/** One delivery of a message: sent on the sender's lane, delivered on the receiver's. */
export interface MessageArrow {
  id: number;
  fromLane: number;
  toLane: number;
  from: string;
  to: string;
  channel: string;
  message: string;
  seq?: number;
  sent: number;
  delivered: number;
  /** The transport re-sent it (at-least-once): `sent` is the redelivery's time. */
  redelivered: boolean;
  critical: boolean;
}

export type MarkerKind =
  | 'retry-scheduled'
  | 'retry-given-up'
  | 'timeout'
  | 'breaker-rejected'
  | 'hedge-fired'
  | 'hedge-won'
  | 'fallback'
  | 'budget-refused'
  | 'vote'
  | 'round'
  | 'election'
  | 'decision'
  | 'error'
  | 'undelivered'
  | 'orphan-delivery';

/** A point event drawn on a lane: a vote, a decision, an error, a policy's decision… */
export interface Marker {
  lane: number;
  time: number;
  kind: MarkerKind;
  /** A short tag: the vote's outcome, the decided key, the retry number. */
  label: string;
  /** Every field worth reading, one per line, for the details panel and the tooltip. */
  detail: string;
  /** For votes: answer, crashed, accept, reject, stale. */
  outcome?: string;
}

/** A stretch of time during which one circuit breaker held one state. */
export interface BreakerBand {
  lane: number;
  breaker: string;
  state: BreakerState;
  start: number;
  end: number;
}

export interface BudgetPoint {
  time: number;
  action: 'reserve' | 'refused' | 'settle';
  remaining: UsageInfo;
}

/** What was left of the run's budget after each reservation and settlement. */
export interface BudgetSeries {
  points: BudgetPoint[];
  /**
   * The largest amount ever seen available, per resource: the limit when the first reservation
   * found nothing spent. The trace does not carry the limit itself, so this is its best reading.
   */
  scale: UsageInfo;
}

export interface CriticalStep {
  kind: 'call' | 'message';
  id: number;
}

export interface CriticalPath {
  /** From the run's first step to its last. */
  steps: CriticalStep[];
  /** From the first step's start to the last step's end. */
  spanMs: number;
  /** Time spent in model calls along the path. */
  callMs: number;
}

/** The speed-up the analysis predicted for this team, when the caller has one. */
export interface Prediction {
  speedup?: number;
  makespanMs?: number;
}

export interface TraceSummary {
  team?: string;
  clock?: 'virtual' | 'wall';
  seed?: number | string;
  outcome?: 'ok' | 'failed';
  runError?: string;
  output?: JsonValue;
  /** The time axis: the run's start and end (or the first and last event's times without them). */
  start: number;
  end: number;
  makespanMs: number;
  /** The sum of every attempt's duration: what one agent doing everything in turn would take. */
  callMs: number;
  /** callMs / makespan: how many calls were in flight on average. Undefined for an empty run. */
  measuredSpeedup?: number;
  predicted?: Prediction;
  tokens: number;
  dollars: number;
  calls: number;
  retries: number;
  timeouts: number;
  hedges: number;
  fallbacks: number;
  messages: number;
  votes: number;
  decisions: number;
  errors: number;
  /** Events read, events not drawn (kinds the viewer does not show), malformed events skipped. */
  events: number;
  notShown: number;
  malformed: number;
}

export interface Timeline {
  lanes: Lane[];
  bars: CallBar[];
  arrows: MessageArrow[];
  markers: Marker[];
  bands: BreakerBand[];
  budget: BudgetSeries;
  criticalPath: CriticalPath;
  summary: TraceSummary;
}
