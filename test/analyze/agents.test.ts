import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentTimeline, analyzeAgentGraph, type AgentGraph } from '../../compiler/analyze/index.js';
import { agent, edge } from './graphs.js';

const cost = (tokens: number, dollars = 0) => ({ costPerActivation: { tokens, dollars } });

/** examples/research.team: planner (smart, 12s) → 4 sub-questions → researcher ×4 (fast, 4s) → join → synthesiser (12s). */
const research: AgentGraph = {
  nodes: [
    agent('planner', 12_000, cost(4000, 0.02)),
    agent('researcher', 4000, { replicas: 4, activations: 4, ...cost(2000, 0.001) }),
    agent('synthesiser', 12_000, cost(4000, 0.02)),
  ],
  edges: [
    edge('planner', 'researcher', 'channel', { messagesPerActivation: 4, channel: 'questions' }),
    edge('researcher', 'synthesiser', 'join', { channel: 'answers' }),
    edge('researcher', 'synthesiser', 'store', { channel: 'sources' }),
  ],
};

/** examples/writer-critic.team: a loop of at most 4 rounds, entered at the writer (`takes reviews?`). */
const writerCritic: AgentGraph = {
  nodes: [agent('writer', 12_000, { maxRounds: 4, ...cost(4000) }), agent('critic', 4000, cost(2000))],
  edges: [edge('writer', 'critic', 'channel', { channel: 'drafts', maxRounds: 4 }), edge('critic', 'writer', 'channel', { channel: 'reviews', optional: true })],
};

