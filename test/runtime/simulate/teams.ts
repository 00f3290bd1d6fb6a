/**
 * Hand-built definitions for the simulator's controls: each pairs a design that relies on a
 * guarantee its channel does not give (the negative control, which simulation must break) with
 * the same design declaring that guarantee (the positive control, which must survive).
 */
import { z } from 'zod';
import { defineTeam, type Delivery, type Ordering } from '../../../runtime/definition.js';
import type { ConsensusDefinition } from '../../../runtime/definition.js';

export const Entry = z.object({ step: z.number().int(), text: z.string().max(12) });
export const Summary = z.object({ verdict: z.enum(['ok', 'bad']) });

const models = [{ name: 'quick', provider: 'sim', model: 'sim-quick', latencyMs: 500, maxTokens: 200 }];
const policy = { timeoutMs: 10_000, retry: { attempts: 3, backoff: 'exponential' as const, minMs: 100, maxMs: 2_000, jitter: true } };

/**
 * A writer publishes a log of 4–6 entries in one answer (one message each); a reader handles
 * them one by one and relies on causal order (`takes entries requires causal`): entry n+1 must
 * never come before entry n. Declaring the channel `unordered` breaks that promise.
 */
export function ledgerTeam(ordering: Ordering, delivery: Delivery = 'exactly_once') {
  return defineTeam<{ topic: string }, { last: z.infer<typeof Summary> }>({
    name: `Ledger_${ordering}`,
    inputs: [{ name: 'topic', schema: z.string() }],
    outputs: [{ name: 'last', schema: Summary, from: 'reader' }],
    deadlineMs: 120_000,
    models,
    channels: [{ name: 'entries', schema: Entry, ordering, delivery }],
    stores: [],
    tools: [],
    agents: [
      {
        name: 'writer',
        model: 'quick',
        replicas: 1,
        prompt: 'Write the log for {{topic}}.',
        output: z.array(Entry).min(4).max(6),
        takes: [{ source: 'topic', from: 'input', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [{ channel: 'entries' }],
        calls: [],
        policy,
        optional: false,
      },
      {
        name: 'reader',
        model: 'quick',
        replicas: 1,
        prompt: 'Apply step {{entries.step}}: {{entries.text}}',
        output: Summary,
        takes: [{ source: 'entries', from: 'channel', all: false, optional: false, requires: 'causal' }],
        reads: [],
        writes: [],
        emits: [],
        calls: [],
        policy,
        optional: false,
      },
    ],
    consensus: [],
    work: [],
  });
}

/**
 * A writer publishes 4–6 entries; a collector joins them all (`takes all entries`) into the team's
 * output. With `at_most_once` a dropped entry is silently missing from the output.
 */
export function collectorTeam(delivery: Delivery) {
  return defineTeam<{ topic: string }, { report: z.infer<typeof Summary> }>({
    name: `Collector_${delivery}`,
    inputs: [{ name: 'topic', schema: z.string() }],
    outputs: [{ name: 'report', schema: Summary, from: 'collector' }],
    deadlineMs: 300_000,
    models,
    channels: [{ name: 'entries', schema: Entry, ordering: 'unordered', delivery }],
    stores: [],
    tools: [],
    agents: [
      {
        name: 'writer',
        model: 'quick',
        replicas: 1,
        prompt: 'Write the log for {{topic}}.',
        output: z.array(Entry).min(4).max(6),
        takes: [{ source: 'topic', from: 'input', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [{ channel: 'entries' }],
        calls: [],
        policy,
        optional: false,
      },
      {
        name: 'collector',
        model: 'quick',
        replicas: 1,
        prompt: 'Summarise:\n{{#each entries}}- {{step}} {{text}}\n{{/each}}',
        output: Summary,
        takes: [{ source: 'entries', from: 'channel', all: true, optional: false }],
        reads: [],
        writes: [],
        emits: [],
        calls: [],
        policy,
        optional: false,
      },
    ],
    consensus: [],
    work: [],
  });
}

/** Three or four voters deciding a verdict under the given consensus parameters. */
export function votingTeam(consensus: Pick<ConsensusDefinition, 'replicas' | 'quorum' | 'faults'> & Partial<ConsensusDefinition>) {
  return defineTeam<{ question: string }, { verdict: z.infer<typeof Summary> }>({
    name: 'Voting',
    inputs: [{ name: 'question', schema: z.string() }],
    outputs: [{ name: 'verdict', schema: Summary, from: 'decide' }],
    deadlineMs: 120_000,
    models,
    channels: [],
    stores: [],
    tools: [],
    agents: [
      {
        name: 'voter',
        model: 'quick',
        replicas: 1,
        prompt: 'Answer: {{question}}',
        output: Summary,
        takes: [{ source: 'question', from: 'input', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [],
        calls: [],
        policy,
        optional: false,
      },
    ],
    consensus: [{ name: 'decide', over: 'voter', agreeOn: ['verdict'], rounds: 2, tieBreak: 'reject', protocol: 'vote', ...consensus }],
    work: [],
  });
}
