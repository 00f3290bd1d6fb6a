import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildWorkDag,
  criticalPath,
  simulateSchedule,
  type AssignPolicy,
  type LeadOptions,
  type Schedule,
  type WorkGraph,
} from '../../compiler/analyze/index.js';
import { planWork } from '../../runtime/work.js';
import { chain, diamond, independent, mathLibrary, randomDag } from './graphs.js';

function schedule(graph: WorkGraph, workers: number, policy: AssignPolicy, lead?: LeadOptions): Schedule {
  const dag = buildWorkDag(graph);
  return simulateSchedule(dag, criticalPath(dag), { workers, policy, ...(lead ? { lead } : {}) });
}

const rows = (s: Schedule) => s.schedule.map((r) => `${r.task}@${r.worker}:${r.start}-${r.end}`);

/** Every task once, for its weight, after its dependencies, never two at once on a worker. */
function expectValid(graph: WorkGraph, s: Schedule): void {
  const byName = new Map(graph.tasks.map((t) => [t.name, t]));
  const placed = new Map(s.schedule.map((r) => [r.task, r]));
  expect(s.schedule).toHaveLength(graph.tasks.length);
  expect(placed.size).toBe(graph.tasks.length);
  for (const r of s.schedule) {
    expect(r.end - r.start).toBe(byName.get(r.task)!.weight);
    expect(r.worker).toBeGreaterThanOrEqual(0);
    expect(r.worker).toBeLessThan(s.workers);
    for (const dep of byName.get(r.task)!.after) expect(r.start).toBeGreaterThanOrEqual(placed.get(dep)!.end);
  }
  for (let w = 0; w < s.workers; w++) {
    const mine = s.schedule.filter((r) => r.worker === w).sort((a, b) => a.start - b.start);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    expect(s.perWorkerLoad[w]).toBe(mine.reduce((sum, r) => sum + r.end - r.start, 0));
    expect(s.perWorkerIdle[w]).toBe(s.makespan - s.perWorkerLoad[w]!);
  }
  expect(s.makespan).toBe(Math.max(0, ...s.schedule.map((r) => r.end)));
}

describe('claim (greedy list scheduling)', () => {
  it('runs the math library on 4 workers as computed by hand: makespan 8 = CP', () => {
    // Bottom levels: core 8, div 7, add 6, mul 6, sub 5, sqrt 5, mean 5, gcd 4, variance 4, the
    // rest 3 or less; ties in declaration order. Worker 0 follows the critical path all along.
    const s = schedule(mathLibrary, 4, 'claim');
    expect(rows(s)).toEqual([
      'core@0:0-1',
      'div@0:1-3', 'add@1:1-2', 'mul@2:1-2', 'sub@3:1-2',
      'gcd@1:2-4', 'safe_add@2:2-3', 'pow@3:2-3',
      'sqrt@0:3-5', 'mean@2:3-4', 'safe_div@3:3-4',
      'variance@1:4-5', 'clamp@2:4-5', 'lerp@3:4-5',
      'stddev@0:5-6', 'round@1:5-6', 'lcm@2:5-6', 'tests_basic@3:5-6',
      'tests_stats@0:6-7',
      'docs@0:7-8',
    ]);
    expect(s).toMatchObject({ makespan: 8, perWorkerLoad: [8, 5, 5, 5], largestLoad: 8, loadBound: 23 / 8, idleTime: 9 });
  });

  it('cannot beat the chain, and shares independent tasks evenly', () => {
    expect(schedule(chain(5), 3, 'claim')).toMatchObject({ makespan: 5, perWorkerLoad: [5, 0, 0] });
    expect(schedule(independent(10), 3, 'claim')).toMatchObject({ makespan: 4, perWorkerLoad: [4, 3, 3] });
  });

  it('puts the heavier branch of a diamond first', () => {
    expect(rows(schedule(diamond, 2, 'claim'))).toEqual(['a@0:0-1', 'c@0:1-4', 'b@1:1-3', 'd@0:4-5']);
  });
});

describe('preassigned', () => {
  it('deals the math library round-robin in priority order, as computed by hand: makespan 9', () => {
    // Deal order: core div add mul sub sqrt mean variance gcd safe_add safe_div pow stddev clamp
    // lerp round lcm tests_basic tests_stats docs; task k goes to worker k mod 4.
    const s = schedule(mathLibrary, 4, 'preassigned');
    expect(rows(s)).toEqual([
      'core@0:0-1',
      'sub@0:1-2', 'div@1:1-3', 'add@2:1-2', 'mul@3:1-2',
      'gcd@0:2-4',
      'sqrt@1:3-5', 'mean@2:3-4',
      'safe_div@2:4-5', 'variance@3:4-5',
      'stddev@0:5-6', 'safe_add@1:5-6', 'lerp@2:5-6', 'pow@3:5-6',
      'lcm@0:6-7', 'clamp@1:6-7', 'round@3:6-7',
      'tests_basic@1:7-8', 'tests_stats@2:7-8',
      'docs@3:8-9',
    ]);
    expect(s).toMatchObject({ makespan: 9, perWorkerLoad: [6, 7, 5, 5], loadBound: 23 / 7, handoffs: 22 });
  });
});

