/**
 * Reads through values that may be null (T207), checked against the runtime's own renderer: for
 * every prompt here, the checker accepts it exactly when runtime/prompt.ts renders it for every
 * value the runtime can give its variables — an optional take before its first message (null), a
 * store before its first write (null), an optional input or field (undefined), a short list.
 */
import { describe, expect, it } from 'vitest';
import { toTeamDefinition } from '../../compiler/definition/index.js';
import { checkFiles } from '../../compiler/program.js';
import type { TeamDefinition } from '../../runtime/definition.js';
import { compilePrompt } from '../../runtime/prompt.js';
import { simulateRun } from '../../runtime/simulate/index.js';
import { drawInputs } from '../runtime/simulate/proofs/harness.js';
import { check, described, diagnose, spanText } from './helpers.js';
import { pageExamples } from './rules/family-fixtures.js';

function writer(prompt: string): string {
  return [
    'model m { provider sim }',
    'team T {',
    '  input brief: string',
    '  input hint: Note?',
    '  type Note { text: string }',
    '  type Draft { title: string }',
    '  type Review { approved: bool  comments: string[]  note?: Note }',
    '  channel reviews: Review { ordering fifo }',
    '  channel drafts: Draft { ordering fifo }',
    '  store last: Review',
    '  store log: Review[] { merge append }',
    '  agent a {',
    '    model m',
    '    takes brief, hint, reviews?, all drafts?',
    '    reads last, log',
    '    output Review',
    `    prompt ${JSON.stringify(prompt)}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

// What the runtime can hand the prompt (runtime/team.ts, runtime/agent.ts): optional fields are
// present but undefined (withDeclaredFields), the rest as the schema says.
const bare = { approved: false, comments: [], note: undefined };
const full = { approved: true, comments: ['tighten the intro'], note: { text: 'good' } };
const worlds = (() => {
  const all: Array<Record<string, unknown>> = [];
  for (const reviews of [null, bare, full])
    for (const last of [null, bare, full])
      for (const log of [[], [bare], [full, bare]])
        for (const hint of [undefined, { text: 'short' }])
          for (const drafts of [[], [{ title: 'Draft' }]]) all.push({ brief: 'a brief', hint, reviews, drafts, last, log });
  return all;
})();

function rendersEverywhere(prompt: string): { ok: boolean; failure?: string } {
  const template = compilePrompt('a', prompt);
  for (const world of worlds) {
    try {
      template.render(world);
    } catch (error) {
      return { ok: false, failure: `${(error as Error).message} with ${JSON.stringify(world)}` };
    }
  }
  return { ok: true };
}

describe('T207 agrees with the renderer', () => {
  it.each([
    // [what, prompt, how many T207]
    ['printing a value that may be null', '{{reviews}} {{last}} {{hint}} {{reviews.note}}', 1],
    ['printing alone, guarded', '{{reviews}} {{last}} {{hint}} {{#if reviews}}{{reviews.note}}{{/if}}', 0],
    ['#each through an optional take', '{{#each reviews.comments}}{{this}}{{/each}}', 1],
    ['…under #if', '{{#if reviews}}{{#each reviews.comments}}{{this}}{{/each}}{{/if}}', 0],
    ['the {{else}} of #if is not guarded', '{{#if reviews}}{{else}}{{reviews.approved}}{{/if}}', 1],
    ['the {{else}} of #unless is', '{{#unless reviews}}none{{else}}{{reviews.approved}}{{/unless}}', 0],
    ['the body of #unless is not', '{{#unless reviews}}{{reviews.approved}}{{/unless}}', 1],
    ['#with enters a present value', '{{#with reviews}}{{approved}} {{#each comments}}{{this}}{{/each}}{{/with}}', 0],
    ['the {{else}} of #with is not guarded', '{{#with reviews}}{{else}}{{reviews.approved}}{{/with}}', 1],
    ['a helper argument', '{{json reviews.comments}} {{join reviews.comments ", "}}', 2],
    ['the condition of #if itself', '{{#if reviews.approved}}yes{{/if}}', 1],
    ['…guarded by an outer #if', '{{#if reviews}}{{#if reviews.approved}}yes{{/if}}{{/if}}', 0],
    ['else-if chains', '{{#if hint}}{{hint.text}}{{else if reviews}}{{reviews.approved}}{{else}}{{reviews.approved}}{{/if}}', 1],
    ['an optional field', '{{#if reviews}}{{reviews.note.text}}{{/if}}', 1],
    ['…guarded', '{{#if reviews}}{{#if reviews.note}}{{reviews.note.text}}{{/if}}{{/if}}', 0],
    ['a guard holds through ../ and @root', '{{#if reviews}}{{#each log}}{{../reviews.approved}} {{@root.reviews.approved}}{{/each}}{{/if}}', 0],
    ['@root outside the guard', '{{#each log}}{{@root.reviews.approved}}{{/each}}', 1],
    ['an lww store before its first write', '{{last.approved}}', 1],
    ['…entered as a section', '{{#last}}{{approved}} {{#each comments}}{{this}}{{/each}}{{/last}}', 0],
    ['an optional field of each element', '{{#each log}}{{note.text}}{{/each}}', 1],
    ['…guarded inside the element', '{{#each log}}{{#if note}}{{note.text}}{{/if}}{{#if this.note}}{{this.note.text}}{{/if}}{{/each}}', 0],
    ['block parameters', '{{#each log as |r|}}{{#with r.note as |n|}}{{n.text}}{{/with}}{{#if r.note}}{{r.note.text}}{{/if}}{{/each}}', 0],
    ['…unguarded', '{{#each log as |r|}}{{r.note.text}}{{/each}}', 1],
    ['a guard on one element does not cover another', '{{#each log}}{{#if note}}{{/if}}{{note.text}}{{/each}}', 1],
    ['an element by index, read through', '{{log.[0].approved}}', 1],
    ['an element by index, printed', '{{log.[0]}}', 1],
    ['an element by index, to a helper', '{{json log.[0]}}', 0],
    ['an element by index, guarded', '{{#if log.[0]}}{{log.[0].approved}} {{log.[0]}}{{/if}} {{#with log.[1]}}{{approved}}{{/with}}', 0],
    ['an optional input', '{{hint.text}}', 1],
    ['…guarded', '{{#if hint}}{{hint.text}}{{/if}}', 0],
    ['`takes all ch?` is a list, never null', '{{drafts.length}} {{#each drafts}}{{title}}{{/each}} {{log.length}}', 0],
    ['a section of a present value enters it, but its optional fields stay optional', '{{#reviews}}{{note.text}}{{/reviews}}', 1],
    ['nested #with', '{{#with reviews}}{{#with note}}{{text}}{{/with}}{{/with}}', 0],
  ])('%s', (_, prompt, expected) => {
    const found = diagnose(writer(prompt));
    expect(found.filter((d) => !/ T207 /.test(d))).toEqual([]);
    expect(found.length).toBe(expected);
    const rendered = rendersEverywhere(prompt);
    expect(rendered.ok, rendered.failure).toBe(expected === 0);
  });
});

describe('what T207 says', () => {
  it('names the value that may be null, why, and the guard', () => {
    const checked = check(writer('Revise: {{#each reviews.comments}}- {{this}}{{/each}}'));
    expect(described(checked)).toEqual([
      '17:29 T207 `reviews.comments` reads through `reviews`, which is null until the first message on `reviews` arrives (`takes reviews?`)',
    ]);
    const [diagnostic] = checked.diagnostics;
    expect(spanText(checked, diagnostic!)).toBe('reviews');
    expect(diagnostic!.label).toBe('may be null here');
    expect(diagnostic!.help).toEqual(['wrap it in `{{#if reviews}}…{{/if}}`']);
  });

  it('says why each kind of value may be null, and guards what is written', () => {
    expect(diagnose(writer('{{#if reviews}}{{reviews.note.text}}{{/if}} {{last.approved}} {{hint.text}} {{#each log}}{{../log.[1].note}}{{/each}}'))).toEqual([
      '17:38 T207 `reviews.note.text` reads through `reviews.note`, which is absent when not given (`note?` is an optional field of `Review`)',
      '17:59 T207 `last.approved` reads through `last`, which is null until something writes the store `last`',
      '17:77 T207 `hint.text` reads through `hint`, which may be null (its type is `Note?`)',
      '17:112 T207 `../log.[1].note` reads through `../log.[1]`, which is absent when `../log` has fewer than 2 elements',
    ]);
    const checked = check(writer('{{#each log}}{{../log.[1].note}}{{/each}}'));
    expect(checked.diagnostics[0]!.help).toEqual(['wrap it in `{{#if ../log.[1]}}…{{/if}}`']);
  });

  it('reports one path once, at the first value that may be null', () => {
    expect(diagnose(writer('{{reviews.note.text}}'))).toEqual([
      '17:15 T207 `reviews.note.text` reads through `reviews`, which is null until the first message on `reviews` arrives (`takes reviews?`)',
    ]);
  });
});

