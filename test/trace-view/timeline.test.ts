import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../runtime/trace.js';
import { buildTimeline } from '../../compiler/trace-view/timeline.js';
import { screenEvents } from '../../compiler/trace-view/screen.js';
import type { Timeline } from '../../compiler/trace-view/model.js';
import { codeReviewTrace, largeTrace } from './fixtures.js';

const laneLabels = (timeline: Timeline) => timeline.lanes.map((lane) => lane.label);
const laneOf = (timeline: Timeline, label: string) => timeline.lanes.find((lane) => lane.label === label)!.id;
const call = (agent: string, policy: string | undefined, attempt: number, start: number, end: number, outcome: 'ok' | 'error' | 'timeout' | 'cancelled' = 'ok'): TraceEvent[] => [
  { kind: 'call-start', agent, time: start, attempt, ...(policy ? { policy } : {}) },
  { kind: 'call-end', agent, time: end, attempt, outcome, durationMs: end - start, ...(policy ? { policy } : {}) },
];
const message = (from: string, to: string, id: string, sent: number, delivered: number, channel = 'c'): TraceEvent[] => [
  { kind: 'send', agent: from, time: sent, channel, message: id },
  { kind: 'deliver', agent: to, time: delivered, channel, message: id, from },
];

describe('calls', () => {
  it('pairs each call-start with its call-end by agent, policy and attempt, first in first out', () => {
    const timeline = buildTimeline([
      { kind: 'call-start', agent: 'a', time: 0, attempt: 1, policy: 'a#0', model: 'm1' },
      { kind: 'call-start', agent: 'b', time: 5, attempt: 1, policy: 'b#0' },
      { kind: 'call-end', agent: 'b', time: 30, attempt: 1, outcome: 'error', durationMs: 25, policy: 'b#0', error: { name: 'E', message: 'boom' } },
      { kind: 'call-end', agent: 'a', time: 40, attempt: 1, outcome: 'ok', durationMs: 40, policy: 'a#0', usage: { tokens: 10, dollars: 0.5 } },
      { kind: 'call-start', agent: 'a', time: 50, attempt: 1, policy: 'a#0' },
      { kind: 'call-end', agent: 'a', time: 70, attempt: 1, outcome: 'ok', durationMs: 20, policy: 'a#0' },
    ]);
    expect(timeline.bars.map((bar) => [bar.agent, bar.start, bar.end, bar.outcome])).toEqual([
      ['b', 5, 30, 'error'],
      ['a', 0, 40, 'ok'],
      ['a', 50, 70, 'ok'],
    ]);
    expect(timeline.bars[1]).toMatchObject({ model: 'm1', usage: { tokens: 10, dollars: 0.5 }, instance: 0, policy: 'a#0' });
    expect(timeline.bars[0]!.error).toEqual({ name: 'E', message: 'boom' });
  });

  it('places an end without its start by its duration, and runs an unfinished call to the end', () => {
    const timeline = buildTimeline([
      { kind: 'run-start', agent: 'team', time: 100, team: 't', clock: 'virtual' },
      { kind: 'call-end', agent: 'a', time: 180, attempt: 1, outcome: 'ok', durationMs: 50 },
      { kind: 'call-start', agent: 'b', time: 150, attempt: 1 },
      { kind: 'run-end', agent: 'team', time: 300, outcome: 'failed', error: { name: 'deadline', message: 'deadline of 200ms passed' } },
    ]);
    expect(timeline.bars.map((bar) => [bar.agent, bar.start, bar.end, bar.outcome])).toEqual([
      ['a', 130, 180, 'ok'],
      ['b', 150, 300, 'unfinished'],
    ]);
    expect(timeline.summary).toMatchObject({ start: 100, end: 300, makespanMs: 200, outcome: 'failed', runError: 'deadline: deadline of 200ms passed' });
  });

  it('tells first attempts, retries, hedge copies and fallback stand-ins apart', () => {
    const timeline = buildTimeline([
      ...call('a', 'a#0', 1, 0, 10, 'error'),
      { kind: 'retry', agent: 'a', time: 10, action: 'scheduled', retry: 1, delayMs: 5, policy: 'a#0', error: { name: 'E', message: 'x' } },
      ...call('a', 'a#0', 2, 15, 30),
      { kind: 'call-start', agent: 'h', time: 0, attempt: 1, policy: 'h#0' },
      { kind: 'hedge', agent: 'h', time: 20, action: 'fired', branch: 1, afterMs: 20, policy: 'h#0' },
      { kind: 'call-start', agent: 'h', time: 20, attempt: 2, policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 25, attempt: 2, outcome: 'ok', durationMs: 5, policy: 'h#0' },
      { kind: 'hedge', agent: 'h', time: 25, action: 'won', branch: 1, aborted: [0], policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 25, attempt: 1, outcome: 'cancelled', durationMs: 25, policy: 'h#0' },
      ...call('p', 'p#0', 1, 0, 40, 'timeout'),
      { kind: 'fallback', agent: 'p', time: 40, from: 'p#0', to: 'lite', error: { name: 'TimeoutError', message: 't' } },
      ...call('lite', 'lite#0', 1, 40, 45, 'error'),
      ...call('lite', 'lite#0', 2, 46, 50),
      // Later, lite is called on its own account: attempt numbers start again.
      ...call('lite', 'lite#0', 1, 60, 70),
    ]);
    const roles = timeline.bars.map((bar) => [bar.agent, bar.attempt, bar.role, bar.onBehalfOf ?? null, bar.hedgeBranch ?? null]);
    expect(roles).toEqual([
      ['a', 1, 'first', null, null],
      ['a', 2, 'retry', null, null],
      ['h', 2, 'hedge', null, 1],
      ['h', 1, 'first', null, null],
      ['p', 1, 'first', null, null],
      ['lite', 1, 'fallback', 'p', null],
      ['lite', 2, 'retry', 'p', null],
      ['lite', 1, 'first', null, null],
    ]);
    expect(timeline.bars[5]!.fallbackFromLane).toBe(laneOf(timeline, 'p'));
    // The stand-in is drawn right below the agent it stands in for.
    expect(laneLabels(timeline)).toEqual(['a', 'h', 'p', 'lite']);
    expect(timeline.summary).toMatchObject({ retries: 1, hedges: 1, fallbacks: 1, calls: 8 });
    expect(timeline.markers.map((m) => m.kind)).toEqual(['retry-scheduled', 'hedge-fired', 'hedge-won', 'fallback']);
  });

  it('stacks overlapping attempts of one lane on separate tracks', () => {
    const timeline = buildTimeline([
      { kind: 'call-start', agent: 'h', time: 0, attempt: 1, policy: 'h#0' },
      { kind: 'hedge', agent: 'h', time: 10, action: 'fired', branch: 1, policy: 'h#0' },
      { kind: 'call-start', agent: 'h', time: 10, attempt: 2, policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 20, attempt: 2, outcome: 'ok', durationMs: 10, policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 20, attempt: 1, outcome: 'cancelled', durationMs: 20, policy: 'h#0' },
      ...call('h', 'h#0', 1, 20, 30),
    ]);
    expect(timeline.lanes[0]!.tracks).toBe(2);
    expect(timeline.bars.map((bar) => [bar.attempt, bar.track])).toEqual([
      [2, 1],
      [1, 0],
      [1, 0],
    ]);
  });
});

