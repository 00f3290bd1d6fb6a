import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definitionData, toTeamDefinition } from '../../compiler/definition/index.js';
import { parseInputs } from '../../compiler/definition/inputs.js';
import { validateDefinition } from '../../runtime/definition.js';
import { exampleTeam, teamFromText } from './helpers.js';

const shapes = `
model m { provider sim  latency 1s  max_tokens 100  price input $1 output $2 per 1M }
team Shapes {
  input count: int
  input label: string
  input mode: "fast" | "slow"
  output tree: Tree from grow
  type Tree { label: string  note?: string  extra: int?  children: Tree[] }
  agent grow {
    model m
    takes count, label, mode
    output Tree
    prompt "Grow {{label}} {{count}} {{mode}}"
  }
}
`;

describe('model types as zod schemas', () => {
  const { team, errors } = teamFromText(shapes);
  const definition = toTeamDefinition(team);
  const schemaOf = (name: string) => definition.inputs.find((i) => i.name === name)!.schema;

  it('checks cleanly (the fixture is a valid team)', () => {
    expect(errors).toEqual([]);
    expect(validateDefinition(definition)).toEqual([]);
  });

  it('int is a whole number, a literal union is an enum', () => {
    expect(schemaOf('count').safeParse(3).success).toBe(true);
    expect(schemaOf('count').safeParse(3.5).success).toBe(false);
    expect(schemaOf('mode').safeParse('fast').success).toBe(true);
    expect(schemaOf('mode').safeParse('medium').success).toBe(false);
  });

  it('a recursive named type validates nested values; optional fields may be absent, either spelling', () => {
    const tree = definition.agents[0]!.output;
    const value = { label: 'a', children: [{ label: 'b', note: 'n', extra: 2, children: [] }] };
    expect(tree.safeParse(value).success).toBe(true);
    expect(tree.safeParse({ label: 'a', children: [{ label: 'b', children: [{ label: 3, children: [] }] }] }).success).toBe(false);
    expect(tree.safeParse({ label: 'a' }).success).toBe(false);
    // The output and the agent's output name the same declaration: one shared schema object.
    expect(definition.outputs[0]!.schema).toBe(tree);
    expect(z.toJSONSchema(tree, { cycles: 'ref' })).toBeTruthy();
  });
});

