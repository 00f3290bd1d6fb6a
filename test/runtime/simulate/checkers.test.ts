import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TeamTraceEvent } from '../../../runtime/team.js';
import {
  atLeastOnceChecker,
  budgetChecker,
  causalChecker,
  checkTrace,
  consensusLivenessChecker,
  consensusSafetyChecker,
  consumerRequirements,
  deadlineChecker,
  exactlyOnceChecker,
  fifoChecker,
  totalOrderChecker,
} from '../../../runtime/simulate/index.js';
import type { TeamDefinition } from '../../../runtime/definition.js';
import { collectorTeam, ledgerTeam, votingTeam } from './teams.js';
import * as t from './traces.js';

type Def = TeamDefinition<unknown, unknown>;
const def = (d: unknown) => d as Def;

describe('which guarantee each consumer relies on', () => {
  it('is the channel’s, raised by the take’s `requires`; at-most-once matters only to a required take on the way to an output', () => {
    expect(consumerRequirements(def(ledgerTeam('unordered')))).toEqual([
      expect.objectContaining({ channel: 'entries', consumer: 'reader', ordering: 'causal', declared: { ordering: 'unordered', delivery: 'exactly_once' }, needsEvery: true }),
    ]);
    expect(consumerRequirements(def(collectorTeam('at_most_once')))[0]).toMatchObject({ needsEvery: true, neededFor: 'report' });
    const optional = collectorTeam('at_most_once');
    optional.agents[1]!.takes[0]!.optional = true;
    expect(consumerRequirements(def(optional))[0]).toMatchObject({ needsEvery: false });
  });
});

describe('causal order', () => {
  const causal = def(ledgerTeam('causal'));
  // writer publishes #1 then #2 (#1 happened-before #2); an auditor's #1 is concurrent with both.
  const sends = [t.start(), t.publish(1, 'writer', 'entries', 1), t.publish(2, 'writer', 'entries', 2), t.publish(2, 'auditor', 'entries', 1)];

  it('flags a delivery of #2 before #1, with both deliveries and both publishes as evidence', () => {
    const trace = [...sends, t.deliver(5, 'reader', 'writer', 'entries', 2), t.deliver(6, 'reader', 'writer', 'entries', 1)];
    const [found, ...rest] = causalChecker.check(trace, causal);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ kind: 'causal', subject: 'entries→reader' });
    expect(found!.evidence).toEqual([1, 2, 4, 5]);
  });

  it('flags a causal chain across senders: a reply handed over before the message it answers', () => {
    // auditor received writer#1 and then published its #1, whose clock includes writer:1.
    const trace = [
      t.start(),
      t.publish(1, 'writer', 'entries', 1),
      t.deliver(2, 'auditor', 'writer', 'entries', 1),
      t.publish(3, 'auditor', 'entries', 1, { writer: 1, auditor: 1 }),
      t.deliver(4, 'reader', 'auditor', 'entries', 1, { writer: 1, auditor: 1 }),
      t.deliver(5, 'reader', 'writer', 'entries', 1),
    ];
    expect(causalChecker.check(trace, causal)).toEqual([expect.objectContaining({ kind: 'causal', evidence: [1, 3, 4, 5] })]);
  });

  it('passes causal order, and concurrent messages in either order', () => {
    const inOrder = [...sends, t.deliver(5, 'reader', 'auditor', 'entries', 1), t.deliver(6, 'reader', 'writer', 'entries', 1), t.deliver(7, 'reader', 'writer', 'entries', 2)];
    const concurrentFirst = [...sends, t.deliver(5, 'reader', 'writer', 'entries', 1), t.deliver(6, 'reader', 'writer', 'entries', 2), t.deliver(7, 'reader', 'auditor', 'entries', 1)];
    expect(causalChecker.check(inOrder, causal)).toEqual([]);
    expect(causalChecker.check(concurrentFirst, causal)).toEqual([]);
  });

  it('judges an unordered channel only for a consumer that requires causal order', () => {
    const trace = [...sends, t.deliver(5, 'reader', 'writer', 'entries', 2), t.deliver(6, 'reader', 'writer', 'entries', 1)];
    expect(causalChecker.check(trace, def(ledgerTeam('unordered')))).toHaveLength(1);
    const relaxed = ledgerTeam('unordered');
    delete relaxed.agents[1]!.takes[0]!.requires;
    expect(causalChecker.check(trace, def(relaxed))).toEqual([]);
  });
});

