/**
 * Hand-written team definitions, shaped exactly as generated code will write them: plain data,
 * zod schemas and template text.
 */
import { z } from 'zod';
import { defineTeam, type AgentDefinition, type AssignPolicy, type ModelDefinition } from '../../../runtime/definition.js';
import { mathLibraryTasks } from './graphs.js';

export const Finding = z.object({
  file: z.string(),
  line: z.number().int(),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});
export const Verdict = z.object({ decision: z.enum(['approve', 'request_changes']), reasons: z.array(z.string()) });
export type Finding = z.infer<typeof Finding>;
export type Verdict = z.infer<typeof Verdict>;

export const models: ModelDefinition[] = [
  {
    name: 'fast',
    provider: 'sim',
    model: 'gpt-4o-mini',
    temperature: 0.2,
    latencyMs: 4_000,
    maxTokens: 2_000,
    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  },
  {
    name: 'smart',
    provider: 'sim',
    model: 'gpt-4o',
    latencyMs: 12_000,
    maxTokens: 4_000,
    price: { inputPerMillion: 2.5, outputPerMillion: 10 },
  },
];

/** examples/code-review.team, by hand. */
export function codeReviewTeam() {
  return defineTeam<{ diff: string }, { verdict: Verdict }>({
    name: 'CodeReview',
    doc: 'Three reviewers read a diff; judges weigh their findings; a majority decides.',
    inputs: [{ name: 'diff', schema: z.string() }],
    outputs: [{ name: 'verdict', schema: Verdict, from: 'decide' }],
    deadlineMs: 300_000,
    budget: { tokens: 200_000 },
    models,
    stores: [{ name: 'notes', schema: z.array(Finding), consistency: 'causal', merge: 'append' }],
    channels: [{ name: 'findings', schema: Finding, ordering: 'causal', delivery: 'exactly_once' }],
    tools: [],
    agents: [
      {
        name: 'reviewer',
        model: 'fast',
        replicas: 3,
        prompt: 'You are a careful code reviewer. Report each problem in this diff as a finding.\n\n{{diff}}\n',
        output: z.array(Finding),
        takes: [{ source: 'diff', from: 'input', all: false, optional: false }],
        reads: [],
        writes: ['notes'],
        emits: [{ channel: 'findings' }],
        calls: [],
        policy: {
          timeoutMs: 30_000,
          retry: { attempts: 3, backoff: 'exponential', minMs: 500, maxMs: 8_000, jitter: true },
          breaker: { failures: 5, windowMs: 60_000, cooldownMs: 30_000 },
          fallback: ['reviewer_lite'],
        },
        optional: false,
      },
      {
        name: 'reviewer_lite',
        model: 'fast',
        replicas: 1,
        prompt: 'List only the most serious problem in this diff, if any.\n{{diff}}\n',
        output: z.array(Finding),
        takes: [{ source: 'diff', from: 'input', all: false, optional: false }],
        reads: [],
        writes: ['notes'],
        emits: [{ channel: 'findings' }],
        calls: [],
        policy: { timeoutMs: 20_000, retry: { attempts: 2, backoff: 'exponential', minMs: 500, maxMs: 4_000, jitter: true } },
        optional: false,
      },
      {
        name: 'judge',
        model: 'smart',
        replicas: 1,
        prompt:
          'Findings from the reviewers:\n{{#each findings}}- {{file}}:{{line}} [{{severity}}] {{message}}\n{{/each}}' +
          '{{#if notes}}Notes: {{notes.length}}\n{{/if}}Decide whether to approve the change, and give your reasons.\n',
        output: Verdict,
        takes: [{ source: 'findings', from: 'channel', all: true, optional: false, requires: 'causal' }],
        reads: [{ store: 'notes', requires: 'causal' }],
        writes: [],
        emits: [],
        calls: [],
        policy: { timeoutMs: 60_000, retry: { attempts: 2, backoff: 'exponential', minMs: 1_000, maxMs: 10_000, jitter: true } },
        optional: false,
      },
    ],
    consensus: [
      {
        name: 'decide',
        over: 'judge',
        replicas: 3,
        quorum: 'majority',
        faults: { count: 1, model: 'crash' },
        agreeOn: ['decision'],
        rounds: 2,
        tieBreak: 'reject',
        protocol: 'vote',
      },
    ],
    work: [],
  });
}

export const Draft = z.object({ title: z.string(), body: z.string() });
export const Review = z.object({ approved: z.boolean(), comments: z.array(z.string()) });

