/**
 * The examples are complete teams: each checks clean, and its checked model says what the file
 * says (the graph both ways, policies in milliseconds, prompt files read, defaults applied).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFiles, type CheckedProgram } from '../../compiler/program.js';
import { described } from './helpers.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
const host = { readFile: (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined) };
const checkExample = (name: string): CheckedProgram => checkFiles([path.join(examples, name)], host);

describe('every example checks clean', () => {
  const files = fs.readdirSync(examples).filter((name) => name.endsWith('.team'));
  it.each(files)('%s', (name) => {
    expect(described(checkExample(name))).toEqual([]);
  });
});

describe('the checked model of the examples', () => {
  it('code review: replicas, a fallback, a join, a causal store and a vote', () => {
    const team = checkExample('code-review.team').model.teams[0]!;
    expect(team).toMatchObject({ name: 'CodeReview', deadlineMs: 600_000, budget: { tokens: 200_000 } });
    expect([...team.models.keys()]).toEqual(['fast', 'smart']);
    expect(team.models.get('smart')).toMatchObject({ provider: 'openai', modelName: 'gpt-4o', latencyMs: 12_000, maxTokens: 4000, price: { inputPerMillion: 2.5, outputPerMillion: 10 } });
    expect(team.channels.get('findings')).toMatchObject({ ordering: 'causal', delivery: 'exactly_once', producers: ['reviewer', 'reviewer_lite'], consumers: ['judge'] });
    expect(team.stores.get('notes')).toMatchObject({ consistency: 'causal', merge: 'append', writers: ['reviewer', 'reviewer_lite'], readers: ['judge'] });
    const reviewer = team.agents.get('reviewer')!;
    expect(reviewer).toMatchObject({ model: 'fast', replicas: 3, maxTokens: 2000, helperOnly: false });
    expect(reviewer.policy).toMatchObject({
      timeoutMs: 30_000,
      retry: { attempts: 3, jitter: true, backoff: { strategy: 'exponential', minMs: 500, maxMs: 8000 } },
      breaker: { failures: 5, windowMs: 60_000, cooldownMs: 30_000 },
      fallback: ['reviewer_lite'],
    });
    expect(reviewer.emits).toMatchObject([{ channel: 'findings', perElement: true }]);
    expect(team.agents.get('reviewer_lite')).toMatchObject({ helperOnly: true, roles: { fallbackFor: ['reviewer'] } });
    const judge = team.agents.get('judge')!;
    expect(judge.takes).toMatchObject([{ source: 'findings', from: 'channel', all: true, requires: 'causal', variableType: { kind: 'array' } }]);
    expect(judge.reads).toMatchObject([{ store: 'notes', requires: 'causal' }]);
    expect(judge.roles.consensus).toEqual(['decide']);
    expect(team.consensus.get('decide')).toMatchObject({ over: 'judge', replicas: 3, quorum: 'majority', quorumSize: 2, faults: { count: 1, model: 'crash' }, agreeOn: [['decision']], rounds: 2, tieBreak: 'reject', protocol: 'vote' });
    expect(team.outputs.get('verdict')).toMatchObject({ from: 'decide', fromKind: 'consensus', type: { kind: 'named', name: 'Verdict' } });
    expect(team.inputs.get('diff')!.consumers).toEqual(['reviewer', 'reviewer_lite']);
    expect(team.modelUsers.get('fast')).toEqual(['reviewer', 'reviewer_lite']);
  });

  it('math library: a work graph of twenty tasks and a prompt file', () => {
    const checked = checkExample('math-library.team');
    const team = checked.model.teams[0]!;
    const work = team.work.get('library')!;
    expect(work).toMatchObject({ by: 'dev', assign: { policy: 'claim' }, output: { kind: 'array', element: { kind: 'named', name: 'Patch' } } });
    expect(work.tasks.size).toBe(20);
    expect(work.tasks.get('stddev')).toMatchObject({ after: ['variance', 'sqrt'], weight: 1, writes: ['stddev.py'] });
    expect(work.tasks.get('div')!.weight).toBe(2);
    expect(work.tasks.get('core')!.doc).toBe('Number parsing and formatting');
    const dev = team.agents.get('dev')!;
    expect(dev.roles.workerOf).toEqual(['library']);
    expect(dev.prompt).toMatchObject({ inline: false, file: path.join(examples, 'prompts/implement.hbs') });
    expect(dev.prompt!.text).toContain('{{task.name}}');
    expect(checked.model.promptFiles.has(path.join(examples, 'prompts/implement.hbs'))).toBe(true);
    expect(team.budget).toMatchObject({ tokens: 1_500_000, dollars: 8 });
  });

  it('writer and critic: an optional take, an exit condition and round bounds', () => {
    const team = checkExample('writer-critic.team').model.teams[0]!;
    const writer = team.agents.get('writer')!;
    expect(writer.takes[1]).toMatchObject({ source: 'reviews', optional: true, variableType: { kind: 'optional' } });
    expect(writer.maxRounds).toBe(4);
    expect(team.agents.get('critic')!.emits).toMatchObject([{ channel: 'reviews', unless: ['approved'], perElement: false }]);
    expect(team.channels.get('drafts')).toMatchObject({ maxRounds: 4, ordering: 'fifo' });
    expect(team.channels.get('reviews')).toMatchObject({ producers: ['critic'], consumers: ['writer'] });
  });

  it('research: fan-out per element, fan-in with a join, a hedge', () => {
    const team = checkExample('research.team').model.teams[0]!;
    expect(team.agents.get('planner')!.emits).toMatchObject([{ channel: 'questions', perElement: true }]);
    expect(team.agents.get('researcher')!.policy.hedge).toEqual({ afterMs: 30_000 });
    expect(team.agents.get('synthesiser')!.takes.map((t) => [t.source, t.from, t.all])).toEqual([
      ['question', 'input', false],
      ['answers', 'channel', true],
    ]);
  });

  it('shares the imported models between teams: one object per declaration', () => {
    const checked = checkFiles(['code-review.team', 'writer-critic.team'].map((name) => path.join(examples, name)), host);
    const [review, critic] = checked.model.teams;
    expect(review!.models.get('fast')).toBe(critic!.models.get('fast'));
    expect(checked.model.files.get(path.join(examples, 'models.team'))!.models.size).toBe(2);
  });
});
