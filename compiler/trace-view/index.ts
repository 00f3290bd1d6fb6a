/** The trace viewer: a run's trace as one self-contained HTML timeline (`teamc trace view`). */
export type * from './model.js';
export { screenEvents, type MalformedEvent, type ScreenedTrace } from './screen.js';
export { buildTimeline, type TimelineOptions } from './timeline.js';
export { findCriticalPath } from './critical-path.js';
export { layoutTimeline, type Layout, type LaneBox } from './layout.js';
export { renderTraceHtml, type HtmlOptions } from './html.js';
export { viewTrace, type TraceView, type ViewOptions } from './view.js';
