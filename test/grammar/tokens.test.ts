/** The word lists are the one source of truth: they must agree with the reference and the AST. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flagKeys, valuePropertyKeys } from '../../compiler/syntax/ast.js';
import { lex } from '../../grammar/lexer.js';
import {
  declarationWords,
  flagKeywords,
  guaranteeWords,
  keywordTokens,
  propertyWords,
  punctuationTokens,
  reservedWords,
  valueKeywords,
} from '../../grammar/tokens.js';

const reference = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');

/** The words in backticks after a heading phrase of docs/language.md, up to the next full stop. */
function wordsAfter(phrase: string): string[] {
  const start = reference.indexOf(phrase);
  expect(start).toBeGreaterThanOrEqual(0);
  const sentence = reference.slice(start + phrase.length, reference.indexOf('.\n', start) + 1);
  return [...sentence.matchAll(/`([^`]+)`/g)].flatMap((match) => match[1]!.split(/\s+/));
}

describe('word lists', () => {
  it('reserves exactly the words docs/language.md reserves', () => {
    expect([...reservedWords]).toEqual(wordsAfter('Reserved words:'));
  });

  it('lists the value keys of the grammar, as the AST does', () => {
    expect([...valueKeywords]).toEqual([...valuePropertyKeys]);
    const valueKey = /valueKey\s+=([^;]+);/.exec(reference)![1]!;
    expect([...valueKeywords]).toEqual([...valueKey.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
  });

  it('lists the flags as the AST does', () => {
    expect([...flagKeywords]).toEqual([...flagKeys]);
  });

  it('lists the guarantee and policy words of docs/language.md', () => {
    const section = reference.slice(reference.indexOf('Guarantee and policy words'), reference.indexOf('## Grammar'));
    const documented = new Set([...section.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.split(/\s+/)));
    const ours = new Set(Object.values(guaranteeWords).flat());
    expect([...ours].sort()).toEqual([...documented].sort());
  });

  it('takes declaration and property words from the reserved words', () => {
    const reserved = new Set<string>(reservedWords);
    for (const word of [...declarationWords, ...propertyWords]) expect(reserved.has(word)).toBe(true);
  });

  it('lexes every reserved word as its own keyword token, and a longer word as an identifier', () => {
    for (const word of reservedWords) {
      expect(lex(word).tokens.map((t) => t.tokenType)).toEqual([keywordTokens[word]]);
      expect(lex(`${word}s_x`).tokens.map((t) => t.tokenType.name)).toEqual(['Identifier']);
    }
  });

  it('labels tokens as a user reads them', () => {
    expect(keywordTokens.agent.LABEL).toBe("'agent'");
    expect(punctuationTokens.map((t) => t.LABEL)).toEqual(["'->'", "'..'", "'.'", "'{'", "'}'", "'('", "')'", "'['", "']'", "':'", "','", "'?'", "'|'", "'='"]);
  });
});
