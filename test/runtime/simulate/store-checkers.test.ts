/**
 * The store checkers on small hand-written traces: each flags the anomaly it exists for and
 * passes the same trace with the anomaly removed (a write the read covers, a write outside the
 * causal past, a knowing overwrite, tasks that ran one after the other).
 */
import { describe, expect, it } from 'vitest';
import type { AgentDefinition, Consistency, Merge, TeamDefinition } from '../../../runtime/definition.js';
import { causalReadChecker, checkTrace, lostUpdateChecker, staleReadChecker } from '../../../runtime/simulate/index.js';
import type { TeamTraceEvent } from '../../../runtime/team.js';
import type { VectorClock } from '../../../runtime/vector-clock.js';
import * as t from './traces.js';

type Def = TeamDefinition<unknown, unknown>;

/** Only what the store checkers read of an agent. */
function agent(name: string, parts: { reads?: Array<{ store: string; requires?: Consistency }>; writes?: string[]; emits?: string[]; takes?: string[] }): AgentDefinition {
  return {
    name,
    replicas: 1,
    policy: {},
    calls: [],
    reads: parts.reads ?? [],
    writes: parts.writes ?? [],
    emits: (parts.emits ?? []).map((channel) => ({ channel })),
    takes: (parts.takes ?? []).map((source) => ({ source, from: 'channel', all: false, optional: false })),
  } as unknown as AgentDefinition;
}

function team(parts: { stores?: Array<{ name: string; consistency: Consistency; merge?: Merge }>; agents?: AgentDefinition[]; work?: Def['work'] }): Def {
  return { name: 'T', stores: parts.stores ?? [], agents: parts.agents ?? [], work: parts.work ?? [], channels: [], consensus: [], outputs: [], inputs: [], models: [], tools: [] } as unknown as Def;
}

const write = (time: number, agent: string, store: string, n: number, origin: string, seq: number, merged: VectorClock = {}): TeamTraceEvent => ({
  kind: 'write',
  agent,
  time,
  store,
  id: `${store}:${agent}#${n}`,
  origin,
  seq,
  merged,
  startedAt: time,
});

const read = (startedAt: number, agent: string, store: string, replica: string, merged: VectorClock, reflects: string[], time = startedAt): TeamTraceEvent => ({
  kind: 'read',
  agent,
  time,
  store,
  replica,
  merged,
  reflects,
  startedAt,
});

const state = (time: number, store: string, merged: VectorClock, reflects: string[]): TeamTraceEvent => ({
  kind: 'store-state',
  agent: 'team',
  time,
  store,
  replicas: {},
  converged: { merged, reflects },
});

const task = (time: number, name: string, worker: number, action: 'start' | 'end' | 'discarded'): TeamTraceEvent => ({ kind: 'task', agent: 'dev', time, work: 'lib', task: name, worker, action });

describe('stale-read', () => {
  const plan = (consistency: Consistency, requires?: Consistency) =>
    team({
      stores: [{ name: 'plan', consistency }],
      agents: [agent('planner', { writes: ['plan'] }), agent('executor', { reads: [{ store: 'plan', ...(requires ? { requires } : {}) }] })],
    });
  const written = [t.start(), write(100, 'planner', 'plan', 1, 'r0', 1)];

  it('flags a read relying on strong that misses a write completed before it started', () => {
    const trace = [...written, read(150, 'executor', 'plan', 'r1', {}, [])];
    const found = staleReadChecker.check(trace, plan('eventual', 'strong'));
    expect(found).toEqual([expect.objectContaining({ kind: 'stale-read', subject: 'plan→executor', evidence: [1, 2] })]);
    expect(found[0]!.message).toContain('missed plan:planner#1');
    // A store declared strong is relied on whatever the reader says.
    expect(staleReadChecker.check(trace, plan('strong'))).toHaveLength(1);
    expect(checkTrace(trace, plan('eventual', 'strong')).map((v) => v.kind)).toContain('stale-read');
  });

  it('passes a read that reflects the write, or a later write whose writer had seen it', () => {
    expect(staleReadChecker.check([...written, read(150, 'executor', 'plan', 'r1', { r0: 1 }, ['plan:planner#1'])], plan('eventual', 'strong'))).toEqual([]);
    const overwritten = [...written, write(120, 'planner', 'plan', 2, 'r0', 2, { r0: 1 }), read(150, 'executor', 'plan', 'r1', { r0: 2 }, ['plan:planner#2'])];
    expect(staleReadChecker.check(overwritten, plan('eventual', 'strong'))).toEqual([]);
  });

  it('passes a read concurrent with the write (same millisecond, or started before it completed)', () => {
    expect(staleReadChecker.check([...written, read(100, 'executor', 'plan', 'r1', {}, [])], plan('eventual', 'strong'))).toEqual([]);
    expect(staleReadChecker.check([t.start(), read(90, 'executor', 'plan', 'r1', {}, [], 130), write(100, 'planner', 'plan', 1, 'r0', 1)], plan('strong'))).toEqual([]);
  });

  it('ignores readers that do not rely on strong', () => {
    const trace = [...written, read(150, 'executor', 'plan', 'r1', {}, [])];
    expect(staleReadChecker.check(trace, plan('eventual'))).toEqual([]);
    expect(staleReadChecker.check(trace, plan('causal', 'causal'))).toEqual([]);
  });
});

