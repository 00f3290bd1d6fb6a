/**
 * Prompt templates: variables (T202), fields and `#each` (T203), the shape of a take (T201),
 * helpers and syntax (T206), and positions mapped back into the `.team` file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceMapOf } from '../../compiler/check/prompt-positions.js';
import { createSourceFile } from '../../compiler/source.js';
import type { AgentDeclaration, PromptProperty, TeamDeclaration } from '../../compiler/syntax/ast.js';
import { parseSourceFile } from '../../compiler/syntax/parse.js';
import { check, checkTexts, described, diagnose, spanText } from './helpers.js';

/** A judge whose prompt is `prompt` (a string literal as written), over a channel of findings. */
function judge(prompt: string, takes = 'takes all findings, diff', extra = ''): string {
  return [
    'model m { provider sim }',
    'team T {',
    '  input diff: string',
    '  type Finding { file: string  line: int  tags: string[]  note?: string }',
    '  type Review { approved: bool  comments: string[] }',
    '  channel findings: Finding { ordering fifo }',
    '  channel reviews: Review { ordering fifo }',
    '  store memo: Review[] { merge append }',
    '  agent judge {',
    '    model m',
    `    ${takes}`,
    '    output Review',
    `    prompt ${prompt}`,
    extra,
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('templates that check clean', () => {
  it.each([
    ['each with fields, data variables and this', '"{{#each findings}}{{@index}} {{file}}:{{line}} {{#each tags}}{{this}}{{@key}}{{/each}}{{/each}}"'],
    ['outer names through ../ and @root', '"{{#each findings}}{{../diff}} {{@root.diff}}{{/each}}"'],
    ['block parameters', '"{{#each findings as |f i|}}{{f.file}} {{i}} {{f.tags.length}}{{/each}}"'],
    ['if / else / unless with optional fields', '"{{#if diff}}{{diff}}{{else}}none{{/if}}{{#each findings}}{{#unless note}}-{{/unless}}{{note}}{{/each}}"'],
    ['with', '"{{#with findings.[0]}}{{file}}{{/with}} {{#with findings as |all|}}{{all.length}}{{/with}}"'],
    ['helpers: json, join, lookup, log, sub-expressions', '"{{json findings}} {{join (lookup findings 0) \\", \\"}} {{log diff}}"'],
    ['sections iterate a list', '"{{#findings}}{{file}}{{/findings}}"'],
    ['no mustaches at all', '"Just text."'],
  ])('%s', (_, prompt) => {
    expect(diagnose(judge(prompt))).toEqual([]);
  });

  it('an optional take may be tested and then used', () => {
    expect(diagnose(judge('"{{#if reviews}}{{#each reviews.comments}}- {{this}}{{/each}}{{/if}}"', 'takes diff, reviews?'))).toEqual([]);
  });

  it('a store read is a variable of the store’s type', () => {
    expect(diagnose(judge('"{{#each memo}}{{#each comments}}{{this}}{{/each}}{{/each}}"', 'takes diff  reads memo'))).toEqual([]);
  });
});

describe('variables (T202)', () => {
  it('reports an unknown variable at its name, with the closest variable', () => {
    const checked = check(judge('"Look at {{dif}}"'));
    expect(described(checked)).toEqual(['13:23 T202 the prompt of `judge` uses `dif`, which `judge` does not take or read']);
    expect(spanText(checked, checked.diagnostics[0]!)).toBe('dif');
    expect(checked.diagnostics[0]!.help).toEqual(['did you mean `diff`?']);
  });

  it('explains `task` and `deps` outside a work graph', () => {
    const checked = check(judge('"{{task.name}}"'));
    expect(described(checked)).toEqual(['13:15 T202 the prompt of `judge` uses `task`, which `judge` does not take or read']);
    expect(checked.diagnostics[0]!.notes[0]).toContain('work graph');
  });

  it('refuses data variables outside `#each`, and `../` above the top', () => {
    expect(diagnose(judge('"{{@index}} {{../diff}}"'))).toEqual([
      '13:15 T202 the prompt of `judge` uses `@index`, which `judge` does not take or read',
      '13:26 T202 the prompt of `judge` uses `../diff`, which `judge` does not take or read',
    ]);
  });
});

describe('fields and lists (T203)', () => {
  it('reports a missing field with the closest field, and a bare outer name inside #each', () => {
    const checked = check(judge('"{{#each findings}}{{lien}} {{diff}}{{/each}}"'));
    expect(described(checked)).toEqual([
      '13:33 T203 `lien` is not a field of `Finding` (the context inside `{{#each findings}}`)',
      '13:42 T203 `diff` is not a field of `Finding` (the context inside `{{#each findings}}`)',
    ]);
    expect(checked.diagnostics.map((d) => d.help)).toEqual([
      ['did you mean `line`?'],
      ['inside `{{#each findings}}`, names are fields of the current element; write `{{@root.diff}}` for the prompt\'s `diff`'],
    ]);
  });

  it('reports a field of a primitive or a list, and #each over a non-list', () => {
    expect(diagnose(judge('"{{diff.text}} {{#each findings}}{{tags.first}}{{/each}} {{#each diff}}x{{/each}}"'))).toEqual([
      '13:20 T203 `diff` is a `string`, so it has no field `text`',
      '13:52 T203 `tags` is a list (`string[]`), so it has no field `first`',
      '13:77 T203 `{{#each}}` needs a list, but `diff` is `string`',
    ]);
  });

  it('checks block parameters and deep paths', () => {
    expect(diagnose(judge('"{{#each findings as |f|}}{{f.fil}}{{/each}}"'))).toEqual([
      '13:42 T203 `fil` is not a field of `Finding`',
    ]);
  });
});

describe('the shape of a take (T201)', () => {
  it('a field of a `takes all` list', () => {
    const checked = check(judge('"{{findings.file}}"'));
    expect(described(checked)).toEqual([
      '13:24 T201 `findings` is the list of every message on `findings` (`takes all`), so `findings.file` reads a field of a list',
    ]);
    expect(checked.diagnostics[0]!.help).toEqual([
      'iterate over the messages with `{{#each findings}}…{{file}}…{{/each}}`, or take one message at a time with `takes findings`',
    ]);
  });

  it('`#each` over a single message', () => {
    expect(diagnose(judge('"{{#each findings}}{{file}}{{/each}}"', 'takes findings'))).toEqual([
      '13:21 T201 `{{#each findings}}` iterates over one message: `takes findings` gives the prompt one `Finding` at a time, not a list',
    ]);
  });
});

describe('helpers and syntax (T206)', () => {
  it('reports unknown helpers in mustaches, blocks and sub-expressions', () => {
    const checked = check(judge('"{{upper diff}} {{#repeat diff}}x{{/repeat}} {{json (jsn diff)}}"'));
    expect(described(checked)).toEqual([
      '13:15 T206 unknown helper `upper` in the prompt of `judge`',
      '13:31 T206 unknown helper `repeat` in the prompt of `judge`',
      '13:65 T206 unknown helper `jsn` in the prompt of `judge`',
    ]);
    expect(checked.diagnostics[2]!.help).toEqual(['did you mean `json`?']);
  });

  it('refuses partials', () => {
    expect(diagnose(judge('"{{> header}}"'))).toEqual(['13:13 T206 the prompt of `judge` uses a partial (`{{> name}}`), which prompts do not support']);
  });

  it('reports a template that does not parse where handlebars stops', () => {
    const checked = check(judge('"{{#each findings}}{{file}}"'));
    expect(described(checked)).toEqual(['13:39 T206 the prompt of `judge` does not parse: expected `{{else …}}`, `{{else}}` or `{{/…}}`, found the end of the prompt']);
    expect(diagnose(judge('"{{#if diff}}x{{/each}}"'))).toEqual(['13:16 T206 the prompt of `judge` does not parse: `{{#if}}` is closed by `{{/each}}`']);
    expect(diagnose(judge('"{{diff}"'))).toEqual(['13:19 T206 the prompt of `judge` does not parse: expected `}}`, found something handlebars cannot read']);
  });
});

describe('positions inside the string', () => {
  it('maps through a triple-quoted prompt’s stripped indentation', () => {
    const prompt = '"""\n      First line.\n        Indented {{diif}} here.\n    """';
    const checked = check(judge(prompt));
    expect(described(checked)).toEqual(['15:20 T202 the prompt of `judge` uses `diif`, which `judge` does not take or read']);
    expect(spanText(checked, checked.diagnostics[0]!)).toBe('diif');
  });

  it('maps through escapes in a plain string', () => {
    const checked = check(judge('"a\\n\\"b\\" \\u{1F600} {{dif}}"'));
    expect(spanText(checked, checked.diagnostics[0]!)).toBe('dif');
  });

  it('maps every character of a decoded string back to where it is written', () => {
    const piece = fc.constantFrom('a', ' ', '\t', '{', '}', 'é', '😀', '\n', '\\', '"');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), fc.integer({ min: 0, max: 6 }), (pieces, triple, indent) => {
        let body = pieces.join('');
        if (triple) body = body.replace(/"""/g, '""').replace(/"$/, '');
        else body = body.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
        const pad = ' '.repeat(indent);
        const literal = triple ? `"""\n${body.split('\n').map((line) => pad + line).join('\n')}\n"""` : `"${body}"`;
        const text = `model m { provider sim }\nteam T {\n  agent a {\n    prompt ${literal}\n  }\n}\n`;
        const parsed = parseSourceFile(createSourceFile('x.team', text));
        if (parsed.diagnostics.length > 0) return;
        const team = parsed.ast.declarations[1] as TeamDeclaration;
        const prompt = (team.members[0] as AgentDeclaration).members[0] as PromptProperty;
        if (prompt.source.kind !== 'inline') return;
        const value = prompt.source.text.value;
        const map = sourceMapOf(text, prompt.source.text);
        for (let i = 0; i < value.length; i++) {
          const at = map(i);
          expect(at).toBeGreaterThanOrEqual(prompt.source.text.span.start);
          expect(at).toBeLessThan(prompt.source.text.span.end);
          const written = text[at]!;
          if (value[i] === '\n') expect(written === '\n' || written === '\\').toBe(true);
          else if (written !== '\\') expect(written).toBe(value[i]);
          if (i > 0) expect(at).toBeGreaterThan(map(i - 1) - (value.charCodeAt(i) >= 0xdc00 && value.charCodeAt(i) <= 0xdfff ? 1 : 0));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('prompt files', () => {
  const teamText = (path: string) => judge(`file "${path}"`);

  it('checks a prompt file and reports inside it', () => {
    const checked = checkTexts({ 'main.team': teamText('prompts/judge.hbs'), 'prompts/judge.hbs': 'Findings:\n{{#each findings}}\n- {{fle}}\n{{/each}}\n' });
    expect(described(checked)).toEqual(['prompts/judge.hbs:3:5 T203 `fle` is not a field of `Finding` (the context inside `{{#each findings}}`)']);
    expect(checked.model.promptFiles.get('/virtual/prompts/judge.hbs')).toContain('Findings:');
  });

  it('reports a prompt file that cannot be read', () => {
    const checked = checkTexts({ 'main.team': teamText('prompts/missing.hbs') });
    expect(described(checked)).toEqual(['13:17 T206 cannot read the prompt file `prompts/missing.hbs` of `judge`']);
    expect(checked.diagnostics[0]!.label).toBe('resolved to /virtual/prompts/missing.hbs');
  });
});

describe('the variables of roles', () => {
  it('a worker sees `task` and `deps` (with its own output), and so does its fallback', () => {
    const text = [
      'model m { provider sim }',
      'team T {',
      '  input spec: string',
      '  type Patch { path: string  summary: string }',
      '  agent dev { model m  takes spec  output Patch  fallback lite',
      '    prompt "{{task.name}} {{task.doc}} {{join task.writes \\", \\"}} {{#each deps}}{{task}} {{output.summary}} {{output.pth}}{{/each}}" }',
      '  agent lite { model m  takes spec  output Patch  prompt "{{task.name}} {{spec}}" }',
      '  work w by dev { task a { writes "a.py" } }',
      '}',
    ].join('\n');
    expect(diagnose(text)).toEqual(['6:119 T203 `pth` is not a field of `Patch`']);
  });
});
