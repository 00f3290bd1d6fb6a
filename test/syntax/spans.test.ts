/** Spans: offsets into the text, end exclusive, covering exactly what the node is written as. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentDeclaration, RetryProperty, TakesProperty, TeamDeclaration, TypeDeclaration } from '../../compiler/syntax/ast.js';
import { collectSpans, parseClean, spanNestingProblems, textOf } from './helpers.js';

describe('spans', () => {
  const text = [
    'team Review {',
    '  agent reviewer {',
    '    takes diff, all findings requires causal',
    '    retry 3 backoff exponential 500ms..8s jitter',
    '  }',
    '  type Pair = (A | B)[]?',
    '}',
  ].join('\n');
  const ast = parseClean(text);
  const team = ast.declarations[0] as TeamDeclaration;
  const agent = team.members[0] as AgentDeclaration;
  const takes = agent.members[0] as TakesProperty;
  const retry = agent.members[1] as RetryProperty;
  const pair = team.members[1] as TypeDeclaration;

  it('gives a declaration its keyword, its name and the whole of its text', () => {
    expect(team.span).toEqual({ start: 0, end: text.length });
    expect(textOf(text, team.keyword)).toBe('team');
    expect(textOf(text, team.name.span)).toBe('Review');
    expect(textOf(text, agent.span)).toBe(
      'agent reviewer {\n    takes diff, all findings requires causal\n    retry 3 backoff exponential 500ms..8s jitter\n  }',
    );
    expect(agent.keyword).toEqual({ start: 16, end: 21 });
    expect(agent.name.span).toEqual({ start: 22, end: 30 });
  });

  it('gives a property its keyword and its items their own spans', () => {
    expect(textOf(text, takes.span)).toBe('takes diff, all findings requires causal');
    expect(textOf(text, takes.keyword)).toBe('takes');
    expect(takes.items.map((item) => textOf(text, item.span))).toEqual(['diff', 'all findings requires causal']);
    expect(textOf(text, takes.items[1]!.requires!.span)).toBe('causal');
  });

  it('spans a retry policy, its back-off and its range', () => {
    expect(textOf(text, retry.span)).toBe('retry 3 backoff exponential 500ms..8s jitter');
    expect(textOf(text, retry.backoff!.span)).toBe('backoff exponential 500ms..8s');
    expect(textOf(text, retry.backoff!.delay!.span)).toBe('500ms..8s');
    expect(textOf(text, retry.attempts.span)).toBe('3');
  });

  it('spans types with their parentheses and suffixes', () => {
    expect(textOf(text, pair.type.span)).toBe('(A | B)[]?');
    const optional = pair.type;
    if (optional.kind !== 'OptionalType') throw new Error(optional.kind);
    expect(textOf(text, optional.inner.span)).toBe('(A | B)[]');
    if (optional.inner.kind !== 'ArrayType') throw new Error(optional.inner.kind);
    expect(textOf(text, optional.inner.element.span)).toBe('(A | B)');
  });

  it('uses line and column positions that agree with the source file', () => {
    // `takes` is on line 3, column 5.
    expect(takes.keyword.start).toBe(text.indexOf('takes'));
  });

  it.each(['code-review', 'math-library', 'models', 'research', 'writer-critic'])('nests every span of %s.team inside its parent’s', (name) => {
    const source = readFileSync(new URL(`../../examples/${name}.team`, import.meta.url), 'utf8');
    const ast = parseClean(source);
    expect(collectSpans(ast).length).toBeGreaterThan(40);
    expect(spanNestingProblems(ast, source.length)).toEqual([]);
  });

  it('orders members by where they start', () => {
    const starts = team.members.map((m) => m.span.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });
});
