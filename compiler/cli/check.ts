/** `teamc check`: every diagnostic of every file, a summary line, exit 0 / 1 / 2. */
import { checkFiles } from '../program.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic, renderSummary } from '../diagnostics/render.js';
import { toGithub, toJson, toSarif } from '../diagnostics/formats.js';
import { diskHost, readInputs } from './files.js';
import { ExitCode, type Terminal } from './terminal.js';
import { version } from './version.js';

import type { checkFormats } from './options.js';

export type CheckFormat = (typeof checkFormats)[number];

export interface CheckOptions {
  format: CheckFormat;
  maxWarnings?: number;
  quiet: boolean;
}

export function runCheck(patterns: string[], options: CheckOptions, terminal: Terminal): ExitCode {
  const files = readInputs(patterns, terminal);
  if (files === undefined) return ExitCode.Usage;

  const checked = checkFiles(
    files.map((file) => file.path),
    diskHost(files),
  );
  const all = checked.diagnostics;
  const shown = options.quiet ? all.filter((d) => d.severity === 'error') : all;
  const sourceOf = (file: string) => checked.sources.get(file);

  switch (options.format) {
    case 'json':
      terminal.stdout(JSON.stringify(toJson(shown, sourceOf, terminal.cwd), null, 2));
      break;
    case 'sarif':
      terminal.stdout(JSON.stringify(toSarif(shown, sourceOf, { toolVersion: version, cwd: terminal.cwd }), null, 2));
      break;
    case 'github':
      for (const line of toGithub(shown, sourceOf, terminal.cwd)) terminal.stdout(line);
      break;
    case 'pretty': {
      for (const diagnostic of shown) {
        terminal.stdout(`${renderDiagnostic(diagnostic, sourceOf, { color: terminal.color, cwd: terminal.cwd })}\n`);
      }
      terminal.stdout(renderSummary(all, checked.sources.size, { color: terminal.color }));
      break;
    }
  }
  return exitCodeFor(all, options.maxWarnings);
}

function exitCodeFor(diagnostics: readonly Diagnostic[], maxWarnings: number | undefined): ExitCode {
  if (diagnostics.some((d) => d.severity === 'error')) return ExitCode.Diagnostics;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (maxWarnings !== undefined && warnings > maxWarnings) return ExitCode.Diagnostics;
  return ExitCode.Ok;
}

