/**
 * The consensus checkers on small hand-written traces: agreement (two values each with a quorum in
 * one round, Byzantine replicas counted for both), one decision per instance by activation id, and
 * liveness per instance. Their end-to-end proofs through the runtime are in proofs/consensus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { TeamDefinition } from '../../../runtime/definition.js';
import type { TeamTraceEvent } from '../../../runtime/team.js';
import { consensusLivenessChecker, consensusSafetyChecker } from '../../../runtime/simulate/index.js';
import { votingTeam } from './teams.js';
import * as t from './traces.js';

type Def = TeamDefinition<unknown, unknown>;
const team = (replicas: number, quorum: number | 'majority', model: 'crash' | 'byzantine' = 'crash', protocol: 'vote' | 'leader' = 'vote') =>
  votingTeam({ replicas, quorum, faults: { count: 1, model }, protocol }) as unknown as Def;

/** Tags a consensus event with its instance. */
const of = (activation: string, event: TeamTraceEvent): TeamTraceEvent => ({ ...event, activation }) as TeamTraceEvent;
const vote = (replica: number, key: string, round = 1, activation = 'voter:1') => of(activation, t.vote(replica + 1, 'decide', round, replica, key));
const decision = (key: string, supporters: number[], round = 1, activation = 'voter:1') => of(activation, t.decision(10, 'decide', round, key, supporters, 2));
/** A run-start noting the fault plan's liars, as the simulator writes it. */
const startWithLiars = (liars: number[]): TeamTraceEvent => ({ ...t.start(), faults: { consensus: { decide: { crashed: [], liars } } } }) as TeamTraceEvent;
const safety = (trace: TeamTraceEvent[], definition: Def) => consensusSafetyChecker.check(trace, definition);

describe('agreement: two values with a quorum each in one round', () => {
  it('flags quorums of 2 of 4 that split 2–2, with the votes of both sides as evidence', () => {
    const trace = [t.start(), vote(0, '"a"'), vote(1, '"b"'), vote(2, '"a"'), vote(3, '"b"'), decision('"a"', [0, 2])];
    const found = safety(trace, team(4, 2));
    expect(found).toEqual([expect.objectContaining({ kind: 'consensus-safety', subject: 'decide', evidence: [1, 2, 3, 4, 5] })]);
    expect(found[0]!.message).toContain('both "a" (replicas 0, 2) and "b" (replicas 1, 3) gathered a quorum of 2');
  });

  it('passes the same votes under a majority quorum, and quorums of one value in different rounds or instances', () => {
    expect(safety([t.start(), vote(0, '"a"'), vote(1, '"b"'), vote(2, '"a"'), vote(3, '"b"')], team(4, 3))).toEqual([]);
    const rounds = [t.start(), vote(0, '"a"'), vote(1, '"a"'), vote(2, '"b"', 2), vote(3, '"b"', 2)];
    expect(safety(rounds, team(4, 2))).toEqual([]);
    const instances = [t.start(), vote(0, '"a"'), vote(1, '"a"'), vote(2, '"b"', 1, 'voter:2'), vote(3, '"b"', 1, 'voter:2')];
    expect(safety(instances, team(4, 2))).toEqual([]);
  });

  it('counts a Byzantine replica of the fault plan for both values (equivocation)', () => {
    const votes = [vote(0, '"a"'), vote(1, '"a"'), vote(2, '"b"')];
    const found = safety([startWithLiars([1]), ...votes], team(3, 2, 'byzantine'));
    expect(found).toEqual([expect.objectContaining({ evidence: [0, 1, 2, 3] })]);
    expect(found[0]!.message).toContain('both "a" (replicas 0, 1) and "b" (replicas 1, 2) gathered a quorum of 2; Byzantine replica 1 counts for both');
    // Without the plan's word that replica 1 lies, nothing shows two quorums.
    expect(safety([t.start(), ...votes], team(3, 2, 'byzantine'))).toEqual([]);
    // 4 replicas, quorum 3: the liar plus one honest vote is not a quorum.
    expect(safety([startWithLiars([1]), ...votes, vote(3, '"a"')], team(4, 3, 'byzantine'))).toEqual([]);
  });

  it('reads a leader term: the proposal, and each follower’s own answer', () => {
    const proposed: TeamTraceEvent = of('voter:1', { kind: 'election', agent: 'decide', time: 1, consensus: 'decide', term: 1, leader: 0, reason: 'proposed', proposal: 'proposed', key: '"a"' });
    const reply = (replica: number, outcome: 'accept' | 'reject', key: string): TeamTraceEvent =>
      of('voter:1', { kind: 'vote', agent: 'decide', time: 2, consensus: 'decide', round: 1, replica, outcome, key });
    const trace = [t.start(), proposed, reply(1, 'accept', '"a"'), reply(2, 'reject', '"b"'), reply(3, 'reject', '"b"')];
    expect(safety(trace, team(4, 2, 'crash', 'leader'))[0]!.message).toContain('both "a" (replicas 0, 1) and "b" (replicas 2, 3)');
    expect(safety(trace, team(4, 3, 'crash', 'leader'))).toEqual([]);
  });
});

