/** `teamc explain T101`: the explanation page of a diagnostic code. */
import { explain } from '../diagnostics/explain.js';
import { diagnostics, isKnownCode } from '../diagnostics/registry.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { ExitCode, type Terminal } from './terminal.js';

export function runExplain(code: string, terminal: Terminal): ExitCode {
  const normalised = code.toUpperCase();
  const page = isKnownCode(normalised) ? explain(normalised) : undefined;
  if (page === undefined) {
    const suggestion = didYouMean(normalised, Object.keys(diagnostics));
    terminal.stderr(`teamc: no diagnostic ${code}${suggestion ? `; did you mean ${suggestion}?` : ''}`);
    terminal.stderr('teamc: codes run from T100 to T902; `teamc check` prints them with every diagnostic');
    return ExitCode.Usage;
  }
  terminal.stdout(page);
  return ExitCode.Ok;
}
