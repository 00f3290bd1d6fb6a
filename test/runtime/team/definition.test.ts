import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertValidDefinition,
  consistencySatisfies,
  orderingSatisfies,
  readPath,
  resolveQuorum,
  TeamDefinitionError,
  validateDefinition,
  type TeamDefinition,
} from '../../../runtime/definition.js';
import { codeReviewTeam } from './teams.js';

describe('TeamDefinition', () => {
  it('the hand-written code review is a valid definition', () => {
    expect(validateDefinition(codeReviewTeam())).toEqual([]);
  });

  it('reports every dangling name, with where it is', () => {
    const team = codeReviewTeam();
    const broken: TeamDefinition = {
      ...team,
      outputs: [{ name: 'verdict', schema: z.string(), from: 'nobody' }],
      agents: team.agents.map((a) =>
        a.name === 'judge'
          ? { ...a, model: 'huge', takes: [{ source: 'findingz', from: 'channel', all: true, optional: false }], reads: [{ store: 'memo' }] }
          : a,
      ),
      consensus: team.consensus.map((c) => ({ ...c, quorum: 4 })),
    };
    const problems = validateDefinition(broken);
    expect(problems.map((p) => p.path)).toEqual([
      'outputs.verdict.from',
      'agents.judge.model',
      'agents.judge.takes.findingz',
      'agents.judge.reads.memo',
      'consensus.decide.quorum',
    ]);
    expect(() => assertValidDefinition(broken)).toThrow(TeamDefinitionError);
    expect(() => assertValidDefinition(broken)).toThrow(/unknown channel "findingz"/);
  });

  it('rejects a work graph with a dependency cycle and a fallback chain that loops', () => {
    const team = codeReviewTeam();
    const broken: TeamDefinition = {
      ...team,
      agents: team.agents.map((a) => (a.name === 'reviewer_lite' ? { ...a, policy: { ...a.policy, fallback: ['reviewer'] } } : a)),
      work: [
        {
          name: 'w',
          by: 'reviewer',
          assign: { policy: 'claim' },
          tasks: [
            { name: 'a', after: ['b'], weight: 1, writes: [] },
            { name: 'b', after: ['a'], weight: 1, writes: [] },
          ],
        },
      ],
    };
    const messages = validateDefinition(broken).map((p) => p.message);
    expect(messages).toContain('fallback chain loops: reviewer -> reviewer_lite -> reviewer');
    expect(messages).toContain('dependency cycle: a -> b -> a');
  });

  it('orders guarantees weakest first', () => {
    expect(orderingSatisfies('causal', 'fifo')).toBe(true);
    expect(orderingSatisfies('fifo', 'causal')).toBe(false);
    expect(orderingSatisfies('total', 'causal')).toBe(true);
    expect(consistencySatisfies('strong', 'causal')).toBe(true);
    expect(consistencySatisfies('eventual', 'causal')).toBe(false);
  });

  it('resolves quorums and reads field paths', () => {
    expect(resolveQuorum('majority', 3)).toBe(2);
    expect(resolveQuorum('majority', 4)).toBe(3);
    expect(resolveQuorum('all', 5)).toBe(5);
    expect(resolveQuorum(2, 5)).toBe(2);
    expect(readPath({ a: { b: true } }, 'a.b')).toBe(true);
    expect(readPath({ a: null }, 'a.b')).toBeUndefined();
  });
});
