import * as fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import {
  displayPath,
  escapeGithubData,
  escapeGithubProperty,
  toGithub,
  toJson,
  toSarif,
} from '../../compiler/diagnostics/formats.js';
import { createSourceFile, type SourceFile } from '../../compiler/source.js';

// ajv-formats is CommonJS: its default export arrives as `module.exports`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const mainText = ['team T {', '  input diff: string', '  agent a {', '    takes findngs', '  }', '}', ''].join('\n');
const otherText = 'channel findings: string\n';
const files = new Map<string, SourceFile>([
  ['/repo/src/main.team', createSourceFile('/repo/src/main.team', mainText)],
  ['/repo/lib/other team.team', createSourceFile('/repo/lib/other team.team', otherText)],
]);
const sourceOf = (file: string) => files.get(file);

const at = (needle: string, text = mainText) => {
  const start = text.indexOf(needle);
  return { start, end: start + needle.length };
};

const unknownChannel: Diagnostic = {
  code: 'T101',
  severity: 'error',
  message: 'unknown channel or input `findngs`',
  file: '/repo/src/main.team',
  span: at('findngs'),
  label: 'not declared in team `T`',
  related: [{ file: '/repo/lib/other team.team', span: at('findings', otherText), message: 'a channel with a similar name' }],
  notes: [],
  help: ['did you mean `findings`?'],
};
const noTimeout: Diagnostic = {
  code: 'T500',
  severity: 'warning',
  message: '`a` calls model `m` with no `timeout`: one hung call stalls the team',
  file: '/repo/src/main.team',
  span: { start: mainText.indexOf('agent a'), end: mainText.indexOf('  }\n}') + 3 },
  related: [],
  notes: ['one hung call stalls the team'],
  help: ['add `timeout 30s`'],
};
const advice: Diagnostic = { ...noTimeout, code: 'T901', severity: 'note', message: 'all-to-all: 20 messages per round', notes: [], help: [] };
const elsewhere: Diagnostic = { ...noTimeout, code: 'T104', severity: 'error', file: '/tmp/outside.team', span: { start: 3, end: 9 }, notes: [], help: [] };

describe('displayPath', () => {
  it('is relative inside cwd, as given outside it or without one', () => {
    expect(displayPath('/repo/src/main.team', '/repo')).toBe('src/main.team');
    expect(displayPath('/repo/src/main.team', '/repo/src')).toBe('main.team');
    expect(displayPath('/repo/src/main.team', '/other')).toBe('/repo/src/main.team');
    expect(displayPath('/repo/src/main.team')).toBe('/repo/src/main.team');
    expect(displayPath('relative.team', '/repo')).toBe('relative.team');
  });
});

