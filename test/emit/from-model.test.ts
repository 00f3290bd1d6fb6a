/**
 * From the checked model to modules, on small `.team` programs: module layout and imports across
 * files, names that collide after case conversion, recursive and forward-referenced types,
 * defaults, and what cannot be generated. Everything built here is type-checked in one `tsc` run.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EmitError, renderModules, viewsFromModel, writeOutputs, type OutputFile } from '../../compiler/emit/index.js';
import type { ModuleView } from '../../compiler/emit/view-model.js';
import { checkFiles } from '../../compiler/program.js';
import { VirtualClock } from '../../runtime/clock.js';
import { validateDefinition, type TeamDefinition } from '../../runtime/definition.js';
import type { TeamOptions, TeamResult } from '../../runtime/team.js';
import { emitRuntimeDeclarations, scratchDirectory, typeCheck } from './helpers.js';

vi.mock('teamc/runtime', async () => await import('../../runtime/index.js'));

const root = path.join(path.parse(process.cwd()).root, 'project');

/** Checks virtual files (paths relative to `/project`); the first ones are the roots. */
function check(files: Record<string, string>, roots = Object.keys(files).slice(0, 1)) {
  const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(root, name), text]));
  return checkFiles(
    roots.map((name) => path.join(root, name)),
    { readFile: (file) => texts.get(file) },
  );
}

function build(files: Record<string, string>, roots?: string[], unsafe = false): { views: ModuleView[]; outputs: OutputFile[] } {
  const checked = check(files, roots);
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && !unsafe) throw new Error(errors.map((e) => `${e.code} ${e.message}`).join('\n'));
  const views = viewsFromModel(checked.model, checked.program.roots, { cwd: root, version: '0.0.0-test', unsafeProblems: unsafe ? errors.map((e) => e.code) : null });
  return { views, outputs: renderModules(views) };
}

const model = 'model m { provider sim  latency 1s  max_tokens 1k }';
const agent = (name: string, rest: string) => `agent ${name} { model m  timeout 10s  ${rest} }`;

let dir: string;
const toCompile: Array<{ name: string; outputs: OutputFile[] }> = [];
const compiled = (name: string, outputs: OutputFile[]) => {
  toCompile.push({ name, outputs });
  return outputs;
};
const textOf = (outputs: OutputFile[], file: string) => outputs.find((o) => o.path === file)?.text ?? `(no ${file} in ${outputs.map((o) => o.path).join(', ')})`;

beforeAll(() => {
  dir = scratchDirectory('from-model');
});

describe('module layout', () => {
  it('mirrors the sources below their common directory and imports shared declarations relatively', () => {
    const { outputs } = build({
      'app/review.team': `import "../shared/common.team"\nteam Review {\n  input text: string\n  output note: Note from ${'writer'}\n  ${agent('writer', 'takes text  output Note  prompt "{{text}}"')}\n}\n`,
      'shared/common.team': `${model}\ntype Note { body: string  level: Level }\ntype Level = "low" | "high"\n`,
    });
    compiled('layout', outputs);
    expect(outputs.map((o) => o.path)).toEqual(['shared/common.team.ts', 'app/review.ts']);
    const review = textOf(outputs, 'app/review.ts');
    expect(review).toContain("import * as commonTeam from '../shared/common.team.js';");
    expect(review).toContain("{ name: 'note', schema: commonTeam.Note, from: 'writer' },");
    expect(review).toContain('models: [commonTeam.mModel],');
    expect(review).toContain('  note: commonTeam.Note;');
    // Level is declared after Note in the source, but its schema must exist first.
    const common = textOf(outputs, 'shared/common.team.ts');
    expect(common.indexOf('export const Level')).toBeLessThan(common.indexOf('export const Note'));
    expect(common).toContain('level: Level,');
    expect(common).not.toContain('z.lazy');
  });

  it('imports only what a module uses (an unused import fails noUnusedLocals)', () => {
    const { outputs } = build({
      'refs.team': `import "shared.team"\nteam Refs {\n  input n: Note\n  output m: Note from w\n  ${agent('w', 'takes n  output Note  prompt "{{n.body}}"')}\n}\n`,
      'shared.team': `${model}\ntype Note { body: string }\n`,
    });
    compiled('imports', outputs);
    const refs = textOf(outputs, 'refs.ts');
    expect(refs).not.toContain("from 'zod'");
    expect(refs).toContain("import * as teamc from 'teamc/runtime';");
    expect(refs).toContain("import * as sharedTeam from './shared.team.js';");
    expect(textOf(outputs, 'shared.team.ts')).toContain("import { z } from 'zod';");
  });

  it('gives teams whose file names collide distinct modules, in declaration order', () => {
    const { outputs } = build({
      'two.team': `${model}\nteam Code_Review {\n  input a: string\n  output b: string from w\n  ${agent('w', 'takes a  output string  prompt "{{a}}"')}\n}\nteam CodeReview {\n  input a: string\n  output b: string from w\n  ${agent('w', 'takes a  output string  prompt "{{a}}"')}\n}\n`,
    });
    compiled('collide', outputs);
    expect(outputs.map((o) => o.path)).toEqual(['two.team.ts', 'code-review.ts', 'code-review-2.ts']);
    expect(textOf(outputs, 'code-review.ts')).toContain('export const codeReview = teamc.defineTeam');
    expect(textOf(outputs, 'code-review-2.ts')).toContain('export const codeReview = teamc.defineTeam');
  });
});

