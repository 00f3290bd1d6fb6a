/** A source file: its text, and conversions between offsets and 1-based line/column. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  /** 1-based line and column (in UTF-16 code units) of an offset. */
  position(offset: number): { line: number; column: number };
  /** The offset of a 1-based line and column. */
  offset(line: number, column: number): number;
}

export function createSourceFile(path: string, text: string): SourceFile {
  const lineStarts = computeLineStarts(text);
  return {
    path,
    text,
    position(offset) {
      const clamped = Math.max(0, Math.min(offset, text.length));
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (lineStarts[mid]! <= clamped) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: clamped - lineStarts[lo]! + 1 };
    },
    offset(line, column) {
      const start = lineStarts[Math.max(0, Math.min(line - 1, lineStarts.length - 1))]!;
      return Math.min(text.length, start + Math.max(0, column - 1));
    },
  };
}

/** Where each line starts: `\n`, `\r\n` and a lone `\r` each end a line (as handlebars counts them too). */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */) starts.push(i + 1);
    else if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
