/**
 * Tokenises text with the TextMate grammar the way VS Code does: `vscode-textmate` on the
 * Oniguruma engine compiled to WebAssembly (`vscode-oniguruma`), loaded from node_modules.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { buildTextMateGrammar, teamScopeName, type TextMateGrammar } from '../../grammar/tmlanguage.js';

const require = createRequire(import.meta.url);

let onigReady: Promise<void> | undefined;

/** Loads the Oniguruma WebAssembly module once per test file. */
export function loadOniguruma(): Promise<void> {
  onigReady ??= oniguruma.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')));
  return onigReady;
}

/** One token of a line: its text, where it is, and the scopes from outermost to innermost. */
export interface ScopedToken {
  text: string;
  line: number;
  column: number;
  scopes: string[];
}

export interface Tokenizer {
  tokenize(text: string): ScopedToken[][];
}

export async function createTokenizer(grammar: TextMateGrammar = buildTextMateGrammar()): Promise<Tokenizer> {
  await loadOniguruma();
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === teamScopeName ? vsctm.parseRawGrammar(JSON.stringify(grammar), 'team.tmLanguage.json') : null,
  });
  const loaded = await registry.loadGrammar(teamScopeName);
  if (loaded === null) throw new Error('the team grammar did not load');
  return {
    tokenize(text) {
      let state = vsctm.INITIAL;
      return text.split(/\r\n|\r|\n/).map((lineText, line) => {
        const result = loaded.tokenizeLine(lineText, state);
        state = result.ruleStack;
        return result.tokens.map((token) => ({
          text: lineText.slice(token.startIndex, token.endIndex),
          line: line + 1,
          column: token.startIndex + 1,
          scopes: token.scopes,
        }));
      });
    },
  };
}

/** The scopes of the first token whose text is exactly `text` (in one line). */
export function scopesOf(tokens: ScopedToken[], text: string, occurrence = 1): string[] {
  const found = tokens.filter((token) => token.text === text)[occurrence - 1];
  if (found === undefined) {
    throw new Error(`no token \`${text}\` (#${occurrence}) in: ${tokens.map((token) => JSON.stringify(token.text)).join(' ')}`);
  }
  return found.scopes;
}

/** The innermost scope of a token: what a theme colours it by. */
export function innermost(scopes: string[]): string {
  return scopes[scopes.length - 1]!;
}

/** Every regex of a grammar: each rule's `match`, `begin` and `end`, where it sits. */
export function grammarRegexes(grammar: TextMateGrammar): Array<{ where: string; source: string }> {
  const found: Array<{ where: string; source: string }> = [];
  const visit = (rule: unknown, where: string) => {
    if (rule === null || typeof rule !== 'object') return;
    for (const [key, value] of Object.entries(rule)) {
      if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') {
        found.push({ where: `${where}.${key}`, source: value });
      } else if (typeof value === 'object') {
        visit(value, `${where}.${key}`);
      }
    }
  };
  visit(grammar.patterns, 'patterns');
  visit(grammar.repository, 'repository');
  return found;
}
