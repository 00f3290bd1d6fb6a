/** The example teams parse with no diagnostics, into the structure they are written as. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AgentDeclaration, Declaration, Member, TeamDeclaration } from '../../compiler/syntax/ast.js';
import { parse } from './helpers.js';

const examplesDirectory = new URL('../../examples/', import.meta.url);
const exampleFiles = readdirSync(examplesDirectory).filter((file) => file.endsWith('.team'));

function parseExample(file: string) {
  return parse(readFileSync(new URL(file, examplesDirectory), 'utf8'), file);
}

function kinds(members: readonly (Member | Declaration)[]): string[] {
  return members.map((m) => m.kind);
}

describe('examples', () => {
  it('has the example files', () => {
    expect(exampleFiles.sort()).toEqual(['code-review.team', 'math-library.team', 'models.team', 'research.team', 'writer-critic.team']);
  });

  it.each(exampleFiles)('%s parses with no diagnostics', (file) => {
    const result = parseExample(file);
    expect(result.diagnostics).toEqual([]);
    expect(result.ast.declarations.length).toBeGreaterThan(0);
    // Every example opens with a comment; the formatter keeps them.
    expect(result.comments.length).toBeGreaterThan(0);
  });

  it('reads code-review.team as written', () => {
    const { ast } = parseExample('code-review.team');
    expect(ast.imports.map((i) => i.path.value)).toEqual(['models.team']);
    const team = ast.declarations[0] as TeamDeclaration;
    expect(team.name.name).toBe('CodeReview');
    expect(kinds(team.members)).toEqual([
      'Doc', 'Input', 'Output', 'Value', 'Budget', 'Type', 'Type', 'Type', 'Store', 'Channel', 'Agent', 'Agent', 'Agent', 'Consensus',
    ]);
    const reviewer = team.members[10] as AgentDeclaration;
    expect(kinds(reviewer.members)).toEqual([
      'Value', 'ModelReference', 'Takes', 'Writes', 'Emits', 'Output', 'Prompt', 'Value', 'Retry', 'Breaker', 'Fallback',
    ]);
    const prompt = reviewer.members[6]!;
    expect(prompt).toMatchObject({
      kind: 'Prompt',
      source: {
        kind: 'inline',
        text: {
          triple: true,
          value:
            'You are a careful code reviewer. Report each problem in this diff as a finding\n' +
            'with its file, line, severity and a one-sentence message.\n\n{{diff}}',
        },
      },
    });
  });

  it('reads the twenty tasks of math-library.team', () => {
    const { ast } = parseExample('math-library.team');
    const team = ast.declarations[0] as TeamDeclaration;
    const work = team.members.find((m) => m.kind === 'Work');
    if (work?.kind !== 'Work') throw new Error('no work graph');
    expect(work.by.name).toBe('dev');
    const tasks = work.members.filter((m) => m.kind === 'Task');
    expect(tasks).toHaveLength(20);
    expect(tasks[17]).toMatchObject({
      name: { name: 'tests_basic' },
      members: [
        { kind: 'After', tasks: [{ name: 'safe_add' }, { name: 'safe_div' }, { name: 'pow' }, { name: 'clamp' }] },
        { kind: 'Writes', targets: [{ kind: 'String', value: 'test_basic.py' }] },
      ],
    });
  });

  it('reads the models of models.team with their prices', () => {
    const { ast } = parseExample('models.team');
    expect(ast.declarations.map((d) => d.name.name)).toEqual(['fast', 'smart']);
    expect(ast.declarations[0]).toMatchObject({
      kind: 'Model',
      members: [
        { key: 'provider', value: { name: 'openai' } },
        { key: 'name', value: { value: 'gpt-4o-mini' } },
        { key: 'temperature', value: { value: 0.2 } },
        { key: 'latency', value: { ms: 4000 } },
        { key: 'max_tokens', value: { value: 2000 } },
        { kind: 'Price', input: { dollars: 0.15 }, output: { dollars: 0.6 }, per: { value: 1_000_000 } },
      ],
    });
  });
});