describe('lanes', () => {
  it('gives a replicated agent a header lane and one lane per instance, in order of first appearance', () => {
    const timeline = buildTimeline([
      ...message('team', 'judge', 'm1', 0, 1),
      ...call('judge', 'judge#2', 1, 2, 10),
      ...call('solo', 'solo#0', 1, 2, 10),
      ...call('judge', 'judge#0', 1, 2, 12),
      { kind: 'breaker', agent: 'judge', time: 5, breaker: 'judge#1', state: 'open', from: 'closed', reason: 'r' },
    ]);
    expect(laneLabels(timeline)).toEqual(['team', 'judge', 'judge #0', 'judge #1', 'judge #2', 'solo']);
    expect(timeline.lanes.map((lane) => lane.depth)).toEqual([0, 0, 1, 1, 1, 0]);
    // Messages go to the agent's header lane; calls and breakers to their instance's lane.
    expect(timeline.arrows[0]!.toLane).toBe(laneOf(timeline, 'judge'));
    expect(timeline.bars.map((bar) => timeline.lanes[bar.lane]!.label)).toEqual(['judge #2', 'solo', 'judge #0']);
    expect(timeline.bands.every((band) => band.lane === laneOf(timeline, 'judge #1'))).toBe(true);
  });

  it('keeps a single-instance agent on one lane even though its policy names instance 0', () => {
    const timeline = buildTimeline([...call('solo', 'solo#0', 1, 0, 10), ...call('solo', 'solo#0', 2, 10, 20)]);
    expect(laneLabels(timeline)).toEqual(['solo']);
    expect(timeline.bars.every((bar) => bar.instance === 0 && bar.lane === 0)).toBe(true);
  });
});