describe('causal-read', () => {
  // reviewer writes notes and emits on findings; judge takes findings and reads notes (T302).
  const review = (consistency: Consistency, judgeTakes = ['findings']) =>
    team({
      stores: [{ name: 'notes', consistency, merge: 'append' }],
      agents: [agent('reviewer', { writes: ['notes'], emits: ['findings'] }), agent('judge', { reads: [{ store: 'notes' }], takes: judgeTakes })],
    });
  const before = [t.start(), write(100, 'reviewer', 'notes', 1, 'r0', 1), t.publish(110, 'reviewer', 'findings', 1), t.deliver(130, 'judge', 'reviewer', 'findings', 1)];

  it('flags a read that misses a write which happened-before it through a message', () => {
    const trace = [...before, read(140, 'judge', 'notes', 'r1', {}, [])];
    const found = causalReadChecker.check(trace, review('eventual'));
    expect(found).toEqual([expect.objectContaining({ kind: 'causal-read', subject: 'notes→judge', evidence: [1, 2, 3, 4] })]);
    expect(found[0]!.message).toContain('reviewer writes notes and emits on findings, which judge takes');
  });

  it('passes the read once it covers the write', () => {
    expect(causalReadChecker.check([...before, read(140, 'judge', 'notes', 'r1', { r0: 1 }, ['notes:reviewer#1'])], review('eventual'))).toEqual([]);
  });

  it('does not count a write made after the message was sent', () => {
    const trace = [t.start(), t.publish(90, 'reviewer', 'findings', 1), write(100, 'reviewer', 'notes', 1, 'r0', 1), t.deliver(130, 'judge', 'reviewer', 'findings', 1), read(140, 'judge', 'notes', 'r1', {}, [])];
    expect(causalReadChecker.check(trace, review('eventual'))).toEqual([]);
  });

  it('does not count a delivery at the read’s own millisecond or later', () => {
    expect(causalReadChecker.check([...before, read(130, 'judge', 'notes', 'r1', {}, [])], review('eventual'))).toEqual([]);
  });

  it('follows happened-before through a relay, for a reader of a causal store', () => {
    const relayed = team({
      stores: [{ name: 'notes', consistency: 'causal', merge: 'append' }],
      agents: [agent('reviewer', { writes: ['notes'], emits: ['findings'] }), agent('relay', { takes: ['findings'], emits: ['digest'] }), agent('judge', { reads: [{ store: 'notes' }], takes: ['digest'] })],
    });
    const trace = [
      t.start(),
      write(100, 'reviewer', 'notes', 1, 'r0', 1),
      t.publish(110, 'reviewer', 'findings', 1),
      t.deliver(120, 'relay', 'reviewer', 'findings', 1),
      t.publish(125, 'relay', 'digest', 1),
      t.deliver(130, 'judge', 'relay', 'digest', 1),
      read(140, 'judge', 'notes', 'r1', {}, []),
    ];
    expect(causalReadChecker.check(trace, relayed)).toEqual([expect.objectContaining({ subject: 'notes→judge', evidence: [1, 2, 3, 4, 5, 6] })]);
  });

  it('ignores a reader with no reason to expect causality (eventual store, no channel from its writers)', () => {
    expect(causalReadChecker.check([...before, read(140, 'judge', 'notes', 'r1', {}, [])], review('eventual', ['other']))).toEqual([]);
  });
});

