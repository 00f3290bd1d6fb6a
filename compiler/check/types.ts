/**
 * Types: from type expressions to the structural representation of `model.ts`, assignability,
 * and how a type is written in messages.
 *
 * Assignability is structural: a record fits when every field the target requires is present
 * with a fitting type (extra fields are allowed: schemas strip them); a literal fits its
 * primitive; `int` fits `number`; arrays are covariant; a union fits when each member does, and a
 * value fits a union when it fits one member; `T` fits `T?`. Recursive named types are compared
 * coinductively (a pair already being compared is assumed to fit), which keeps it terminating.
 */
import type { RecordField as RecordFieldNode, TypeExpression } from '../syntax/ast.js';
import type { FieldModel, PrimitiveName, RecordTypeModel, Type, TypeDeclarationModel } from '../model.js';

export const builtinTypeNames: readonly PrimitiveName[] = ['string', 'int', 'number', 'bool'];
const builtins = new Map<string, Type>(builtinTypeNames.map((name) => [name, { kind: name }]));

export const unknownType: Type = { kind: 'unknown' };
export const stringType: Type = { kind: 'string' };
export const intType: Type = { kind: 'int' };
export const numberType: Type = { kind: 'number' };
export const boolType: Type = { kind: 'bool' };

export function arrayOf(element: Type): Type {
  return { kind: 'array', element };
}

export function optionalOf(inner: Type): Type {
  return inner.kind === 'optional' ? inner : { kind: 'optional', inner };
}

/** A record type from fields, with its name index. */
export function recordOf(fields: FieldModel[]): RecordTypeModel {
  return { kind: 'record', fields, fieldsByName: new Map(fields.map((f) => [f.name, f])) };
}

// ---------------------------------------------------------------------------------------------
// Resolution

/** How a resolver finds a named type; it reports an unknown name itself and returns undefined. */
export type TypeLookup = (name: string, reference: { start: number; end: number }) => TypeDeclarationModel | undefined;

/**
 * Resolves a type expression. Built-in names win over nothing: a declaration may not take a
 * built-in's name (the binder reports that), so the order does not matter.
 */
export function resolveTypeExpression(expression: TypeExpression, lookup: TypeLookup, file: string): Type {
  switch (expression.kind) {
    case 'TypeReference': {
      const builtin = builtins.get(expression.name.name);
      if (builtin !== undefined) return builtin;
      const declaration = lookup(expression.name.name, expression.name.span);
      return declaration === undefined ? unknownType : { kind: 'named', name: declaration.name, declaration };
    }
    case 'LiteralType':
      return { kind: 'literal', value: expression.value.value };
    case 'RecordType':
      return recordOf(resolveFields(expression.fields, lookup, file));
    case 'ArrayType':
      return arrayOf(resolveTypeExpression(expression.element, lookup, file));
    case 'OptionalType':
      return optionalOf(resolveTypeExpression(expression.inner, lookup, file));
    case 'UnionType':
      return { kind: 'union', members: expression.members.map((member) => resolveTypeExpression(member, lookup, file)) };
  }
}

/** Record fields (or a tool's parameters). A repeated field name is the caller's to report. */
export function resolveFields(fields: readonly RecordFieldNode[], lookup: TypeLookup, file: string): FieldModel[] {
  return fields.map((field) => ({
    name: field.name.name,
    type: resolveTypeExpression(field.type, lookup, file),
    optional: field.optional,
    file,
    span: field.name.span,
  }));
}

/**
 * Named types reachable from `type` without passing through a record field or an array element:
 * a cycle among these (`type A = B?`, `type B = A | string`) has no finite values.
 */
