/**
 * T208: a stand-in's prompt (a fallback, a validator, a work lead) is checked against the
 * variables of each place it stands in — what the runtime really renders it with — beside T202's
 * check against its own declarations. The runtime side (those renders really fail, the accepted
 * stand-ins really render) is test/runtime/simulate/proofs/stand-ins.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderingsOf } from '../../compiler/check/stand-ins.js';
import { checkFiles } from '../../compiler/program.js';
import { check, described, spanText } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const host = { readFile: (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined) };
const T208 = (text: string) => {
  const checked = check(text);
  return { checked, found: described(checked, checked.diagnostics.filter((d) => d.code === 'T208')), all: described(checked) };
};

/** A writer with a fallback `lite` and a validator `judge`; `extra` goes at the end of the team. */
function team(lite: { takes?: string; prompt: string }, judge: { takes?: string; prompt: string } = { prompt: '"Is {{output.text}} good?"' }, extra = ''): string {
  return [
    'model fast { provider sim }',
    'team T {',
    '  input brief: string',
    '  input tone: string',
    '  type Text { text: string }',
    '  type Check { valid: bool  reason?: string }',
    '  agent writer {',
    '    model fast',
    '    takes brief',
    '    output Text',
    '    prompt "Write {{brief}}"',
    '    fallback lite',
    '    validate with judge',
    '  }',
    `  agent lite { model fast  ${lite.takes ?? 'takes brief'}  output Text  prompt ${lite.prompt} }`,
    `  agent judge { model fast  ${judge.takes ?? ''}  output Check  prompt ${judge.prompt} }`,
    extra,
    '}',
    '',
  ].join('\n');
}

