/**
 * The shortest trace that shows a violation. Two cuts, each re-checked with the checker that
 * found the violation (a cut "still shows it" when the checker reports the same kind of violation
 * of the same subject):
 *
 * 1. the shortest prefix of the run in which it is already visible (what happened afterwards is
 *    not needed to see it);
 * 2. within that prefix, a smallest set of events: the checker's own evidence (e.g. the two
 *    deliveries out of order and their publishes) plus whatever else it cannot do without (e.g.
 *    the run's end, for a loss), found by delta debugging (Zeller's ddmin) over the rest.
 *
 * Hand-written: ddmin is twenty lines, and the checkers are the test oracle it needs.
 */
import type { TeamTraceEvent } from '../team.js';
import { checkers as allCheckers, type Checker, type Violation } from './checkers/index.js';
import { formatEvent } from './format.js';
import type { AnyDefinition, Trace } from './trace-view.js';

export interface Counterexample {
  violation: Violation;
  /** The run's seed, when known: re-running it reproduces the whole trace. */
  seed?: string;
  /** Events in the run's whole trace. */
  traceLength: number;
  /** The shortest prefix of the trace in which the checker still finds the violation. */
  prefixLength: number;
  /** A smallest subset of that prefix in which the checker still finds it, in trace order. */
  events: Array<{ index: number; event: TeamTraceEvent }>;
  /** The run's start on its clock, so times print relative to it. */
  origin: number;
}

export interface ShrinkOptions {
  /** The checker that found the violation; by default the one of its kind. */
  checker?: Checker;
  seed?: string;
  /** Re-checks allowed in all (each is one checker pass over a candidate trace). Default 4000. */
  maxChecks?: number;
}

export function shrink(trace: Trace, found: Violation, definition: AnyDefinition, options: ShrinkOptions = {}): Counterexample {
  const checker = options.checker ?? allCheckers.find((c) => c.kind === found.kind);
  if (!checker) throw new Error(`no checker for violations of kind ${found.kind}`);
  let budget = options.maxChecks ?? 4000;
  const shows = (indices: readonly number[]): boolean => {
    budget--;
    const events = indices.map((i) => trace[i]!);
    return checker.check(events, definition).some((v) => v.kind === found.kind && v.subject === found.subject);
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  // 1. The shortest prefix: it must hold all the evidence.
  const lowest = Math.max(0, ...found.evidence.map((i) => i + 1));
  let prefixLength = trace.length;
  for (let length = Math.min(lowest, trace.length); length < trace.length && budget > 0; length++) {
    if (shows(range(0, length))) {
      prefixLength = length;
      break;
    }
  }

  // 2. A smallest subset: the evidence, plus what ddmin keeps of the rest of the prefix.
  const evidence = found.evidence.filter((i) => i < prefixLength);
  const inEvidence = new Set(evidence);
  const withEvidence = (extra: readonly number[]) => [...evidence, ...extra].sort((a, b) => a - b);
  const test = (extra: readonly number[]) => shows(withEvidence(extra));
  let extra: number[];
  if (test([])) extra = [];
  else {
    const rest = range(0, prefixLength).filter((i) => !inEvidence.has(i));
    // Most checkers need at most the run's start and end beside their evidence: try those first.
    const bounds = rest.filter((i) => trace[i]!.kind === 'run-start' || trace[i]!.kind === 'run-end');
    extra = bounds.length > 0 && test(bounds) ? ddmin(bounds, test, () => budget > 0) : ddmin(rest, test, () => budget > 0);
  }
  const start = trace.find((e) => e.kind === 'run-start');
  return {
    violation: found,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    traceLength: trace.length,
    prefixLength,
    events: withEvidence(extra).map((index) => ({ index, event: trace[index]! })),
    origin: start?.time ?? 0,
  };
}

/**
 * Delta debugging: a 1-minimal subset of `items` (removing any one more item loses the property)
 * for which `test` holds, given that it holds for all of them. Stops early, keeping what it has,
 * when `more()` turns false.
 */
export function ddmin<T>(items: readonly T[], test: (subset: readonly T[]) => boolean, more: () => boolean = () => true): T[] {
  let current = [...items];
  let granularity = 2;
  while (current.length >= 2 && more()) {
    const chunks = split(current, granularity);
    let reduced = false;
    for (const chunk of chunks) {
      if (!more()) break;
      if (test(chunk)) {
        current = chunk;
        granularity = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (let i = 0; i < chunks.length && more(); i++) {
        const complement = chunks.filter((_, j) => j !== i).flat();
        if (test(complement)) {
          current = complement;
          granularity = Math.max(granularity - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break;
      granularity = Math.min(current.length, granularity * 2);
    }
  }
  if (current.length === 1 && more() && test([])) return [];
  return current;
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const chunks: T[][] = [];
  const size = items.length / parts;
  for (let i = 0; i < parts; i++) {
    const chunk = items.slice(Math.round(i * size), Math.round((i + 1) * size));
    if (chunk.length > 0) chunks.push(chunk);
  }
  return chunks;
}

/** The counterexample as text: what was violated, how to reproduce it, and the events that show it. */
export function formatCounterexample(example: Counterexample): string {
  const { violation: v } = example;
  const lines = [
    `${v.kind} violated (${v.subject}): ${v.message}`,
    ...(example.seed !== undefined ? [`  reproduce with seed ${example.seed}`] : []),
    `  shown by ${example.events.length} of the first ${example.prefixLength} events (the run has ${example.traceLength}):`,
    ...example.events.map(({ index, event }) => `  #${String(index).padStart(4)} ${formatEvent(event, example.origin)}`),
  ];
  return lines.join('\n');
}