describe('toTeamDefinition on the examples', () => {
  it('code-review: every guarantee, policy and the consensus are carried over', () => {
    const definition = toTeamDefinition(exampleTeam('code-review'));
    expect(validateDefinition(definition)).toEqual([]);
    expect(definition.deadlineMs).toBe(600_000);
    expect(definition.budget).toEqual({ tokens: 200_000 });
    expect(definition.channels).toMatchObject([{ name: 'findings', ordering: 'causal', delivery: 'exactly_once' }]);
    expect(definition.stores).toMatchObject([{ name: 'notes', consistency: 'causal', merge: 'append' }]);
    const reviewer = definition.agents.find((a) => a.name === 'reviewer')!;
    expect(reviewer).toMatchObject({ model: 'fast', replicas: 3, writes: ['notes'], emits: [{ channel: 'findings' }] });
    expect(reviewer.policy).toEqual({
      timeoutMs: 30_000,
      retry: { attempts: 3, backoff: 'exponential', minMs: 500, maxMs: 8000, jitter: true },
      breaker: { failures: 5, windowMs: 60_000, cooldownMs: 30_000 },
      fallback: ['reviewer_lite'],
    });
    expect(reviewer.prompt).toContain('{{diff}}');
    const judge = definition.agents.find((a) => a.name === 'judge')!;
    expect(judge.takes).toEqual([{ source: 'findings', from: 'channel', all: true, optional: false, requires: 'causal' }]);
    expect(judge.reads).toEqual([{ store: 'notes', requires: 'causal' }]);
    expect(definition.consensus).toEqual([
      { name: 'decide', over: 'judge', replicas: 3, quorum: 'majority', faults: { count: 1, model: 'crash' }, agreeOn: ['decision'], rounds: 2, tieBreak: 'reject', protocol: 'vote' },
    ]);
    expect(definition.models.find((m) => m.name === 'smart')).toMatchObject({ model: 'gpt-4o', latencyMs: 12_000, maxTokens: 4000, price: { inputPerMillion: 2.5, outputPerMillion: 10 } });
  });

  it('math-library: the work graph with its tasks, weights and writes; a prompt file\'s text', () => {
    const definition = toTeamDefinition(exampleTeam('math-library'));
    expect(validateDefinition(definition)).toEqual([]);
    const [work] = definition.work;
    expect(work).toMatchObject({ name: 'library', by: 'dev', assign: { policy: 'claim' } });
    expect(work!.tasks).toHaveLength(20);
    expect(work!.tasks.find((t) => t.name === 'sqrt')).toEqual({ name: 'sqrt', after: ['div', 'mul'], weight: 2, writes: ['sqrt.py'] });
    expect(definition.agents[0]!.prompt.length).toBeGreaterThan(0);
    expect(definition.agents[0]!.prompt).not.toContain('prompts/implement.hbs');
  });

  it('writer-critic and research: gated emits, optional takes, max rounds and hedges', () => {
    const writerCritic = toTeamDefinition(exampleTeam('writer-critic'));
    expect(validateDefinition(writerCritic)).toEqual([]);
    expect(writerCritic.agents.find((a) => a.name === 'critic')!.emits).toEqual([{ channel: 'reviews', unless: 'approved' }]);
    expect(writerCritic.agents.find((a) => a.name === 'writer')).toMatchObject({ maxRounds: 4, takes: [{ source: 'brief', from: 'input' }, { source: 'reviews', optional: true }] });
    expect(writerCritic.channels.find((c) => c.name === 'drafts')).toMatchObject({ ordering: 'fifo', maxRounds: 4 });
    const research = toTeamDefinition(exampleTeam('research'));
    expect(validateDefinition(research)).toEqual([]);
    expect(research.agents.find((a) => a.name === 'researcher')!.policy.hedge).toEqual({ afterMs: 30_000 });
  });

  it('definitionData is plain data: schemas are the model types, nothing is a function', () => {
    const data = definitionData(exampleTeam('code-review'));
    expect(data.inputs[0]!.schema).toEqual({ kind: 'string' });
    const hasFunction = (value: unknown, seen = new Set<unknown>()): boolean => {
      if (typeof value === 'function') return true;
      if (value === null || typeof value !== 'object' || seen.has(value)) return false;
      seen.add(value);
      return Object.values(value).some((v) => hasFunction(v, seen));
    };
    expect(hasFunction({ ...data, inputs: [], outputs: [], channels: [], stores: [], tools: [], agents: data.agents.map((a) => ({ ...a, output: null })) })).toBe(false);
  });
});

describe('command-line inputs per declared type', () => {
  const { team } = teamFromText(shapes);

  it('text for strings and literal choices, JSON for the rest', () => {
    const parsed = parseInputs(team, [
      { name: 'label', text: '{"not": "json for a string"}' },
      { name: 'mode', text: 'slow' },
      { name: 'count', text: '42' },
    ]);
    expect(parsed).toEqual({ values: { label: '{"not": "json for a string"}', mode: 'slow', count: 42 }, errors: [], missing: [] });
  });

  it('reports unknown names, bad JSON and what is missing', () => {
    const parsed = parseInputs(team, [
      { name: 'lable', text: 'x' },
      { name: 'count', text: 'three' },
    ]);
    expect(parsed.errors).toEqual([
      '--input lable: team Shapes has no input `lable` (its inputs: count, label, mode)',
      '--input count: `count` is a whole number, so its value must be JSON; got "three"',
    ]);
    expect(parsed.missing.map((i) => i.name)).toEqual(['count', 'label', 'mode']);
  });
});
