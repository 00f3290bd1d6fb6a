/**
 * The real server over JSON-RPC on in-memory streams: the protocol end to end, from
 * `initialize` to every request, with the debounce driven by the test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type {
  CodeAction,
  CompletionItem,
  DocumentSymbol,
  Hover,
  Location,
  MarkupContent,
  PublishDiagnosticsParams,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { ResponseError } from 'vscode-languageserver/node';
import { checkFiles } from '../../compiler/program.js';
import { ManualScheduler, memoryHost, positionOf, startTestServer, uriOf, withCursors, type TestClient, fixturePath } from './helpers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const models = fs.readFileSync(path.join(fixtures, 'models.team'), 'utf8');
const review = fs.readFileSync(path.join(fixtures, 'review.team'), 'utf8');

let client: TestClient | undefined;
afterEach(() => {
  client?.dispose();
  client = undefined;
});

function at(text: string, needle: string, into = 1): { line: number; character: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`no ${needle} in the fixture`);
  return positionOf(text, offset + into);
}

const doc = (name: string) => ({ uri: uriOf(name) });

/** A change of the whole text (the server also takes incremental changes: see below). */
async function replaceText(c: TestClient, name: string, text: string, version: number): Promise<void> {
  await c.notify('textDocument/didChange', { textDocument: { uri: uriOf(name), version }, contentChanges: [{ text }] });
}

describe('lifecycle and diagnostics', () => {
  test('initialize announces every feature', async () => {
    client = await startTestServer({});
    expect(client.initialized.capabilities).toMatchObject({
      textDocumentSync: 2,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: {},
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    });
    expect(client.initialized.serverInfo?.name).toBe('teamc');
  });

  test('diagnostics on open are what `teamc check` reports for the file', async () => {
    const broken = review.replace('model smart', 'model smart\n    takes').replace('import "models.team"', 'import "models.team"\nimport "gone.team"');
    const files = { 'models.team': models, 'review.team': broken };
    client = await startTestServer(files);
    const published = client.diagnostics(uriOf('review.team'));
    await client.open('review.team', broken);
    const { diagnostics, version } = await published;
    expect(version).toBe(1);

    const expected = checkFiles([fixturePath('review.team')], memoryHost(files)).diagnostics.filter((d) => d.file === fixturePath('review.team'));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(diagnostics.map((d) => [d.code, d.range.start, (d.message as string).split('\n')[0]])).toEqual(
      expected.map((d) => [d.code, positionOf(broken, d.span.start), d.message]),
    );
    for (const diagnostic of diagnostics) expect(diagnostic.codeDescription?.href).toMatch(new RegExp(`/docs/diagnostics/${diagnostic.code}\\.md$`));
  });

  test('edits are debounced: many quick changes, one check, of the latest version', async () => {
    const scheduler = new ManualScheduler();
    client = await startTestServer({ 'models.team': models }, { scheduler, debounceMs: 200 });
    await client.open('review.team', review);
    // A request answered means every notification before it was handled.
    await client.request('textDocument/documentSymbol', { textDocument: doc('review.team') });
    expect(scheduler.delays).toEqual([0]);
    let published = client.diagnostics(uriOf('review.team'));
    expect(scheduler.flush()).toBe(1);
    expect((await published).diagnostics).toEqual([]);

    await replaceText(client, 'review.team', review.replace('agent judge {', 'agent judge {{'), 2);
    await replaceText(client, 'review.team', review.replace('agent judge {', 'agent judge {{{'), 3);
    await replaceText(client, 'review.team', review.replace('agent judge {', 'agent judge'), 4);
    await client.request('textDocument/documentSymbol', { textDocument: doc('review.team') });
    expect(scheduler.delays).toEqual([200]);
    const before = client.published.length;
    published = client.diagnostics(uriOf('review.team'));
    expect(scheduler.flush()).toBe(1);
    const result = await published;
    expect(result.version).toBe(4);
    expect(result.diagnostics.map((d) => d.code)).toContain('T100');
    expect(client.published.length).toBe(before + 1);
  });

  test('incremental changes are applied to the document', async () => {
    client = await startTestServer({ 'models.team': models });
    let published = client.diagnostics(uriOf('review.team'));
    await client.open('review.team', review);
    await published;
    // Delete the `{` after `agent judge`: a syntax error.
    const brace = at(review, 'agent judge {', 12);
    published = client.diagnostics(uriOf('review.team'), 2);
    await client.notify('textDocument/didChange', {
      textDocument: { uri: uriOf('review.team'), version: 2 },
      contentChanges: [{ range: { start: brace, end: { line: brace.line, character: brace.character + 1 } }, text: '' }],
    });
    expect((await published).diagnostics.map((d) => d.code)).toContain('T100');
  });

  test('an imported document, when edited, checks its importers again', async () => {
    client = await startTestServer({ 'models.team': models, 'review.team': review });
    let reviewDiagnostics = client.diagnostics(uriOf('review.team'));
    await client.open('review.team', review);
    await reviewDiagnostics;
    const modelsDiagnostics = client.diagnostics(uriOf('models.team'));
    await client.open('models.team', models);
    await modelsDiagnostics;

    reviewDiagnostics = client.diagnostics(uriOf('review.team'));
    await replaceText(client, 'models.team', `${models}\nimport "gone.team"\n`, 2);
    // models.team now imports a file that does not exist; review.team, which read it, is checked again.
    const again = await reviewDiagnostics;
    expect(again.uri).toBe(uriOf('review.team'));
  });

  test('closing a document clears its diagnostics', async () => {
    client = await startTestServer({});
    const opened = client.diagnostics(uriOf('a.team'));
    await client.open('a.team', 'team T {');
    expect((await opened).diagnostics).not.toEqual([]);
    const cleared = client.diagnostics(uriOf('a.team'));
    await client.notify('textDocument/didClose', { textDocument: doc('a.team') });
    expect((await cleared).diagnostics).toEqual([]);
  });
});

