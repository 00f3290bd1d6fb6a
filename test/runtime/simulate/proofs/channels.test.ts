/**
 * What the runner's trace carries for the channel checkers — acknowledgements, sequencer
 * positions, the ids of withdrawn messages — checked on real runs, each with the tampered trace
 * the checker must convict. (The T300 and T402 proofs are in rejected.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { TeamTraceEvent } from '../../../../runtime/team.js';
import { atLeastOnceChecker, simulateRun, totalOrderChecker } from '../../../../runtime/simulate/index.js';
import { collectorTeam, ledgerTeam } from '../teams.js';

const NETWORK = 'duplicates=0.2,reorder=0.3,drops=0.1';

describe('what the runner traces for the channel checkers', () => {
  type Deliver = Extract<TeamTraceEvent, { kind: 'deliver' }>;

  it('acknowledgements: each follows its handing, and an acknowledgement with nothing behind it is caught in any run', async () => {
    let acks = 0;
    for (let i = 0; i < 20; i++) {
      const run = await simulateRun(collectorTeam('exactly_once'), { seed: `acks/${i}`, faults: NETWORK, input: { topic: 'x' } });
      expect(run.violations).toEqual([]);
      const trace = run.trace;
      const handed = new Set<string>();
      for (const event of trace) {
        if (event.kind === 'deliver') handed.add(`${event.agent} ${event.message}`);
        if (event.kind !== 'ack') continue;
        acks++;
        expect(handed.has(`${event.agent} ${event.message}`)).toBe(true);
        expect(event.to).toBe('writer');
      }
      // Take the handing away (and stop the run mid-flight): the acknowledgement alone convicts it.
      const victim = trace.findIndex((e) => e.kind === 'deliver');
      const cut = trace.filter((_, at) => at !== victim).map((e) => (e.kind === 'run-end' ? { ...e, outcome: 'failed' as const, error: { name: 'deadline', message: 'deadline' } } : e));
      expect(atLeastOnceChecker.check(cut, collectorTeam('exactly_once') as never)).toEqual([expect.objectContaining({ kind: 'at-least-once', subject: 'entries→collector' })]);
    }
    expect(acks).toBeGreaterThan(80);
  });

  it('total order: every delivery carries its sequencer position, the same at both consumers, increasing', async () => {
    const team = ledgerTeam('total');
    team.agents[1]!.takes[0]!.requires = 'total';
    team.agents.push({ ...team.agents[1]!, name: 'auditor' });
    for (let i = 0; i < 30; i++) {
      const run = await simulateRun(team, { seed: `positions/${i}`, faults: NETWORK, input: { topic: 'x' } });
      expect(run.violations).toEqual([]);
      const deliveries = run.trace.filter((e): e is Deliver => e.kind === 'deliver' && e.channel === 'entries');
      expect(deliveries.length).toBeGreaterThanOrEqual(8);
      const positionOf = new Map<string, number>();
      for (const consumer of ['reader', 'auditor']) {
        const positions = deliveries.filter((d) => d.agent === consumer).map((d) => d.position!);
        expect(positions.every((p) => Number.isInteger(p))).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
      for (const d of deliveries) {
        expect(positionOf.get(d.message) ?? d.position).toBe(d.position);
        positionOf.set(d.message, d.position!);
      }
      // Swap two positions at one consumer: the checker reads them.
      const [first, second] = deliveries.filter((d) => d.agent === 'auditor');
      const swapped = run.trace.map((e) => (e === first ? { ...first, position: second!.position } : e === second ? { ...second, position: first!.position } : e));
      expect(totalOrderChecker.check(swapped, team as never)).toEqual([expect.objectContaining({ kind: 'total', subject: 'entries' })]);
    }
  });

  it('drop_oldest: each withdrawal names its message, and only the named ones may be missing', async () => {
    const team = collectorTeam('exactly_once');
    team.channels[0] = { ...team.channels[0]!, capacity: 1, backpressure: 'drop_oldest' };
    let withdrawals = 0;
    let excused = 0;
    for (let i = 0; i < 20; i++) {
      const run = await simulateRun(team, { seed: `withdraw/${i}`, faults: NETWORK, input: { topic: 'x' } });
      expect(run.violations).toEqual([]);
      const named = run.trace.flatMap((e) => (e.kind === 'dropped' && e.message !== undefined ? [e.message] : []));
      const sent = new Set(run.trace.flatMap((e) => (e.kind === 'send' && e.to === undefined ? [e.message] : [])));
      const handed = new Set(run.trace.flatMap((e) => (e.kind === 'deliver' ? [e.message] : [])));
      for (const id of named) expect(sent.has(id)).toBe(true);
      for (const id of sent) if (!handed.has(id)) expect(named).toContain(id);
      withdrawals += named.length;
      // Without the names, the missing messages are losses.
      if ([...sent].some((id) => !handed.has(id))) {
        excused++;
        const anonymous = run.trace.map((e) => (e.kind === 'dropped' ? { ...e, message: undefined } : e)) as TeamTraceEvent[];
        expect(atLeastOnceChecker.check(anonymous, team as never)).toHaveLength(1);
      }
    }
    expect(withdrawals).toBeGreaterThan(20);
    expect(excused).toBeGreaterThan(5);
  });
});
