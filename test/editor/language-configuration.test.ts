/**
 * The VS Code language configuration: comments, brackets and auto-closing pairs match the
 * language, and the indentation rules indent after an opening line and outdent at a closing one.
 * VS Code evaluates these patterns as JavaScript regexes, so that is how they are tested.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';

const extensionDir = path.resolve(import.meta.dirname, '..', '..', 'editors', 'vscode');
const configuration = JSON.parse(fs.readFileSync(path.join(extensionDir, 'language-configuration.json'), 'utf8')) as {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: Array<[string, string]>;
  autoClosingPairs: Array<{ open: string; close: string; notIn?: string[] }>;
  wordPattern: string;
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: Array<{ beforeText: string; afterText?: string; previousLineText?: string }>;
};

describe('language-configuration.json', () => {
  test('comments are the language’s two forms', () => {
    expect(configuration.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
  });

  test('brackets and auto-closing pairs, triple quotes and mustaches included', () => {
    expect(configuration.brackets).toEqual([
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ]);
    const pairs = new Map(configuration.autoClosingPairs.map((pair) => [pair.open, pair.close]));
    expect(pairs.get('"""')).toBe('"""');
    expect(pairs.get('"')).toBe('"');
    expect(pairs.get('{{')).toBe('}}');
    expect(pairs.get('{')).toBe('}');
    expect(pairs.get('/*')).toBe(' */');
  });

  test('every pattern is a valid regex', () => {
    const patterns = [
      configuration.wordPattern,
      configuration.indentationRules.increaseIndentPattern,
      configuration.indentationRules.decreaseIndentPattern,
      ...configuration.onEnterRules.flatMap((rule) => [rule.beforeText, rule.afterText, rule.previousLineText]),
    ].filter((pattern): pattern is string => pattern !== undefined);
    for (const pattern of patterns) expect(() => new RegExp(pattern), pattern).not.toThrow();
  });

  test('the word pattern selects names and whole literals', () => {
    const word = new RegExp(configuration.wordPattern, 'g');
    expect('takes all reviewer_lite'.match(word)).toEqual(['takes', 'all', 'reviewer_lite']);
    expect('retry 3 backoff exponential 500ms..8s'.match(word)).toEqual(['retry', '3', 'backoff', 'exponential', '500ms', '8s']);
    expect('budget 1.5M tokens $8'.match(word)).toEqual(['budget', '1.5M', 'tokens', '$8']);
  });

  const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);

  test.each([
    ['team CodeReview {', true],
    ['  agent reviewer {   // the main one', true],
    ['  tool search(', true],
    ['    prompt """', true],
    ['  type Finding { file: string }', false],
    ['    """', false],
    ['    timeout 30s', false],
    ['    doc "a { in a string"', false],
  ])('indent after %j: %s', (line, expected) => {
    expect(increase.test(line)).toBe(expected);
  });

  test.each([
    ['  }', true],
    ['  ]', true],
    ['    """', true],
    ['    timeout 30s', false],
    ['    prompt """', false],
  ])('outdent at %j: %s', (line, expected) => {
    expect(decrease.test(line)).toBe(expected);
  });
});