describe('messages', () => {
  it('draws one arrow per delivery, from the send, and flags redeliveries', () => {
    const timeline = buildTimeline([
      { kind: 'send', agent: 'a', time: 10, channel: 'news', message: 'm1', seq: 4 },
      { kind: 'deliver', agent: 'b', time: 12, channel: 'news', message: 'm1', from: 'a' },
      { kind: 'send', agent: 'transport', time: 30, channel: 'news', message: 'm1', to: 'c', attempt: 2 },
      { kind: 'deliver', agent: 'c', time: 33, channel: 'news', message: 'm1', from: 'a' },
      // The same id on another channel is another message.
      ...message('b', 'a', 'm1', 40, 41, 'other'),
    ]);
    expect(timeline.arrows.map((a) => [a.from, a.to, a.channel, a.sent, a.delivered, a.redelivered])).toEqual([
      ['a', 'b', 'news', 10, 12, false],
      ['a', 'c', 'news', 30, 33, true],
      ['b', 'a', 'other', 40, 41, false],
    ]);
    expect(timeline.arrows[0]!.seq).toBe(4);
    expect(timeline.summary.messages).toBe(2);
    // The transport is not an agent: its redelivery leaves no lane of its own.
    expect(laneLabels(timeline)).toEqual(['a', 'b', 'c']);
  });

  it('marks a delivery whose send is missing and a send never delivered', () => {
    const timeline = buildTimeline([
      { kind: 'deliver', agent: 'b', time: 5, channel: 'c', message: 'ghost', from: 'a' },
      { kind: 'send', agent: 'a', time: 7, channel: 'c', message: 'lost' },
    ]);
    expect(timeline.arrows).toEqual([]);
    expect(timeline.markers.map((m) => [timeline.lanes[m.lane]!.agent, m.kind, m.label])).toEqual([
      ['b', 'orphan-delivery', 'ghost'],
      ['a', 'undelivered', 'lost'],
    ]);
  });
});