describe('lead', () => {
  it('charges its decision time: one task per decision', () => {
    // a decided 0–1, runs 1–2; c (more urgent) to the idle worker with less load (1), decided 2–3,
    // runs 3–6; b to worker 0, decided 3–4, runs 4–6; d decided 6–7 (loads tie: worker 0), runs 7–8.
    const s = schedule(diamond, 2, 'lead', { overhead: 1, per: 'task' });
    expect(rows(s)).toEqual(['a@0:1-2', 'c@1:3-6', 'b@0:4-6', 'd@0:7-8']);
    expect(s).toMatchObject({ makespan: 8, leadDecisions: 4, leadBusy: 4 });
  });

  it('assigns every pair it can in one decision when deciding per batch', () => {
    const s = schedule(diamond, 2, 'lead', { overhead: 1, per: 'batch' });
    expect(rows(s)).toEqual(['a@0:1-2', 'b@0:3-5', 'c@1:3-6', 'd@0:7-8']);
    expect(s).toMatchObject({ makespan: 8, leadDecisions: 3, leadBusy: 3 });
  });

  it('spreads work to the least-loaded worker', () => {
    const s = schedule(independent(6), 3, 'lead');
    expect(s.perWorkerLoad).toEqual([2, 2, 2]);
    expect(s.makespan).toBe(2);
  });

  it('rejects a negative overhead', () => {
    expect(() => schedule(diamond, 2, 'lead', { overhead: -1 })).toThrow(RangeError);
  });
});

describe('every policy, on random DAGs (property)', () => {
  const cases = fc.tuple(randomDag(16), fc.integer({ min: 1, max: 6 }));

  it('respects dependencies and never overlaps on a worker', () => {
    fc.assert(
      fc.property(cases, fc.double({ min: 0, max: 3, noNaN: true }), ([graph, n], overhead) => {
        for (const policy of ['preassigned', 'claim', 'lead'] as const) expectValid(graph, schedule(graph, n, policy, { overhead: Math.round(overhead * 2) / 2 }));
      }),
      { numRuns: 150, seed: 3 },
    );
  });

  it('claim lies between max(CP, W/n) and W/n + CP; no policy beats max(CP, W/n)', () => {
    fc.assert(
      fc.property(cases, ([graph, n]) => {
        const dag = buildWorkDag(graph);
        const { totalWork: W, length: CP } = criticalPath(dag);
        const lower = Math.max(CP, W / n);
        const claim = schedule(graph, n, 'claim');
        expect(claim.makespan).toBeGreaterThanOrEqual(lower - 1e-9);
        expect(claim.makespan).toBeLessThanOrEqual(W / n + CP + 1e-9);
        for (const policy of ['preassigned', 'lead'] as const) {
          const other = schedule(graph, n, policy, { overhead: 0.5 });
          expect(other.makespan).toBeGreaterThanOrEqual(lower - 1e-9);
          expect(other.makespan).toBeGreaterThanOrEqual(other.largestLoad);
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('a lead with no overhead gives the greedy makespan, per task or per batch', () => {
    fc.assert(
      fc.property(cases, ([graph, n]) => {
        const claim = schedule(graph, n, 'claim').makespan;
        expect(schedule(graph, n, 'lead', { overhead: 0, per: 'task' }).makespan).toBe(claim);
        expect(schedule(graph, n, 'lead', { overhead: 0, per: 'batch' }).makespan).toBe(claim);
      }),
      { numRuns: 150, seed: 9 },
    );
  });

  it('predicts exactly what the runtime plans (runtime/work.ts planWork), task by task', () => {
    fc.assert(
      fc.property(cases, ([graph, n]) => {
        for (const policy of ['claim', 'preassigned'] as const) {
          const ours = schedule(graph, n, policy);
          const theirs = planWork(
            graph.tasks.map((t) => ({ ...t, writes: [] })),
            { workers: n, policy },
          );
          const sorted = (list: readonly { task: string; worker: number; start: number; end: number }[]) =>
            [...list].map(({ task, worker, start, end }) => ({ task, worker, start, end })).sort((a, b) => (a.task < b.task ? -1 : 1));
          expect(sorted(ours.schedule)).toEqual(sorted(theirs.schedule));
          expect(ours.makespan).toBe(theirs.makespan);
          expect(ours.perWorkerLoad).toEqual(theirs.perWorkerLoad);
        }
      }),
      { numRuns: 150, seed: 13 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(cases, ([graph, n]) => {
        for (const policy of ['preassigned', 'claim', 'lead'] as const) {
          expect(schedule(graph, n, policy, { overhead: 1 })).toEqual(schedule(graph, n, policy, { overhead: 1 }));
        }
      }),
      { numRuns: 50, seed: 17 },
    );
  });
});