describe('the page’s example', () => {
  const page = fs.readFileSync(path.resolve(here, '../../docs/diagnostics/T208.md'), 'utf8');
  const [failing, fixed] = [...page.matchAll(/```team\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const quoted = /teamc reports:\s*```text\n([\s\S]*?)```/.exec(page)![1]!.trimEnd().split('\n');

  it('is the fixture T208-fallback.team, reported exactly as the page quotes it', () => {
    const fixture = path.join(here, 'fixtures', 'T208-fallback.team');
    expect(fs.readFileSync(fixture, 'utf8').replace(/^\/\/.*\n/, '')).toBe(failing);
    const checked = checkFiles([fixture], host);
    expect(checked.diagnostics.map((d) => d.code)).toEqual(['T208']);
    const d = checked.diagnostics[0]!;
    expect(spanText(checked, d)).toBe('style');
    expect(quoted[0]).toBe(`error[T208]: ${d.message}`);
    for (const line of quoted.slice(1)) {
      const [kind, text] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)];
      expect(kind === 'help' ? d.help : d.notes).toContain(text);
    }
  });

  it('its fix checks clean', () => {
    expect(described(check(fixed!))).toEqual([]);
  });
});

describe('where a stand-in renders', () => {
  it('lists each place, with the variables the runtime gives there', () => {
    const checked = checkFiles([path.join(here, 'fixtures', 'T208-ok.team')], host, { rules: false });
    const team = checked.model.teams[0]!;
    const where = (agent: string) =>
      renderingsOf(team.agents.get(agent)!, team).map((r) => `${r.kind} ${r.served}${r.within ? ` (${r.within})` : ''}: ${[...r.variables.keys()].join(' ')}`);
    expect(where('dev')).toEqual(['own dev: spec style notes task deps']);
    // A fallback gets what the worker's call was made with: its takes, its reads, `task`, `deps`.
    expect(where('dev_lite')).toEqual(['fallback dev: spec style notes task deps']);
    // A validator, wherever what it judges renders, plus `output`.
    expect(where('auditor')).toEqual(['validator dev: spec style notes task deps output']);
    // A lead: the worker's takes (not its reads), its own reads, `ready`, `idle`; its fallback the same.
    expect(where('planner')).toEqual(['lead library: spec style ready idle']);
    expect(where('planner_lite')).toEqual(['fallback planner (when `planner` leads work `library`): spec style ready idle']);
  });

  it('follows a validator through a fallback, and a fallback of a stand-in never renders', () => {
    const text = team({ prompt: '"Write {{brief}}"' }, { takes: 'takes brief', prompt: '"{{brief}} {{output.text}}"' }).replace(
      "output Text  prompt \"Write {{brief}}\" }",
      'output Text  prompt "Write {{brief}}"  validate with judge  fallback spare }\n  agent spare { model fast  takes tone  output Text  prompt "{{tone}}" }',
    );
    const checked = check(text);
    const team_ = checked.model.teams[0]!;
    expect(renderingsOf(team_.agents.get('judge')!, team_).map((r) => `${r.kind} ${r.served}${r.within ? ` (${r.within})` : ''}`)).toEqual([
      'validator writer',
      'validator lite (when `lite` stands in for `writer`)',
    ]);
    // `spare` is the fallback of a fallback: the runtime never tries it, so its prompt never renders.
    expect(renderingsOf(team_.agents.get('spare')!, team_)).toEqual([]);
    expect(described(checked)).toEqual([]);
  });
});

describe('T208', () => {
  it('a fallback naming a take of its own that the agent it stands in for lacks', () => {
    const { checked, found } = T208(team({ takes: 'takes brief, tone', prompt: '"Write {{brief}} in {{tone}}"' }));
    expect(found).toEqual(['15:89 T208 the prompt of `lite` uses `tone`, which `writer` does not give its fallback `lite`']);
    const d = checked.diagnostics.find((x) => x.code === 'T208')!;
    expect(spanText(checked, d)).toBe('tone');
    expect(d.label).toBe('`writer` does not give `tone` to its fallback');
    expect(d.related.map((r) => r.message)).toEqual([
      '`writer` falls back to `lite` here',
      '`lite` takes `tone` itself, but a stand-in never activates on its own: nothing delivers it',
    ]);
    expect(d.help).toEqual(['make `writer` take `tone` too, or remove `tone` from the prompt of `lite`']);
  });

  it('a validator naming what the agent it judges was not rendered with, in each place that agent renders', () => {
    const { found } = T208(team({ prompt: '"Write {{brief}}"' }, { takes: 'takes tone', prompt: '"Is {{output.text}} in {{tone}}?"' }).replace('prompt "Write {{brief}}" }', 'prompt "Write {{brief}}"  validate with judge }'));
    expect(found).toEqual([
      '16:87 T208 the prompt of `judge` uses `tone`, which `writer` does not give its validator `judge`',
      '16:87 T208 the prompt of `judge` uses `tone`, which `lite` does not give its validator `judge`',
    ]);
  });

  it('reports each variable once per place, at its first use that stops the render', () => {
    const { checked, found } = T208(team({ takes: 'takes brief, tone', prompt: '"{{#if tone}}In a tone.{{/if}} {{brief}} {{tone}} {{tone}}"' }));
    expect(found).toEqual(['15:110 T208 the prompt of `lite` uses `tone`, which `writer` does not give its fallback `lite`']);
    expect(checked.diagnostics.find((d) => d.code === 'T208')!.notes[1]).toBe(
      'prompts render in strict mode: `{{tone}}` stops the render, so every call of `lite` as this fallback fails before its model is called',
    );
  });

  it('a name only tested is reported too: it is always absent there', () => {
    const { checked, found } = T208(team({ takes: 'takes brief, tone', prompt: '"{{brief}}{{#if tone}} in a tone{{/if}}"' }));
    expect(found).toHaveLength(1);
    expect(checked.diagnostics[0]!.notes[1]).toBe('there `tone` is always absent: the prompt silently leaves out what it depends on');
  });

  it('a store the fallback reads itself is not read for it: the agent it stands in for must read it', () => {
    const { checked, found } = T208(team({ takes: 'takes brief  reads memo', prompt: '"{{brief}} {{memo}}"' }, undefined, '  store memo: string'));
    expect(found).toEqual(['15:86 T208 the prompt of `lite` uses `memo`, which `writer` does not give its fallback `lite`']);
    expect(checked.diagnostics[0]!.help).toEqual(['make `writer` read `memo` (`reads memo`), or remove `memo` from the prompt of `lite`']);
  });

  it('a name the stand-in does not declare at all is T202’s alone', () => {
    expect(T208(team({ prompt: '"Write {{brief}} in {{tone}}"' })).all).toEqual(['15:83 T202 the prompt of `lite` uses `tone`, which `lite` does not take or read']);
  });

  it('what the served agent does give needs no declaration of the stand-in’s own beyond T202’s', () => {
    expect(T208(team({ prompt: '"Write {{brief}}"' }, { takes: 'takes brief', prompt: '"Is {{output.text}} right for {{brief}}?"' })).all).toEqual([]);
  });

  it('role variables the runtime gives a stand-in of a stand-in are variables of its prompt', () => {
    const text = [
      'model fast { provider sim }',
      'team T {',
      '  input spec: string',
      '  type Patch { path: string }',
      '  type Check { valid: bool  reason?: string }',
      '  type Plan { assignments: { task: string  worker: int }[] }',
      '  agent dev { model fast  takes spec  output Patch  prompt "{{task.name}} {{spec}}"  validate with auditor }',
      // A validator of a worker is given `task` and `deps`; a fallback of a lead `ready` and `idle`.
      '  agent auditor { model fast  output Check  prompt "{{task.name}}: {{output.path}} {{#each deps}}{{task}}{{/each}}" }',
      '  agent planner { model fast  output Plan  prompt "{{#each ready}}{{name}}{{/each}}"  fallback planner_lite }',
      '  agent planner_lite { model fast  output Plan  prompt "{{#each ready}}{{name}}{{/each}} {{join idle \\",\\"}}" }',
      '  work w by dev { assign lead planner  task a { } }',
      '}',
      '',
    ].join('\n');
    expect(T208(text).all).toEqual([]);
  });

  it('nothing is judged against an agent whose own takes did not resolve (that is T101)', () => {
    const text = team({ takes: 'takes brief, tone', prompt: '"{{tone}}"' }).replace('    takes brief\n', '    takes brief, tonne\n');
    expect(T208(text).all).toEqual(['9:18 T101 unknown channel or input `tonne`']);
  });
});