describe('breakers, consensus, budget', () => {
  it('turns breaker changes into bands covering the whole run, and a refusal into a marker', () => {
    const timeline = buildTimeline([
      { kind: 'run-start', agent: 'team', time: 0, team: 't', clock: 'virtual' },
      { kind: 'breaker', agent: 'a', time: 100, breaker: 'a#0', state: 'open', from: 'closed', reason: 'failures' },
      { kind: 'breaker', agent: 'a', time: 150, breaker: 'a#0', state: 'open', rejected: true },
      { kind: 'breaker', agent: 'a', time: 300, breaker: 'a#0', state: 'half-open', from: 'open', reason: 'cool-down' },
      { kind: 'breaker', agent: 'a', time: 320, breaker: 'a#0', state: 'closed', from: 'half-open', reason: 'probe ok' },
      { kind: 'run-end', agent: 'team', time: 500, outcome: 'ok' },
    ]);
    expect(timeline.bands.map((b) => [b.state, b.start, b.end])).toEqual([
      ['closed', 0, 100],
      ['open', 100, 300],
      ['half-open', 300, 320],
      ['closed', 320, 500],
    ]);
    expect(timeline.markers.map((m) => [m.kind, m.time])).toEqual([['breaker-rejected', 150]]);
  });

  it('puts votes, rounds, elections and the decision on the consensus lane', () => {
    const timeline = buildTimeline([
      { kind: 'election', agent: 'v', time: 0, consensus: 'v', term: 1, leader: 0, reason: 'start' },
      { kind: 'vote', agent: 'v', time: 10, consensus: 'v', round: 1, replica: 2, outcome: 'crashed', reason: 'timeout' },
      { kind: 'vote', agent: 'v', time: 11, consensus: 'v', round: 1, replica: 0, outcome: 'answer', key: 'yes' },
      { kind: 'vote', agent: 'v', time: 12, consensus: 'v', round: 1, replica: 1, outcome: 'answer', key: 'yes' },
      { kind: 'round', agent: 'v', time: 12, consensus: 'v', round: 1, tally: { yes: 2 }, crashed: 1, decided: true },
      { kind: 'decision', agent: 'v', time: 12, consensus: 'v', round: 1, key: 'yes', value: true, votes: 2, quorum: 2, supporters: [0, 1], byQuorum: true },
    ]);
    expect(laneLabels(timeline)).toEqual(['v']);
    expect(timeline.markers.map((m) => [m.kind, m.label, m.outcome ?? null])).toEqual([
      ['election', 'term 1: r0', null],
      ['vote', 'r2: crashed', 'crashed'],
      ['vote', 'r0: yes', 'answer'],
      ['vote', 'r1: yes', 'answer'],
      ['round', 'round 1', null],
      ['decision', 'yes', null],
    ]);
    expect(timeline.markers[5]!.detail).toContain('supporters: [0,1]');
    expect(timeline.summary).toMatchObject({ votes: 3, decisions: 1 });
  });

  it('follows the budget after every reservation and settlement, and reads its limit from the first', () => {
    const timeline = buildTimeline([
      { kind: 'budget', agent: 'a', time: 0, action: 'reserve', requested: { tokens: 100, dollars: 0.1 }, remaining: { tokens: 900, dollars: 0.9 } },
      { kind: 'budget', agent: 'a', time: 10, action: 'settle', requested: { tokens: 100 }, actual: { tokens: 40, dollars: 0.02 }, remaining: { tokens: 960, dollars: 0.98 } },
      { kind: 'budget', agent: 'b', time: 20, action: 'refused', requested: { tokens: 5000 }, remaining: { tokens: 960 }, resource: 'tokens', policy: 'b#0' },
    ]);
    expect(timeline.budget.points.map((p) => [p.time, p.action, p.remaining.tokens])).toEqual([
      [0, 'reserve', 900],
      [10, 'settle', 960],
      [20, 'refused', 960],
    ]);
    expect(timeline.budget.scale).toEqual({ tokens: 1000, dollars: 1 });
    expect(timeline.markers.map((m) => [timeline.lanes[m.lane]!.agent, m.kind, m.label])).toEqual([['b', 'budget-refused', 'no tokens']]);
    // No call reported usage, so the totals are the budget's settlements.
    expect(timeline.summary).toMatchObject({ tokens: 40, dollars: 0.02 });
  });
});

