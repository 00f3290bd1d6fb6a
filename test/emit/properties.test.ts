/**
 * Adversarial `.team` programs through the whole build: names that are JavaScript reserved words,
 * names the generated code itself uses (`z`, `teamc`, `Promise`), names that collide after case
 * conversion (`safe_add`, `SafeAdd`, `safeAdd`), keywords as field names; strings (docs, prompts,
 * literal types, model names) full of quotes, backticks, `${`, `*\/`, line breaks, U+2028 and
 * control characters. Every generated program must check, compile under the real `tsc --strict`
 * (one run for all of them) and run on the runtime, with every string arriving intact.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { renderModules, viewsFromModel, writeOutputs } from '../../compiler/emit/index.js';
import { checkFiles } from '../../compiler/program.js';
import { VirtualClock } from '../../runtime/clock.js';
import { validateDefinition, type TeamDefinition } from '../../runtime/definition.js';
import { createTeam } from '../../runtime/team.js';
import { emitRuntimeDeclarations, scratchDirectory, typeCheck } from './helpers.js';

vi.mock('teamc/runtime', async () => await import('../../runtime/index.js'));

const teamKeywords = new Set(
  `team doc import input output from deadline budget tokens model type store channel agent tool consensus work task prompt file provider name temperature latency max_tokens price per replicas takes all requires reads writes emits when unless calls timeout retry backoff jitter breaker failures in cooldown hedge after fallback validate with max rounds optional pure effect ordering delivery capacity backpressure consistency merge over quorum faults agree on normalize tie_break protocol by assign weight lease key`.split(' '),
);
const builtinTypes = new Set(['string', 'int', 'number', 'bool']);

/** Declared names: identifiers that are awkward in TypeScript, or collide once converted. */
const awkwardName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('class', 'constructor', 'delete', 'new', 'function', 'let', 'await', 'yield', 'enum', 'z', 'teamc', 'Promise', 'Array', 'undefined', 'arguments', 'eval', 'safe_add', 'SafeAdd', 'safeAdd', 'Safe_Add', 'a', 'A', '_', '__', '_1', 'x_1', 'X1', 'Input', 'Output') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/) },
).filter((name) => !teamKeywords.has(name) && !builtinTypes.has(name));

/** Field names may also be keywords; none may be one zod cannot carry (see from-model.ts). */
const fieldName = fc.oneof(awkwardName, fc.constantFrom('team', 'input', 'output', 'type', 'key', 'agent')).filter((name) => name !== '__proto__');

/** A field that may be absent cannot be named after an Object.prototype member (from-model.ts refuses it). */
const prototypeMembers = new Set(Object.getOwnPropertyNames(Object.prototype));
const isOptionalField = (index: number, name: string) => index % 2 === 1 && !prototypeMembers.has(name);

/**
 * Text heavy in what breaks literals and comments. Never `{`, `}` or NUL: prompts are handlebars
 * templates, whose lexer takes none of them as plain text (the checker reports T206).
 */
const nastyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom("'", '"', '`', '$', '\\', '*', '/', '*/', '${', '\n', '\r', '\t', '\u2028', '\u2029', '\u0001', '\u001b', '\u007f', '\ufeff', '😀', 'é', ' ', 'a'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[{}\0]/.test(c)),
  ),
  maxLength: 24,
});

/** A `.team` string literal for any text. */
function teamString(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff) out += `\\u{${code.toString(16)}}`;
    else out += char;
  }
  return `"${out}"`;
}

interface Case {
  team: string;
  input: string;
  output: string;
  record: string;
  choice: string;
  fields: string[];
  literals: string[];
  channel: string;
  producer: string;
  consumer: string;
  doc: string;
  prompt: string;
  modelName: string;
}

const distinct = (n: number, arbitrary: fc.Arbitrary<string>) => fc.uniqueArray(arbitrary, { minLength: n, maxLength: n });

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    names: distinct(7, awkwardName),
    types: distinct(2, awkwardName.filter((name) => name !== '_' && name !== '__')),
    fields: fc.uniqueArray(fieldName, { minLength: 1, maxLength: 4 }),
    literals: fc.uniqueArray(nastyText, { minLength: 1, maxLength: 3 }),
    doc: nastyText,
    prompt: nastyText,
    modelName: nastyText,
  })
  .map(({ names, types, fields, literals, doc, prompt, modelName }) => ({
    team: names[0]!,
    input: names[1]!,
    output: names[2]!,
    channel: names[3]!,
    producer: names[4]!,
    consumer: names[5]!,
    record: types[0]!,
    choice: types[1]!,
    fields,
    literals,
    doc,
    prompt,
    modelName,
  }));

// A backslash right before `{{` escapes the mustache, so the nasty text is fenced by `|`.
const producerPrompt = (c: Case) => `{{${c.input}}}|${c.prompt}|`;
const consumerPrompt = (c: Case) => `|${c.prompt}|{{#each ${c.channel}}}{{json this}}{{/each}}`;