describe('lost-update', () => {
  const notes = (merge?: Merge) =>
    team({ stores: [{ name: 'notes', consistency: 'eventual', ...(merge ? { merge } : {}) }], agents: [agent('reviewer', { writes: ['notes'] }), agent('linter', { writes: ['notes'] })] });
  // Two writes at two replicas, neither having seen the other.
  const concurrent = [t.start(), write(100, 'reviewer', 'notes', 1, 'r0', 1), write(105, 'linter', 'notes', 1, 'r1', 1)];

  it('flags a write the converged state merged but does not reflect, overwritten by a writer that had not seen it', () => {
    const trace = [...concurrent, state(500, 'notes', { r0: 1, r1: 1 }, ['notes:linter#1'])];
    const found = lostUpdateChecker.check(trace, notes());
    expect(found).toEqual([expect.objectContaining({ kind: 'lost-update', subject: 'notes', evidence: [1, 2, 3] })]);
    expect(found[0]!.message).toContain('notes:reviewer#1 (reviewer, done at 100ms) is lost');
  });

  it('flags it at a read too', () => {
    const trace = [...concurrent, read(300, 'judge', 'notes', 'r2', { r0: 1, r1: 1 }, ['notes:linter#1'])];
    expect(lostUpdateChecker.check(trace, notes())).toEqual([expect.objectContaining({ subject: 'notes', evidence: [1, 2, 3] })]);
  });

  it('passes a knowing overwrite, a write not merged yet, and stores with a merge rule', () => {
    const knowing = [t.start(), write(100, 'reviewer', 'notes', 1, 'r0', 1), write(105, 'linter', 'notes', 1, 'r1', 1, { r0: 1 }), state(500, 'notes', { r0: 1, r1: 1 }, ['notes:linter#1'])];
    expect(lostUpdateChecker.check(knowing, notes())).toEqual([]);
    expect(lostUpdateChecker.check([...concurrent, read(300, 'judge', 'notes', 'r1', { r1: 1 }, ['notes:linter#1'])], notes())).toEqual([]);
    const lossy = [...concurrent, state(500, 'notes', { r0: 1, r1: 1 }, ['notes:linter#1'])];
    expect(lostUpdateChecker.check(lossy, notes('lww'))).toEqual([]); // losing is declared
    expect(lostUpdateChecker.check([...concurrent, state(500, 'notes', { r0: 1, r1: 1 }, ['notes:reviewer#1', 'notes:linter#1'])], notes())).toEqual([]);
  });

  describe('in a work graph', () => {
    const graph = (second: string, leaseMs?: number) =>
      team({
        work: [
          {
            name: 'lib',
            by: 'dev',
            assign: { policy: 'claim' },
            ...(leaseMs !== undefined ? { leaseMs } : {}),
            tasks: [
              { name: 'core', after: [], weight: 1, writes: ['core.py'] },
              { name: 'add', after: ['core'], weight: 1, writes: ['ops.py'] },
              { name: 'sub', after: ['core'], weight: 1, writes: [second] },
            ],
          },
        ],
      });
    const overlapping = [t.start(), task(0, 'core', 0, 'start'), task(10, 'core', 0, 'end'), task(10, 'add', 0, 'start'), task(12, 'sub', 1, 'start'), task(50, 'add', 0, 'end'), task(60, 'sub', 1, 'end')];

    it('flags two tasks that write one file and ran at once', () => {
      const found = lostUpdateChecker.check(overlapping, graph('ops.py'));
      expect(found).toEqual([expect.objectContaining({ kind: 'lost-update', subject: 'work:lib/ops.py', evidence: [3, 4, 5, 6] })]);
      expect(found[0]!.message).toContain("sub's write replaced add's");
    });

    it('passes tasks that ran one after the other, distinct files, a lease, and a discarded execution', () => {
      const serial = [t.start(), task(10, 'add', 0, 'start'), task(50, 'add', 0, 'end'), task(50, 'sub', 1, 'start'), task(60, 'sub', 1, 'end')];
      expect(lostUpdateChecker.check(serial, graph('ops.py'))).toEqual([]);
      expect(lostUpdateChecker.check(overlapping, graph('sub.py'))).toEqual([]);
      expect(lostUpdateChecker.check(overlapping, graph('ops.py', 30_000))).toEqual([]);
      const discarded = [t.start(), task(10, 'add', 0, 'start'), task(12, 'sub', 1, 'start'), task(50, 'add', 0, 'discarded'), task(60, 'sub', 1, 'end')];
      expect(lostUpdateChecker.check(discarded, graph('ops.py'))).toEqual([]);
    });
  });
});
