import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance, suggestionThreshold } from '../../compiler/diagnostics/suggest.js';

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['findings', 'findings', 0],
    ['findngs', 'findings', 1], // deletion
    ['findinggs', 'findings', 1], // insertion
    ['fiXdings', 'findings', 1], // substitution
    ['fidnings', 'findings', 1], // adjacent transposition: 2 for plain Levenshtein
    ['ca', 'abc', 3], // optimal string alignment does not edit a transposed pair again
    ['kitten', 'sitting', 3],
    ['T1011', 'T101', 1],
  ])('%j → %j is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });

  it('is a symmetric measure bounded by the longer length', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d === 0).toBe(a === b);
      }),
      { numRuns: 500, seed: 2024 },
    );
  });
});

describe('didYouMean', () => {
  const names = ['findings', 'notes', 'reviewer', 'reviewer_lite', 'judge', 'decide', 'Finding', 'Verdict', 'diff'];

  it.each([
    ['findngs', 'findings'],
    ['fidnings', 'findings'],
    ['reveiwer', 'reviewer'],
    ['reviewer_lit', 'reviewer_lite'],
    ['jduge', 'judge'],
    ['finding', 'Finding'], // case-only differences win over any real edit
    ['verdict', 'Verdict'],
    ['nots', 'notes'],
    ['planner', undefined], // nothing close
    ['x', undefined], // a one-letter name never "means" another one-letter name
    ['dif', 'diff'],
    ['judge', undefined], // a name is not a suggestion for itself
    ['', undefined],
  ])('%j → %j', (name, expected) => {
    expect(didYouMean(name, names)).toBe(expected);
  });

  it('scales the threshold with the length of the name', () => {
    expect(suggestionThreshold('ab')).toBe(1);
    expect(suggestionThreshold('reviewer')).toBe(2);
    expect(suggestionThreshold('a_rather_long_name')).toBe(6);
    expect(didYouMean('revwr', ['reviewer'])).toBeUndefined(); // 3 edits for 5 letters: too far
    expect(didYouMean('a_rathr_long_nme', ['a_rather_long_name'])).toBe('a_rather_long_name');
  });

  it('does not depend on the order of the candidates', () => {
    const candidates = ['tab', 'tac', 'tad', 'cat', 'bat', 'act'];
    fc.assert(
      fc.property(fc.shuffledSubarray(candidates, { minLength: candidates.length }), (shuffled) => {
        expect(didYouMean('tax', shuffled)).toBe(didYouMean('tax', candidates));
        expect(closest('tax', shuffled, 6)).toEqual(closest('tax', candidates, 6));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('breaks ties by case, then length, then code-unit order', () => {
    // All at distance 1 from `cat` ignoring case.
    expect(closest('cat', ['cats', 'bat', 'Cab', 'cab', 'at'], 5)).toEqual(['bat', 'cab', 'at', 'cats', 'Cab']);
  });
});

describe('closest', () => {
  it('returns up to n candidates, best first, and none for n = 0', () => {
    const candidates = ['reviewer', 'reviewers', 'reviewed', 'viewer', 'renewer', 'judge'];
    expect(closest('reviewr', candidates, 3)).toEqual(['reviewer', 'reviewed', 'reviewers']);
    expect(closest('reviewr', candidates, 0)).toEqual([]);
    expect(closest('reviewr', candidates, 100)).not.toContain('judge');
  });

  it('ignores duplicates among the candidates', () => {
    expect(closest('judg', ['judge', 'judge', 'judge'], 3)).toEqual(['judge']);
  });
});
