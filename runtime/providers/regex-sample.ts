/**
 * Strings that match a regular expression, for the simulator's `z.string().regex(...)` and for the
 * string formats zod checks by pattern (hex, hostname, hashes …).
 *
 * Hand-written on purpose: a generator such as randexp would add a runtime dependency for a
 * simulation-only feature. This covers the subset schemas use — literals, classes and ranges,
 * `\d \w \s` and their negations, `.`, groups (capturing, `(?:`, named), alternation, `? * + {n,m}`
 * quantifiers and anchors. Lookarounds and backreferences throw `UnsupportedPatternError`.
 */
import type { Random } from '../random.js';

export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
  constructor(pattern: string, detail: string) {
    super(`cannot sample /${pattern}/: ${detail}`);
  }
}

type Node =
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'chars'; set: string }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const WORD = `${LOWER}${UPPER}${DIGITS}_`;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
/** How far past its minimum an open-ended quantifier (`*`, `+`, `{n,}`) repeats. */
const OPEN_EXTRA = 3;

/** One string matching `pattern` (case-insensitive flags are honoured by emitting the written case). */
export function sampleRegex(pattern: RegExp, random: Random): string {
  const node = new PatternParser(pattern.source).parse();
  return emit(node, random);
}

function emit(node: Node, random: Random): string {
  switch (node.kind) {
    case 'seq':
      return node.items.map((item) => emit(item, random)).join('');
    case 'alt':
      return emit(random.pick(node.options), random);
    case 'chars':
      return node.set.length === 0 ? '' : random.pick([...node.set]);
    case 'repeat': {
      const count = random.int(node.min, node.max);
      let out = '';
      for (let i = 0; i < count; i++) out += emit(node.node, random);
      return out;
    }
  }
}

class PatternParser {
  private pos = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.source.length) this.fail(`unexpected "${this.source[this.pos]}"`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom) items.push(this.quantified(atom));
    }
    return { kind: 'seq', items };
  }

  private atom(): Node | undefined {
    const ch = this.source[this.pos++]!;
    switch (ch) {
      case '^':
      case '$':
        return undefined;
      case '(': {
        if (this.source.startsWith('?:', this.pos)) this.pos += 2;
        else if (this.source.startsWith('?<', this.pos) && !/^\?<[=!]/.test(this.source.slice(this.pos))) this.pos = this.source.indexOf('>', this.pos) + 1;
        else if (this.peek() === '?') this.fail('lookarounds are not supported');
        const inner = this.alternation();
        if (this.source[this.pos++] !== ')') this.fail('unclosed group');
        return inner;
      }
      case '[':
        return { kind: 'chars', set: this.charClass() };
      case '.':
        return { kind: 'chars', set: `${LOWER}${DIGITS}` };
      case '\\':
        return { kind: 'chars', set: this.escape(false) };
      case '*':
      case '+':
      case '?':
      case '{':
        if (ch === '{' && !/^\d/.test(this.source.slice(this.pos))) return { kind: 'chars', set: ch };
        return this.fail(`nothing to repeat before "${ch}"`);
      default:
        return { kind: 'chars', set: ch };
    }
  }

  private quantified(node: Node): Node {
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.pos++;
      min = ch === '+' ? 1 : 0;
      max = ch === '?' ? 1 : min + OPEN_EXTRA;
    } else {
      const braces = ch === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.pos)) : null;
      if (!braces) return node;
      this.pos += braces[0].length;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : min + OPEN_EXTRA;
    }
    if (this.peek() === '?') this.pos++; // lazy: same language
    return { kind: 'repeat', node, min, max: Math.min(max, min + OPEN_EXTRA) };
  }

  private charClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    let set = '';
    let first = true;
    while (this.pos < this.source.length && (this.peek() !== ']' || first)) {
      first = false;
      let chars: string;
      const ch = this.source[this.pos++]!;
      chars = ch === '\\' ? this.escape(true) : ch;
      if (chars.length === 1 && this.peek() === '-' && this.source[this.pos + 1] !== ']' && this.pos + 1 < this.source.length) {
        this.pos++;
        const endCh = this.source[this.pos++]!;
        const end = endCh === '\\' ? this.escape(true) : endCh;
        if (end.length !== 1) this.fail('a range must end in one character');
        for (let code = chars.charCodeAt(0); code <= end.charCodeAt(0); code++) set += String.fromCharCode(code);
        continue;
      }
      set += chars;
    }
    if (this.source[this.pos++] !== ']') this.fail('unclosed character class');
    if (!negated) return set;
    const excluded = new Set(set);
    return [...PRINTABLE].filter((c) => !excluded.has(c)).join('');
  }

  /** After a backslash: the characters the escape stands for. */
  private escape(inClass: boolean): string {
    const ch = this.source[this.pos++];
    switch (ch) {
      case 'd':
        return DIGITS;
      case 'D':
        return `${LOWER}${UPPER}`;
      case 'w':
        return WORD;
      case 'W':
        return ' -.,';
      case 's':
        return ' ';
      case 'S':
        return `${LOWER}${DIGITS}`;
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        if (inClass) return '\b';
        return this.fail('word boundaries are not supported');
      case 'x': {
        const hex = this.source.slice(this.pos, this.pos + 2);
        this.pos += 2;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
      case 'u': {
        const hex = this.source.slice(this.pos, this.pos + 4);
        this.pos += 4;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
      case undefined:
        return this.fail('trailing backslash');
      default:
        if (/[1-9]/.test(ch)) return this.fail('backreferences are not supported');
        if (/[a-zA-Z]/.test(ch)) return this.fail(`unknown escape \\${ch}`);
        return ch;
    }
  }

  private peek(): string | undefined {
    return this.source[this.pos];
  }

  private fail(detail: string): never {
    throw new UnsupportedPatternError(this.source, detail);
  }
}
