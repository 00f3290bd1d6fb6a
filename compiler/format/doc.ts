/**
 * A small document algebra and its line printer, after Wadler's "prettier printer" (the scheme
 * Prettier uses): text, line breaks that a group may flatten, indentation, and groups printed on
 * one line when they fit. Hand-written because the formatter needs only these few constructs,
 * plus two of its own — verbatim text (prompts and block comments, copied byte for byte) and
 * trailing comments (which never count against the width) — and a library would bring a
 * JavaScript-shaped model of comments that `.team` files do not have.
 */

export type Doc = string | Doc[] | Group | Indent | Line | Verbatim | Trailing;

interface Group {
  kind: 'group';
  contents: Doc;
  /** Set when the contents hold a forced break: the group can never be flat. */
  breaks: boolean;
}

interface Indent {
  kind: 'indent';
  contents: Doc;
}

interface Line {
  kind: 'line';
  /** What the line is when its group is flat; `undefined` for a hard line (always a break). */
  flat: string | undefined;
}

/** Text copied as written; its own line breaks are kept and never re-indented. */
interface Verbatim {
  kind: 'verbatim';
  text: string;
}

/** A comment at the end of a line: printed after a space, measured as nothing. */
interface Trailing {
  kind: 'trailing';
  text: string;
}

export const hardline: Doc = { kind: 'line', flat: undefined };

/** A line break, or `flat` when its group fits on one line. */
export function line(flat = ' '): Doc {
  return { kind: 'line', flat };
}

export function indent(contents: Doc): Doc {
  return { kind: 'indent', contents };
}

export function group(contents: Doc): Doc {
  return { kind: 'group', contents, breaks: hasForcedBreak(contents) };
}

export function verbatim(text: string): Doc {
  return text.includes('\n') || text.includes('\r') ? { kind: 'verbatim', text } : text;
}

export function trailing(text: string): Doc {
  return { kind: 'trailing', text };
}

/** `docs` with `separator` between them. */
export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((doc, index) => {
    if (index > 0) out.push(separator);
    out.push(doc);
  });
  return out;
}

function hasForcedBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (Array.isArray(doc)) return doc.some(hasForcedBreak);
  switch (doc.kind) {
    case 'group':
      return doc.breaks;
    case 'indent':
      return hasForcedBreak(doc.contents);
    case 'line':
      return doc.flat === undefined;
    case 'verbatim':
      return true;
    case 'trailing':
      // A trailing `//` comment ends the line: nothing may follow it on a flat line.
      return true;
  }
}

export interface PrintOptions {
  width: number;
  indentUnit: string;
  newline: string;
}

type Mode = 'flat' | 'break';

interface Command {
  indent: string;
  mode: Mode;
  doc: Doc;
}

/** Lays the document out: every group flat if it fits in what is left of its line, else broken. */
export function printDoc(doc: Doc, options: PrintOptions): string {
  const lines: string[] = [];
  let current = '';
  /** The current line holds only indentation so far (dropped if the line stays empty). */
  let onlyIndent = true;
  let column = 0;

  const stack: Command[] = [{ indent: '', mode: 'break', doc }];
  while (stack.length > 0) {
    const { indent: ind, mode, doc: next } = stack.pop()!;
    if (typeof next === 'string') {
      current += next;
      column += next.length;
      if (next.length > 0) onlyIndent = false;
      continue;
    }
    if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) stack.push({ indent: ind, mode, doc: next[i]! });
      continue;
    }
    switch (next.kind) {
      case 'indent':
        stack.push({ indent: ind + options.indentUnit, mode, doc: next.contents });
        break;
      case 'group': {
        const flat = !next.breaks && fits(next.contents, stack, options.width - column);
        stack.push({ indent: ind, mode: mode === 'flat' || flat ? 'flat' : 'break', doc: next.contents });
        break;
      }
      case 'line':
        if (mode === 'flat' && next.flat !== undefined) {
          current += next.flat;
          column += next.flat.length;
        } else {
          lines.push(onlyIndent ? '' : current);
          current = ind;
          column = ind.length;
          onlyIndent = true;
        }
        break;
      case 'verbatim': {
        current += next.text;
        const lastBreak = Math.max(next.text.lastIndexOf('\n'), next.text.lastIndexOf('\r'));
        column = next.text.length - lastBreak - 1;
        onlyIndent = false;
        break;
      }
      case 'trailing':
        current += ` ${next.text}`;
        onlyIndent = false;
        break;
    }
  }
  lines.push(onlyIndent ? '' : current);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : lines.join(options.newline) + options.newline;
}

/**
 * Whether `doc`, flat, and what follows it up to the next line break fit in `width` columns.
 * What follows is read from the print stack in the mode it will be printed in.
 */
function fits(doc: Doc, rest: readonly Command[], width: number): boolean {
  const pending: Array<{ mode: Mode; doc: Doc }> = [{ mode: 'flat', doc }];
  let restIndex = rest.length - 1;
  let remaining = width;
  while (remaining >= 0) {
    let item = pending.pop();
    if (item === undefined) {
      if (restIndex < 0) return true;
      const command = rest[restIndex--]!;
      item = { mode: command.mode, doc: command.doc };
    }
    const { mode, doc: next } = item;
    if (typeof next === 'string') {
      remaining -= next.length;
      continue;
    }
    if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) pending.push({ mode, doc: next[i]! });
      continue;
    }
    switch (next.kind) {
      case 'indent':
        pending.push({ mode, doc: next.contents });
        break;
      case 'group':
        pending.push({ mode: next.breaks ? 'break' : mode, doc: next.contents });
        break;
      case 'line':
        if (mode === 'break' || next.flat === undefined) return true;
        remaining -= next.flat.length;
        break;
      case 'verbatim': {
        // Only the text up to its first line break shares the line.
        const firstBreak = next.text.search(/[\r\n]/);
        return remaining - (firstBreak === -1 ? next.text.length : firstBreak) >= 0;
      }
      case 'trailing':
        break;
    }
  }
  return false;
}
