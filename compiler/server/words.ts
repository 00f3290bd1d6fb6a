/** Words of the language, for the features that look at the word under the cursor. */
import { guaranteeWords } from '../../grammar/tokens.js';

/** Guarantee and policy words (`causal`, `exactly_once`, `majority` …): identifiers to the parser, never names. */
export const guaranteeWordSet: ReadonlySet<string> = new Set(Object.values(guaranteeWords).flat());

/** The word (letters, digits, `_`) the cursor at `offset` is in or just after, with its span. */
export function wordAt(text: string, offset: number): { word: string; span: { start: number; end: number } } | undefined {
  let start = offset;
  while (start > 0 && isWordCharacter(text.charCodeAt(start - 1))) start--;
  let end = offset;
  while (end < text.length && isWordCharacter(text.charCodeAt(end))) end++;
  return end > start ? { word: text.slice(start, end), span: { start, end } } : undefined;
}

function isWordCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
