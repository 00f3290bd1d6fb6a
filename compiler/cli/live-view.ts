/**
 * What `teamc run` shows while a team runs, fed by the run's trace events:
 *
 * - `RunProgress` folds events into one row per agent (state, attempt, elapsed, tokens) and the
 *   run's totals, and turns the notable ones (retries, breakers, votes, fallbacks, failures) into
 *   one-line happenings. Pure: no terminal, no timers, so tests feed it events directly.
 * - `liveView` (a TTY) redraws the rows in place under the happenings printed so far;
 * - `progressLines` (a pipe, a CI log) prints plain lines, never a control character.
 *
 * Times are the run's clock: virtual milliseconds under the sim provider, wall time otherwise.
 */
import type { TeamDefinition } from '../../runtime/definition.js';
import type { TraceEvent, TraceSink } from '../../runtime/trace.js';
import type { TeamTraceEvent } from '../../runtime/team.js';
import type { Terminal } from './terminal.js';

/** `standby`: an agent that only stands in for others (a fallback, a validator, a work lead). */
export type AgentState = 'standby' | 'waiting' | 'running' | 'retrying' | 'done' | 'failed' | 'skipped';

export interface AgentRow {
  name: string;
  state: AgentState;
  /** The latest attempt of a model call (1 = the first). */
  attempt: number;
  /** Activations started, finished and failed (each replica's counts once). */
  started: number;
  finished: number;
  failed: number;
  tokens: number;
  /** From its first activation's start to its last one's end (or now, while one runs). */
  firstStart?: number;
  lastEnd?: number;
}

export class RunProgress {
  private readonly rows = new Map<string, AgentRow>();
  private running = new Map<string, number>();
  private latest = 0;
  tokens = 0;
  dollars = 0;
  readonly budget: TeamDefinition['budget'];
  outcome: 'running' | 'ok' | 'failed' = 'running';

  constructor(definition: Pick<TeamDefinition<unknown, unknown>, 'agents' | 'budget' | 'work'>) {
    const helpers = new Set([
      ...definition.agents.flatMap((a) => [...(a.policy.fallback ?? []), ...(a.policy.validator ? [a.policy.validator] : [])]),
      ...definition.work.flatMap((w) => (w.assign.lead ? [w.assign.lead] : [])),
    ]);
    for (const agent of definition.agents) {
      this.rows.set(agent.name, { name: agent.name, state: helpers.has(agent.name) ? 'standby' : 'waiting', attempt: 0, started: 0, finished: 0, failed: 0, tokens: 0 });
    }
    this.budget = definition.budget;
  }

  /** Folds one event in; returns the happenings worth a line of their own. */
  apply(input: TraceEvent | TeamTraceEvent): string[] {
    const event = input as TeamTraceEvent;
    this.latest = Math.max(this.latest, event.time);
    const row = this.rows.get(event.agent);
    const at = `${clockTime(event.time)} ${event.agent}`;
    switch (event.kind) {
      case 'activation': {
        if (!row) return [];
        const live = this.running.get(row.name) ?? 0;
        if (event.action === 'start') {
          row.started++;
          row.firstStart ??= event.time;
          this.running.set(row.name, live + 1);
          row.state = 'running';
        } else if (event.action === 'skipped') {
          if (row.started === 0) row.state = 'skipped';
          return [`${at}: activation skipped${event.reason ? ` (${event.reason})` : ''}`];
        } else {
          if (event.action === 'end') row.finished++;
          else row.failed++;
          row.lastEnd = event.time;
          this.running.set(row.name, Math.max(0, live - 1));
          row.state = this.settledState(row);
        }
        return [];
      }
      case 'call-start':
        if (row) {
          row.attempt = event.attempt;
          if (row.state === 'retrying' || row.state === 'waiting' || row.state === 'standby') row.state = 'running';
        }
        return [];
      case 'call-end': {
        const tokens = event.usage?.tokens ?? 0;
        this.tokens += tokens;
        this.dollars += event.usage?.dollars ?? 0;
        if (row) {
          row.tokens += tokens;
          // A stand-in (fallback, validator) is called inside another agent's activation: its call is its whole turn.
          if ((this.running.get(row.name) ?? 0) === 0 && row.state === 'running') row.state = event.outcome === 'ok' ? 'done' : 'failed';
        }
        const failed = event.outcome !== 'ok' && event.outcome !== 'cancelled';
        return failed ? [`${at}: attempt ${event.attempt} ${event.outcome}${event.error ? `: ${event.error.message}` : ''}`] : [];
      }
      case 'retry':
        if (event.action === 'scheduled') {
          if (row) row.state = 'retrying';
          const delay = event.delayMs !== undefined ? ` in ${duration(event.delayMs)}` : '';
          return [`${at}: retry ${event.retry ?? ''}${delay} after ${event.error.name}: ${event.error.message}`];
        }
        return [`${at}: gave up after ${event.attempts ?? '?'} attempts${event.reason ? ` (${event.reason})` : ''}`];
      case 'breaker':
        if (event.rejected) return [`${at}: call refused, breaker ${event.breaker} is ${event.state}`];
        return [`${at}: breaker ${event.breaker} ${event.from ? `${event.from} → ` : ''}${event.state}${event.reason ? ` (${event.reason})` : ''}`];
      case 'hedge':
        return event.action === 'fired' ? [`${at}: hedged call fired${event.afterMs !== undefined ? ` after ${duration(event.afterMs)}` : ''}`] : [];
      case 'timeout':
        return [`${at}: timed out after ${duration(event.timeoutMs)}`];
      case 'fallback':
        return [`${at}: falling back to ${event.to} after ${event.error.name}`];
      case 'vote':
        return [`${at}: round ${event.round}, replica ${event.replica} ${event.outcome}${event.key !== undefined ? ` ${event.key}` : ''}`];
      case 'round':
        return event.decided ? [] : [`${at}: round ${event.round} undecided (${formatTally(event.tally)}${event.crashed ? `, ${event.crashed} crashed` : ''})`];
      case 'election':
        return [`${at}: term ${event.term} leader ${event.leader} (${event.reason})`];
      case 'decision':
        return [`${at}: decided ${event.key} with ${event.votes}/${event.quorum} votes in round ${event.round}`];
      case 'budget':
        return event.action === 'refused' ? [`${at}: budget refused (${event.resource ?? 'budget'} exhausted)`] : [];
      case 'dropped':
        return [`${at}: message on ${event.channel} dropped (${event.reason})`];
      case 'run-end':
        this.outcome = event.outcome;
        return [];
      default:
        return [];
    }
  }

