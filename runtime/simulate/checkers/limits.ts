/**
 * Limit checkers: the team's deadline and budget.
 *
 * - deadline: nothing starts after `run-start + deadlineMs` (no call, publish, delivery, activation,
 *   decision, task or tool call), and a run that ends after it ended with the typed `deadline`
 *   failure — never with an output, never with some other failure that hid the overrun;
 * - budget: the usage settled by all calls (`budget` settle events) stays within the declared
 *   tokens and dollars; and no run is stopped by its budget (a refused reservation, or the typed
 *   `budget` failure). The second is the guarantee T701 checks statically: the budget covers the
 *   worst case of every call the declared replicas, attempts, hedges, tool rounds, rounds and
 *   redeliveries can make, each at its prompt's fixed text plus `max_tokens`
 *   (compiler/analyze/worst-case.ts), so a run that stays within every declared policy never runs out. A refusal shows a run the budget did not cover,
 *   whatever stopped it in time; spending stays within the budget even then (reservations see to
 *   it), so only the refusal shows the design is short.
 */
import type { TeamTraceEvent } from '../../team.js';
import { runOutcome, runStart, type AnyDefinition, type Indexed, type Trace } from '../trace-view.js';
import { violation, type Checker, type Violation } from './types.js';

/** Events that start work: none may happen once the deadline has passed. */
function startsWork(event: TeamTraceEvent): boolean {
  switch (event.kind) {
    case 'call-start':
    case 'deliver':
    case 'emit':
    case 'write':
    case 'decision':
    case 'vote':
      return true;
    case 'send':
      return event.to === undefined; // a publish (redeliveries are the transport finishing old work)
    case 'activation':
      return event.action === 'start';
    case 'model':
      return event.action === 'request';
    case 'task':
      return event.action === 'start';
    case 'tool':
      return event.action === 'call';
    default:
      return false;
  }
}

export const deadlineChecker: Checker = {
  kind: 'deadline',
  guarantee: 'no work starts after the deadline, and a run that overruns it fails with `deadline`',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const deadline = definition.deadlineMs;
    const start = runStart(trace);
    if (deadline === undefined || !start) return [];
    const limit = start.event.time + deadline;
    const found: Violation[] = [];
    const late = trace.findIndex((event, index) => index > start.index && event.time > limit && startsWork(event));
    if (late >= 0) {
      const event = trace[late]!;
      found.push(
        violation('deadline', 'team', `${event.agent} started ${event.kind} at ${fmt(event.time - start.event.time)}, after the ${fmt(deadline)} deadline`, [start.index, late]),
      );
    }
    const end = runOutcome(trace);
    if (end && trace[end.index]!.time > limit && end.outcome !== 'deadline') {
      found.push(
        violation(
          'deadline',
          'team',
          `the run ended ${end.outcome} at ${fmt(trace[end.index]!.time - start.event.time)}, after the ${fmt(deadline)} deadline, instead of failing with \`deadline\``,
          [start.index, end.index],
        ),
      );
    }
    return found;
  },
};

export const budgetChecker: Checker = {
  kind: 'budget',
  guarantee: 'the tokens and dollars spent stay within the team budget, and no run is stopped by it',
  check(trace: Trace, definition: AnyDefinition): Violation[] {
    const budget = definition.budget;
    if (!budget || (budget.tokens === undefined && budget.dollars === undefined)) return [];
    const found: Violation[] = [...stoppedByBudget(trace, budget)];
    for (const resource of ['tokens', 'dollars'] as const) {
      const limit = budget[resource];
      if (limit === undefined) continue;
      let spent = 0;
      const settles: Array<Indexed<TeamTraceEvent>> = [];
      for (let index = 0; index < trace.length; index++) {
        const event = trace[index]!;
        if (event.kind !== 'budget' || event.action !== 'settle') continue;
        const amount = event.actual?.[resource] ?? 0;
        if (amount === 0) continue;
        spent += amount;
        settles.push({ index, event });
        // The budget allows a hair of float error on dollars (see policies/budget.ts).
        if (spent > limit + 1e-9) {
          found.push(
            violation(
              'budget',
              resource,
              `${settles.length} call${settles.length === 1 ? '' : 's'} spent ${round(spent)} ${resource}, over the budget of ${limit} (the last by ${event.agent})`,
              settles.map((s) => s.index),
            ),
          );
          break;
        }
      }
    }
    return found;
  },
};

/** The first refused reservation, or (in a trace without one) a run that ended with the typed `budget` failure. */
function stoppedByBudget(trace: Trace, budget: NonNullable<AnyDefinition['budget']>): Violation[] {
  const refused = trace.findIndex((event) => event.kind === 'budget' && event.action === 'refused');
  const end = runOutcome(trace);
  if (refused >= 0) {
    const event = trace[refused] as Extract<TeamTraceEvent, { kind: 'budget' }>;
    const resource = event.resource === 'dollars' ? 'dollars' : 'tokens';
    const left = event.remaining[resource];
    return [
      violation(
        'budget',
        resource,
        `${event.agent} was refused ${round(event.requested?.[resource] ?? 0)} ${resource} with ${left === undefined ? 'nothing' : round(left)} of the budget of ${budget[resource]} left: ` +
          `the budget does not cover what the declared replicas, attempts and max_tokens can spend`,
        [refused, ...(end?.outcome === 'budget' ? [end.index] : [])],
      ),
    ];
  }
  if (end?.outcome === 'budget') {
    const ended = trace[end.index] as Extract<TeamTraceEvent, { kind: 'run-end' }>;
    const resource = /\b(tokens|dollars)\b/.exec(ended.error?.message ?? '')?.[1] ?? 'team';
    return [violation('budget', resource, `the run was stopped by its budget: the budget does not cover what the declared replicas, attempts and max_tokens can spend`, [end.index])];
  }
  return [];
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${round(ms / 1000)}s` : `${round(ms)}ms`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
