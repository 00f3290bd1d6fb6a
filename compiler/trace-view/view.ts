/**
 * From a trace file's text to the page: parse the JSON lines, screen the events, build the
 * timeline, render it. The CLI and the screenshot script share this one path.
 */
import { parseJsonLines } from '../../runtime/trace.js';
import { renderTraceHtml } from './html.js';
import type { Prediction, Timeline } from './model.js';
import { screenEvents, type MalformedEvent } from './screen.js';
import { buildTimeline } from './timeline.js';

export interface ViewOptions {
  predicted?: Prediction;
  /** Shown in the page title and header: the trace file's name, typically. */
  source?: string;
}

export interface TraceView {
  html: string;
  timeline: Timeline;
  /** Events skipped because they lacked what the viewer reads (0-based positions among the events). */
  malformed: MalformedEvent[];
}

/** Throws with the line number when a line is not JSON (from `parseJsonLines`). */
export function viewTrace(text: string, options: ViewOptions = {}): TraceView {
  const screened = screenEvents(parseJsonLines(text) as unknown[]);
  const timeline = buildTimeline(screened.events, {
    otherKinds: screened.otherKinds,
    malformed: screened.malformed.length,
    ...(options.predicted ? { predicted: options.predicted } : {}),
  });
  const html = renderTraceHtml(timeline, options.source !== undefined ? { source: options.source } : {});
  return { html, timeline, malformed: screened.malformed };
}