  /** The rows, in declaration order. */
  agents(): AgentRow[] {
    return [...this.rows.values()];
  }

  /** The latest time any event carried. */
  now(): number {
    return this.latest;
  }

  /** Milliseconds the agent has been at work, at `now`. */
  elapsed(row: AgentRow, now = this.latest): number {
    if (row.firstStart === undefined) return 0;
    const end = (this.running.get(row.name) ?? 0) > 0 ? now : (row.lastEnd ?? now);
    return Math.max(0, end - row.firstStart);
  }

  private settledState(row: AgentRow): AgentState {
    if ((this.running.get(row.name) ?? 0) > 0) return 'running';
    // A replica cut short once its consensus decided fails its activation; the agent still did its part.
    return row.finished > 0 || row.failed === 0 ? 'done' : 'failed';
  }
}

/** The rows and totals as lines, for a frame or a final picture. */
export function renderRows(progress: RunProgress): string[] {
  const rows = progress.agents();
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const lines = rows.map((row) => {
    const attempt = row.attempt > 1 ? `attempt ${row.attempt}` : '';
    const counts = row.started > 1 ? `${row.finished}/${row.started} done` : '';
    return [
      row.name.padEnd(width),
      row.state.padEnd(8),
      attempt.padEnd(10),
      duration(progress.elapsed(row)).padStart(7),
      `${row.tokens} tok`.padStart(10),
      counts ? `  ${counts}` : '',
    ].join(' ').trimEnd();
  });
  lines.push(`${'total'.padEnd(width)} ${clockTime(progress.now())}  ${progress.tokens} tokens${budgetPart(progress)}, $${progress.dollars.toFixed(4)}`);
  return lines;
}

/**
 * A TTY view: happenings scroll above, the agent rows stay below and are redrawn in place. With
 * a virtual clock a whole run may pass between two frames, so frames are paced by wall time
 * (at most one per `frameMs`) and `close()` always draws the last one.
 */
export function liveView(progress: RunProgress, terminal: Pick<Terminal, 'stderr'>, frameMs = 80, wallNow: () => number = Date.now): TraceSink & { close(): Promise<void> } {
  let drawn = 0;
  let lastFrame = -Infinity;
  const draw = (happenings: string[]) => {
    const frame = [...happenings, ...renderRows(progress)];
    // Up over the previous rows, clear to the end of the screen, then the new frame.
    const erase = drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '';
    terminal.stderr(`${erase}${frame.join('\n')}`);
    drawn = frame.length - happenings.length;
    lastFrame = wallNow();
  };
  return {
    write(event) {
      const happenings = progress.apply(event);
      if (happenings.length > 0 || wallNow() - lastFrame >= frameMs) draw(happenings);
    },
    async close() {
      draw([]);
    },
  };
}

/** A pipe's view: each happening and each activation start or end as one plain line. */
export function progressLines(progress: RunProgress, terminal: Pick<Terminal, 'stderr'>): TraceSink {
  return {
    write(input) {
      const event = input as TeamTraceEvent;
      const happenings = progress.apply(event);
      if (event.kind === 'activation' && (event.action === 'start' || event.action === 'end')) {
        const instance = event.instance !== undefined ? `#${event.instance}` : '';
        terminal.stderr(`${clockTime(event.time)} ${event.agent}${instance}: ${event.action === 'start' ? 'started' : 'finished'}`);
      }
      if (event.kind === 'run-start') terminal.stderr(`${clockTime(event.time)} team ${event.team}: started${event.seed !== undefined ? ` (seed ${event.seed})` : ''}`);
      for (const line of happenings) terminal.stderr(line);
    },
  };
}

/** `1.2s`, `350ms`, `2m05s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** `[  12.3s]`: a run-relative timestamp of fixed width, so lines align. */
function clockTime(ms: number): string {
  return `[${duration(ms).padStart(7)}]`;
}

function budgetPart(progress: RunProgress): string {
  const tokens = progress.budget?.tokens;
  return tokens !== undefined ? ` of ${tokens}` : '';
}

function formatTally(tally: Record<string, number>): string {
  const entries = Object.entries(tally);
  return entries.length ? entries.map(([key, n]) => `${key}: ${n}`).join(', ') : 'no answers';
}
