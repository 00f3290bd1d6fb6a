/**
 * The measured critical path: the chain of model calls and messages that ends at the run's end.
 * Start from the step that finished last and walk back, each time to the latest-finishing step
 * that could have held this one up:
 *
 * - a call waits for the earlier calls of its own lane (the same replica: attempts, retries), for
 *   the messages delivered to its agent, and — for a fallback stand-in — for the primary's lane
 *   and the messages delivered to the agent it stands in for;
 * - a message waits for the calls of the agent that sent it (any replica: an agent's value is its
 *   last replica's) and for the messages delivered to that agent.
 *
 * Each step back is two binary searches per source, so the walk is O(n log n) with the sort.
 */
import type { CallBar, CriticalPath, CriticalStep, MessageArrow } from './model.js';

interface Step extends CriticalStep {
  start: number;
  end: number;
}

export function findCriticalPath(bars: readonly CallBar[], arrows: readonly MessageArrow[]): CriticalPath {
  const steps: Step[] = [
    ...bars.map((bar): Step => ({ kind: 'call', id: bar.id, start: bar.start, end: bar.end })),
    ...arrows.map((arrow): Step => ({ kind: 'message', id: arrow.id, start: arrow.sent, end: arrow.delivered })),
  ];
  if (steps.length === 0) return { steps: [], spanMs: 0, callMs: 0 };

  // One total order: by end, then preferring a call that answered over one that did not (a hedge's
  // winner over the copy it cancelled, which ends at the same instant), then by start. A step's
  // predecessor must come earlier in this order, which also rules out cycles among instant steps.
  const preference = (step: Step) => (step.kind === 'message' ? 1 : bars[step.id]!.outcome === 'ok' ? 2 : 0);
  steps.sort((a, b) => a.end - b.end || preference(a) - preference(b) || a.start - b.start || a.kind.localeCompare(b.kind) || a.id - b.id);
  const ends = steps.map((step) => step.end);

  const byLane = new Map<number, number[]>();
  const byAgent = new Map<string, number[]>();
  const deliveredTo = new Map<string, number[]>();
  const add = <K>(index: Map<K, number[]>, key: K, position: number) => {
    const list = index.get(key);
    if (list) list.push(position);
    else index.set(key, [position]);
  };
  steps.forEach((step, position) => {
    if (step.kind === 'call') {
      const bar = bars[step.id]!;
      add(byLane, bar.lane, position);
      add(byAgent, bar.agent, position);
      if (bar.onBehalfOf !== undefined && bar.onBehalfOf !== bar.agent) add(byAgent, bar.onBehalfOf, position);
    } else {
      add(deliveredTo, arrows[step.id]!.to, position);
    }
  });

  /** The latest position in `list` (ascending) that ends by `time` and comes before `before`. */
  const latest = (list: number[] | undefined, time: number, before: number): number => {
    if (!list) return -1;
    const lastEndingBy = upperBound(list, (position) => ends[position]! <= time) - 1;
    const lastBefore = upperBound(list, (position) => position < before) - 1;
    const at = Math.min(lastEndingBy, lastBefore);
    return at >= 0 ? list[at]! : -1;
  };

  const chain: Step[] = [];
  for (let position = steps.length - 1; position >= 0; ) {
    const step = steps[position]!;
    chain.push(step);
    const candidates: number[] = [];
    if (step.kind === 'call') {
      const bar = bars[step.id]!;
      candidates.push(latest(byLane.get(bar.lane), bar.start, position), latest(deliveredTo.get(bar.agent), bar.start, position));
      if (bar.onBehalfOf !== undefined) candidates.push(latest(deliveredTo.get(bar.onBehalfOf), bar.start, position));
      if (bar.fallbackFromLane !== undefined) candidates.push(latest(byLane.get(bar.fallbackFromLane), bar.start, position));
    } else {
      const arrow = arrows[step.id]!;
      candidates.push(latest(byAgent.get(arrow.from), arrow.sent, position), latest(deliveredTo.get(arrow.from), arrow.sent, position));
    }
    position = Math.max(...candidates);
  }
  chain.reverse();

  const first = chain[0]!;
  const last = chain[chain.length - 1]!;
  const callMs = chain.reduce((sum, step) => sum + (step.kind === 'call' ? step.end - step.start : 0), 0);
  return { steps: chain.map(({ kind, id }) => ({ kind, id })), spanMs: last.end - first.start, callMs };
}

/** The number of leading elements of `list` that satisfy `holds` (which must hold on a prefix). */
function upperBound<T>(list: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (holds(list[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low;
}
