import type { Span } from '../syntax/ast.js';

export type Severity = 'error' | 'warning' | 'note';

/** A span in a named file. Secondary labels may point into another file (an import). */
export interface Location {
  file: string;
  span: Span;
}

export interface Label extends Location {
  message: string;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  /** Where it breaks: the primary label. */
  file: string;
  span: Span;
  /** Shown under the primary span; may be empty. */
  label?: string;
  /** The other side of the contradiction. */
  related: Label[];
  /** One-line theory (`note: …`). */
  notes: string[];
  /** The smallest fix (`help: …`). */
  help: string[];
}