describe('agent graphs', () => {
  it('lays out the research fan-out by hand', () => {
    // Researchers start when the planner's one activation sends its four questions (12s); each of
    // the four instances answers all four in turn (16s); the synthesiser joins them (12s).
    const t = agentTimeline(research);
    expect(t.steps.map((s) => [s.name, s.start, s.finish])).toEqual([
      ['planner', 0, 12_000],
      ['researcher', 12_000, 28_000],
      ['synthesiser', 28_000, 40_000],
    ]);
    expect(t.makespan).toBe(40_000);
    expect(t.criticalPath).toEqual(['planner', 'researcher', 'synthesiser']);
    expect(t.totalWork).toBe(12_000 + 4 * 4 * 4000 + 12_000); // 88s of model time
    expect(t.teamSize).toBe(6);
    expect(t.largestLoad).toBe(16_000);
    expect(t.cost.tokens).toBe(4000 + 16 * 2000 + 4000);
    expect(t.cost.dollars).toBeCloseTo(0.02 + 16 * 0.001 + 0.02, 12);
    expect(t.singleAgentCost).toEqual({ tokens: 4000, dollars: 0.02 });
    // planner → researcher: 1 activation × 4 messages × 4 receiving instances; researcher → synthesiser:
    // 4 activations × 4 instances × 1 message, on the channel and in the store.
    expect(t.messages.edges.map((e) => e.perRun)).toEqual([16, 16, 16]);
    expect(t.messages.perRun).toBe(48);
    expect(t.messages.allToAll).toEqual([]);

    const report = analyzeAgentGraph(research);
    expect(report.parallelFraction).toBeCloseTo(48 / 88, 12);
    expect(report.amdahl.speedup).toBeCloseTo(11 / 6, 12); // 1 / (40/88 + (48/88) / 6)
    expect(report.amdahl.ceiling).toBeCloseTo(88 / 40, 12);
    expect(report.predicted).toEqual({ makespanMs: 40_000, speedup: 2.2 });
    expect(report.policyBound).toBe(5.5);
    expect(report.costRatio).toBe(10);
    expect(report.advice.serial).toBe(false);
  });

  it('lets a channel consumer overlap its producer, but not a join consumer', () => {
    const graph = (kind: 'channel' | 'join', producerMs: number, consumerMs: number): AgentGraph => ({
      nodes: [agent('p', producerMs, { activations: 3 }), agent('c', consumerMs, { activations: 3 })],
      edges: [edge('p', 'c', kind)],
    });
    const finish = (g: AgentGraph) => agentTimeline(g).steps.map((s) => [s.start, s.finish]);
    // Slow producer: c handles each message as it comes and ends one activation after the last.
    expect(finish(graph('channel', 10, 2))).toEqual([[0, 30], [10, 32]]);
    // Fast producer: c is the bottleneck, busy from the first message on.
    expect(finish(graph('channel', 2, 10))).toEqual([[0, 6], [2, 32]]);
    expect(finish(graph('join', 10, 2))).toEqual([[0, 30], [30, 36]]);
    expect(agentTimeline(graph('channel', 10, 2)).criticalPath).toEqual(['p', 'c']);
  });

  it('unrolls a bounded loop round by round', () => {
    const t = agentTimeline(writerCritic);
    expect(t.steps.map((s) => `${s.name} ${s.start}-${s.finish}`)).toEqual([
      'writer#1 0-12000',
      'critic#1 12000-16000',
      'writer#2 16000-28000',
      'critic#2 28000-32000',
      'writer#3 32000-44000',
      'critic#3 44000-48000',
      'writer#4 48000-60000',
      'critic#4 60000-64000',
    ]);
    expect(t.findings).toEqual([{ kind: 'loop', cycle: ['critic', 'writer'], members: ['critic', 'writer'], bounded: true, rounds: 4 }]);
    expect(t.totalWork).toBe(64_000);
    expect(t.cost.tokens).toBe(4 * (4000 + 2000));
    expect(t.messages.perRun).toBe(8);
    const report = analyzeAgentGraph(writerCritic);
    expect(report.parallelFraction).toBe(0);
    expect(report.advice.serial).toBe(true);
  });

  it('takes the tightest bound of a loop, and enters it where it is fed from outside', () => {
    const graph: AgentGraph = {
      nodes: [agent('brief', 1000), agent('a', 2000, { maxRounds: 5 }), agent('b', 3000)],
      edges: [edge('brief', 'a', 'join'), edge('a', 'b'), edge('b', 'a', 'channel', { maxRounds: 2 })],
    };
    const t = agentTimeline(graph);
    expect(t.steps.map((s) => `${s.name} ${s.start}-${s.finish}`)).toEqual(['brief 0-1000', 'a#1 1000-3000', 'b#1 3000-6000', 'a#2 6000-8000', 'b#2 8000-11000']);
    expect(t.findings[0]).toMatchObject({ kind: 'loop', rounds: 2 });
  });

  it('reports a loop with no bound and counts it once', () => {
    const graph: AgentGraph = { nodes: [agent('a', 1000), agent('b', 1000)], edges: [edge('a', 'b'), edge('b', 'a', 'channel', { optional: true })] };
    const report = analyzeAgentGraph(graph);
    expect(report.findings).toEqual([{ kind: 'cycle', cycle: ['a', 'b'], members: ['a', 'b'], bounded: false }]);
    expect(report.totalWork).toBe(2000);
    expect(report.advice.lines).toContain('the loop a → b → a has no `max rounds`: counted as one round');
  });

  it('does not wait on stores, nor see a loop through them', () => {
    const graph: AgentGraph = { nodes: [agent('a', 1000), agent('b', 5000)], edges: [edge('a', 'b', 'store'), edge('b', 'a', 'store')] };
    const t = agentTimeline(graph);
    expect(t.findings).toEqual([]);
    expect(t.makespan).toBe(5000);
    expect(t.messages.perRun).toBe(2);
  });

  it('counts all-to-all messages as n × (n − 1) per round (T901: 5 thinkers, 3 rounds)', () => {
    const brainstorm: AgentGraph = {
      nodes: [agent('thinker', 2000, { replicas: 5 }), agent('chair', 2000)],
      edges: [edge('thinker', 'thinker', 'channel', { channel: 'ideas', optional: true, maxRounds: 3 }), edge('thinker', 'chair', 'join', { channel: 'ideas' })],
    };
    const report = analyzeAgentGraph(brainstorm);
    expect(report.messages.allToAll).toEqual([{ channel: 'ideas', agents: ['thinker'], instances: 5, messagesPerRound: 20, rounds: 3, messagesPerRun: 60 }]);
    expect(report.messages.perRun).toBe(60 + 15);
    expect(report.advice.lines).toContain('all-to-all communication on `ideas` among 5 instances: 20 messages per round, growing as n²');
    // Ten thinkers would exchange 270 (10 × 9 × 3), as the T901 page says.
    const ten = analyzeAgentGraph({ ...brainstorm, nodes: [agent('thinker', 2000, { replicas: 10 }), agent('chair', 2000)] });
    expect(ten.messages.allToAll[0]!.messagesPerRun).toBe(270);
  });

  it('finds all-to-all among different agents sharing one channel', () => {
    const names = ['a', 'b', 'c'];
    const graph: AgentGraph = {
      nodes: names.map((n) => agent(n, 1000, { maxRounds: 2 })),
      edges: names.flatMap((from) => names.map((to) => edge(from, to, 'channel', { channel: 'ideas', optional: true }))),
    };
    expect(agentTimeline(graph).messages.allToAll).toEqual([{ channel: 'ideas', agents: ['a', 'b', 'c'], instances: 3, messagesPerRound: 6, rounds: 2, messagesPerRun: 12 }]);
  });

  it('serialises the writers of a strong store (T304: the ledger caps the team at 1.25×)', () => {
    // Four checkers (2s) and an auditor (2s) run side by side; the auditor only reads the store.
    const ledger: AgentGraph = {
      nodes: [agent('checker', 2000, { replicas: 4 }), agent('auditor', 2000)],
      edges: [edge('checker', 'auditor', 'store', { channel: 'ledger' })],
    };
    const free = analyzeAgentGraph(ledger);
    expect(free.criticalPath.length).toBe(2000);
    expect(free.amdahl.ceiling).toBe(5);
    // Taking turns, the four checkers' calls follow one another: CP 8s of W 10s, p = 0.2.
    const strong = analyzeAgentGraph(ledger, { serialise: [['checker']] });
    expect(strong.criticalPath).toEqual({ length: 8000, agents: ['checker'] });
    expect(strong.parallelFraction).toBeCloseTo(0.2, 12);
    expect(strong.amdahl.ceiling).toBeCloseTo(1.25, 12);
  });

  it('makes a group of serialised agents take turns across agents', () => {
    const graph: AgentGraph = { nodes: [agent('a', 1000, { replicas: 2 }), agent('b', 3000)], edges: [] };
    const t = agentTimeline(graph, { serialise: [['a', 'b']] });
    expect(t.steps.map((s) => [s.name, s.start, s.finish])).toEqual([
      ['a', 0, 2000],
      ['b', 2000, 5000],
    ]);
    expect(t.criticalPath).toEqual(['a', 'b']);
  });

  it('flags a nearly serial pipeline with its cost ratio (T900)', () => {
    const pipeline: AgentGraph = {
      nodes: ['outliner', 'drafter', 'editor'].map((n) => agent(n, 2000, cost(1000))),
      edges: [edge('outliner', 'drafter'), edge('drafter', 'editor')],
    };
    const report = analyzeAgentGraph(pipeline);
    expect(report.amdahl.speedup).toBe(1);
    expect(report.costRatio).toBe(3);
    expect(report.advice.serial).toBe(true);
    expect(report.advice.lines[0]).toBe('the team is nearly serial: predicted speed-up 1× at 3× the cost of a single agent, which is likely as fast and cheaper');
  });

  it('computes the code review: three reviewers, a join, three voting judges', () => {
    const review: AgentGraph = {
      nodes: [agent('reviewer', 4000, { replicas: 3 }), agent('judge', 12_000, { replicas: 3 })],
      edges: [edge('reviewer', 'judge', 'join', { channel: 'findings' })],
    };
    const report = analyzeAgentGraph(review);
    expect(report.totalWork).toBe(48_000);
    expect(report.criticalPath.length).toBe(16_000);
    expect(report.teamSize).toBe(6);
    expect(report.amdahl.speedup).toBeCloseTo(1 / (1 / 3 + 2 / 3 / 6), 12);
  });

  it('reports bad input as findings and analyses the rest', () => {
    const graph: AgentGraph = {
      nodes: [agent('a', 1000), agent('a', 5), agent('b', -3, { replicas: 0 })],
      edges: [edge('a', 'ghost'), edge('a', 'b', 'join', { messagesPerActivation: Number.NaN })],
    };
    const t = agentTimeline(graph);
    expect(t.findings).toEqual([
      { kind: 'duplicate-name', name: 'a' },
      { kind: 'invalid-number', name: 'b', field: 'latencyMs', value: '-3', used: 0 },
      { kind: 'invalid-number', name: 'b', field: 'replicas', value: '0', used: 1 },
      { kind: 'unknown-name', name: 'ghost', referencedBy: 'a' },
      { kind: 'invalid-number', name: 'a -> b', field: 'messagesPerActivation', value: 'NaN', used: 0 },
    ]);
    expect(t.makespan).toBe(1000);
  });

  it('keeps its figures consistent on random graphs with loops (property)', () => {
    const graphs = fc.integer({ min: 1, max: 7 }).chain((n) =>
      fc.record({
        nodes: fc.array(
          fc.record({
            latency: fc.integer({ min: 0, max: 9 }),
            replicas: fc.integer({ min: 1, max: 4 }),
            activations: fc.integer({ min: 0, max: 3 }),
            maxRounds: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
          }),
          { minLength: n, maxLength: n },
        ),
        edges: fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: n - 1 }),
            to: fc.integer({ min: 0, max: n - 1 }),
            kind: fc.constantFrom('channel' as const, 'join' as const, 'store' as const),
            optional: fc.boolean(),
          }),
          { maxLength: 12 },
        ),
      }),
    );
    fc.assert(
      fc.property(graphs, ({ nodes, edges }) => {
        const graph: AgentGraph = {
          nodes: nodes.map((n, i) => agent(`g${i}`, n.latency * 1000, { replicas: n.replicas, activations: n.activations, ...(n.maxRounds ? { maxRounds: n.maxRounds } : {}) })),
          edges: edges.map((e) => edge(`g${e.from}`, `g${e.to}`, e.kind, { optional: e.optional })),
        };
        const t = agentTimeline(graph);
        expect(t.largestLoad).toBeLessThanOrEqual(t.makespan);
        expect(t.makespan).toBeLessThanOrEqual(t.totalWork);
        const at = new Map(t.steps.map((s) => [s.name, s]));
        const rounds = new Map<string, number>();
        for (const s of t.steps) {
          expect(s.finish).toBeGreaterThanOrEqual(s.start);
          rounds.set(s.agent, Math.max(rounds.get(s.agent) ?? 0, s.round));
        }
        // Rounds of one agent follow each other.
        for (const [name, count] of rounds) for (let k = 2; k <= count; k++) expect(at.get(`${name}#${k}`)!.start).toBeGreaterThanOrEqual(at.get(`${name}#${k - 1}`)!.finish);
        // Every step on the critical path exists, and the path ends at the makespan.
        expect(t.criticalPath.every((name) => at.has(name))).toBe(true);
        if (t.steps.length > 0) expect(at.get(t.criticalPath[t.criticalPath.length - 1]!)!.finish).toBe(t.makespan);
        const report = analyzeAgentGraph(graph);
        expect(report.parallelFraction).toBeGreaterThanOrEqual(0);
        expect(report.parallelFraction).toBeLessThanOrEqual(1);
        expect(JSON.parse(JSON.stringify(report))).toEqual(report);
      }),
      { numRuns: 300, seed: 21 },
    );
  });
});
