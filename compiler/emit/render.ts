/**
 * View model → TypeScript text, through handlebars templates (`templates/*.hbs`, embedded in
 * `templates.ts`). The templates are compiled once, on a private handlebars instance, with:
 *
 * - `strict`: a template naming a field the view model lacks throws instead of printing nothing;
 * - `knownHelpersOnly`: only the helpers below exist, so a typo cannot silently call nothing;
 * - `noEscape`: HTML escaping is meaningless in TypeScript. Escaping is explicit instead: every
 *   mustache goes through a helper that makes its value safe for where it lands (`str` for a
 *   string literal, `ident` for an identifier, `key` for a property name …); a test rejects any
 *   template that prints a raw value.
 */
import Handlebars from 'handlebars';
import { blockCommentLines, lineCommentText, tsNumber, tsString, tsTemplateLiteral } from './literals.js';
import { isIdentifier, propertyKey } from './names.js';
import { templates } from './templates.js';
import type { ModuleView } from './view-model.js';

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

function expectString(helper: string, value: unknown): string {
  if (typeof value !== 'string') throw new RenderError(`{{${helper}}} expects a string, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function isSet(value: unknown): boolean {
  return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/**
 * The escaping helpers: the only way a view-model value reaches the output. Handlebars passes its
 * options object as the last argument to every helper; the variadic ones drop it.
 */
export const helpers = {
  /** An identifier the view model claims is valid; checked, never altered. */
  ident(value: unknown): string {
    const name = expectString('ident', value);
    if (!isIdentifier(name)) throw new RenderError(`{{ident}}: ${JSON.stringify(name)} is not an identifier`);
    return name;
  },
  /** A single-quoted string literal. */
  str: (value: unknown): string => tsString(expectString('str', value)),
  /** A template literal that keeps line breaks (prompts). */
  text: (value: unknown): string => tsTemplateLiteral(expectString('text', value)),
  num(value: unknown): string {
    if (typeof value !== 'number') throw new RenderError(`{{num}} expects a number, got ${describe(value)}`);
    return tsNumber(value);
  },
  bool(value: unknown): string {
    if (typeof value !== 'boolean') throw new RenderError(`{{bool}} expects a boolean, got ${describe(value)}`);
    return String(value);
  },
  /** A property name (data, such as a record field), quoted when it is not identifier-like. */
  key: (value: unknown): string => propertyKey(expectString('key', value)),
  /** `/** … *\/` with `indent` before each continuation line. */
  docComment(value: unknown, indent: unknown): string {
    const lines = blockCommentLines(expectString('docComment', value));
    const pad = expectString('docComment', indent);
    if (lines.length === 1) return `/** ${lines[0]} */`;
    return ['/**', ...lines.map((line) => (line ? ` * ${line}` : ' *')), ' */'].join(`\n${pad}`);
  },
  /** Text after `//`, kept on one line. */
  lineComment: (value: unknown): string => lineCommentText(expectString('lineComment', value)),
  eq: (a: unknown, b: unknown): boolean => a === b,
  /** `(oneOf kind "union" "enum")`: the first argument equals one of the others. */
  oneOf: (value: unknown, ...rest: unknown[]): boolean => rest.slice(0, -1).includes(value),
  /** Neither null, undefined nor an empty list (so `0` and `false` count as set). */
  isSet: (value: unknown): boolean => isSet(value),
  anySet: (...args: unknown[]): boolean => args.slice(0, -1).some(isSet),
  fail(message: unknown, value: unknown): never {
    throw new RenderError(`${String(message)}: ${JSON.stringify(value)}`);
  },
} satisfies Record<string, (...args: never[]) => unknown>;

/** The templates that are printed (every other template is a partial). */
const rootTemplate = 'module';

let compiled: Handlebars.TemplateDelegate<ModuleView> | undefined;

function compileOnce(): Handlebars.TemplateDelegate<ModuleView> {
  if (compiled) return compiled;
  const instance = Handlebars.create();
  const options: CompileOptions = {
    strict: true,
    knownHelpersOnly: true,
    noEscape: true,
    knownHelpers: Object.fromEntries(Object.keys(helpers).map((name) => [name, true])),
  };
  for (const [name, helper] of Object.entries(helpers)) instance.registerHelper(name, helper as Handlebars.HelperDelegate);
  for (const [name, source] of Object.entries(templates)) {
    // `compile` is lazy; parsing now reports a broken template on first use, not mid-render.
    instance.parse(source);
    if (name !== rootTemplate) instance.registerPartial(name, instance.compile(source, options));
  }
  const root = templates[rootTemplate];
  if (root === undefined) throw new RenderError(`missing template ${rootTemplate}.hbs`);
  compiled = instance.compile<ModuleView>(root, options);
  return compiled;
}

/** One generated module's text. Deterministic: the same view gives the same bytes. */
export function renderModule(view: ModuleView): string {
  const text = compileOnce()(view);
  // Templates end sections with blank lines; a file ends with exactly one line break.
  return `${text.replace(/\n+$/, '')}\n`;
}
