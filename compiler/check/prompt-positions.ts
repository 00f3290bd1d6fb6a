/**
 * Where each character of an inline prompt is written. A prompt's value is not its source text:
 * escapes are decoded and a triple-quoted string loses its indentation and its first and last
 * blank lines. Handlebars reports positions in the value, so each value index is mapped back to
 * its offset in the `.team` file by replaying the decoding of syntax/strings.ts with offsets.
 */
import type { StringLiteral } from '../syntax/ast.js';

/**
 * Maps each index of an inline prompt's value (and one past its end) to its offset in the file.
 * Mirrors the decoding in syntax/strings.ts; the result is checked against the decoded value, and
 * if they ever disagree every index maps to the string's start rather than to a wrong place.
 */
export function sourceMapOf(fileText: string, literal: StringLiteral): (index: number) => number {
  const raw = fileText.slice(literal.span.start, literal.span.end);
  const built = literal.triple ? mapTripleQuoted(raw, literal.span.start) : mapQuoted(raw, literal.span.start);
  if (built.text !== literal.value) return () => literal.span.start;
  const offsets = built.offsets;
  offsets.push(offsets.length > 0 ? offsets[offsets.length - 1]! + 1 : literal.span.start + (literal.triple ? 3 : 1));
  return (index) => offsets[Math.max(0, Math.min(index, offsets.length - 1))]!;
}

interface Mapped {
  text: string;
  offsets: number[];
}

function mapTripleQuoted(raw: string, start: number): Mapped {
  const closed = raw.length >= 6 && raw.endsWith('"""');
  const content = raw.slice(3, closed ? -3 : undefined);
  const contentStart = start + 3;
  // Lines with their offsets; line breaks are `\r\n`, `\r` or `\n`, as the decoder splits them.
  const lines: Array<{ text: string; at: number }> = [];
  const breaks = /\r\n|\r|\n/g;
  let from = 0;
  for (let match = breaks.exec(content); match !== null; match = breaks.exec(content)) {
    lines.push({ text: content.slice(from, match.index), at: from });
    from = match.index + match[0].length;
  }
  lines.push({ text: content.slice(from), at: from });

  const blank = (line: string) => /^[ \t]*$/.test(line);
  let first = 0;
  let last = lines.length - 1;
  if (blank(lines[0]!.text)) first = 1;
  if (last >= first && last > 0 && blank(lines[last]!.text)) last -= 1;
  const out: Mapped = { text: '', offsets: [] };
  if (first > last) return out;

  const measuredFrom = first === 0 ? 1 : first;
  let indent: string | undefined;
  for (let n = measuredFrom; n <= last; n++) {
    const line = lines[n]!.text;
    if (blank(line)) continue;
    const own = /^[ \t]*/.exec(line)![0];
    let i = 0;
    const limit = indent === undefined ? own.length : Math.min(indent.length, own.length);
    if (indent === undefined) i = own.length;
    else while (i < limit && indent.charCodeAt(i) === own.charCodeAt(i)) i++;
    indent = own.slice(0, i);
    if (indent === '') break;
  }

  const parts: string[] = [];
  for (let n = first; n <= last; n++) {
    const line = lines[n]!;
    if (n > first) {
      const previous = lines[n - 1]!;
      parts.push('\n');
      out.offsets.push(contentStart + previous.at + previous.text.length);
    }
    const skip = blank(line.text) ? line.text.length : n === 0 || indent === undefined ? 0 : indent.length;
    const kept = line.text.slice(skip);
    parts.push(kept);
    for (let i = 0; i < kept.length; i++) out.offsets.push(contentStart + line.at + skip + i);
  }
  out.text = parts.join('');
  return out;
}

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

function mapQuoted(raw: string, start: number): Mapped {
  const out: Mapped = { text: '', offsets: [] };
  const parts: string[] = [];
  const push = (text: string, at: number) => {
    parts.push(text);
    for (let i = 0; i < text.length; i++) out.offsets.push(at);
  };
  const end = raw.length >= 2 && raw.endsWith('"') ? raw.length - 1 : raw.length;
  let i = 1;
  while (i < end) {
    const at = start + i;
    if (raw[i] !== '\\') {
      parts.push(raw[i]!);
      out.offsets.push(at);
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next === 'u') {
      const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(raw.slice(i + 2, i + 12));
      const code = match === null ? -1 : Number.parseInt(match[1]!, 16);
      if (match !== null && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        push(String.fromCodePoint(code), at);
        i += 2 + match[0].length;
        continue;
      }
    }
    const simple = next === undefined ? undefined : simpleEscapes[next];
    if (simple !== undefined) {
      push(simple, at);
      i += 2;
      continue;
    }
    // An invalid escape is kept as written (and reported by the parser).
    parts.push(raw[i]!);
    out.offsets.push(at);
    i++;
  }
  out.text = parts.join('');
  return out;
}

/** For a template file: the index is the offset. */
export function identityMap(length: number): (index: number) => number {
  return (index) => Math.max(0, Math.min(index, length));
}
