/**
 * `.team` → checked model → generated modules, on every example and every accepted example of the
 * diagnostics pages: all of them compile under the real `tsc --strict` (one run), the examples'
 * modules match their snapshots, and every generated team runs end to end on the `sim` provider
 * and a virtual clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runBuild } from '../../compiler/cli/build.js';
import type { Terminal } from '../../compiler/cli/terminal.js';
import { version } from '../../compiler/cli/version.js';
import { renderModules, viewsFromModel, writeOutputs } from '../../compiler/emit/index.js';
import type { ModuleView } from '../../compiler/emit/view-model.js';
import { VirtualClock } from '../../runtime/clock.js';
import { validateDefinition, type TeamDefinition } from '../../runtime/definition.js';
import { generateValue } from '../../runtime/providers/generate.js';
import { seededRandom } from '../../runtime/random.js';
import { createTeam, type TeamOptions, type TeamResult } from '../../runtime/team.js';
import { checkOnDisk, docsPrograms, errorsOf, exampleFiles, examplesDirectory } from './corpus.js';
import { emitRuntimeDeclarations, projectRoot, scratchDirectory, typeCheck } from './helpers.js';

vi.mock('teamc/runtime', async () => await import('../../runtime/index.js'));

function recordingTerminal(cwd = projectRoot) {
  const out: string[] = [];
  const err: string[] = [];
  const terminal: Terminal = { cwd, color: false, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
  return { terminal, out, err };
}

interface BuiltTeam {
  /** Scratch-relative path of its module. */
  file: string;
  program: string;
  definitionId: string;
  runId: string;
}

let dir: string;
const teams: BuiltTeam[] = [];
// Every example must build: refusing one with checker errors would fail the build below.
const cleanExamples = exampleFiles();

function recordTeams(views: ModuleView[], program: string): void {
  for (const view of views) {
    if (view.team) teams.push({ file: path.posix.join(program, view.path), program, definitionId: view.team.definitionId, runId: view.team.runId });
  }
}

beforeAll(() => {
  dir = scratchDirectory('build');
  emitRuntimeDeclarations(dir);

  // The examples, through the command itself.
  const cli = recordingTerminal();
  const code = runBuild(cleanExamples.map((f) => path.relative(projectRoot, f)), { out: path.join(dir, 'examples'), allowUnsafe: false }, cli.terminal);
  if (code !== 0) throw new Error(`teamc build examples failed:\n${cli.out.join('\n')}\n${cli.err.join('\n')}`);
  const checked = checkOnDisk(cleanExamples);
  recordTeams(viewsFromModel(checked.model, checked.program.roots, { cwd: projectRoot, version: 'x', unsafeProblems: null }), 'examples');

  // Every accepted example of the diagnostics pages, each its own program.
  for (const program of docsPrograms()) {
    if (errorsOf(program.checked).length > 0) continue;
    const views = viewsFromModel(program.checked.model, program.checked.program.roots, { cwd: program.cwd, version: '0.0.0-test', unsafeProblems: null });
    writeOutputs(path.join(dir, program.name), renderModules(views));
    recordTeams(views, program.name);
  }
}, 60_000);

describe('examples', () => {
  it('at least the four known-good examples check clean and are built', () => {
    const names = cleanExamples.map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['code-review.team', 'math-library.team', 'models.team', 'writer-critic.team']));
    expect(fs.readdirSync(path.join(dir, 'examples')).sort()).toEqual(['code-review.ts', 'math-library.ts', 'models.team.ts', 'writer-critic.ts', ...(names.includes('research.team') ? ['research.ts'] : [])].sort());
  });

  // Rendered with a fixed version, so a release does not rewrite the snapshots.
  it.each(['models.team.ts', 'code-review.ts', 'math-library.ts', 'writer-critic.ts'])('%s matches its snapshot', async (file) => {
    const checked = checkOnDisk(cleanExamples);
    const views = viewsFromModel(checked.model, checked.program.roots, { cwd: projectRoot, version: '0.0.0-test', unsafeProblems: null });
    const text = renderModules(views).find((m) => m.path === file)!.text;
    expect(text.replace('0.0.0-test', version)).toBe(fs.readFileSync(path.join(dir, 'examples', file), 'utf8'));
    await expect(text).toMatchFileSnapshot(`__snapshots__/examples/${file}.snap`);
  });

  it('the shared models live in one module that every team imports', () => {
    const codeReview = fs.readFileSync(path.join(dir, 'examples/code-review.ts'), 'utf8');
    expect(codeReview).toContain("import * as modelsTeam from './models.team.js';");
    expect(codeReview).toContain('models: [modelsTeam.fastModel, modelsTeam.smartModel],');
    expect(codeReview).not.toMatch(/export const fastModel/);
  });
});

describe('every generated module', () => {
  it('compiles under the real tsc --strict (examples and all accepted diagnostics examples, one run)', () => {
    expect(teams.length).toBeGreaterThan(40);
    const result = typeCheck(dir);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });
});

