import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analysisInputs, analyzeTeam } from '../../compiler/analyze/from-definition.js';
import type { AgentDefinition, ChannelDefinition, StoreDefinition, TeamDefinition } from '../../runtime/definition.js';
import { mathLibrary } from './graphs.js';

// examples/models.team
const models: TeamDefinition['models'] = [
  { name: 'fast', provider: 'openai', model: 'gpt-4o-mini', latencyMs: 4000, maxTokens: 2000, price: { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
  { name: 'smart', provider: 'openai', model: 'gpt-4o', latencyMs: 12_000, maxTokens: 4000, price: { inputPerMillion: 2.5, outputPerMillion: 10 } },
];

const agentDef = (name: string, model: string, extra: Partial<AgentDefinition> = {}): AgentDefinition => ({
  name,
  model,
  replicas: 1,
  prompt: '',
  output: z.string(),
  takes: [],
  reads: [],
  writes: [],
  emits: [],
  calls: [],
  policy: {},
  optional: false,
  ...extra,
});
const takeInput = (source: string) => ({ source, from: 'input' as const, all: false, optional: false });
const takeChannel = (source: string, all = false, optional = false) => ({ source, from: 'channel' as const, all, optional });
const channelDef = (name: string, extra: Partial<ChannelDefinition> = {}): ChannelDefinition => ({ name, schema: z.unknown(), ordering: 'fifo', delivery: 'exactly_once', ...extra });
const storeDef = (name: string, consistency: StoreDefinition['consistency']): StoreDefinition => ({ name, schema: z.unknown(), consistency, merge: 'append' });
const team = (name: string, extra: Partial<TeamDefinition>): TeamDefinition => ({
  name,
  inputs: [],
  outputs: [],
  models,
  channels: [],
  stores: [],
  tools: [],
  agents: [],
  consensus: [],
  work: [],
  ...extra,
});

/** examples/research.team, with four sub-questions expected from the planner. */
const research = team('Research', {
  stores: [storeDef('sources', 'causal')],
  channels: [channelDef('questions'), channelDef('answers', { ordering: 'causal' })],
  agents: [
    agentDef('planner', 'smart', { takes: [takeInput('question')], emits: [{ channel: 'questions' }], output: z.array(z.object({ topic: z.string() })) }),
    agentDef('researcher', 'fast', { replicas: 4, takes: [takeChannel('questions')], writes: ['sources'], emits: [{ channel: 'answers' }], policy: { fallback: ['researcher_lite'] } }),
    agentDef('researcher_lite', 'fast', { takes: [takeChannel('questions')], emits: [{ channel: 'answers' }] }),
    agentDef('synthesiser', 'smart', { takes: [takeInput('question'), takeChannel('answers', true)], reads: [{ store: 'sources' }] }),
  ],
});

describe('analysis of a team definition', () => {
  it('derives the research agent graph: activations per message, stand-ins idle', () => {
    const { agents } = analysisInputs(research, { elementsPerArray: 4 });
    expect(agents.nodes.map((n) => [n.name, n.latencyMs, n.replicas, n.activations])).toEqual([
      ['planner', 12_000, 1, 1],
      ['researcher', 4000, 4, 4], // one per sub-question
      ['researcher_lite', 4000, 1, 0], // a fallback: runs only when the researcher fails
      ['synthesiser', 12_000, 1, 1],
    ]);
    expect(agents.nodes[0]!.costPerActivation).toEqual({ tokens: 4000, dollars: 0.04 });
    expect(agents.edges.map((e) => `${e.from}-${e.kind}->${e.to} ×${e.messagesPerActivation}`)).toEqual([
      'planner-channel->researcher ×4',
      'planner-channel->researcher_lite ×4',
      'researcher-join->synthesiser ×1',
      'researcher_lite-join->synthesiser ×1',
      'researcher-store->synthesiser ×1',
    ]);
    const report = analyzeTeam(research, { elementsPerArray: 4 }).agents;
    expect(report.criticalPath).toEqual({ length: 40_000, agents: ['planner', 'researcher', 'synthesiser'] });
    expect(report.totalWork).toBe(88_000);
    expect(report.messages.perRun).toBe(16 + 4 + 16 + 0 + 16);
  });

  it('unrolls the writer–critic loop by its bound', () => {
    const writerCritic = team('WriterCritic', {
      channels: [channelDef('drafts', { maxRounds: 4 }), channelDef('reviews')],
      agents: [
        agentDef('writer', 'smart', { takes: [takeInput('brief'), takeChannel('reviews', false, true)], emits: [{ channel: 'drafts' }], maxRounds: 4 }),
        agentDef('critic', 'fast', { takes: [takeChannel('drafts')], emits: [{ channel: 'reviews', unless: 'approved' }] }),
      ],
    });
    const report = analyzeTeam(writerCritic).agents;
    expect(report.findings).toEqual([{ kind: 'loop', cycle: ['critic', 'writer'], members: ['critic', 'writer'], bounded: true, rounds: 4 }]);
    expect(report.criticalPath.length).toBe(64_000);
    expect(report.advice.serial).toBe(true);
    // Worst case: 4 rounds × (4k + 2k) tokens.
    expect(report.cost.tokens).toBe(24_000);
  });

  it('counts a consensus as its voting replicas', () => {
    const review = team('CodeReview', {
      stores: [storeDef('notes', 'causal')],
      channels: [channelDef('findings', { ordering: 'causal' })],
      agents: [
        agentDef('reviewer', 'fast', { replicas: 3, takes: [takeInput('diff')], writes: ['notes'], emits: [{ channel: 'findings' }], policy: { fallback: ['reviewer_lite'] } }),
        agentDef('reviewer_lite', 'fast', { takes: [takeInput('diff')], writes: ['notes'], emits: [{ channel: 'findings' }] }),
        agentDef('judge', 'smart', { takes: [takeChannel('findings', true)], reads: [{ store: 'notes' }] }),
      ],
      consensus: [{ name: 'decide', over: 'judge', replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, agreeOn: ['decision'], rounds: 2, tieBreak: 'reject', protocol: 'vote' }],
    });
    const report = analyzeTeam(review).agents;
    expect(report.totalWork).toBe(3 * 4000 + 3 * 12_000);
    expect(report.criticalPath.length).toBe(16_000);
    expect(report.teamSize).toBe(3 + 1 + 3);
  });

  it('serialises the writers of a strong store (T304)', () => {
    const audit = team('Audit', {
      models: [{ name: 'fast', provider: 'sim', model: 'sim', latencyMs: 2000, maxTokens: 1000 }],
      stores: [storeDef('ledger', 'strong')],
      agents: [
        agentDef('checker', 'fast', { replicas: 4, takes: [takeInput('claims')], writes: ['ledger'] }),
        agentDef('auditor', 'fast', { takes: [takeInput('claims')], reads: [{ store: 'ledger' }] }),
      ],
    });
    expect(analysisInputs(audit).agentOptions).toEqual({ serialise: [['checker']] });
    expect(analyzeTeam(audit).agents.amdahl.ceiling).toBeCloseTo(1.25, 12);
  });

  it('analyses a work graph with its agent’s replicas, latency and price', () => {
    const lib = team('MathLibrary', {
      agents: [agentDef('dev', 'fast', { replicas: 4, takes: [takeInput('spec')] })],
      work: [{ name: 'library', by: 'dev', assign: { policy: 'claim' }, tasks: mathLibrary.tasks.map((t) => ({ ...t, after: [...t.after], writes: [] })) }],
    });
    const reports = analyzeTeam(lib);
    const work = reports.work[0]!.report;
    expect(reports.work[0]!.name).toBe('library');
    expect(work).toMatchObject({ workers: 4, policy: 'claim', unitMs: 4000, totalWork: 23, predicted: { makespan: 8, makespanMs: 32_000 } });
    expect(work.cost!.tokens).toBe(40_000);
    expect(work.cost!.dollars).toBeCloseTo(20 * 0.0012, 12);
    // In the agent graph the work agent is one step that lasts the predicted makespan.
    expect(reports.agents.steps).toEqual([{ name: 'dev', agent: 'dev', round: 1, start: 0, finish: 32_000 }]);
  });

  it('turns a lead’s model call into decision time, in task-weight units', () => {
    const led = team('Led', {
      agents: [agentDef('dev', 'fast', { replicas: 2 }), agentDef('planner', 'smart')],
      work: [{ name: 'w', by: 'dev', assign: { policy: 'lead', lead: 'planner' }, tasks: [{ name: 'a', after: [], weight: 1, writes: [] }] }],
    });
    const { work, agents } = analysisInputs(led);
    expect(work[0]!.options.lead).toEqual({ overhead: 3, per: 'batch' }); // 12s of the lead per 4s of a task
    expect(work[0]!.options.costPerDecision).toEqual({ tokens: 4000, dollars: 0.04 });
    expect(agents.nodes.find((n) => n.name === 'planner')!.activations).toBe(0); // counted in the work graph
    expect(analyzeTeam(led).work[0]!.report.predicted.makespan).toBe(4); // decide 0–3, run 3–4
  });
});