export function unguardedReferences(type: Type, into: TypeDeclarationModel[] = []): TypeDeclarationModel[] {
  switch (type.kind) {
    case 'named':
      into.push(type.declaration);
      break;
    case 'optional':
      unguardedReferences(type.inner, into);
      break;
    case 'union':
      for (const member of type.members) unguardedReferences(member, into);
      break;
    default:
      break;
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Structure

/**
 * The structure under names: follows `named` to the declaration's body. Declarations in an
 * unguarded cycle have been set to `unknown` by the checker, so this terminates.
 */
export function structure(type: Type): Type {
  let current = type;
  while (current.kind === 'named') current = current.declaration.type;
  return current;
}

/** `T?` → `T` (and through names): what a present value of the type is. */
export function present(type: Type): Type {
  let current = structure(type);
  while (current.kind === 'optional') current = structure(current.inner);
  return current;
}

/** The element type if `type` is (possibly optionally, possibly by name) an array. */
export function elementOf(type: Type): Type | undefined {
  const shape = present(type);
  return shape.kind === 'array' ? shape.element : undefined;
}

export type FieldLookup =
  | { kind: 'found'; type: Type; optional: boolean }
  /** The type has fields, but not this one; `candidates` are the fields it has. */
  | { kind: 'missing'; candidates: string[] }
  /** The type is not a record (a primitive, an array, a literal). */
  | { kind: 'not-a-record' };

/**
 * A field of a present value of `type`. Through a union, the field must exist in every member
 * (a template cannot know which member it holds); its type is then the union of theirs.
 */
export function fieldOf(type: Type, name: string): FieldLookup {
  const shape = present(type);
  if (shape.kind === 'unknown') return { kind: 'found', type: unknownType, optional: false };
  if (shape.kind === 'record') {
    const field = shape.fieldsByName.get(name);
    if (field === undefined) return { kind: 'missing', candidates: shape.fields.map((f) => f.name) };
    return { kind: 'found', type: field.type, optional: field.optional };
  }
  if (shape.kind === 'union') {
    const types: Type[] = [];
    let optional = false;
    const candidates = new Set<string>();
    for (const member of shape.members) {
      const found = fieldOf(member, name);
      if (found.kind === 'not-a-record') return found;
      if (found.kind === 'missing') {
        for (const candidate of found.candidates) candidates.add(candidate);
        return { kind: 'missing', candidates: [...candidates] };
      }
      types.push(found.type);
      optional ||= found.optional;
    }
    return { kind: 'found', type: types.length === 1 ? types[0]! : { kind: 'union', members: types }, optional };
  }
  return { kind: 'not-a-record' };
}

/** Whether a present value of the type is `bool` (a `when`/`unless` gate). */
export function isBoolean(type: Type): boolean {
  const shape = present(type);
  if (shape.kind === 'bool' || shape.kind === 'unknown') return true;
  return shape.kind === 'union' && shape.members.every(isBoolean);
}

// ---------------------------------------------------------------------------------------------
// Assignability

/** Whether every value of `source` is a value of `target`. */
export function isAssignable(source: Type, target: Type): boolean {
  return assignable(source, target, new Map());
}

/** Both ways: the two types have the same values. */
export function isEquivalent(a: Type, b: Type): boolean {
  return isAssignable(a, b) && isAssignable(b, a);
}

type Assumptions = Map<TypeDeclarationModel, Set<TypeDeclarationModel>>;

function assignable(source: Type, target: Type, assumed: Assumptions): boolean {
  if (source === target) return true;
  if (source.kind === 'unknown' || target.kind === 'unknown') return true;

  if (source.kind === 'named' && target.kind === 'named') {
    if (source.declaration === target.declaration) return true;
    let targets = assumed.get(source.declaration);
    if (targets?.has(target.declaration)) return true;
    if (targets === undefined) assumed.set(source.declaration, (targets = new Set()));
    targets.add(target.declaration);
    return assignable(source.declaration.type, target.declaration.type, assumed);
  }
  if (source.kind === 'named') return assignable(source.declaration.type, target, assumed);
  if (target.kind === 'named') return assignable(source, target.declaration.type, assumed);

  // A union source fits when each member does (before splitting the target, so `A | B` fits `A | B`).
  if (source.kind === 'union') return source.members.every((member) => assignable(member, target, assumed));
  // An absent value fits only where absence does; a present one is compared with the rest.
  if (source.kind === 'optional') return acceptsAbsent(target) && assignable(source.inner, target, assumed);
  if (target.kind === 'optional') return assignable(source, target.inner, assumed);
  if (target.kind === 'union') return target.members.some((member) => assignable(source, member, assumed));

  switch (target.kind) {
    case 'string':
      return source.kind === 'string' || source.kind === 'literal';
    case 'number':
      return source.kind === 'number' || source.kind === 'int';
    case 'int':
    case 'bool':
      return source.kind === target.kind;
    case 'literal':
      return source.kind === 'literal' && source.value === target.value;
    case 'array':
      return source.kind === 'array' && assignable(source.element, target.element, assumed);
    case 'record': {
      if (source.kind !== 'record') return false;
      for (const field of target.fields) {
        const given = source.fieldsByName.get(field.name);
        if (given === undefined) {
          if (field.optional) continue;
          return false;
        }
        if (given.optional && !field.optional) return false;
        if (!assignable(given.type, field.type, assumed)) return false;
      }
      return true;
    }
  }
}

/** Whether the type admits an absent value (`T?`, or a union with such a member). */
function acceptsAbsent(type: Type): boolean {
  const shape = structure(type);
  if (shape.kind === 'optional' || shape.kind === 'unknown') return true;
  return shape.kind === 'union' && shape.members.some(acceptsAbsent);
}

// ---------------------------------------------------------------------------------------------
// Display

/** A type as the language writes it: `Finding[]`, `"a" | "b"`, `{ file: string, line?: int }`. */
export function typeToString(type: Type): string {
  switch (type.kind) {
    case 'named':
      return type.name;
    case 'literal':
      return JSON.stringify(type.value);
    case 'array':
      return `${wrapped(type.element)}[]`;
    case 'optional':
      return `${wrapped(type.inner)}?`;
    case 'union':
      return type.members.map(typeToString).join(' | ');
    case 'record':
      return type.fields.length === 0
        ? '{}'
        : `{ ${type.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${typeToString(f.type)}`).join(', ')} }`;
    case 'unknown':
      return 'unknown';
    default:
      return type.kind;
  }
}

function wrapped(type: Type): string {
  return type.kind === 'union' ? `(${typeToString(type)})` : typeToString(type);
}