describe('summary', () => {
  it('measures the speed-up as the sum of call durations over the makespan, beside the prediction', () => {
    const timeline = buildTimeline(
      [
        { kind: 'run-start', agent: 'team', time: 0, team: 'pair', clock: 'wall', seed: 'abc' },
        ...call('a', 'a#0', 1, 0, 100),
        ...call('b', 'b#0', 1, 0, 60),
        ...call('b', 'b#0', 2, 60, 80, 'error'),
        { kind: 'error', agent: 'b', time: 80, error: { name: 'Boom', message: 'bad' }, where: 'x' },
        { kind: 'run-end', agent: 'team', time: 100, outcome: 'ok' },
      ],
      { predicted: { speedup: 2, makespanMs: 90 }, otherKinds: 3, malformed: 1 },
    );
    expect(timeline.summary).toMatchObject({
      team: 'pair',
      clock: 'wall',
      seed: 'abc',
      makespanMs: 100,
      callMs: 180,
      measuredSpeedup: 1.8,
      predicted: { speedup: 2, makespanMs: 90 },
      errors: 1,
      events: 12,
      notShown: 3,
      malformed: 1,
    });
  });

  it('reads the prediction `teamc run` records in the trace; one the caller passes wins, field by field', () => {
    const events: TraceEvent[] = [
      { kind: 'run-start', agent: 'team', time: 0, team: 'pair', clock: 'virtual' },
      { kind: 'prediction', agent: 'team', time: 0, speedup: 1.5, makespanMs: 120 },
      ...call('a', 'a#0', 1, 0, 100),
      ...call('b', 'b#0', 1, 0, 80),
      { kind: 'ack', agent: 'b', time: 90, channel: 'c', message: 'm', to: 'a' },
      { kind: 'skip', agent: 'b', time: 90, channel: 'c', message: 'n', reason: 'withdrawn' },
      { kind: 'run-end', agent: 'team', time: 100, outcome: 'ok' },
    ];
    expect(buildTimeline(events).summary).toMatchObject({ measuredSpeedup: 1.8, predicted: { speedup: 1.5, makespanMs: 120 }, makespanMs: 100, notShown: 2 });
    expect(buildTimeline(events, { predicted: { speedup: 2 } }).summary.predicted).toEqual({ speedup: 2, makespanMs: 120 });
    expect(buildTimeline(events.filter((e) => e.kind !== 'prediction')).summary.predicted).toBeUndefined();
  });

  it('summarises the code-review run', () => {
    const timeline = buildTimeline(codeReviewTrace());
    expect(laneLabels(timeline)).toEqual(['team', 'security', 'style', 'tests', 'tests_lite', 'judge', 'judge #0', 'judge #1', 'judge #2', 'verdict']);
    const s = timeline.summary;
    expect(s).toMatchObject({ team: 'code-review', makespanMs: 9120, calls: 10, retries: 2, timeouts: 1, hedges: 1, fallbacks: 1, messages: 4, votes: 3, decisions: 1 });
    expect(s.tokens).toBe(16_200);
    expect(s.callMs).toBe(timeline.bars.reduce((sum, bar) => sum + bar.end - bar.start, 0));
    expect(s.measuredSpeedup).toBeCloseTo(s.callMs / 9120, 10);
    expect(timeline.bars.filter((bar) => bar.outcome === 'timeout').map((bar) => bar.agent)).toEqual(['tests']);
    expect(timeline.bands.map((band) => band.state)).toEqual(['closed', 'open', 'half-open']);
  });
});