/** The program of a case: a producer emits records on a channel, a consumer joins them. */
function source(c: Case): string {
  const [first, ...rest] = c.fields;
  return [
    `model sim_model { provider sim  name ${teamString(c.modelName)}  latency 1s  max_tokens 1k }`,
    `team ${c.team} {`,
    `  doc ${teamString(c.doc)}`,
    `  input ${c.input}: string`,
    `  output ${c.output}: ${c.record} from ${c.consumer}`,
    `  deadline 10m`,
    `  type ${c.choice} = ${c.literals.map(teamString).join(' | ')}`,
    `  type ${c.record} { ${first}: ${c.choice}  ${rest.map((f, i) => `${f}${isOptionalField(i, f) ? '?' : ''}: ${i % 3 === 2 ? `${c.record}[]` : 'string'}`).join('  ')} }`,
    `  channel ${c.channel}: ${c.record} { ordering fifo  delivery exactly_once }`,
    `  agent ${c.producer} {`,
    `    model sim_model  takes ${c.input}  emits ${c.channel}  output ${c.record}  timeout 10s`,
    `    prompt ${teamString(producerPrompt(c))}`,
    `  }`,
    `  agent ${c.consumer} {`,
    `    model sim_model  takes all ${c.channel}  output ${c.record}  timeout 10s`,
    `    prompt ${teamString(consumerPrompt(c))}`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}

const cases = fc.sample(caseArbitrary, { seed: 20_251_123, numRuns: 32 });

interface Built {
  c: Case;
  text: string;
  module: string;
  definitionId: string;
}

let dir: string;
const built: Built[] = [];

beforeAll(() => {
  dir = scratchDirectory('properties');
  emitRuntimeDeclarations(dir);
  cases.forEach((c, i) => {
    const caseDir = path.join(dir, `case${i}`);
    const file = path.join(caseDir, 'adversarial.team');
    const text = source(c);
    const checked = checkFiles([file], { readFile: (f) => (f === file ? text : undefined) });
    const errors = checked.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`case ${i} does not check:\n${text}\n${errors.map((e) => `${e.code} ${e.message}`).join('\n')}`);
    const views = viewsFromModel(checked.model, checked.program.roots, { cwd: caseDir, version: '0.0.0-test', unsafeProblems: null });
    const files = renderModules(views);
    // Byte-stable: the same program gives the same bytes.
    expect(renderModules(viewsFromModel(checked.model, checked.program.roots, { cwd: caseDir, version: '0.0.0-test', unsafeProblems: null }))).toEqual(files);
    writeOutputs(caseDir, files);
    const team = views.find((v) => v.team)!;
    built.push({ c, text, module: path.join(caseDir, team.path), definitionId: team.team!.definitionId });
  });
}, 60_000);

describe('adversarial programs', () => {
  it('are varied: reserved words, colliding names and every nasty character appear', () => {
    const all = cases.flatMap((c) => [c.team, c.input, c.record, c.choice, c.producer, c.consumer, ...c.fields]);
    expect(all.some((n) => ['class', 'constructor', 'delete', 'new', 'function', 'let', 'await', 'enum'].includes(n))).toBe(true);
    expect(all.some((n) => ['z', 'teamc', 'Promise', 'Array'].includes(n))).toBe(true);
    const texts = cases.flatMap((c) => [c.doc, c.prompt, c.modelName, ...c.literals]).join('');
    for (const nasty of ["'", '`', '${', '*/', '\n', '\u2028', '\\']) expect(texts).toContain(nasty);
  });

  it('compile under the real tsc --strict, all in one run', () => {
    expect(built).toHaveLength(cases.length);
    const result = typeCheck(dir);
    expect(result.output).toBe('');
  });

  it('run on the runtime, with every string intact', async () => {
    for (const { c, module, definitionId } of built) {
      const generated = (await import(/* @vite-ignore */ module)) as Record<string, unknown>;
      const definition = generated[definitionId] as TeamDefinition;
      expect(validateDefinition(definition)).toEqual([]);
      expect(definition.name).toBe(c.team);
      expect(definition.doc).toBe(c.doc);
      expect(definition.models[0]!.model).toBe(c.modelName);
      const [producer, consumer] = definition.agents;
      expect(producer!.prompt).toBe(producerPrompt(c));
      expect(consumer!.prompt).toBe(consumerPrompt(c));
      for (const literal of c.literals) expect(definition.channels[0]!.schema.safeParse({ ...sampleRecord(c, literal) }).success).toBe(true);

      const prompts: string[] = [];
      const clock = new VirtualClock();
      const team = createTeam(definition, {
        clock,
        seed: 5,
        provider: {
          invoke: async (request) => {
            prompts.push(request.prompt);
            await clock.sleep(100);
            return { output: sampleRecord(c, c.literals[0]!), usage: { inputTokens: 10, outputTokens: 10 } };
          },
        },
      });
      const input = 'the "input" `value` ${x} */';
      const result = await clock.run(team.run({ [c.input]: input }));
      expect(result.ok ? 'ok' : result.error, c.team).toBe('ok');
      // The producer's prompt reached the model exactly as written, the input substituted.
      expect(prompts[0]).toBe(`${input}|${c.prompt}|`);
      if (result.ok) expect(result.output[c.output]).toEqual(sampleRecord(c, c.literals[0]!));
    }
  });
});

/** A value of the case's record type: the first field a choice, the other required ones strings, lists empty. */
function sampleRecord(c: Case, literal: string): Record<string, unknown> {
  const [first, ...rest] = c.fields;
  const value: Record<string, unknown> = { [first!]: literal };
  rest.forEach((field, i) => {
    if (isOptionalField(i, field)) return;
    value[field] = i % 3 === 2 ? [] : 'text';
  });
  return value;
}

it('the generated sources of the cases are kept for inspection when a case fails', () => {
  for (const { text, module } of built) fs.writeFileSync(path.join(path.dirname(module), 'adversarial.team'), text);
  expect(fs.existsSync(path.join(dir, 'case0', 'adversarial.team'))).toBe(true);
});
