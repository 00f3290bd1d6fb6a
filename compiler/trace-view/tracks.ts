/**
 * Stacks overlapping intervals of one lane into tracks (a hedge copy runs beside its original on
 * the same replica): the greedy interval colouring, which uses the fewest tracks possible, in
 * O(n log n) with two heaps, so a lane of thousands of bars costs no more than sorting them.
 */
import { Heap } from '../analyze/heap.js';

export interface Interval {
  start: number;
  end: number;
}

/** The track of each interval (same order as given), and how many tracks there are. */
export function assignTracks(given: readonly Interval[]): { tracks: number[]; count: number } {
  // An instant still gets drawn (a sliver), so it occupies a moment too small to see but not
  // nothing: it must not share a track with a bar drawn across it.
  const intervals = given.map(({ start, end }) => ({ start, end: end > start ? end : start + Math.max(1e-6, Math.abs(start) * 1e-15) }));
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a]!.start - intervals[b]!.start || intervals[a]!.end - intervals[b]!.end || a - b);
  const busy = new Heap<{ end: number; track: number }>((a, b) => a.end - b.end || a.track - b.track);
  const free = new Heap<number>((a, b) => a - b);
  const tracks = new Array<number>(intervals.length).fill(0);
  let count = 0;
  for (const index of order) {
    const { start, end } = intervals[index]!;
    // A bar that ends exactly when the next starts shares its track: they touch, not overlap.
    while (busy.size > 0 && busy.peek()!.end <= start) free.push(busy.pop()!.track);
    const track = free.size > 0 ? free.pop()! : count++;
    tracks[index] = track;
    busy.push({ end, track });
  }
  return { tracks, count };
}
