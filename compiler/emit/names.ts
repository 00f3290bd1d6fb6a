/**
 * Names in generated TypeScript. A `.team` name (`reviewer_lite`, `class`, `CodeReview`) becomes a
 * TypeScript identifier by case conversion; the conversion can turn two distinct names into one
 * (`safe_add` and `SafeAdd`), land on a reserved word, or shadow a global the generated code
 * uses. A `NameScope` hands out each module's identifiers in a fixed order, so every clash is
 * resolved the same way on every build: the first claimant keeps the name, later ones get a
 * numeric suffix, and a reserved word gets a trailing `_`.
 */
import { tsString } from './literals.js';

/** ECMAScript reserved words (strict mode included) and literals: never an identifier. */
const ecmaReserved = [
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in',
  'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  // Not bindable in strict mode code, which every ES module is.
  'arguments', 'eval',
];

/**
 * Words with a meaning in TypeScript types (`type string = …` is an error), and names that are
 * legal but confusing or special as bindings. Avoided, never needed.
 */
const typeScriptWords = [
  'abstract', 'accessor', 'any', 'as', 'asserts', 'async', 'bigint', 'boolean', 'constructor', 'declare', 'from', 'get',
  'global', 'infer', 'is', 'keyof', 'module', 'namespace', 'never', 'number', 'object', 'of', 'out', 'override',
  'readonly', 'require', 'satisfies', 'set', 'string', 'symbol', 'type', 'undefined', 'unique', 'unknown',
  '__proto__', 'prototype',
];

/** Globals and imports that generated code refers to by name: a declaration must not shadow them. */
const usedByGeneratedCode = [
  'z', 'teamc', 'Promise', 'Array', 'Record', 'Object', 'String', 'Number', 'Boolean', 'Symbol', 'Error', 'JSON',
  'Math', 'NaN', 'Infinity', 'globalThis',
];

const ecmaReservedSet = new Set(ecmaReserved);
const avoided = new Set([...ecmaReserved, ...typeScriptWords, ...usedByGeneratedCode]);

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A name that can be written as a binding (`const x`) in an ES module. */
export function isIdentifier(name: string): boolean {
  return identifierPattern.test(name) && !ecmaReservedSet.has(name);
}

/** Splits a `.team` name into words at underscores and case changes, digits staying with their word. */
export function words(name: string): string[] {
  return name.match(/[A-Z]+(?![a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]/g) ?? [];
}

/**
 * `reviewer_lite` → `ReviewerLite`, `CodeReview` → `CodeReview`, `T0Item` → `T0Item`. Only the
 * first letter of each underscore-separated part changes, so names already in PascalCase keep
 * their capitals (`URLFetch` stays).
 */
export function pascalCase(name: string): string {
  const parts = name.split('_').filter((part) => part.length > 0);
  if (parts.length === 0) return name; // underscores only: already an identifier
  const joined = parts.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** `CodeReview` → `codeReview`, `URLFetch` → `urlFetch`, `reviewer_lite` → `reviewerLite`. */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  const run = /^[A-Z]+/.exec(pascal)?.[0].length ?? 0;
  if (run === 0) return pascal;
  // In `URLFetch` the last capital of the run starts the next word.
  const lower = run > 1 && run < pascal.length && /[a-z]/.test(pascal[run]!) ? run - 1 : run;
  return pascal.slice(0, lower).toLowerCase() + pascal.slice(lower);
}

/** `CodeReview` → `code-review`, `URLFetch` → `url-fetch`: for file names. */
export function kebabCase(name: string): string {
  const parts = words(name).map((word) => word.toLowerCase());
  return parts.length > 0 ? parts.join('-') : 'module';
}

/**
 * The identifiers of one generated module. Claim in a fixed order (the module's public API first,
 * then declarations in source order) and the result is the same on every build.
 */
export class NameScope {
  private readonly taken = new Set<string>(avoided);

  /** Marks names as in use without claiming them through conversion (imports, helpers). */
  reserve(...names: string[]): void {
    for (const name of names) this.taken.add(name);
  }

  /** The preferred identifier if free; otherwise `preferred_` for a reserved word, then numbered. */
  claim(preferred: string): string {
    let base = identifierPattern.test(preferred) ? preferred : sanitize(preferred);
    if (avoided.has(base)) base = `${base}_`;
    let candidate = base;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${base}${n}`;
    this.taken.add(candidate);
    return candidate;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/** Makes any text an identifier; `.team` names never need it, but a view model is not trusted. */
function sanitize(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[A-Za-z_$]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * A property name in an object literal or a type. Identifier-like names are written as they are
 * (reserved words are valid property names); anything else is quoted. `__proto__` is written as a
 * computed key: as a plain or quoted key in an object literal it would set the prototype.
 */
export function propertyKey(name: string): string {
  if (name === '__proto__') return `[${tsString(name)}]`;
  return identifierPattern.test(name) ? name : tsString(name);
}

const windowsDeviceNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** A file name stem for a generated module: kebab case, never a Windows device name. */
export function moduleStem(name: string): string {
  const stem = kebabCase(name);
  return windowsDeviceNames.test(stem) ? `${stem}-module` : stem;
}