describe('requests', () => {
  async function opened(text = review): Promise<TestClient> {
    const c = await startTestServer({ 'models.team': models, 'review.team': text });
    const published = c.diagnostics(uriOf('review.team'));
    await c.open('review.team', text);
    await published;
    return c;
  }

  test('hover', async () => {
    client = await opened();
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: doc('review.team'), position: at(review, 'emits findings', 8) });
    expect((hover.contents as MarkupContent).value).toContain('ordering causal');
    expect(hover.range).toEqual({ start: at(review, 'emits findings', 6), end: at(review, 'emits findings', 14) });
  });

  test('definition and references', async () => {
    client = await opened();
    const definition = await client.request<Location[]>('textDocument/definition', { textDocument: doc('review.team'), position: at(review, 'model fast', 7) });
    expect(definition).toEqual([{ uri: uriOf('models.team'), range: { start: at(models, 'model fast', 6), end: at(models, 'model fast', 10) } }]);
    const references = await client.request<Location[]>('textDocument/references', {
      textDocument: doc('review.team'),
      position: at(review, 'store notes', 7),
      context: { includeDeclaration: true },
    });
    expect(references.map((l) => l.range.start.line + 1)).toEqual([14, 22, 36, 41]);
  });

  test('rename, and a refused rename as an error response with the reason', async () => {
    client = await opened();
    const prepared = await client.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: doc('review.team'), position: at(review, 'agent judge', 7) });
    expect(prepared.placeholder).toBe('judge');
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: doc('review.team'), position: at(review, 'agent judge', 7), newName: 'arbiter' });
    expect(edit.changes?.[uriOf('review.team')]).toHaveLength(2);

    const refused = await client
      .request('textDocument/rename', { textDocument: doc('review.team'), position: at(review, 'agent judge', 7), newName: 'reviewer' })
      .then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(ResponseError);
    expect((refused as ResponseError<unknown>).message).toMatch(/agent `reviewer` is already declared/);
  });

  test('completion at a cursor marker', async () => {
    const { text, offsets } = withCursors(review.replace('    reads notes requires causal\n', '    reads notes requires causal\n    emits |\n'));
    client = await opened(text);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: doc('review.team'), position: positionOf(text, offsets[0]!) });
    expect(items.map((item) => item.label)).toEqual(['findings']);
  });

  test('document symbols', async () => {
    client = await opened();
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: doc('review.team') });
    expect(symbols.map((s) => s.name)).toEqual(['Review']);
    expect(symbols[0]!.children!.map((s) => s.name)).toEqual(['diff', 'verdict', 'Finding', 'Verdict', 'notes', 'findings', 'reviewer', 'judge']);
  });

  test('formatting', async () => {
    const messy = review.replace('  deadline 5m', '     deadline    5m');
    client = await opened(messy);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: doc('review.team'), options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toContain('\n  deadline 5m\n');
  });

  test('code actions for a diagnostic with a mechanical fix', async () => {
    const typo = review.replace('emits findings', 'emits fidnings');
    client = await opened(typo);
    const published = client.published.at(-1) as PublishDiagnosticsParams;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: doc('review.team'),
      range: { start: at(typo, 'fidnings'), end: at(typo, 'fidnings') },
      context: { diagnostics: published.diagnostics },
    });
    const unknown = published.diagnostics.find((d) => d.code === 'T101');
    expect(unknown?.message).toMatch(/did you mean `findings`/);
    expect(actions.map((a) => a.title)).toEqual(['Change to `findings`']);
    expect(actions[0]!.diagnostics).toEqual([unknown]);
  });

  test('a request on a document that is not open answers with nothing, not an error', async () => {
    client = await startTestServer({});
    expect(await client.request('textDocument/definition', { textDocument: doc('nowhere.team'), position: { line: 0, character: 0 } })).toEqual([]);
    expect(await client.request('textDocument/completion', { textDocument: doc('nowhere.team'), position: { line: 0, character: 0 } })).toEqual([]);
  });
});