describe('FIFO per sender', () => {
  const fifo = def(ledgerTeam('fifo'));
  it('flags an older message from one sender handed over after a newer one', () => {
    const trace = [t.start(), t.publish(1, 'writer', 'entries', 1), t.publish(1, 'writer', 'entries', 2), t.deliver(3, 'reader', 'writer', 'entries', 2), t.deliver(4, 'reader', 'writer', 'entries', 1)];
    expect(fifoChecker.check(trace, fifo)).toEqual([expect.objectContaining({ kind: 'fifo', subject: 'entries→reader', evidence: [1, 2, 3, 4] })]);
  });

  it('passes per-sender order with senders interleaved, and gaps (an at-most-once loss is not an order violation)', () => {
    const trace = [
      t.start(),
      t.deliver(3, 'reader', 'writer', 'entries', 1),
      t.deliver(3, 'reader', 'other', 'entries', 2),
      t.deliver(4, 'reader', 'writer', 'entries', 3),
      t.deliver(5, 'reader', 'other', 'entries', 1 + 2),
    ];
    expect(fifoChecker.check(trace, fifo)).toEqual([]);
  });
});

describe('total order', () => {
  // Two consumers of one total channel.
  const total = ledgerTeam('total');
  total.agents.push({ ...total.agents[1]!, name: 'auditor' });
  const trace = (auditorFirst: 1 | 2): TeamTraceEvent[] => [
    t.start(),
    t.deliver(1, 'reader', 'a', 'entries', 1, { a: 1 }),
    t.deliver(2, 'reader', 'b', 'entries', 1, { b: 1 }),
    t.deliver(1, 'auditor', auditorFirst === 1 ? 'a' : 'b', 'entries', 1, auditorFirst === 1 ? { a: 1 } : { b: 1 }),
    t.deliver(2, 'auditor', auditorFirst === 1 ? 'b' : 'a', 'entries', 1, auditorFirst === 1 ? { b: 1 } : { a: 1 }),
  ];

  it('flags two consumers that saw two concurrent messages in opposite orders', () => {
    expect(totalOrderChecker.check(trace(2), def(total))).toEqual([expect.objectContaining({ kind: 'total', subject: 'entries', evidence: [1, 2, 3, 4] })]);
    // Causal order alone allows it: the two messages are concurrent.
    expect(causalChecker.check(trace(2), def(total))).toEqual([]);
  });

  it('passes one order at every consumer', () => {
    expect(totalOrderChecker.check(trace(1), def(total))).toEqual([]);
  });

  it('flags a consumer handed the sequencer’s positions out of order, even the only consumer', () => {
    const alone = def(ledgerTeam('total'));
    const backwards = [t.start(), t.publish(1, 'a', 'entries', 1), t.deliverAt(3, 'reader', 'a', 'entries', 1, 2), t.deliverAt(4, 'reader', 'b', 'entries', 1, 1)];
    const [found, ...rest] = totalOrderChecker.check(backwards, alone);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ kind: 'total', subject: 'entries', evidence: [1, 2, 3] });
    expect(found!.message).toContain('reader was handed b#1 at position 1 after a#1 at position 2');
    // Increasing positions pass, gaps included (an at-most-once loss is not an order violation).
    expect(totalOrderChecker.check([t.start(), t.deliverAt(3, 'reader', 'b', 'entries', 1, 1), t.deliverAt(4, 'reader', 'a', 'entries', 1, 3)], alone)).toEqual([]);
  });

  it('flags a position holding two messages, and a message at two positions, where the shared order agrees', () => {
    const reader = [t.start(), t.deliverAt(1, 'reader', 'a', 'entries', 1, 1), t.deliverAt(2, 'reader', 'b', 'entries', 1, 2)];
    // The auditor shares only a#1 with the reader, so no two shared messages are in opposite orders.
    const twoAtOne = [...reader, t.deliverAt(1, 'auditor', 'a', 'entries', 1, 1), t.deliverAt(2, 'auditor', 'c', 'entries', 1, 2)];
    expect(totalOrderChecker.check(twoAtOne, def(total))).toEqual([expect.objectContaining({ kind: 'total', evidence: [2, 4] })]);
    expect(totalOrderChecker.check(twoAtOne, def(total))[0]!.message).toContain('auditor was handed c#1 at position 2, where reader was handed b#1');
    const moved = [...reader, t.deliverAt(1, 'auditor', 'a', 'entries', 1, 1), t.deliverAt(2, 'auditor', 'b', 'entries', 1, 3)];
    expect(totalOrderChecker.check(moved, def(total))[0]!.message).toContain('auditor was handed b#1 at position 3, but reader at position 2');
    const agreed = [...reader, t.deliverAt(1, 'auditor', 'a', 'entries', 1, 1), t.deliverAt(2, 'auditor', 'b', 'entries', 1, 2)];
    expect(totalOrderChecker.check(agreed, def(total))).toEqual([]);
  });
});