describe('critical path', () => {
  const steps = (timeline: Timeline) =>
    timeline.criticalPath.steps.map((step) => {
      if (step.kind === 'message') return `msg ${timeline.arrows[step.id]!.message}`;
      const bar = timeline.bars[step.id]!;
      return `${timeline.lanes[bar.lane]!.label} #${bar.attempt}`;
    });

  it('walks back from the last step through the latest-finishing predecessor', () => {
    const timeline = buildTimeline([
      ...call('a', 'a#0', 1, 0, 50),
      ...call('b', 'b#0', 1, 0, 80),
      ...message('a', 'c', 'from-a', 50, 55),
      ...message('b', 'c', 'from-b', 80, 90),
      ...call('c', 'c#0', 1, 90, 150),
      // Finishes early and feeds nothing: not on the path.
      ...call('d', 'd#0', 1, 0, 20),
    ]);
    expect(steps(timeline)).toEqual(['b #1', 'msg from-b', 'c #1']);
    expect(timeline.criticalPath).toMatchObject({ spanMs: 150, callMs: 140 });
    expect(timeline.bars.filter((bar) => bar.critical).map((bar) => bar.agent)).toEqual(['b', 'c']);
    expect(timeline.arrows.filter((arrow) => arrow.critical).map((arrow) => arrow.message)).toEqual(['from-b']);
  });

  it('follows retries on the same replica but not a parallel replica of the same agent', () => {
    // r#1 finished (at 45) between r#0's two attempts, but r#0's retry waited for r#0 alone.
    const timeline = buildTimeline([
      ...message('team', 'r', 'input', 0, 5),
      ...call('r', 'r#0', 1, 5, 30, 'error'),
      ...call('r', 'r#1', 1, 5, 45),
      ...call('r', 'r#0', 2, 50, 100),
    ]);
    expect(steps(timeline)).toEqual(['msg input', 'r #0 #1', 'r #0 #2']);
    const retried = buildTimeline([
      ...message('team', 'r', 'input', 0, 5),
      ...call('r', 'r#0', 1, 5, 50),
      ...call('r', 'r#1', 1, 5, 40, 'error'),
      ...call('r', 'r#1', 2, 60, 90),
    ]);
    expect(steps(retried)).toEqual(['msg input', 'r #1 #1', 'r #1 #2']);
  });

  it('goes from a fallback stand-in back through the primary it replaced', () => {
    const timeline = buildTimeline([
      ...call('p', 'p#0', 1, 0, 40, 'timeout'),
      { kind: 'fallback', agent: 'p', time: 40, from: 'p#0', to: 'lite', error: { name: 'TimeoutError', message: 't' } },
      ...call('lite', 'lite#0', 1, 40, 60),
      ...message('p', 'q', 'answer', 61, 62),
      ...call('q', 'q#0', 1, 62, 70),
    ]);
    expect(steps(timeline)).toEqual(['p #1', 'lite #1', 'msg answer', 'q #1']);
  });

  it('prefers the hedge that answered over the copy it cancelled at the same instant', () => {
    const timeline = buildTimeline([
      { kind: 'call-start', agent: 'h', time: 0, attempt: 1, policy: 'h#0' },
      { kind: 'hedge', agent: 'h', time: 10, action: 'fired', branch: 1, policy: 'h#0' },
      { kind: 'call-start', agent: 'h', time: 10, attempt: 2, policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 20, attempt: 2, outcome: 'ok', durationMs: 10, policy: 'h#0' },
      { kind: 'call-end', agent: 'h', time: 20, attempt: 1, outcome: 'cancelled', durationMs: 20, policy: 'h#0' },
    ]);
    expect(steps(timeline)).toEqual(['h #2']);
  });

  it('ends even when instant messages go back and forth at one moment', () => {
    const timeline = buildTimeline([...message('a', 'b', 'x', 5, 5), ...message('b', 'a', 'y', 5, 5), ...message('a', 'b', 'z', 5, 5)]);
    expect(timeline.criticalPath.steps.length).toBeGreaterThan(0);
    expect(timeline.criticalPath.steps.length).toBeLessThanOrEqual(3);
  });

  it('finds the code-review path: the timed-out reviewer, its fallback, its review, the slowest judge', () => {
    expect(steps(buildTimeline(codeReviewTrace()))).toEqual(['msg pr-1234', 'tests #1', 'tests #2', 'tests_lite #1', 'msg review-tests', 'judge #0 #1']);
  });

  it('is a chain in time on a large trace: every step starts after its predecessor ended', () => {
    const timeline = buildTimeline(largeTrace(6000, 3));
    const spans = timeline.criticalPath.steps.map((step) =>
      step.kind === 'call' ? [timeline.bars[step.id]!.start, timeline.bars[step.id]!.end] : [timeline.arrows[step.id]!.sent, timeline.arrows[step.id]!.delivered],
    );
    expect(spans.length).toBeGreaterThan(5);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]!);
    const latestEnd = Math.max(...timeline.bars.map((bar) => bar.end), ...timeline.arrows.map((arrow) => arrow.delivered));
    expect(spans[spans.length - 1]![1]).toBe(latestEnd);
  });
});

describe('screening', () => {
  it('passes well-formed events, counts other kinds, and reports malformed ones with their position', () => {
    const screened = screenEvents([
      { kind: 'call-start', agent: 'a', time: 0, attempt: 1 },
      { kind: 'activation', agent: 'a', time: 0, action: 'start', activation: 'x' },
      { kind: 'call-end', agent: 'a', time: 1, attempt: 1, outcome: 'ok' },
      'nonsense',
      { kind: 'send', agent: 'a', time: Number.NaN, channel: 'c', message: 'm' },
      { kind: 'vote', time: 3, consensus: 'v', round: 1, replica: 0, outcome: 'answer' },
      [1, 2],
    ]);
    expect(screened.events).toHaveLength(1);
    expect(screened.otherKinds).toBe(1);
    expect(screened.malformed).toEqual([
      { index: 2, reason: 'call-end: "durationMs" is not a number' },
      { index: 3, reason: 'not an object' },
      { index: 4, reason: 'send: "time" is not a finite number' },
      { index: 5, reason: 'vote: no "agent"' },
      { index: 6, reason: 'not an object' },
    ]);
  });
});