/** examples/writer-critic.team, by hand. */
export function writerCriticTeam(maxRounds = 4) {
  return defineTeam<{ brief: string }, { article: z.infer<typeof Draft> }>({
    name: 'WriterCritic',
    inputs: [{ name: 'brief', schema: z.string() }],
    outputs: [{ name: 'article', schema: Draft, from: 'writer' }],
    deadlineMs: 480_000,
    budget: { tokens: 120_000, dollars: 1 },
    models,
    stores: [],
    channels: [
      { name: 'drafts', schema: Draft, ordering: 'fifo', delivery: 'exactly_once', maxRounds },
      { name: 'reviews', schema: Review, ordering: 'fifo', delivery: 'exactly_once' },
    ],
    tools: [],
    agents: [
      {
        name: 'writer',
        model: 'smart',
        replicas: 1,
        prompt:
          'Write a short article for this brief:\n{{brief}}\n{{#if reviews}}Revise your last draft. The critic said:\n' +
          '{{#each reviews.comments}}- {{this}}\n{{/each}}{{/if}}',
        output: Draft,
        takes: [
          { source: 'brief', from: 'input', all: false, optional: false },
          { source: 'reviews', from: 'channel', all: false, optional: true },
        ],
        reads: [],
        writes: [],
        emits: [{ channel: 'drafts' }],
        calls: [],
        policy: { timeoutMs: 60_000, retry: { attempts: 2, backoff: 'exponential', minMs: 1_000, maxMs: 10_000, jitter: true } },
        maxRounds,
        optional: false,
      },
      {
        name: 'critic',
        model: 'fast',
        replicas: 1,
        prompt: 'Review this draft. Approve it only if it is clear, correct and complete.\n\n# {{drafts.title}}\n{{drafts.body}}\n',
        output: Review,
        takes: [{ source: 'drafts', from: 'channel', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [{ channel: 'reviews', unless: 'approved' }],
        calls: [],
        policy: { timeoutMs: 30_000, retry: { attempts: 2, backoff: 'exponential', minMs: 500, maxMs: 4_000, jitter: true } },
        optional: false,
      },
    ],
    consensus: [],
    work: [],
  });
}

export const Patch = z.object({ path: z.string(), contents: z.string(), summary: z.string() });
export const LeadPlan = z.object({ assignments: z.array(z.object({ task: z.string(), worker: z.number().int() })) });

/** examples/math-library.team, by hand, under a chosen assignment policy. */
export function mathLibraryTeam(policy: AssignPolicy) {
  return defineTeam<{ spec: string }, { library: z.infer<typeof Patch>[] }>({
    name: 'MathLibrary',
    inputs: [{ name: 'spec', schema: z.string() }],
    outputs: [{ name: 'library', schema: z.array(Patch), from: 'library' }],
    deadlineMs: 1_800_000,
    budget: { tokens: 1_500_000, dollars: 8 },
    models: [...models, { name: 'coder', provider: 'sim', model: 'coder', latencyMs: 20_000 }],
    stores: [],
    channels: [],
    tools: [],
    agents: [
      {
        name: 'dev',
        model: 'coder',
        replicas: 4,
        prompt:
          'Library specification:\n{{spec}}\nYour task: {{task.name}}{{#if task.doc}} — {{task.doc}}{{/if}}\n' +
          'Write these files: {{join task.writes ", "}}\n{{#each deps}}- {{task}}: {{output.summary}}\n{{/each}}',
        output: Patch,
        takes: [{ source: 'spec', from: 'input', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [],
        calls: [],
        policy: { timeoutMs: 120_000, retry: { attempts: 2, backoff: 'exponential', minMs: 1_000, maxMs: 10_000, jitter: true } },
        optional: false,
      },
      // The lead, only under `assign lead planner` (otherwise it would be an agent of its own).
      ...(policy !== 'lead' ? [] : [{
        name: 'planner',
        model: 'fast',
        replicas: 1,
        prompt: 'Ready tasks:\n{{#each ready}}- {{name}} (weight {{weight}})\n{{/each}}Idle workers: {{join idle ", "}}\nAssign tasks to workers.',
        output: LeadPlan,
        takes: [{ source: 'spec', from: 'input', all: false, optional: false }],
        reads: [],
        writes: [],
        emits: [],
        calls: [],
        policy: { timeoutMs: 30_000 },
        optional: false,
      } satisfies AgentDefinition]),
    ],
    consensus: [],
    work: [
      {
        name: 'library',
        by: 'dev',
        assign: policy === 'lead' ? { policy, lead: 'planner' } : { policy },
        leaseMs: policy === 'claim' ? 300_000 : undefined,
        tasks: mathLibraryTasks.map((t) => ({ name: t.name, after: [...t.after], weight: t.weight, writes: [...t.writes] })),
      },
    ],
  });
}