describe('exactly-once', () => {
  const twice = [t.start(), t.publish(1, 'writer', 'entries', 1), t.deliver(2, 'reader', 'writer', 'entries', 1), t.deliver(3, 'reader', 'writer', 'entries', 1)];

  it('flags one message handed twice to a consumer of an exactly-once or at-most-once channel', () => {
    expect(exactlyOnceChecker.check(twice, def(ledgerTeam('fifo', 'exactly_once')))).toEqual([expect.objectContaining({ kind: 'exactly-once', evidence: [1, 2, 3] })]);
    expect(exactlyOnceChecker.check(twice, def(ledgerTeam('fifo', 'at_most_once')))).toHaveLength(1);
  });

  it('lets an at-least-once channel duplicate, and passes single deliveries', () => {
    expect(exactlyOnceChecker.check(twice, def(ledgerTeam('fifo', 'at_least_once')))).toEqual([]);
    expect(exactlyOnceChecker.check(twice.slice(0, 3), def(ledgerTeam('fifo', 'exactly_once')))).toEqual([]);
  });

  it('flags a keyed effect that ran twice for one key, not a deduplicated repeat', () => {
    const withTool = ledgerTeam('fifo');
    withTool.tools.push({ name: 'deploy', kind: 'effect', input: z.object({ id: z.string() }), idempotencyKey: ['id'] });
    const ran = [t.start(), t.toolCall(1, 'reader', 'deploy', 'deploy:1'), t.toolCall(2, 'reader', 'deploy', 'deploy:2')];
    expect(exactlyOnceChecker.check(ran, def(withTool))).toEqual([]);
    const deduplicated: TeamTraceEvent = { kind: 'tool', agent: 'reader', time: 3, tool: 'deploy', action: 'deduplicated', key: 'deploy:1' };
    expect(exactlyOnceChecker.check([...ran, deduplicated], def(withTool))).toEqual([]);
    expect(exactlyOnceChecker.check([...ran, t.toolCall(3, 'reader', 'deploy', 'deploy:1')], def(withTool))).toEqual([
      expect.objectContaining({ kind: 'exactly-once', subject: 'tool:deploy', evidence: [1, 3] }),
    ]);
  });
});

