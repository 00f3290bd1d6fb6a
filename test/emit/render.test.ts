/**
 * Rendering hand-built view models: snapshots, byte stability, the template rules (no raw
 * interpolation, only known helpers, strict), the real `tsc --strict` over the output and a user
 * program importing it, and the generated teams running on the runtime.
 */
import Handlebars from 'handlebars';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { helpers, renderModule, RenderError } from '../../compiler/emit/render.js';
import { templates } from '../../compiler/emit/templates.js';
import { templatesModuleText } from '../../compiler/emit/sync-templates.js';
import { renderModules } from '../../compiler/emit/index.js';
import type { ModelView, ModuleView } from '../../compiler/emit/view-model.js';
import { VirtualClock } from '../../runtime/clock.js';
import { validateDefinition, type TeamDefinition } from '../../runtime/definition.js';
import type { TeamOptions, TeamResult } from '../../runtime/team.js';
import { emitRuntimeDeclarations, scratchDirectory, typeCheck, writeFiles } from './helpers.js';
import { codeReviewModule, modelsModule, sinkModule } from './views.js';

vi.mock('teamc/runtime', async () => await import('../../runtime/index.js'));

const modules = [modelsModule, codeReviewModule, sinkModule];

describe('templates', () => {
  it('the embedded copy matches templates/*.hbs (run `npx tsx compiler/emit/sync-templates.ts`)', () => {
    const embedded = fs.readFileSync(new URL('../../compiler/emit/templates.ts', import.meta.url), 'utf8');
    expect(embedded).toBe(templatesModuleText());
  });

  // Every value reaches the output through an escaping helper: `{{name}}` alone would print raw
  // text (noEscape is on), so it is not allowed anywhere.
  it('print values only through the escaping helpers, and call only known helpers and partials', () => {
    const allowedHelpers = new Set(Object.keys(helpers));
    const builtinBlocks = new Set(['if', 'unless', 'each', 'with']);
    const problems: string[] = [];
    const visit = (template: string, node: hbs.AST.Node): void => {
      const n = node as unknown as Record<string, unknown> & { type: string };
      if (n.type === 'MustacheStatement' || n.type === 'SubExpression') {
        const call = n as unknown as hbs.AST.MustacheStatement;
        const name = (call.path as hbs.AST.PathExpression).original;
        if (call.params.length === 0) problems.push(`${template}: {{${name}}} prints a raw value`);
        else if (!allowedHelpers.has(name)) problems.push(`${template}: unknown helper ${name}`);
      }
      if (n.type === 'BlockStatement') {
        const name = ((n as unknown as hbs.AST.BlockStatement).path as hbs.AST.PathExpression).original;
        if (!builtinBlocks.has(name)) problems.push(`${template}: unknown block helper ${name}`);
      }
      if (n.type === 'PartialStatement') {
        const name = ((n as unknown as hbs.AST.PartialStatement).name as hbs.AST.PathExpression).original;
        if (!(name in templates)) problems.push(`${template}: unknown partial ${name}`);
      }
      for (const value of Object.values(n)) {
        if (Array.isArray(value)) value.forEach((child) => child && typeof child === 'object' && 'type' in child && visit(template, child));
        else if (value && typeof value === 'object' && 'type' in value && key(value) !== 'loc') visit(template, value as hbs.AST.Node);
      }
    };
    const key = (value: object) => (value as { type?: string }).type;
    for (const [name, source] of Object.entries(templates)) visit(name, Handlebars.parse(source));
    expect(problems).toEqual([]);
    expect(Object.keys(templates).length).toBeGreaterThan(5);
  });

  it('are strict: a view missing a printed field fails instead of printing nothing', () => {
    const { name, ...nameless } = modelsModule.models[0]!;
    expect(name).toBe('fast');
    expect(() => renderModule({ ...modelsModule, models: [nameless as ModelView] })).toThrow(/expects a string, got undefined/);
  });

  // Handlebars' strict mode does not reach `{{#if x}}` and `{{#each x}}` (a misspelt section would
  // silently vanish), so every field a template names must be a key of the view model.
  it('name only fields the view model has', () => {
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) (keys.add(k), collect(v));
    };
    modules.forEach(collect);
    const unknown = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const n = node as { type?: string; parts?: string[]; data?: boolean; original?: string };
      if (n.type === 'PathExpression' && !n.data && n.original !== 'this') {
        const isHelperOrPartial = n.parts!.length === 1 && (n.parts![0]! in helpers || n.parts![0]! in templates || ['if', 'unless', 'each', 'with'].includes(n.parts![0]!));
        for (const part of n.parts!) if (!keys.has(part) && !isHelperOrPartial) unknown.add(`${n.original}`);
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'loc') visit(v);
    };
    for (const source of Object.values(templates)) visit(Handlebars.parse(source));
    expect([...unknown]).toEqual([]);
  });

  it('refuse values that are not what the view model promises', () => {
    const badId: ModuleView = { ...modelsModule, models: [{ ...modelsModule.models[0]!, id: 'not an identifier' }] };
    expect(() => renderModule(badId)).toThrow(RenderError);
    const reserved: ModuleView = { ...modelsModule, models: [{ ...modelsModule.models[0]!, id: 'class' }] };
    expect(() => renderModule(reserved)).toThrow(/not an identifier/);
    const nan: ModuleView = { ...modelsModule, models: [{ ...modelsModule.models[0]!, latencyMs: Number.NaN }] };
    expect(() => renderModule(nan)).toThrow(/finite number/);
    const unknownKind = { ...codeReviewModule, types: [{ id: 'X', type: { kind: 'date' } }] } as unknown as ModuleView;
    expect(() => renderModule(unknownKind)).toThrow(/unknown type kind/);
  });
});