describe('printed paths are looked up strictly (T203)', () => {
  it('a string has no `length` to print, but a helper may read it', () => {
    const printed = '{{brief.length}}';
    expect(diagnose(writer(printed))).toEqual([
      '17:21 T203 `brief` is a `string`: a prompt cannot print its `length` (printed paths are looked up strictly, and a string has no fields)',
    ]);
    expect(rendersEverywhere(printed).ok).toBe(false);
    const lenient = '{{#if brief.length}}{{json brief.length}}{{/if}}';
    expect(diagnose(writer(lenient))).toEqual([]);
    expect(rendersEverywhere(lenient).ok).toBe(true);
  });
});

describe('the page’s examples, run', () => {
  /** The team of a `.team` text (checked with every rule), simulated on `seeds` seeds with no faults. */
  async function runs(text: string, seeds: number): Promise<{ errors: string[]; outcomes: Array<string | undefined> }> {
    const file = '/virtual/T207.team';
    const checked = checkFiles([file], { readFile: (f) => (f === file ? text : undefined) }, { rules: true });
    const definition = toTeamDefinition(checked.model.teams[0]!) as TeamDefinition<unknown, unknown>;
    const input = drawInputs(definition, 'T207');
    const outcomes: Array<string | undefined> = [];
    for (let i = 0; i < seeds; i++) {
      const run = await simulateRun(definition, { seed: `T207/${i}`, faults: '', input }, i);
      outcomes.push(run.ok ? undefined : `${run.error?.kind}: ${run.error?.message}`);
    }
    return { errors: checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), outcomes };
  }

  it('the failing example fails every run at the writer’s first prompt; the fix runs', async () => {
    const [failing, fixed] = pageExamples('T207');
    const before = await runs(failing, 5);
    expect(before.errors).toEqual(['T207']);
    for (const outcome of before.outcomes) expect(outcome).toBe("agent_failed: writer: prompt of writer: Cannot read properties of null (reading 'comments')");
    const after = await runs(fixed, 5);
    expect(after.errors).toEqual([]);
    expect(after.outcomes).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
