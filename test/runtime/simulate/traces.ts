/** Hand-made traces for the checker tests: each helper returns one event as the runner records it. */
import type { TeamTraceEvent } from '../../../runtime/team.js';
import type { VectorClock } from '../../../runtime/vector-clock.js';

export const start = (time = 0, team = 'T'): TeamTraceEvent => ({ kind: 'run-start', agent: 'team', time, team, clock: 'virtual' });
export const endOk = (time: number): TeamTraceEvent => ({ kind: 'run-end', agent: 'team', time, outcome: 'ok' });
export const endFailed = (time: number, kind: string): TeamTraceEvent => ({ kind: 'run-end', agent: 'team', time, outcome: 'failed', error: { name: kind, message: kind } });

export const publish = (time: number, from: string, channel: string, seq: number, vc: VectorClock = { [from]: seq }): TeamTraceEvent => ({
  kind: 'send',
  agent: from,
  time,
  channel,
  message: `${from}#${seq}`,
  seq,
  vc,
});

export const deliver = (time: number, to: string, from: string, channel: string, seq: number, vc: VectorClock = { [from]: seq }): TeamTraceEvent => ({
  kind: 'deliver',
  agent: to,
  time,
  channel,
  message: `${from}#${seq}`,
  from,
  seq,
  vc,
});

export const noise = (time: number, agent = 'reader'): TeamTraceEvent => ({ kind: 'call-start', agent, time, attempt: 1 });

export const activation = (time: number, agent: string, id: string): TeamTraceEvent => ({ kind: 'activation', agent, time, action: 'start', activation: id, instance: 0 });

export const vote = (time: number, consensus: string, round: number, replica: number, key?: string): TeamTraceEvent => ({
  kind: 'vote',
  agent: consensus,
  time,
  consensus,
  round,
  replica,
  outcome: key === undefined ? 'crashed' : 'answer',
  ...(key !== undefined ? { key } : {}),
});

export const roundEnd = (time: number, consensus: string, round: number, tally: Record<string, number>, crashed: number, decided: boolean): TeamTraceEvent => ({
  kind: 'round',
  agent: consensus,
  time,
  consensus,
  round,
  tally,
  crashed,
  decided,
});

export const decision = (time: number, consensus: string, round: number, key: string, supporters: number[], quorum = 2): TeamTraceEvent => ({
  kind: 'decision',
  agent: consensus,
  time,
  consensus,
  round,
  key,
  value: key,
  votes: supporters.length,
  quorum,
  supporters,
  byQuorum: true,
});

export const settle = (time: number, agent: string, tokens: number, dollars = 0): TeamTraceEvent => ({
  kind: 'budget',
  agent,
  time,
  action: 'settle',
  actual: { tokens, dollars },
  remaining: {},
});

export const toolCall = (time: number, agent: string, tool: string, key: string): TeamTraceEvent => ({ kind: 'tool', agent, time, tool, action: 'call', key });

/** A delivery from a total order's sequencer, at its position. */
export const deliverAt = (time: number, to: string, from: string, channel: string, seq: number, position: number): TeamTraceEvent => ({
  ...(deliver(time, to, from, channel, seq) as Extract<TeamTraceEvent, { kind: 'deliver' }>),
  position,
});

/** `consumer` acknowledged `from`'s #seq, and the sender `to` (default: `from`) accepted it. */
export const ack = (time: number, consumer: string, from: string, channel: string, seq: number, to = from): TeamTraceEvent => ({
  kind: 'ack',
  agent: consumer,
  time,
  channel,
  message: `${from}#${seq}`,
  to,
});

/** `consumer` settled `from`'s #seq without handling it. */
export const skip = (time: number, consumer: string, from: string, channel: string, seq: number, reason: 'withdrawn' | 'duplicate'): TeamTraceEvent => ({
  kind: 'skip',
  agent: consumer,
  time,
  channel,
  message: `${from}#${seq}`,
  reason,
});

/** A drop_oldest overflow on `channel` that withdrew `from`'s #seq (published by `by`'s publish). */
export const withdrawn = (time: number, by: string, channel: string, from: string, seq: number): TeamTraceEvent => ({
  kind: 'dropped',
  agent: by,
  time,
  channel,
  reason: 'backpressure',
  message: `${from}#${seq}`,
});
