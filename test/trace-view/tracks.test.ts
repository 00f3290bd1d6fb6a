import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignTracks, type Interval } from '../../compiler/trace-view/tracks.js';

/** An instant occupies a sliver of time (it is still drawn); the test's times are whole numbers. */
const occupied = (i: Interval): Interval => ({ start: i.start, end: i.end > i.start ? i.end : i.start + 0.5 });

/** The most intervals open at one instant (touching ends do not overlap): the fewest tracks possible. */
function maxOverlap(intervals: readonly Interval[]): number {
  const points = intervals.map(occupied).flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]);
  // Ends before starts at the same instant, so touching intervals can share a track.
  points.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (open += delta!));
  return most;
}

const interval = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 60 })).map(([start, length]): Interval => ({ start, end: start + length }));

describe('assignTracks', () => {
  it('never puts overlapping intervals on one track, and uses the fewest tracks possible', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 40 }), (intervals) => {
        const { tracks, count } = assignTracks(intervals);
        for (let i = 0; i < intervals.length; i++) {
          for (let j = i + 1; j < intervals.length; j++) {
            const [a, b] = [occupied(intervals[i]!), occupied(intervals[j]!)];
            const overlap = a.start < b.end && b.start < a.end;
            if (overlap) expect(tracks[i]).not.toBe(tracks[j]);
          }
        }
        expect(count).toBe(maxOverlap(intervals));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('lets an interval that starts as another ends reuse its track', () => {
    expect(assignTracks([{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 5, end: 15 }])).toEqual({ tracks: [0, 0, 1], count: 2 });
  });

  it('keeps an instant off a bar drawn across it, even at wall-clock times', () => {
    const now = 1_760_000_000_000;
    expect(assignTracks([{ start: now, end: now + 2000 }, { start: now + 1000, end: now + 1000 }, { start: now, end: now }]).count).toBe(2);
  });
});