describe('names', () => {
  it('resolve collisions after case conversion deterministically, the public API keeping its names', () => {
    const files = {
      'names.team': `${model}\nteam Review {\n  input text: string\n  output out: safe_add from w\n  type safe_add { x: string }\n  type SafeAdd { y: safe_add }\n  type ReviewInput = "a" | "b"\n  type class = "c"\n  ${agent('w', 'takes text  output safe_add  prompt "{{text}}"')}\n  ${agent('W', 'takes text  output SafeAdd  prompt "{{text}}"')}\n}\n`,
    };
    const { outputs } = build(files);
    compiled('names', outputs);
    const text = textOf(outputs, 'review.ts');
    expect(text).toContain('export interface SafeAdd {\n  x: string;\n}');
    expect(text).toContain('export interface SafeAdd2 {\n  y: SafeAdd;\n}');
    expect(text).toContain("export type ReviewInput2 = 'a' | 'b';");
    expect(text).toContain('export interface ReviewInput {\n  text: string;\n}');
    expect(text).toContain("export type Class = 'c';");
    expect(text).toContain('const wPrompt = ');
    expect(text).toContain('const wPrompt2 = ');
    expect(build(files).outputs).toEqual(outputs);
  });
});

describe('types', () => {
  it('build recursive and mutually recursive schemas with z.lazy only where needed', () => {
    const { outputs } = build({
      'tree.team': `${model}\nteam Trees {\n  input seed: string\n  output tree: Tree from w\n  type Tree { label: string  children: Tree[]  meta?: Meta  first: Forest? }\n  type Meta { tags: string[] }\n  type Forest { trees: Tree[] }\n  ${agent('w', 'takes seed  output Tree  prompt "{{seed}}"')}\n}\n`,
    });
    compiled('recursive', outputs);
    const text = textOf(outputs, 'trees.ts');
    // Meta and Forest come first (Tree needs them); Forest's use of Tree closes the cycle, lazily.
    expect(text.indexOf('export const Meta')).toBeLessThan(text.indexOf('export const Forest'));
    expect(text.indexOf('export const Forest')).toBeLessThan(text.indexOf('export const Tree'));
    expect(text).toContain('trees: z.array(z.lazy(() => Tree)),');
    expect(text).toContain('children: z.array(z.lazy(() => Tree)),');
    expect(text).toContain('meta: Meta.optional(),');
    expect(text).toContain('first: Forest.optional(),');
    expect(text).toContain('  first?: Forest | undefined;');
    expect(text.match(/z\.lazy/g)).toHaveLength(2);
  });

  it('run: the simulator answers recursive types through z.lazy, and the runtime validates them', async () => {
    const out = path.join(dir, 'recursive-run');
    writeOutputs(out, toCompile.find((c) => c.name === 'recursive')!.outputs);
    const generated = (await import(/* @vite-ignore */ path.join(out, 'trees.ts'))) as {
      runTrees(input: { seed: string }, options: TeamOptions): Promise<TeamResult<{ tree: { label: string; children: unknown[] } }>>;
      Tree: { parse(value: unknown): unknown };
    };
    const clock = new VirtualClock();
    const result = await clock.run(generated.runTrees({ seed: 'oak' }, { provider: 'sim', clock, seed: 9 }));
    expect(result.ok ? 'ok' : result.error).toBe('ok');
    if (result.ok) expect(generated.Tree.parse(result.output.tree)).toEqual(result.output.tree);
  });

  it('turns literal unions into enums and keeps mixed unions as unions', () => {
    const { outputs } = build({
      'u.team': `${model}\ntype Mixed = "a" | string | int\ntype One = "only" | "only"\nteam U {\n  input x: "p" | "q" | "p"\n  output y: Mixed from w\n  ${agent('w', 'takes x  output Mixed  prompt "{{x}}"')}\n}\n`,
    });
    compiled('unions', outputs);
    const shared = textOf(outputs, 'u.team.ts');
    expect(shared).toContain("export const Mixed: z.ZodType<Mixed> = z.union([z.literal('a'), z.string(), z.int()]);");
    expect(shared).toContain("export const One: z.ZodType<One> = z.literal('only');");
    expect(textOf(outputs, 'u.ts')).toContain("{ name: 'x', schema: z.enum(['p', 'q']) },");
  });

  it('refuse field names zod cannot carry, naming them', () => {
    expect(() => build({ 'p.team': `type P { __proto__: string }\n` })).toThrow(EmitError);
    expect(() => build({ 'p.team': `type P { toString?: string }\n` })).toThrow(/optional field toString/);
    const { outputs } = build({ 'p.team': `type P { constructor: string  valueOf: int }\n` });
    compiled('prototype-names', outputs);
    expect(textOf(outputs, 'p.team.ts')).toContain('constructor: z.string(),');
  });
});

