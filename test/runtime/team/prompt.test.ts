import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import Handlebars from 'handlebars';
import { compilePrompt, PromptError, withDeclaredFields } from '../../../runtime/prompt.js';

describe('compilePrompt', () => {
  it('renders without HTML escaping: a prompt is text for a model', () => {
    const prompt = compilePrompt('reviewer', 'Review:\n{{diff}}');
    expect(prompt.render({ diff: 'if (a < b && c > "d") {}' })).toBe('Review:\nif (a < b && c > "d") {}');
  });

  it('is strict: a variable the activation lacks is an error naming the agent', () => {
    const prompt = compilePrompt('judge', '{{#each findings}}- {{file}}:{{lien}}\n{{/each}}');
    expect(() => prompt.render({ findings: [{ file: 'a.ts', line: 3 }] })).toThrow(PromptError);
    expect(() => prompt.render({ findings: [{ file: 'a.ts', line: 3 }] })).toThrow(/prompt of judge: "lien" not defined/);
    expect(() => compilePrompt('judge', '{{diff}}').render({})).toThrow(/"diff" not defined/);
  });

  it('reports a template that does not parse when compiled, not when run', () => {
    expect(() => compilePrompt('writer', '{{#if draft}}unclosed')).toThrow(/prompt of writer: template does not parse/);
  });

  it('has the json and join helpers', () => {
    const prompt = compilePrompt('a', '{{json plan}}|{{join tags ", "}}|{{join tags}}|{{join objs " / "}}|{{join missing}}');
    expect(prompt.render({ plan: { parts: [1, 2] }, tags: ['x', 'y'], objs: [{ a: 1 }, 2], missing: null })).toBe(
      '{\n  "parts": [\n    1,\n    2\n  ]\n}|x, y|x, y|{"a":1} / 2|',
    );
  });

  it('registers its helpers on a private instance, not on the global handlebars', () => {
    compilePrompt('a', '{{json x}}');
    expect(Handlebars.helpers['json']).toBeUndefined();
    expect(Handlebars.helpers['join']).toBeUndefined();
  });

  it('an optional input that is empty renders as nothing and is false in #if', () => {
    const prompt = compilePrompt('writer', 'Brief: {{brief}}\n{{#if reviews}}Revise: {{join reviews.comments "; "}}{{/if}}[{{reviews}}]');
    expect(prompt.render({ brief: 'b', reviews: null })).toBe('Brief: b\n[]');
    expect(prompt.render({ brief: 'b', reviews: { comments: ['x', 'y'] } })).toBe('Brief: b\nRevise: x; y[[object Object]]');
  });
});

describe('withDeclaredFields', () => {
  const Finding = z.object({ file: z.string(), note: z.string().optional(), tags: z.array(z.object({ k: z.string(), v: z.string().optional() })) });

  it('makes declared optional fields present so strict templates may name them', () => {
    const value = Finding.parse({ file: 'a', tags: [{ k: 'x' }] });
    const prompt = compilePrompt('a', '{{file}} ({{note}}){{#each tags}} {{k}}={{v}}{{/each}}');
    expect(() => prompt.render(value)).toThrow(/"note" not defined/);
    expect(prompt.render(withDeclaredFields(Finding, value) as Record<string, unknown>)).toBe('a () x=');
  });

  it('walks arrays, nullables and unions, and leaves undeclared fields absent', () => {
    const schema = z.array(z.union([z.object({ kind: z.literal('a'), x: z.number().optional() }), z.object({ kind: z.literal('b') })]).nullable());
    expect(withDeclaredFields(schema, [{ kind: 'a' }, { kind: 'b' }, null])).toEqual([{ kind: 'a', x: undefined }, { kind: 'b' }, null]);
    const filled = withDeclaredFields(schema, [{ kind: 'a' }]) as Array<Record<string, unknown>>;
    expect('x' in filled[0]!).toBe(true);
    expect('y' in filled[0]!).toBe(false);
  });
});
