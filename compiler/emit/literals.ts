/**
 * Text from a `.team` file that lands in generated TypeScript: string literals, template literals,
 * comments, numbers. Every function here returns something that, pasted into a TypeScript file,
 * means exactly the input and cannot end the construct early — whatever the input holds (quotes,
 * backticks, `${`, `*\/`, line terminators, lone surrogates).
 *
 * Hand-written rather than `JSON.stringify`: JSON leaves U+2028/U+2029 and lone surrogates raw
 * (a lone surrogate cannot even be written as UTF-8, so the file would silently change it), and
 * has no notion of template literals or comments.
 */

/** Characters escaped whatever the quoting: invisible, line-breaking, or not encodable as UTF-8. */
function escapeSpecial(code: number): string | undefined {
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x09) return '\\t';
  if (code === 0x5c) return '\\\\';
  // C0 and C1 controls, DEL. `\x..` rather than `\0`: `\0` followed by a digit is an error in a
  // template literal and an octal escape elsewhere.
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${hex(code, 2)}`;
  // LINE SEPARATOR, PARAGRAPH SEPARATOR (line terminators for comments and older engines), the
  // byte-order mark (invisible), and surrogates (reached here only when unpaired).
  if (code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) return `\\u${hex(code, 4)}`;
  return undefined;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * Walks a string by code point, calling `escape` for each; unpaired surrogates come through as
 * single code units (so they can be escaped) rather than being joined or dropped.
 */
function mapCodePoints(text: string, escape: (code: number, char: string, next: string | undefined) => string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
        continue;
      }
    }
    out += escape(code, text[i]!, text[i + 1]);
  }
  return out;
}

/** A single-quoted TypeScript string literal. */
export function tsString(text: string): string {
  const body = mapCodePoints(text, (code, char) => {
    if (char === "'") return "\\'";
    return escapeSpecial(code) ?? char;
  });
  return `'${body}'`;
}

/**
 * A template literal (backticks) that keeps line breaks as line breaks, for prompts: a reviewer
 * reads the prompt in the generated file as it was written. Backticks, `${` and backslashes are
 * escaped; `\r` is escaped because a raw CR in a template literal is read as LF.
 */
export function tsTemplateLiteral(text: string): string {
  const body = mapCodePoints(text, (code, char, next) => {
    if (char === '`') return '\\`';
    if (char === '$' && next === '{') return '\\$';
    if (code === 0x0a) return '\n';
    if (code === 0x09) return '\t';
    return escapeSpecial(code) ?? char;
  });
  return `\`${body}\``;
}

/** A finite number as a TypeScript literal; NaN and the infinities have none. */
export function tsNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`not a finite number: ${String(value)}`);
  // `-0` prints as `0` with String(); keep it that way — no definition field distinguishes them.
  return String(value);
}

/**
 * Text inside a `/** … *\/` comment, one string per line (the caller adds ` * `). `*\/` would end
 * the comment; line terminators other than `\n` would break the ` * ` layout; lone surrogates are
 * not UTF-8. None of them carries meaning a comment must keep, so they are written as escapes.
 */
export function blockCommentLines(text: string): string[] {
  return commentText(text).split('\n').map((line) => line.replace(/\s+$/, ''));
}

/** Text after `//`: one line, whatever the input held. */
export function lineCommentText(text: string): string {
  return commentText(text).replace(/\n/g, '\\n');
}

function commentText(text: string): string {
  const safe = mapCodePoints(text.replace(/\r\n?/g, '\n'), (code, char) => {
    if (code === 0x0a) return '\n';
    // A comment has no escapes to confuse: tabs and backslashes stay as written.
    if (code === 0x09 || code === 0x5c) return char;
    return escapeSpecial(code) ?? char;
  });
  return safe.replace(/\*\//g, '*\\/');
}
