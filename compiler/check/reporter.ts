/** How the checker's parts report: a typed report in, a diagnostic collected. */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { createDiagnostic, type DiagnosticCode, type Report } from '../diagnostics/registry.js';

export type Reporter = <C extends DiagnosticCode>(report: Report<C>) => void;

export function createReporter(into: Diagnostic[]): Reporter {
  return (report) => {
    into.push(createDiagnostic(report));
  };
}

/** `name` in backquotes, as every message writes a name. */
export const q = (name: string): string => `\`${name}\``;