describe('toJson', () => {
  it('has a stable shape: 1-based line/column, offsets, related, notes and help', () => {
    const report = toJson([unknownChannel, noTimeout], sourceOf, '/repo');
    expect(report).toEqual({
      version: 1,
      diagnostics: [
        {
          code: 'T101',
          severity: 'error',
          title: 'unknown name',
          message: 'unknown channel or input `findngs`',
          file: 'src/main.team',
          range: { start: { line: 4, column: 11, offset: 52 }, end: { line: 4, column: 18, offset: 59 } },
          span: { start: 52, end: 59 },
          label: 'not declared in team `T`',
          related: [
            {
              file: 'lib/other team.team',
              range: { start: { line: 1, column: 9, offset: 8 }, end: { line: 1, column: 17, offset: 16 } },
              span: { start: 8, end: 16 },
              message: 'a channel with a similar name',
            },
          ],
          notes: [],
          help: ['did you mean `findings`?'],
        },
        {
          code: 'T500',
          severity: 'warning',
          title: 'an agent calls a model with no `timeout`',
          message: '`a` calls model `m` with no `timeout`: one hung call stalls the team',
          file: 'src/main.team',
          range: { start: { line: 3, column: 3, offset: 32 }, end: { line: 5, column: 4, offset: 63 } },
          span: { start: 32, end: 63 },
          label: null,
          related: [],
          notes: ['one hung call stalls the team'],
          help: ['add `timeout 30s`'],
        },
      ],
      summary: { errors: 1, warnings: 1, notes: 0 },
    });
    // Key order is part of the contract (diffs of saved reports stay readable).
    expect(Object.keys(report.diagnostics[0]!)).toEqual(['code', 'severity', 'title', 'message', 'file', 'range', 'span', 'label', 'related', 'notes', 'help']);
  });

  it('keeps the offsets and gives a null range when the file text is unknown', () => {
    const [d] = toJson([elsewhere], sourceOf, '/repo').diagnostics;
    expect(d).toMatchObject({ file: '/tmp/outside.team', range: null, span: { start: 3, end: 9 } });
  });

  it('round-trips through JSON.stringify unchanged', () => {
    const report = toJson([unknownChannel, noTimeout, advice], sourceOf, '/repo');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('toSarif', () => {
  const schema = JSON.parse(fs.readFileSync(new URL('./sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const valid = (log: unknown) => {
    const ok = validate(log);
    return ok ? 'valid' : ajv.errorsText(validate.errors, { separator: '\n' });
  };

  it('validates against the official SARIF 2.1.0 schema', () => {
    const log = toSarif([unknownChannel, noTimeout, advice, elsewhere], sourceOf, { toolVersion: '0.1.0', cwd: '/repo' });
    expect(valid(log)).toBe('valid');
    expect(valid(toSarif([], sourceOf, { toolVersion: '0.1.0' }))).toBe('valid');
  });

  it('the schema check has teeth: a broken log is rejected', () => {
    const log = toSarif([unknownChannel], sourceOf, { toolVersion: '0.1.0', cwd: '/repo' });
    const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(valid(broken)).not.toBe('valid');
  });

  it('describes each reported rule once, with its help page, and locates results and related labels', () => {
    const log = toSarif([unknownChannel, noTimeout, unknownChannel], sourceOf, { toolVersion: '1.2.3', cwd: '/repo' });
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('teamc');
    expect(run.tool.driver.version).toBe('1.2.3');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['T101', 'T500']);
    const [t101, t500] = run.tool.driver.rules;
    expect(t101).toMatchObject({ shortDescription: { text: 'unknown name' }, defaultConfiguration: { level: 'error' }, properties: { tags: ['syntax-and-names'] } });
    expect(t500!.defaultConfiguration.level).toBe('warning');
    expect(t101!.helpUri).toMatch(/^file:\/\/.*\/docs\/diagnostics\/T101\.md$/);
    expect(t101!.help!.markdown).toMatch(/^# T101/);
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['T101', 0, 'error'],
      ['T500', 1, 'warning'],
      ['T101', 0, 'error'],
    ]);
    expect(run.results[0]).toMatchObject({
      message: { text: 'unknown channel or input `findngs`\nhelp: did you mean `findings`?' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/main.team', uriBaseId: '%SRCROOT%' },
            region: { startLine: 4, startColumn: 11, endLine: 4, endColumn: 18, charOffset: 52, charLength: 7 },
          },
          message: { text: 'not declared in team `T`' },
        },
      ],
      relatedLocations: [
        {
          id: 0,
          physicalLocation: { artifactLocation: { uri: 'lib/other%20team.team', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 9 } },
          message: { text: 'a channel with a similar name' },
        },
      ],
    });
  });

  it('uses an absolute file URI outside cwd, and an offset-only region when the text is unknown', () => {
    const [result] = toSarif([elsewhere], sourceOf, { toolVersion: '0.1.0', cwd: '/repo' }).runs[0]!.results;
    expect(result!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'file:///tmp/outside.team' }, region: { charOffset: 3, charLength: 6 } });
  });
});

describe('toGithub', () => {
  it('writes one workflow command per diagnostic, with columns only on one line', () => {
    expect(toGithub([unknownChannel, noTimeout, advice], sourceOf, '/repo')).toEqual([
      '::error file=src/main.team,line=4,col=11,endLine=4,endColumn=17,title=T101::unknown channel or input `findngs`%0Ahelp: did you mean `findings`?',
      '::warning file=src/main.team,line=3,endLine=5,title=T500::`a` calls model `m` with no `timeout`: one hung call stalls the team%0Anote: one hung call stalls the team%0Ahelp: add `timeout 30s`',
      '::notice file=src/main.team,line=3,endLine=5,title=T901::all-to-all: 20 messages per round',
    ]);
  });

  it('escapes %, CR and LF in the message, and also : and , in properties', () => {
    expect(escapeGithubData('100% done\r\nnext: a, b')).toBe('100%25 done%0D%0Anext: a, b');
    expect(escapeGithubProperty('C:\\a,b%\n')).toBe('C%3A\\a%2Cb%25%0A');
    const tricky: Diagnostic = { ...advice, file: '/repo/a,b: c%.team', message: 'line one\nline two: 50%' };
    files.set('/repo/a,b: c%.team', createSourceFile('/repo/a,b: c%.team', mainText));
    expect(toGithub([tricky], sourceOf, '/repo')).toEqual([
      '::notice file=a%2Cb%3A c%25.team,line=3,endLine=5,title=T901::line one%0Aline two: 50%25',
    ]);
  });

  it('omits the position when the file text is unknown', () => {
    expect(toGithub([elsewhere], sourceOf, '/repo')).toEqual(['::error file=/tmp/outside.team,title=T104::`a` calls model `m` with no `timeout`: one hung call stalls the team']);
  });
});
