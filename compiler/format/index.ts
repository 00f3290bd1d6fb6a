/**
 * The `.team` formatter: one canonical layout (see `print.ts`), comments kept where they were
 * (`comments.ts`), strings and prompts copied byte for byte. A file with syntax errors is not
 * formatted: its diagnostics are returned instead, so nothing is ever rewritten from a guess.
 */
import { lex } from '../../grammar/lexer.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { createSourceFile } from '../source.js';
import { parseSourceFile } from '../syntax/parse.js';
import { ContainerMap } from './comments.js';
import { printDoc } from './doc.js';
import { sameMeaning } from './meaning.js';
import { Printer } from './print.js';

export type FormatResult = string | { diagnostics: Diagnostic[] };

/** Columns a line may take before a block that could share it is broken over several. */
export const lineWidth = 100;

const byteOrderMark = '\ufeff';

/**
 * The formatted text of a file, or its syntax errors. Throws only on a bug in the formatter:
 * the output is re-parsed, and if it does not mean exactly what the input meant (same syntax
 * tree without spans, same comments), nothing is returned.
 */
export function formatSource(text: string, path: string): FormatResult {
  const parsed = parseSourceFile(createSourceFile(path, text));
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };

  const containers = new ContainerMap(text, parsed.ast, lex(text).tokens, parsed.comments);
  const doc = new Printer(text, containers).file(parsed.ast);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const body = printDoc(doc, { width: lineWidth, indentUnit: '  ', newline });
  const output = text.startsWith(byteOrderMark) ? byteOrderMark + body : body;

  const reparsed = parseSourceFile(createSourceFile(path, output));
  if (reparsed.diagnostics.length > 0 || !sameMeaning(parsed.ast, reparsed.ast)) {
    throw new Error(`formatting ${path} would change its meaning (a bug in the formatter); the file is left as it is`);
  }
  // Line comments may lose white space at their end; nothing else about a comment changes.
  const commentTexts = (comments: typeof parsed.comments) => comments.map((comment) => comment.text.trimEnd()).sort();
  if (commentTexts(parsed.comments).join('\0') !== commentTexts(reparsed.comments).join('\0')) {
    throw new Error(`formatting ${path} would lose a comment (a bug in the formatter); the file is left as it is`);
  }
  return output;
}
