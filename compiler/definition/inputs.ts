/**
 * A team's inputs from the command line: each `--input name=text` is read per the input's declared
 * type — text as it is for a string (or a choice of string literals), JSON for everything else —
 * so `--input diff=@change.diff` passes a file untouched while `--input limits='{"n":3}'` passes a
 * record. Validation against the schema happens afterwards, on the whole input record.
 */
import type { TeamInputModel, TeamModel, Type } from '../model.js';

export interface InputParse {
  /** The values read, by input name. */
  values: Record<string, unknown>;
  /** Unknown names and text that is not the JSON its type needs, one line each. */
  errors: string[];
  /** Declared inputs that got no value and may not be absent, in declaration order. */
  missing: TeamInputModel[];
}

/**
 * `given` are the texts of `--input` flags in order (a later one wins); `json` is the object of
 * `--input-json`, whose values are taken as they are (a later flag still wins).
 */
export function parseInputs(team: TeamModel, given: ReadonlyArray<{ name: string; text: string }>, json: Record<string, unknown> = {}): InputParse {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  const declared = [...team.inputs.keys()];
  const known = (name: string, where: string) => {
    if (team.inputs.has(name)) return true;
    errors.push(`${where}: team ${team.name} has no input \`${name}\` (its inputs: ${declared.length ? declared.join(', ') : 'none'})`);
    return false;
  };

  for (const [name, value] of Object.entries(json)) if (known(name, '--input-json')) values[name] = value;
  for (const { name, text } of given) {
    if (!known(name, `--input ${name}`)) continue;
    const type = team.inputs.get(name)!.type;
    if (takesText(type)) {
      values[name] = text;
      continue;
    }
    try {
      values[name] = JSON.parse(text);
    } catch {
      errors.push(`--input ${name}: \`${name}\` is ${describeType(type)}, so its value must be JSON; got ${preview(text)}`);
    }
  }
  const missing = [...team.inputs.values()].filter((input) => !(input.name in values) && !mayBeAbsent(input.type));
  return { values, errors, missing };
}

/** A type with named references followed to their bodies (a recursive name stays as it is). */
export function resolveType(type: Type): Type {
  const seen = new Set<unknown>();
  let current = type;
  while (current.kind === 'named' && !seen.has(current.declaration)) {
    seen.add(current.declaration);
    current = current.declaration.type;
  }
  return current;
}

/** Whether the command line's text is the value itself rather than JSON of it. */
export function takesText(type: Type): boolean {
  const resolved = resolveType(type);
  switch (resolved.kind) {
    case 'string':
    case 'literal':
      return true;
    case 'optional':
      return takesText(resolved.inner);
    case 'union':
      return resolved.members.every(takesText);
    default:
      return false;
  }
}

function mayBeAbsent(type: Type): boolean {
  const resolved = resolveType(type);
  return resolved.kind === 'optional' || resolved.kind === 'unknown';
}

/** `a string`, `a record`, `a list` … for messages. */
export function describeType(type: Type): string {
  const resolved = resolveType(type);
  const name = type.kind === 'named' ? ` (${type.name})` : '';
  switch (resolved.kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'bool':
      return 'true or false';
    case 'literal':
      return `"${resolved.value}"`;
    case 'array':
      return `a list${name}`;
    case 'record':
      return `a record${name}`;
    case 'optional':
      return describeType(resolved.inner);
    case 'union':
      return `one of several types${name}`;
    default:
      return 'any JSON value';
  }
}

function preview(text: string): string {
  const line = text.split('\n')[0]!;
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);
}
