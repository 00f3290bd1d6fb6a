/**
 * "Did you mean …?" — the closest declared names to a name that is not declared.
 *
 * Distance is Damerau–Levenshtein in its optimal-string-alignment form: insertions, deletions,
 * substitutions and transpositions of adjacent characters each cost 1. Transpositions matter
 * here (`fidnings` is one slip from `findings`, two for plain Levenshtein), which is why this is
 * hand-written rather than taken from `fastest-levenshtein` (Levenshtein only); the candidate
 * lists are a file's names, so a simple O(n·m) table is fast enough.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), in UTF-16 code units. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: the transposition step looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The largest distance still worth suggesting for a name of this length: about one edit per
 * three characters, at least one. A suggestion must also keep part of the name (distance below
 * its length), so `x` never "means" `y`.
 */
export function suggestionThreshold(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

interface Scored {
  candidate: string;
  /** Distance ignoring case: `Finding` for `finding` is the best possible suggestion. */
  distance: number;
  /** Distance with case, to prefer the candidate whose case also matches. */
  exactDistance: number;
}

/**
 * Up to `n` candidates close enough to `name`, best first. Ties are broken by the case-sensitive
 * distance, then by how close the lengths are, then by code-unit order, so the answer never
 * depends on the order of `candidates`. `name` itself is never suggested.
 */
export function closest(name: string, candidates: Iterable<string>, n: number): string[] {
  if (n <= 0 || name.length === 0) return [];
  const threshold = suggestionThreshold(name);
  const lowerName = name.toLowerCase();
  const scored: Scored[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name || candidate.length === 0) continue;
    // The distance is at least the difference in length: skip the table when that already loses.
    if (Math.abs(candidate.length - name.length) > threshold) continue;
    const distance = editDistance(lowerName, candidate.toLowerCase());
    const keepsPartOfName = distance < name.length || lowerName === candidate.toLowerCase();
    if (distance > threshold || !keepsPartOfName) continue;
    scored.push({ candidate, distance, exactDistance: editDistance(name, candidate) });
  }
  scored.sort(
    (a, b) =>
      a.distance - b.distance ||
      a.exactDistance - b.exactDistance ||
      Math.abs(a.candidate.length - name.length) - Math.abs(b.candidate.length - name.length) ||
      (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0),
  );
  return scored.slice(0, n).map((s) => s.candidate);
}

/** The single best candidate for `name`, or undefined when none is close enough. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  return closest(name, candidates, 1)[0];
}