describe('every generated team runs on the runtime', () => {
  const load = async (team: BuiltTeam) => (await import(/* @vite-ignore */ path.join(dir, team.file))) as Record<string, unknown>;

  it('the examples run to success with the sim provider on a virtual clock, deterministically', async () => {
    const examples = teams.filter((t) => t.program === 'examples');
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const team of examples) {
      const module = await load(team);
      const definition = module[team.definitionId] as TeamDefinition;
      const run = module[team.runId] as (input: unknown, options: TeamOptions) => Promise<TeamResult<Record<string, unknown>>>;
      const input = Object.fromEntries(definition.inputs.map((i) => [i.name, generateValue(i.schema, seededRandom(`${team.file}/${i.name}`))]));
      const once = async () => {
        const clock = new VirtualClock();
        return clock.run(run(input, { provider: 'sim', clock, seed: 11 }));
      };
      const result = await once();
      expect(result.ok ? 'ok' : result.error, team.file).toBe('ok');
      if (!result.ok) continue;
      for (const output of definition.outputs) expect(output.schema.safeParse(result.output[output.name]).success).toBe(true);
      expect(await once()).toEqual(result);
    }
  });

  it('every accepted diagnostics example is a valid definition and a run ends in a result, never a crash', async () => {
    const kinds = new Map<string, number>();
    for (const team of teams.filter((t) => t.program !== 'examples')) {
      const module = await load(team);
      const definition = module[team.definitionId] as TeamDefinition;
      expect(validateDefinition(definition), team.file).toEqual([]);
      const input = Object.fromEntries(definition.inputs.map((i) => [i.name, generateValue(i.schema, seededRandom(i.name))]));
      const clock = new VirtualClock();
      const result = await clock.run(createTeam(definition, { provider: 'sim', clock, seed: 3 }).run(input));
      const kind = result.ok ? 'ok' : result.error.kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      // A design may fail under random answers (a vote that splits); it may not fail to start.
      expect(['invalid_input', 'internal'], `${team.file}: ${result.ok ? '' : result.error.message}`).not.toContain(kind);
    }
    expect(kinds.get('ok') ?? 0).toBeGreaterThan(30);
  });
});

describe('teamc build', () => {
  it('is byte-stable: building again changes nothing', () => {
    const cli = recordingTerminal();
    expect(runBuild(cleanExamples, { out: path.join(dir, 'examples'), allowUnsafe: false }, cli.terminal)).toBe(0);
    expect(cli.out.every((line) => line.startsWith('unchanged '))).toBe(true);
    expect(cli.out).toHaveLength(fs.readdirSync(path.join(dir, 'examples')).length);
  });

  it('names sources relative to the working directory, never by absolute path', () => {
    for (const file of fs.readdirSync(path.join(dir, 'examples'))) {
      const text = fs.readFileSync(path.join(dir, 'examples', file), 'utf8');
      expect(text).toMatch(/^\/\/ Generated by teamc [^ ]+ from examples\/[a-z-]+\.team: /);
      expect(text).not.toContain(projectRoot);
    }
  });

  it('refuses a program with errors and writes nothing', () => {
    const broken = path.join(scratchDirectory('build-broken'), 'broken.team');
    fs.writeFileSync(broken, 'team Broken {\n  input x: string\n  output y: Nope from nobody\n}\n');
    const out = path.join(path.dirname(broken), 'out');
    const cli = recordingTerminal(path.dirname(broken));
    expect(runBuild(['broken.team'], { out: 'out', allowUnsafe: false }, cli.terminal)).toBe(1);
    expect(cli.out.join('\n')).toMatch(/error\[T101\]/);
    expect(cli.err.join('\n')).toMatch(/nothing built: fix the \d+ errors? above, or build anyway with --allow-unsafe/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('with --allow-unsafe prints every error, writes the modules and marks each one unsafe', () => {
    const work = scratchDirectory('build-unsafe');
    // Well formed, but the writer's output does not fit the channel it emits on (T200).
    fs.writeFileSync(
      path.join(work, 'unsafe.team'),
      [
        'model m { provider sim  latency 1s  max_tokens 1k }',
        'team Unsafe {',
        '  input  topic: string',
        '  output notes: string from reader',
        '  channel notes_ch: string { ordering fifo  delivery exactly_once }',
        '  agent writer { model m  takes topic  emits notes_ch  output int  prompt "Write about {{topic}}"  timeout 10s }',
        '  agent reader { model m  takes all notes_ch  output string  prompt "{{#each notes_ch}}{{this}}{{/each}}"  timeout 10s }',
        '}',
        '',
      ].join('\n'),
    );
    const cli = recordingTerminal(work);
    const code = runBuild(['unsafe.team'], { out: 'out', allowUnsafe: true }, cli.terminal);
    const errors = errorsOf(checkOnDisk([path.join(work, 'unsafe.team')]));
    expect(errors.length).toBeGreaterThan(0);
    expect(code).toBe(0);
    for (const error of errors) expect(cli.out.join('\n')).toContain(`error[${error.code}]`);
    expect(cli.err.join('\n')).toMatch(/built with --allow-unsafe despite \d+ errors?/);
    const text = fs.readFileSync(path.join(work, 'out/unsafe.ts'), 'utf8');
    expect(text).toContain('// UNSAFE: built with --allow-unsafe');
    for (const error of errors) expect(text).toContain(`error[${error.code}]`);
    expect(text).toMatch(/^\/\/ {3}unsafe\.team:\d+:\d+ error\[T\d+\]/m);
  });

  it('refuses a missing --out and an unreadable input as usage errors', () => {
    const cli = recordingTerminal();
    expect(runBuild(['examples/code-review.team'], { out: '', allowUnsafe: false }, cli.terminal)).toBe(2);
    expect(runBuild(['examples/nope.team'], { out: path.join(dir, 'nope'), allowUnsafe: false }, cli.terminal)).toBe(2);
    expect(fs.existsSync(path.join(dir, 'nope'))).toBe(false);
    expect(examplesDirectory).toBeTruthy();
  });
});