describe('at-least-once', () => {
  const sent = [t.start(), t.publish(1, 'writer', 'entries', 1), t.publish(1, 'writer', 'entries', 2), t.deliver(5, 'collector', 'writer', 'entries', 1)];

  it('flags a message that never reached a consumer of a reliable channel, in a run that ended settled', () => {
    const found = atLeastOnceChecker.check([...sent, t.endOk(9)], def(collectorTeam('at_least_once')));
    expect(found).toEqual([expect.objectContaining({ kind: 'at-least-once', subject: 'entries→collector', evidence: [2, 4] })]);
    expect(atLeastOnceChecker.check([...sent, t.endFailed(9, 'incomplete')], def(collectorTeam('exactly_once')))).toHaveLength(1);
  });

  it('flags a loss on an at-most-once channel that a required take needs on the way to an output', () => {
    const [found] = atLeastOnceChecker.check([...sent, t.endOk(9)], def(collectorTeam('at_most_once')));
    expect(found!.message).toContain('at_most_once and may lose it, but collector takes it as required on the way to output report');
  });

  it('flags an acknowledgement of a message the consumer was never handed, in a run stopped mid-flight too', () => {
    // writer#2 acknowledged by the collector, never handed to it: the sender stops redelivering, the message is gone.
    const acked = [...sent, t.ack(6, 'collector', 'writer', 'entries', 1), t.ack(7, 'collector', 'writer', 'entries', 2)];
    for (const end of [t.endFailed(9, 'deadline'), t.endOk(9)]) {
      const found = atLeastOnceChecker.check([...acked, end], def(collectorTeam('exactly_once')));
      expect(found).toEqual([expect.objectContaining({ kind: 'at-least-once', subject: 'entries→collector', evidence: [2, 5] })]);
      expect(found[0]!.message).toContain('collector acknowledged writer\'s #2 (writer#2) on entries to writer without having been handed it');
    }
    // An acknowledgement that comes before the handing is no better: the message could be lost in between.
    const early = [t.start(), t.publish(1, 'writer', 'entries', 1), t.ack(2, 'collector', 'writer', 'entries', 1), t.deliver(3, 'collector', 'writer', 'entries', 1)];
    expect(atLeastOnceChecker.check(early, def(collectorTeam('exactly_once')))).toEqual([expect.objectContaining({ evidence: [1, 2] })]);
  });

  it('passes acknowledgements after a handing or a skip, and a sequencer’s acknowledgements to publishers', () => {
    const trace = [
      ...sent,
      t.ack(6, 'collector', 'writer', 'entries', 1),
      t.ack(6, 'entries#sequencer', 'writer', 'entries', 2), // the publisher's hop to a total order's sequencer
      t.skip(7, 'collector', 'writer', 'entries', 2, 'duplicate'),
      t.ack(8, 'collector', 'writer', 'entries', 2),
      t.endFailed(9, 'deadline'),
    ];
    expect(atLeastOnceChecker.check(trace, def(collectorTeam('exactly_once')))).toEqual([]);
    // A skipped repeat of an idempotency key is declared, not a loss, in a settled run too.
    expect(atLeastOnceChecker.check([...trace.slice(0, -1), t.endOk(9)], def(collectorTeam('exactly_once')))).toEqual([]);
  });

  it('excuses exactly the messages a drop_oldest channel withdrew, named by id, not as many as it withdrew', () => {
    const bounded = collectorTeam('exactly_once');
    bounded.channels[0] = { ...bounded.channels[0]!, capacity: 1, backpressure: 'drop_oldest' };
    const run = [t.start(), t.publish(1, 'writer', 'entries', 1), t.publish(1, 'writer', 'entries', 2), t.publish(1, 'writer', 'entries', 3), t.deliver(5, 'collector', 'writer', 'entries', 1)];
    // writer#2 withdrawn by writer#3's publish: only writer#3 is missing, and it was not withdrawn.
    const wrongOne = [...run, t.withdrawn(1, 'writer', 'entries', 'writer', 2), t.endOk(9)];
    expect(atLeastOnceChecker.check(wrongOne, def(bounded))).toEqual([expect.objectContaining({ kind: 'at-least-once', evidence: [3, 6] })]);
    const rightOne = [...run, t.deliver(6, 'collector', 'writer', 'entries', 2), t.withdrawn(1, 'writer', 'entries', 'writer', 3), t.endOk(9)];
    expect(atLeastOnceChecker.check(rightOne, def(bounded))).toEqual([]);
    // A channel without drop_oldest excuses nothing.
    expect(atLeastOnceChecker.check(rightOne, def(collectorTeam('exactly_once')))).toHaveLength(1);
  });

  it('passes a complete run, a run stopped mid-flight, a reported give-up, and an optional consumer', () => {
    const complete = [...sent, t.deliver(6, 'collector', 'writer', 'entries', 2), t.endOk(9)];
    expect(atLeastOnceChecker.check(complete, def(collectorTeam('exactly_once')))).toEqual([]);
    expect(atLeastOnceChecker.check([...sent, t.endFailed(9, 'deadline')], def(collectorTeam('exactly_once')))).toEqual([]);
    const gaveUp: TeamTraceEvent = {
      kind: 'error',
      agent: 'transport',
      time: 8,
      where: 'channel:entries',
      error: { name: 'DeliveryGaveUp', message: 'gave up delivering writer#2 to collector after 10 attempts' },
    };
    expect(atLeastOnceChecker.check([...sent, gaveUp, t.endOk(9)], def(collectorTeam('exactly_once')))).toEqual([]);
    const optional = collectorTeam('at_most_once');
    optional.agents[1]!.takes[0]!.optional = true;
    expect(atLeastOnceChecker.check([...sent, t.endOk(9)], def(optional))).toEqual([]);
  });
});