describe('generated code', () => {
  it.each(modules.map((m) => [m.path, m] as const))('%s matches its snapshot', async (file, view) => {
    await expect(renderModule(view)).toMatchFileSnapshot(`__snapshots__/${file.replace(/\//g, '__')}.snap`);
  });

  it('is byte-stable: the same view gives the same bytes, whatever object identity it has', () => {
    for (const view of modules) {
      const copy = JSON.parse(JSON.stringify(view)) as ModuleView;
      expect(renderModule(copy)).toBe(renderModule(view));
    }
  });

  it('states its source, generator and that it must not be edited, with no timestamp or absolute path', () => {
    const text = renderModule(codeReviewModule);
    expect(text.split('\n').slice(0, 2)).toEqual([
      '// Generated by teamc 0.0.0-test from examples/code-review.team: team CodeReview.',
      '// Do not edit: `teamc build` writes this file again from its source.',
    ]);
    expect(text).not.toMatch(/@ts-nocheck|\d{4}-\d\d-\d\d|\/work\//);
    expect(renderModule(sinkModule)).toContain('// UNSAFE: built with --allow-unsafe');
    expect(text).not.toContain('UNSAFE');
  });
});

describe('the real tsc --strict over the generated modules and a program using them', () => {
  let dir: string;
  let result: { ok: boolean; output: string };

  beforeAll(() => {
    dir = scratchDirectory('render');
    emitRuntimeDeclarations(dir);
    writeFiles(dir, renderModules(modules));
    writeFiles(dir, [
      { path: 'user.ts', text: userProgram },
      // The control proves the harness reports errors at all.
      { path: 'control.ts', text: "export const notANumber: number = 'text';\n" },
    ]);
    result = typeCheck(dir);
  }, 60_000);

  it('reports exactly the control error: the generated code and the typed uses compile, every @ts-expect-error is an error', () => {
    const lines = result.output.split('\n').filter((line) => /error TS/.test(line));
    expect(lines).toEqual([expect.stringMatching(/^control\.ts\(1,14\): error TS2322/)]);
  });
});

/** A user of the generated code: right shapes compile, wrong ones must not (`@ts-expect-error`). */
const userProgram = `import { VirtualClock, type TeamResult } from 'teamc/runtime';
import { createCodeReview, runCodeReview, Finding, type CodeReviewOutput, type Verdict } from './code-review.js';
import { kitchenSink, type KitchenSinkInput } from './nested/kitchen-sink.js';

const clock = new VirtualClock();

export async function review(diff: string): Promise<string> {
  const result: TeamResult<CodeReviewOutput> = await runCodeReview({ diff }, { provider: 'sim', clock, seed: 1 });
  if (!result.ok) return result.error.kind;
  const decision: 'approve' | 'request_changes' = result.output.verdict.decision;
  const reasons: string[] = result.output.verdict.reasons;
  return decision + reasons.join();
}

export const team = createCodeReview({ provider: 'sim' });
export const parsed: Finding = Finding.parse({ file: 'a.ts', line: 1, severity: 'info', message: 'm' });
export const input: KitchenSinkInput = { topic: 't', class: 'a' };
export const sink = kitchenSink;

export async function wrongShapes(): Promise<void> {
  // @ts-expect-error a misspelt input
  await runCodeReview({ dif: 'x' }, { provider: 'sim' });
  // @ts-expect-error an input of the wrong type
  await runCodeReview({ diff: 42 }, { provider: 'sim' });
  // @ts-expect-error a missing input
  await runCodeReview({}, { provider: 'sim' });
  // @ts-expect-error options are required: there is no default provider
  await runCodeReview({ diff: 'x' });
  const result = await runCodeReview({ diff: 'x' }, { provider: 'sim' });
  if (result.ok) {
    // @ts-expect-error no such output
    result.output.verdikt;
    // @ts-expect-error the decision is one of two words
    const word: 'maybe' = result.output.verdict.decision;
    void word;
  }
  // @ts-expect-error severity has three values
  const bad: Finding = { file: 'a', line: 1, severity: 'fatal', message: 'm' };
  // @ts-expect-error a literal input accepts only its values
  const badInput: KitchenSinkInput = { topic: 't', class: 'c' };
  // @ts-expect-error a verdict needs its reasons
  const verdict: Verdict = { decision: 'approve' };
  void bad, badInput, verdict;
}
`;

describe('the generated teams on the runtime', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchDirectory('render-run');
    writeFiles(dir, renderModules(modules));
  });
  const load = async <T>(file: string): Promise<T> => (await import(/* @vite-ignore */ path.join(dir, file))) as T;

  it('code review runs end to end on the sim provider and a virtual clock, the same way for the same seed', async () => {
    const generated = await load<{
      runCodeReview(input: { diff: string }, options: TeamOptions): Promise<TeamResult<{ verdict: unknown }>>;
      Verdict: { parse(value: unknown): unknown };
    }>('code-review.ts');
    const run = async (seed: number) => {
      const clock = new VirtualClock();
      return clock.run(generated.runCodeReview({ diff: 'diff --git a/x b/x' }, { provider: 'sim', clock, seed }));
    };
    const first = await run(7);
    expect(first.ok ? undefined : first.error).toBeUndefined();
    if (!first.ok) return;
    expect(generated.Verdict.parse(first.output.verdict)).toEqual(first.output.verdict);
    expect(first.stats.activations.reviewer).toBe(3);
    const again = await run(7);
    expect(again).toEqual(first);
  });

  it('keeps every text exactly: prompts, docs and names survive the trip through string literals', async () => {
    const generated = await load<{ kitchenSink: TeamDefinition }>('nested/kitchen-sink.ts');
    const definition = generated.kitchenSink;
    expect(validateDefinition(definition)).toEqual([]);
    const team = sinkModule.team!;
    expect(definition.doc).toBe(team.doc);
    for (const [i, prompt] of sinkModule.prompts.entries()) expect(definition.agents[i]!.prompt).toBe(prompt.text);
    expect(definition.channels.map((c) => c.doc)).toEqual(team.channels.map((c) => c.doc ?? undefined));
    const tree = (await load<{ Tree: { parse(v: unknown): unknown } }>('nested/kitchen-sink.ts')).Tree;
    const value = { label: 'a', children: [{ label: 'b', children: [], leaf: 'leaf' }], leaf: { weight: 1 }, 'with space': "it's", class: true };
    expect(tree.parse(value)).toEqual(value);
    expect(() => tree.parse({ label: 'a', children: [{ label: 1, children: [] }] })).toThrow();
  });
});