describe('definitions', () => {
  let built: { views: ModuleView[]; outputs: OutputFile[] };
  beforeAll(() => {
    built = build({
      'full.team': [
        model,
        'tool post_comment(file: string, text: string) -> string { effect  key file  timeout 5s }',
        'team Full {',
        '  input  topic: string',
        '  output verdict: Verdict from decide',
        '  budget $2',
        '  type Verdict { decision: "yes" | "no" }',
        '  store log: string[] { consistency strong }',
        '  channel ideas: string { ordering total  delivery at_least_once  capacity 4  backpressure block }',
        `  ${agent('thinker', 'takes topic  emits ideas  output string[]  calls post_comment  writes log  prompt "Ideas about {{topic}}"  retry 3')}`,
        `  ${agent('judge', 'takes all ideas requires total  reads log requires strong  output Verdict  prompt "{{#each ideas}}{{this}}{{/each}}"')}`,
        '  consensus decide over judge { replicas 3  quorum 2  faults 1 crash  agree on decision  rounds 2  tie_break first  protocol leader }',
        '}',
      ].join('\n'),
    });
    compiled('full', built.outputs);
  });

  it('carry every guarantee, policy and default the model holds', () => {
    const team = built.views.find((v) => v.team)!.team!;
    expect(team.channels[0]).toMatchObject({ ordering: 'total', delivery: 'at_least_once', capacity: 4, backpressure: 'block' });
    expect(team.stores[0]).toMatchObject({ consistency: 'strong', merge: null });
    const thinker = team.agents[0]!;
    // `retry 3` without a back-off: attempts follow one another with no pause.
    expect(thinker.policy.retry).toEqual({ attempts: 3, backoff: 'constant', minMs: 0, maxMs: 0, jitter: false });
    expect(thinker.calls).toEqual(['post_comment']);
    expect(team.agents[1]!.takes[0]).toMatchObject({ all: true, requires: 'total' });
    expect(team.consensus[0]).toMatchObject({ quorumCount: 2, quorumWord: null, protocol: 'leader', tieBreak: 'first', rounds: 2, agreeOn: ['decision'] });
    expect(team.budget).toEqual({ tokens: null, dollars: 2 });
    expect(team.tools).toEqual([{ module: 'fullTeam', id: 'postCommentTool' }]);
    const shared = textOf(built.outputs, 'full.team.ts');
    expect(shared).toContain("input: z.object({ file: z.string(), text: z.string() }),");
    expect(shared).toContain("idempotencyKey: ['file'],");
  });

  it('load as valid definitions that the runtime accepts', async () => {
    const out = path.join(dir, 'full-run');
    writeOutputs(out, built.outputs);
    const generated = (await import(/* @vite-ignore */ path.join(out, 'full.ts'))) as { full: TeamDefinition };
    expect(validateDefinition(generated.full)).toEqual([]);
    expect(generated.full.tools[0]).toMatchObject({ name: 'post_comment', kind: 'effect', idempotencyKey: ['file'], timeoutMs: 5000 });
  });
});

describe('unsafe builds', () => {
  it('keep a consensus with no rounds bound unbounded (the runtime refuses it unless allowUnsafe); a tie-break alone is one round', () => {
    const { views, outputs } = build(
      {
        'v.team': `${model}\nteam V {\n  input a: string\n  output b: string from decide\n  ${agent('j', 'takes a  output string  prompt "{{a}}"')}\n  consensus decide over j { replicas 3  quorum majority  faults 1 crash }\n}\n`,
      },
      undefined,
      true,
    );
    compiled('unsafe', outputs);
    expect(views[views.length - 1]!.team!.consensus[0]).toMatchObject({ rounds: null, tieBreak: 'reject' });
    expect(views.every((v) => v.header.unsafe !== null)).toBe(true);
    const { views: tieBreakOnly } = build(
      {
        't.team': `${model}\nteam T {\n  input a: string\n  output b: string from decide\n  ${agent('j', 'takes a  output string  prompt "{{a}}"')}\n  consensus decide over j { replicas 3  quorum majority  faults 1 crash  tie_break first }\n}\n`,
      },
      undefined,
      true,
    );
    expect(tieBreakOnly[tieBreakOnly.length - 1]!.team!.consensus[0]).toMatchObject({ rounds: 1, tieBreak: 'first' });
  });

  it('refuse an agent with no model or no prompt: no code can stand in for them', () => {
    expect(() =>
      build({ 'n.team': `team N {\n  input a: string\n  output b: string from w\n  agent w { takes a  output string  timeout 1s }\n}\n` }, undefined, true),
    ).toThrow(/agent w of team N has no prompt[\s\S]*agent w of team N has no model|agent w of team N has no model[\s\S]*no prompt/);
  });
});

describe('everything built above', () => {
  it('compiles under the real tsc --strict, in one run', () => {
    expect(toCompile.length).toBeGreaterThanOrEqual(8);
    emitRuntimeDeclarations(dir);
    for (const { name, outputs } of toCompile) writeOutputs(path.join(dir, name), outputs);
    const result = typeCheck(dir);
    expect(result.output).toBe('');
  });
});
