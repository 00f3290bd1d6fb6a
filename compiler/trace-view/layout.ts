/**
 * Where things go on the page: the time scale (pixels per millisecond), each lane's vertical band
 * and the rows inside it (markers on top, stacked call bars, the breaker strip at the bottom), the
 * time-axis ticks. Kept apart from the drawing so the geometry is tested as numbers.
 */
import { niceStep } from './format.js';
import type { Timeline } from './model.js';

export const AXIS_HEIGHT = 30;
export const MARGIN_X = 16;
export const MARKER_ROW = 14;
export const TRACK_HEIGHT = 16;
export const TRACK_GAP = 3;
export const BAND_STRIP = 5;
export const LANE_PADDING = 4;
export const BUDGET_HEIGHT = 64;
export const LABEL_WIDTH = 260;

/** The narrowest and widest the time axis gets, in pixels; the page scrolls sideways beyond a screen. */
const MIN_WIDTH = 1240;
const MAX_WIDTH = 24_000;
/** A typical call should be wide enough to read its attempt number. */
const TYPICAL_BAR_WIDTH = 32;
const TICK_SPACING = 110;

export interface LaneBox {
  top: number;
  height: number;
  /** The marker row's centre. */
  markerY: number;
  /** The first track's top. */
  tracksTop: number;
  /** Where messages leave and arrive: the middle of the tracks. */
  anchorY: number;
  /** The breaker strip's top. */
  bandTop: number;
}

export interface Layout {
  start: number;
  end: number;
  pxPerMs: number;
  /** Of the timeline drawing (the label column is apart). */
  width: number;
  height: number;
  lanes: LaneBox[];
  /** The budget chart's top, when the trace has budget events. */
  budgetTop?: number;
  ticks: number[];
  x(time: number): number;
  trackY(lane: number, track: number): number;
}

export function layoutTimeline(timeline: Timeline): Layout {
  const { start, end } = timeline.summary;
  const span = Math.min(Math.max(end - start, 1), Number.MAX_VALUE);
  const durations = timeline.bars.map((bar) => bar.end - bar.start).filter((d) => d > 0);
  const typical = median(durations);
  let pxPerMs = MIN_WIDTH / span;
  if (typical !== undefined) pxPerMs = Math.max(pxPerMs, TYPICAL_BAR_WIDTH / typical);
  pxPerMs = Math.min(pxPerMs, MAX_WIDTH / span);
  const width = span * pxPerMs + 2 * MARGIN_X;

  const boxes: LaneBox[] = [];
  let y = AXIS_HEIGHT;
  for (const lane of timeline.lanes) {
    const tracksTop = y + LANE_PADDING + MARKER_ROW;
    const tracksHeight = lane.tracks * (TRACK_HEIGHT + TRACK_GAP) - TRACK_GAP;
    const bandTop = tracksTop + tracksHeight + 2;
    const height = bandTop + BAND_STRIP + LANE_PADDING - y;
    boxes.push({ top: y, height, markerY: y + LANE_PADDING + MARKER_ROW / 2 - 1, tracksTop, anchorY: tracksTop + tracksHeight / 2, bandTop });
    y += height;
  }
  let budgetTop: number | undefined;
  if (timeline.budget.points.length > 0) {
    budgetTop = y;
    y += BUDGET_HEIGHT;
  }

  const step = niceStep(TICK_SPACING / pxPerMs);
  // Bounded by the width anyway; the cap only guards against absurd (overflowing) timestamps.
  const tickCount = Math.min(Math.floor(span / step + 1e-9), MAX_WIDTH / 10);
  const ticks = Array.from({ length: tickCount + 1 }, (_, i) => i * step);

  return {
    start,
    end,
    pxPerMs,
    width,
    height: y + 8,
    lanes: boxes,
    ...(budgetTop !== undefined ? { budgetTop } : {}),
    ticks,
    x: (time) => MARGIN_X + (time - start) * pxPerMs,
    trackY: (lane, track) => boxes[lane]!.tracksTop + track * (TRACK_HEIGHT + TRACK_GAP),
  };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