describe('consensus safety', () => {
  const voting = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' } }));
  const round1 = [t.start(), t.activation(0, 'voter', 'voter:1/r1'), t.vote(1, 'decide', 1, 0, '"ok"'), t.vote(1, 'decide', 1, 1, '"ok"'), t.vote(1, 'decide', 1, 2, '"bad"')];

  it('passes one quorum decision backed by its votes', () => {
    expect(consensusSafetyChecker.check([...round1, t.decision(2, 'decide', 1, '"ok"', [0, 1])], voting)).toEqual([]);
  });

  it('flags two different decisions in one instance', () => {
    const trace = [...round1, t.decision(2, 'decide', 1, '"ok"', [0, 1]), t.vote(3, 'decide', 2, 2, '"bad"'), t.decision(4, 'decide', 2, '"bad"', [2, 2])];
    const found = consensusSafetyChecker.check(trace, voting);
    expect(found[0]).toMatchObject({ kind: 'consensus-safety', subject: 'decide', evidence: [1, 5, 7] });
    expect(found[0]!.message).toContain('decided "ok" (round 1) and then "bad" (round 2)');
  });

  it('passes one decision per instance when the agent under the consensus activated twice', () => {
    const trace = [...round1, t.decision(2, 'decide', 1, '"ok"', [0, 1]), t.activation(5, 'voter', 'voter:2/r1'), t.vote(6, 'decide', 1, 0, '"bad"'), t.vote(6, 'decide', 1, 2, '"bad"'), t.decision(7, 'decide', 1, '"bad"', [0, 2])];
    expect(consensusSafetyChecker.check(trace, voting)).toEqual([]);
  });

  it('flags a decision below the quorum, and a supporter that never voted for the value', () => {
    expect(consensusSafetyChecker.check([...round1, t.decision(2, 'decide', 1, '"ok"', [0], 1)], voting)[0]!.message).toContain('with 1 supporter of a quorum of 2');
    expect(consensusSafetyChecker.check([...round1, t.decision(2, 'decide', 1, '"ok"', [0, 2])], voting)[0]!.message).toContain('counted replica 2 for "ok" in round 1, but it never voted for it');
  });
});

