/**
 * String literals: decoding `"…"` escapes, and the indentation rule of triple-quoted strings.
 *
 * A plain string takes the escapes `\" \\ \n \t \u{…}`. A triple-quoted string is raw (its
 * backslashes are kept: prompts are handlebars templates, where `\{{` means a literal `{{`), and
 * written indented with the code around it, so that indentation is removed:
 * - the first line is dropped if it is blank (text usually starts on the line after `"""`);
 * - the last line is dropped if it is only white space (the closing `"""` sits on its own line);
 * - the white space common to the start of every remaining non-blank line is removed (a first
 *   line with text right after `"""` has no indentation of its own and does not count);
 * - lines holding only white space become empty; line breaks become `\n`.
 */

/** A problem inside a string, at offsets into the file (end exclusive). */
export interface StringProblem {
  message: string;
  start: number;
  end: number;
}

const escapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

/**
 * The value of a plain string token. `image` is the token's text, quotes included (the closing
 * quote may be missing when the lexer reported the string unterminated); `offset` is where it
 * starts in the file, so a bad escape can be reported where it is.
 */
export function decodeQuoted(image: string, offset: number, problems: StringProblem[]): string {
  const closed = image.length >= 2 && image.endsWith('"') && !isEscapedQuoteAtEnd(image);
  const body = image.slice(1, closed ? -1 : undefined);
  if (!body.includes('\\')) return body;

  let value = '';
  let i = 0;
  while (i < body.length) {
    const backslash = body.indexOf('\\', i);
    if (backslash === -1) {
      value += body.slice(i);
      break;
    }
    value += body.slice(i, backslash);
    const escapeStart = offset + 1 + backslash;
    const nextCode = body.codePointAt(backslash + 1);
    const next = nextCode === undefined ? '' : String.fromCodePoint(nextCode);
    if (next === 'u') {
      const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(body.slice(backslash + 2, backslash + 12));
      const code = match === null ? -1 : Number.parseInt(match[1]!, 16);
      if (match === null || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        const length = match === null ? 2 : 2 + match[0].length;
        problems.push({
          message: match === null ? 'a unicode escape is `\\u{…}` with one to six hex digits' : `\`\\u{${match[1]}}\` is not a unicode scalar value`,
          start: escapeStart,
          end: escapeStart + length,
        });
        value += body.slice(backslash, backslash + length);
        i = backslash + length;
        continue;
      }
      value += String.fromCodePoint(code);
      i = backslash + 2 + match![0].length;
      continue;
    }
    if (next === '') {
      // Only an unterminated string ends in a lone backslash; the lexer has reported it.
      value += '\\';
      break;
    }
    const replacement = escapes[next];
    if (replacement === undefined) {
      const length = 1 + next.length;
      problems.push({
        message: `unknown escape \`\\${next}\` (escapes: \\" \\\\ \\n \\t \\u{…})`,
        start: escapeStart,
        end: escapeStart + length,
      });
      value += body.slice(backslash, backslash + length);
      i = backslash + length;
      continue;
    }
    value += replacement;
    i = backslash + 2;
  }
  return value;
}

/** `"abc\"` has no closing quote: its last quote is escaped. */
function isEscapedQuoteAtEnd(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i >= 1 && image.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** The value of a triple-quoted string token (the closing `"""` may be missing). */
export function decodeTripleQuoted(image: string): string {
  const closed = image.length >= 6 && image.endsWith('"""');
  return stripIndentation(image.slice(3, closed ? -3 : undefined));
}

const lineBreak = /\r\n|\r|\n/;

/** The indentation rule above, applied to the text between the `"""`s. */
export function stripIndentation(content: string): string {
  const lines = content.split(lineBreak);
  let first = 0;
  let last = lines.length - 1;
  if (isBlank(lines[0]!)) first = 1;
  if (last >= first && last > 0 && isBlank(lines[last]!)) last -= 1;
  if (first > last) return '';

  // A first line with text right after the quotes is not indented: leave it out of the measure.
  const measuredFrom = first === 0 ? 1 : first;
  let indent: string | undefined;
  for (let n = measuredFrom; n <= last; n++) {
    const line = lines[n]!;
    if (isBlank(line)) continue;
    const own = leadingWhiteSpace(line);
    indent = indent === undefined ? own : commonPrefix(indent, own);
    if (indent === '') break;
  }

  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const line = lines[n]!;
    if (isBlank(line)) out.push('');
    else if (n === 0 || indent === undefined) out.push(line);
    else out.push(line.slice(indent.length));
  }
  return out.join('\n');
}

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

function leadingWhiteSpace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, i);
}
