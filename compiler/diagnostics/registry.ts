import type { Diagnostic, Label, Location, Severity } from './diagnostic.js';

/**
 * The one registry of diagnostic codes. A code's entry gives its default severity, a title (the
 * catalogue line, used in listings and SARIF rules) and a message template typed by its
 * arguments. Explanation pages live in `docs/diagnostics/<code>.md`.
 *
 * Adding a diagnostic = one entry here, one rule that reports it, one docs page, fixtures.
 */
interface Definition<Args> {
  severity: Severity;
  title: string;
  message: (args: Args) => string;
}

function define<Args = Record<string, never>>(definition: Definition<Args>): Definition<Args> {
  return definition;
}

const q = (name: string) => `\`${name}\``;

export const diagnostics = {
  // Syntax and names ----------------------------------------------------------------------------
  T100: define<{ message: string }>({
    severity: 'error',
    title: 'syntax error',
    message: ({ message }) => message,
  }),
  T101: define<{ what: string; name: string }>({
    severity: 'error',
    title: 'unknown name',
    message: ({ what, name }) => `unknown ${what} ${q(name)}`,
  }),
  T102: define<{ what: string; name: string }>({
    severity: 'error',
    title: 'duplicate declaration',
    message: ({ what, name }) => `${what} ${q(name)} is declared more than once`,
  }),
  T103: define<{ message: string }>({
    severity: 'error',
    title: 'unknown or duplicate property, or a value of the wrong kind',
    message: ({ message }) => message,
  }),
  T104: define<{ message: string }>({
    severity: 'error',
    title: 'import problem (unreadable file, cycle)',
    message: ({ message }) => message,
  }),

  // Types and templates -------------------------------------------------------------------------
  T200: define<{ producer: string; produced: string; target: string; expected: string }>({
    severity: 'error',
    title: "a producer's output type is not assignable to the channel's or store's type",
    message: ({ producer, produced, target, expected }) =>
      `${q(producer)} produces ${q(produced)}, which does not fit ${target} of type ${q(expected)}`,
  }),
  T201: define<{ message: string }>({
    severity: 'error',
    title: "a consumer takes a channel whose type does not fit what its prompt uses",
    message: ({ message }) => message,
  }),
  T202: define<{ agent: string; variable: string }>({
    severity: 'error',
    title: "a prompt template names a variable that is not among the agent's inputs",
    message: ({ agent, variable }) => `the prompt of ${q(agent)} uses ${q(variable)}, which ${q(agent)} does not take or read`,
  }),
  T203: define<{ message: string }>({
    severity: 'error',
    title: "a template uses a field the variable's type lacks, or iterates a non-array",
    message: ({ message }) => message,
  }),
  T204: define<{ agent: string; fallback: string; expected: string; actual: string }>({
    severity: 'error',
    title: "a fallback agent's output type differs from the agent it stands in for",
    message: ({ agent, fallback, expected, actual }) =>
      `fallback ${q(fallback)} outputs ${q(actual)}, but ${q(agent)} outputs ${q(expected)}`,
  }),
  T205: define<{ output: string; source: string; expected: string; actual: string }>({
    severity: 'error',
    title: 'a team output comes from something that cannot produce its type',
    message: ({ output, source, expected, actual }) =>
      `team output ${q(output)} expects ${q(expected)}, but ${q(source)} produces ${q(actual)}`,
  }),
  T206: define<{ message: string }>({
    severity: 'error',
    title: 'a prompt template does not parse, or uses an unknown helper',
    message: ({ message }) => message,
  }),
} satisfies Record<string, Definition<never>>;

export type DiagnosticCode = keyof typeof diagnostics;
export type DiagnosticArgs<C extends DiagnosticCode> = Parameters<(typeof diagnostics)[C]['message']>[0];

export interface Report<C extends DiagnosticCode> {
  code: C;
  args: DiagnosticArgs<C>;
  at: Location;
  label?: string;
  related?: Label[];
  notes?: string[];
  help?: string[];
  severity?: Severity;
}

export function createDiagnostic<C extends DiagnosticCode>(report: Report<C>): Diagnostic {
  const definition = diagnostics[report.code] as Definition<DiagnosticArgs<C>>;
  return {
    code: report.code,
    severity: report.severity ?? definition.severity,
    message: definition.message(report.args),
    file: report.at.file,
    span: report.at.span,
    ...(report.label === undefined ? {} : { label: report.label }),
    related: report.related ?? [],
    notes: report.notes ?? [],
    help: report.help ?? [],
  };
}

export function isKnownCode(code: string): code is DiagnosticCode {
  return Object.hasOwn(diagnostics, code);
}