describe('consensus liveness', () => {
  const voting = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' } }));

  it('flags a round that ended undecided with no more faulty replicas than declared', () => {
    const trace = [t.start(), t.vote(1, 'decide', 1, 0, '"ok"'), t.vote(1, 'decide', 1, 1), t.vote(1, 'decide', 1, 2, '"ok"'), t.roundEnd(2, 'decide', 1, { '"ok"': 2 }, 1, false)];
    expect(consensusLivenessChecker.check(trace, voting)).toEqual([expect.objectContaining({ kind: 'consensus-liveness', subject: 'decide', evidence: [1, 2, 3, 4] })]);
  });

  it('passes an undecided round with more faulty replicas than declared (crashed or outvoted)', () => {
    const crashed = [t.start(), t.roundEnd(2, 'decide', 1, { '"ok"': 1 }, 2, false)];
    const split = [t.start(), t.roundEnd(2, 'decide', 1, { '"ok"': 1, '"bad"': 1 }, 1, false)];
    expect(consensusLivenessChecker.check(crashed, voting)).toEqual([]);
    expect(consensusLivenessChecker.check(split, voting)).toEqual([]);
    expect(consensusLivenessChecker.check([t.start(), t.roundEnd(2, 'decide', 1, { '"ok"': 2 }, 1, true)], voting)).toEqual([]);
  });

  it('leader protocol: flags no decision after terms in which at most f replicas failed', () => {
    const leader = def(votingTeam({ replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, protocol: 'leader' }));
    const election = (term: number, leaderReplica: number, proposal?: 'failed' | 'proposed'): TeamTraceEvent => ({
      kind: 'election',
      agent: 'decide',
      time: term,
      consensus: 'decide',
      term,
      leader: leaderReplica,
      reason: 'r',
      ...(proposal ? { proposal } : {}),
    });
    const noDecision: TeamTraceEvent = { kind: 'error', agent: 'decide', time: 9, where: 'consensus:decide', error: { name: 'NoDecisionError', message: 'no term' } };
    const oneFaulty = [t.start(), election(1, 0), election(1, 0, 'failed'), election(2, 0), election(2, 0, 'failed'), noDecision];
    expect(consensusLivenessChecker.check(oneFaulty, leader)).toEqual([expect.objectContaining({ kind: 'consensus-liveness' })]);
    const twoFaulty = [t.start(), election(1, 0), election(1, 0, 'failed'), election(2, 1), election(2, 1, 'failed'), noDecision];
    expect(consensusLivenessChecker.check(twoFaulty, leader)).toEqual([]);
  });
});

describe('deadline', () => {
  const team = def(ledgerTeam('causal')); // deadline 120 s

  it('flags work started after the deadline, and an output delivered after it', () => {
    const late = [t.start(1_000), t.noise(50_000), t.noise(121_500), t.endFailed(121_500, 'deadline')];
    expect(deadlineChecker.check(late, team)).toEqual([expect.objectContaining({ kind: 'deadline', evidence: [0, 2] })]);
    const lateOutput = [t.start(1_000), t.noise(50_000), t.endOk(130_000)];
    expect(deadlineChecker.check(lateOutput, team)).toEqual([expect.objectContaining({ kind: 'deadline', evidence: [0, 2] })]);
  });

  it('passes a run that failed typed at its deadline, with nothing started afterwards', () => {
    const aborted: TeamTraceEvent = { kind: 'call-end', agent: 'reader', time: 121_000, attempt: 1, outcome: 'cancelled', durationMs: 10 };
    expect(deadlineChecker.check([t.start(1_000), t.noise(120_900), aborted, t.endFailed(121_000, 'deadline')], team)).toEqual([]);
  });
});

describe('budget', () => {
  const team = ledgerTeam('causal');
  team.budget = { tokens: 1_000, dollars: 0.5 };

  it('flags settled spending over the budget, with the calls that spent it', () => {
    const trace = [t.start(), t.settle(1, 'writer', 600, 0.1), t.settle(2, 'reader', 300, 0.1), t.settle(3, 'reader', 200, 0.1)];
    expect(budgetChecker.check(trace, def(team))).toEqual([expect.objectContaining({ kind: 'budget', subject: 'tokens', evidence: [1, 2, 3] })]);
    const dollars = [t.start(), t.settle(1, 'writer', 10, 0.3), t.settle(2, 'reader', 10, 0.3)];
    expect(budgetChecker.check(dollars, def(team))).toEqual([expect.objectContaining({ subject: 'dollars' })]);
  });

  it('passes spending up to the budget exactly (dollar sums get a hair of float tolerance)', () => {
    const trace = [t.start(), t.settle(1, 'writer', 600, 0.1), t.settle(2, 'reader', 400, 0.2), t.settle(3, 'reader', 0, 0.2)];
    expect(budgetChecker.check(trace, def(team))).toEqual([]);
  });
});

describe('checkTrace', () => {
  it('runs every checker and returns what each found', () => {
    const trace = [t.start(), t.publish(1, 'writer', 'entries', 1), t.publish(1, 'writer', 'entries', 2), t.deliver(2, 'reader', 'writer', 'entries', 2), t.deliver(3, 'reader', 'writer', 'entries', 1), t.endOk(4)];
    expect(checkTrace(trace, def(ledgerTeam('causal'))).map((v) => v.kind)).toEqual(['causal', 'fifo']);
  });
});
