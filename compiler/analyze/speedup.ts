/**
 * The speed-up formulas of the analysis (docs: runtime.md, "Analysis"), for total work W,
 * critical path CP and n workers. An empty graph (W = 0) has nothing to speed up: every
 * speed-up is 1 and every time 0, never NaN.
 */

/** p = (W − CP) / W: the share of the work that can overlap with other work. */
export function parallelFraction(totalWork: number, criticalPath: number): number {
  if (totalWork <= 0) return 0;
  return Math.min(1, Math.max(0, (totalWork - criticalPath) / totalWork));
}

/** Amdahl's law: S(n) = 1 / ((1 − p) + p / n). */
export function amdahlSpeedup(p: number, workers: number): number {
  assertWorkers(workers);
  return 1 / (1 - p + p / workers);
}

/** Amdahl's ceiling, S(∞) = 1 / (1 − p); Infinity when everything is parallel. */
export function amdahlCeiling(p: number): number {
  return p >= 1 ? Infinity : 1 / (1 - p);
}

/** No schedule on n workers finishes before max(CP, W / n): the work-span lower bound on time. */
export function workSpanTime(totalWork: number, criticalPath: number, workers: number): number {
  assertWorkers(workers);
  return Math.max(criticalPath, totalWork / workers);
}

/** The work-span (Brent) bound on speed-up: S(n) ≤ W / max(CP, W / n). */
export function workSpanSpeedup(totalWork: number, criticalPath: number, workers: number): number {
  const time = workSpanTime(totalWork, criticalPath, workers);
  return time > 0 ? totalWork / time : 1;
}

/** Any greedy schedule (no worker idle while a task is ready) finishes by W / n + CP (Graham, Brent). */
export function greedyTimeBound(totalWork: number, criticalPath: number, workers: number): number {
  assertWorkers(workers);
  return totalWork / workers + criticalPath;
}

/** The speed-up a policy allows at best: the busiest worker works W / that long, whatever the waits. */
export function loadBoundSpeedup(totalWork: number, largestLoad: number): number {
  return largestLoad > 0 ? totalWork / largestLoad : 1;
}

function assertWorkers(workers: number): void {
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a positive integer, not ${workers}`);
}