describe('one decision per instance, by activation id', () => {
  it('flags two decisions in one instance even when the agent activated twice', () => {
    const trace = [t.start(), t.activation(0, 'voter', 'voter:1/r1'), t.activation(0, 'voter', 'voter:2/r1'), vote(0, '"a"'), vote(1, '"a"'), decision('"a"', [0, 1]), decision('"a"', [0, 1])];
    expect(safety(trace, team(3, 'majority'))[0]!.message).toContain('decided "a" twice in one instance (voter:1)');
  });

  it('passes one decision in each of two instances, whatever the activation events say', () => {
    const trace = [t.start(), vote(0, '"a"'), vote(1, '"a"'), decision('"a"', [0, 1]), vote(0, '"b"', 1, 'voter:2'), vote(1, '"b"', 1, 'voter:2'), decision('"b"', [0, 1], 1, 'voter:2')];
    expect(safety(trace, team(3, 'majority'))).toEqual([]);
  });

  it('backs a decision only with votes of its own instance', () => {
    const trace = [t.start(), vote(0, '"a"'), vote(1, '"a"'), decision('"a"', [0, 1], 1, 'voter:2')];
    expect(safety(trace, team(3, 'majority'))[0]!.message).toContain('counted replica 0 for "a" in round 1, but it never voted for it');
  });
});

describe('liveness per instance', () => {
  it('vote: an undecided round within f faults, its evidence the votes of that instance only', () => {
    const round: TeamTraceEvent = of('voter:2', t.roundEnd(5, 'decide', 1, { '"a"': 2 }, 1, false));
    const trace = [t.start(), vote(0, '"a"'), vote(0, '"a"', 1, 'voter:2'), vote(1, '"a"', 1, 'voter:2'), of('voter:2', t.vote(4, 'decide', 1, 2)), round];
    expect(consensusLivenessChecker.check(trace, team(3, 'majority'))).toEqual([expect.objectContaining({ evidence: [2, 3, 4, 5] })]);
  });

  it('leader: counts each instance’s failed replicas on their own', () => {
    const leader = team(3, 'majority', 'crash', 'leader');
    const failed = (activation: string, term: number, replica: number): TeamTraceEvent =>
      of(activation, { kind: 'election', agent: 'decide', time: term, consensus: 'decide', term, leader: replica, reason: 'r', proposal: 'failed' });
    const noDecision = (activation: string): TeamTraceEvent => of(activation, { kind: 'error', agent: 'decide', time: 9, where: 'consensus:decide', error: { name: 'NoDecisionError', message: 'no term' } });
    // Interleaved: instance 1 lost replicas 0 and 1 (beyond f), instance 2 only replica 2 (within f).
    const trace = [t.start(), failed('voter:1', 1, 0), failed('voter:2', 1, 2), failed('voter:1', 2, 1), failed('voter:2', 2, 2), noDecision('voter:1'), noDecision('voter:2')];
    const found = consensusLivenessChecker.check(trace, leader);
    expect(found).toEqual([expect.objectContaining({ evidence: [2, 4, 6] })]);
    expect(found[0]!.message).toContain('(voter:2) ended without a decision though only 1 replica (2) failed');
    expect(consensusLivenessChecker.check(trace.slice(0, 6), leader)).toEqual([]);
  });
});
