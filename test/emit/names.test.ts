/** Identifier conversion and per-module name allocation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { camelCase, isIdentifier, kebabCase, moduleStem, NameScope, pascalCase, propertyKey } from '../../compiler/emit/names.js';

describe('case conversion', () => {
  it.each([
    ['reviewer_lite', 'ReviewerLite', 'reviewerLite', 'reviewer-lite'],
    ['CodeReview', 'CodeReview', 'codeReview', 'code-review'],
    ['URLFetch', 'URLFetch', 'urlFetch', 'url-fetch'],
    ['T0Item', 'T0Item', 't0Item', 't0-item'],
    ['safe_add', 'SafeAdd', 'safeAdd', 'safe-add'],
    ['_1x', '_1x', '_1x', '1x'],
    ['__', '__', '__', 'module'],
    ['ABC', 'ABC', 'abc', 'abc'],
    ['class', 'Class', 'class', 'class'],
  ])('%s → %s, %s, %s', (name, pascal, camel, kebab) => {
    expect(pascalCase(name)).toBe(pascal);
    expect(camelCase(name)).toBe(camel);
    expect(kebabCase(name)).toBe(kebab);
  });

  it('never turns a .team name into something that is not an identifier', () => {
    const teamName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
    fc.assert(
      fc.property(teamName, (name) => {
        expect(pascalCase(name)).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
        expect(camelCase(name)).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
        expect(kebabCase(name)).toMatch(/^[a-z0-9-]+$/);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps file stems away from Windows device names', () => {
    expect(moduleStem('Con')).toBe('con-module');
    expect(moduleStem('Lpt1')).toBe('lpt1-module');
    expect(moduleStem('Console')).toBe('console');
  });
});

describe('NameScope', () => {
  it('gives a reserved word a trailing underscore and a clash a number, first come first served', () => {
    const scope = new NameScope();
    expect(scope.claim('class')).toBe('class_');
    expect(scope.claim('constructor')).toBe('constructor_');
    expect(scope.claim('Promise')).toBe('Promise_');
    expect(scope.claim('z')).toBe('z_');
    expect(scope.claim(pascalCase('safe_add'))).toBe('SafeAdd');
    expect(scope.claim(pascalCase('SafeAdd'))).toBe('SafeAdd2');
    expect(scope.claim(pascalCase('safeAdd'))).toBe('SafeAdd3');
    expect(scope.claim('SafeAdd2')).toBe('SafeAdd22');
    expect(scope.claim('class')).toBe('class_2');
  });

  it('hands out valid, distinct identifiers, the same ones for the same claims', () => {
    const word = fc.oneof(
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/),
      fc.constantFrom('class', 'constructor', '__proto__', 'z', 'teamc', 'Promise', 'string', 'let', 'await', 'a_b', 'aB', 'AB', 'A_b'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(word, fc.constantFrom(pascalCase, camelCase)), { maxLength: 30 }), (claims) => {
        const allocate = () => {
          const scope = new NameScope();
          return claims.map(([name, convert]) => scope.claim(convert(name)));
        };
        const names = allocate();
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(isIdentifier(name)).toBe(true);
        expect(allocate()).toEqual(names);
      }),
      { numRuns: 300 },
    );
  });
});

describe('propertyKey', () => {
  it('writes identifier-like names bare, quotes the rest, and computes __proto__', () => {
    expect(propertyKey('file')).toBe('file');
    expect(propertyKey('class')).toBe('class');
    expect(propertyKey('with space')).toBe("'with space'");
    expect(propertyKey("it's")).toBe("'it\\'s'");
    expect(propertyKey('__proto__')).toBe("['__proto__']");
    // As a plain key, __proto__ would set the prototype instead of making a field.
    const object = new Function(`return { ${propertyKey('__proto__')}: 1 };`)() as Record<string, unknown>;
    expect(Object.getOwnPropertyNames(object)).toEqual(['__proto__']);
  });
});
