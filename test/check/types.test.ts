/**
 * Type resolution and assignability (types.ts), on types declared in real `.team` text.
 */
import { describe, expect, it } from 'vitest';
import type { Type } from '../../compiler/model.js';
import { fieldOf, isAssignable, isEquivalent, typeToString } from '../../compiler/check/types.js';
import { check, described } from './helpers.js';

/** The resolved types of `type` declarations written in a team. */
function typesOf(declarations: string): (name: string) => Type {
  const checked = check(`team T {\n${declarations}\n}\n`);
  expect(described(checked)).toEqual([]);
  const types = checked.model.teams[0]!.types;
  return (name) => {
    const declaration = types.get(name);
    if (declaration === undefined) throw new Error(`no type ${name}`);
    return { kind: 'named', name, declaration };
  };
}

describe('assignability', () => {
  const t = typesOf(`
  type Str = string
  type Int = int
  type Num = number
  type AB = "a" | "b"
  type ABC = "a" | "b" | "c"
  type A = "a"
  type Wide { a: string  b: int }
  type Narrow { a: string }
  type OptionalA { a?: string }
  type Empty { }
  type Ints = int[]
  type Nums = number[]
  type MaybeInt = int?
  type MaybeAOrB = A? | AB
  type Tree { children: Tree[]  label: string }
  type Forest { children: Forest[]  label: string }
  type Bush { children: Bush[] }
  type Leaf { value: AB }
  type Pair { value: ABC }
  `);

  it('a literal fits its primitive and a wider union, not the other way', () => {
    expect(isAssignable(t('A'), t('Str'))).toBe(true);
    expect(isAssignable(t('AB'), t('ABC'))).toBe(true);
    expect(isAssignable(t('AB'), t('Str'))).toBe(true);
    expect(isAssignable(t('ABC'), t('AB'))).toBe(false);
    expect(isAssignable(t('Str'), t('AB'))).toBe(false);
  });

  it('`int` fits `number`, not the other way; arrays are covariant', () => {
    expect(isAssignable(t('Int'), t('Num'))).toBe(true);
    expect(isAssignable(t('Num'), t('Int'))).toBe(false);
    expect(isAssignable(t('Ints'), t('Nums'))).toBe(true);
    expect(isAssignable(t('Nums'), t('Ints'))).toBe(false);
  });

  it('records: required fields must be present and fit; extra fields are fine; optional ones may be missing', () => {
    expect(isAssignable(t('Wide'), t('Narrow'))).toBe(true);
    expect(isAssignable(t('Narrow'), t('Wide'))).toBe(false);
    expect(isAssignable(t('OptionalA'), t('Narrow'))).toBe(false);
    expect(isAssignable(t('Narrow'), t('OptionalA'))).toBe(true);
    expect(isAssignable(t('Empty'), t('OptionalA'))).toBe(true);
    expect(isAssignable(t('Leaf'), t('Pair'))).toBe(true);
    expect(isAssignable(t('Pair'), t('Leaf'))).toBe(false);
  });

  it('optionals: `T` fits `T?`; an absent value fits only where absence does', () => {
    expect(isAssignable(t('Int'), t('MaybeInt'))).toBe(true);
    expect(isAssignable(t('MaybeInt'), t('Int'))).toBe(false);
    expect(isAssignable(t('MaybeInt'), t('Num'))).toBe(false);
    expect(isAssignable({ kind: 'optional', inner: t('AB') }, t('MaybeAOrB'))).toBe(true);
  });

  it('recursive types compare structurally and terminate', () => {
    expect(isEquivalent(t('Tree'), t('Forest'))).toBe(true);
    expect(isAssignable(t('Tree'), t('Bush'))).toBe(true);
    expect(isAssignable(t('Bush'), t('Tree'))).toBe(false);
  });
});

describe('fields', () => {
  const t = typesOf(`
  type Cat { name: string  lives: int }
  type Dog { name: string  good: bool }
  type Pet = Cat | Dog
  type MaybeCat = Cat?
  `);

  it('finds a field through names and optionals', () => {
    expect(fieldOf(t('MaybeCat'), 'lives')).toMatchObject({ kind: 'found', type: { kind: 'int' } });
    expect(fieldOf(t('Cat'), 'live')).toEqual({ kind: 'missing', candidates: ['name', 'lives'] });
    expect(fieldOf({ kind: 'string' }, 'x')).toEqual({ kind: 'not-a-record' });
  });

  it('through a union, a field must be in every member', () => {
    expect(fieldOf(t('Pet'), 'name')).toMatchObject({ kind: 'found' });
    expect(fieldOf(t('Pet'), 'good')).toMatchObject({ kind: 'missing' });
  });
});

describe('display', () => {
  it('writes types as the language does', () => {
    const checked = check('team T {\n  type U { a?: int  b: ("x" | "y")[]  c: string? }\n  type L = U[] | bool\n}\n');
    const types = checked.model.teams[0]!.types;
    expect(typeToString(types.get('U')!.type)).toBe('{ a?: int, b: ("x" | "y")[], c: string? }');
    expect(typeToString(types.get('L')!.type)).toBe('U[] | bool');
  });
});

describe('recursion', () => {
  it('refuses a cycle with no record or list in between, once, and makes it unknown', () => {
    const checked = check('team T {\n  type A = B?\n  type B = A | string\n  type Self = Self\n  type Ok { next: Ok? }\n  type List = List[]\n}\n');
    expect(described(checked)).toEqual([
      '2:8 T103 type `A` is defined in terms of itself (`A` → `B` → `A`) with no record or list in between',
      '4:8 T103 type `Self` is defined in terms of itself (`Self` → `Self`) with no record or list in between',
    ]);
    const types = checked.model.teams[0]!.types;
    expect(types.get('A')!.type).toEqual({ kind: 'unknown' });
    expect(types.get('Ok')!.type.kind).toBe('record');
  });
});
