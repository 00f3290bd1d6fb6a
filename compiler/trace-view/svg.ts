/**
 * Draws a timeline as two inline SVGs: the lane labels (a fixed column) and the chart (lanes,
 * breaker bands, call bars, message arrows, markers, the budget). Every string that came from
 * the trace is escaped on its way into text or an attribute; class names from trace text are
 * reduced to safe characters. Styling is by class, so the page's stylesheet (and the legend)
 * decide how each outcome and role looks.
 */
import { escapeHtml, formatCount, formatDollars, formatMs, px, truncate } from './format.js';
import { BAND_STRIP, BUDGET_HEIGHT, LABEL_WIDTH, MARGIN_X, TRACK_HEIGHT, type Layout } from './layout.js';
import type { BreakerBand, CallBar, Marker, MessageArrow, Timeline } from './model.js';
import { markerClass, markerGlyph } from './shapes.js';
import { describe, errorText } from './timeline.js';

const LABEL_CHARS = 34;
const BAR_LABEL_MIN_WIDTH = 26;

export function renderLabels(timeline: Timeline, layout: Layout): string {
  const parts: string[] = [`<svg class="labels" width="${LABEL_WIDTH}" height="${px(layout.height)}" role="list" aria-label="agents">`];
  timeline.lanes.forEach((lane, i) => {
    const box = layout.lanes[i]!;
    const x = lane.depth === 0 ? 10 : 28;
    const classes = `lane-label depth-${lane.depth}`;
    const instance = lane.instance !== undefined ? ` data-instance="${lane.instance}"` : '';
    parts.push(
      `<g class="lane-head" role="listitem" data-agent="${escapeHtml(lane.agent)}"${instance} data-lane="${lane.id}">`,
      `<rect class="lane-bg${i % 2 === 1 ? ' odd' : ''}" x="0" y="${px(box.top)}" width="${LABEL_WIDTH}" height="${px(box.height)}"/>`,
      `<title>${escapeHtml(lane.label)}</title>`,
      `<text class="${classes}" x="${x}" y="${px(box.anchorY + 4)}">${escapeHtml(truncate(lane.label, LABEL_CHARS))}</text>`,
      '</g>',
    );
  });
  if (layout.budgetTop !== undefined) {
    parts.push(`<text class="lane-label budget-label" x="10" y="${px(layout.budgetTop + BUDGET_HEIGHT / 2 + 4)}">budget left</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export function renderChart(timeline: Timeline, layout: Layout): string {
  const { start } = layout;
  const parts: string[] = [
    `<svg class="chart" width="${px(layout.width)}" height="${px(layout.height)}" aria-label="timeline">`,
    DEFS,
  ];

  // Lanes and the time grid.
  timeline.lanes.forEach((lane, i) => {
    const box = layout.lanes[i]!;
    parts.push(`<rect class="lane-bg${i % 2 === 1 ? ' odd' : ''}" data-agent="${escapeHtml(lane.agent)}" x="0" y="${px(box.top)}" width="${px(layout.width)}" height="${px(box.height)}"/>`);
  });
  parts.push('<g class="axis">');
  for (const tick of layout.ticks) {
    const x = px(layout.x(start + tick));
    parts.push(`<line class="grid" x1="${x}" y1="22" x2="${x}" y2="${px(layout.height)}"/><text class="tick" x="${x}" y="15">${escapeHtml(formatMs(tick))}</text>`);
  }
  parts.push('</g>');

  parts.push('<g class="bands">');
  for (const band of timeline.bands) parts.push(renderBand(band, layout));
  parts.push('</g><g class="calls">');
  for (const bar of timeline.bars) if (bar.critical) parts.push(renderHalo(bar, layout));
  for (const bar of timeline.bars) parts.push(renderBar(bar, timeline, layout));
  parts.push('</g><g class="messages">');
  for (const arrow of timeline.arrows) parts.push(renderArrow(arrow, layout));
  parts.push('</g><g class="markers">');
  parts.push(...renderMarkers(timeline.markers, layout));
  parts.push('</g>');
  if (layout.budgetTop !== undefined) parts.push(renderBudget(timeline, layout, layout.budgetTop));
  parts.push('</svg>');
  return parts.join('');
}

/** Arrowheads for messages, and the stripes of a timed-out attempt. */
const DEFS =
  '<defs>' +
  '<marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path class="arrowhead" d="M0,0L10,5L0,10Z"/></marker>' +
  '<marker id="arrowhead-critical" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path class="arrowhead critical" d="M0,0L10,5L0,10Z"/></marker>' +
  '<pattern id="stripes-timeout" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="stripe-base" width="6" height="6"/><rect class="stripe" width="3" height="6"/></pattern>' +
  '</defs>';

function relative(time: number, layout: Layout): string {
  return formatMs(time - layout.start);
}

function renderBand(band: BreakerBand, layout: Layout): string {
  const box = layout.lanes[band.lane]!;
  const x = layout.x(band.start);
  const width = Math.max(layout.x(band.end) - x, 1);
  const detail = describe({
    breaker: band.breaker,
    state: band.state,
    from: relative(band.start, layout),
    until: relative(band.end, layout),
    for: formatMs(band.end - band.start),
  });
  return (
    `<g class="band state-${band.state}" data-detail="${escapeHtml(detail)}"><title>${escapeHtml(detail)}</title>` +
    `<rect class="band-fill" x="${px(x)}" y="${px(box.top)}" width="${px(width)}" height="${px(box.height)}"/>` +
    `<rect class="band-strip" x="${px(x)}" y="${px(box.bandTop)}" width="${px(width)}" height="${BAND_STRIP}"/></g>`
  );
}

function renderHalo(bar: CallBar, layout: Layout): string {
  const x = layout.x(bar.start);
  const width = Math.max(layout.x(bar.end) - x, 2);
  return `<rect class="critical-halo" x="${px(x - 3)}" y="${px(layout.trackY(bar.lane, bar.track) - 3)}" width="${px(width + 6)}" height="${TRACK_HEIGHT + 6}" rx="4"/>`;
}

function renderBar(bar: CallBar, timeline: Timeline, layout: Layout): string {
  const x = layout.x(bar.start);
  const width = Math.max(layout.x(bar.end) - x, 2);
  const y = layout.trackY(bar.lane, bar.track);
  const detail = barDetail(bar, timeline, layout);
  const classes = `call outcome-${bar.outcome} role-${bar.role}${bar.critical ? ' critical' : ''}`;
  const label = width >= BAR_LABEL_MIN_WIDTH ? `<text class="bar-label" x="${px(x + 4)}" y="${px(y + TRACK_HEIGHT - 4)}">#${bar.attempt}</text>` : '';
  return (
    `<rect class="${classes}" x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${TRACK_HEIGHT}" rx="2" data-detail="${escapeHtml(detail)}">` +
    `<title>${escapeHtml(detail)}</title></rect>${label}`
  );
}

function barDetail(bar: CallBar, timeline: Timeline, layout: Layout): string {
  const lane = timeline.lanes[bar.lane]!;
  const role = { first: 'first attempt', retry: 'retry', hedge: `hedge copy${bar.hedgeBranch !== undefined ? ` (branch ${bar.hedgeBranch})` : ''}`, fallback: 'fallback' }[bar.role];
  return describe({
    call: `${lane.label}, attempt ${bar.attempt} (${role})`,
    outcome: bar.outcome,
    policy: bar.policy,
    model: bar.model,
    started: relative(bar.start, layout),
    ended: relative(bar.end, layout),
    took: formatMs(bar.end - bar.start),
    tokens: bar.usage?.tokens !== undefined ? formatCount(bar.usage.tokens) : undefined,
    cost: bar.usage?.dollars !== undefined ? formatDollars(bar.usage.dollars) : undefined,
    error: errorText(bar.error),
    'on behalf of': bar.onBehalfOf,
    'critical path': bar.critical ? 'yes' : undefined,
  });
}

function renderArrow(arrow: MessageArrow, layout: Layout): string {
  const x1 = layout.x(arrow.sent);
  const x2 = layout.x(arrow.delivered);
  const y1 = layout.lanes[arrow.fromLane]!.anchorY;
  const y2 = layout.lanes[arrow.toLane]!.anchorY;
  // A message to the sender's own lane arcs above the bars instead of vanishing into them.
  const d = arrow.fromLane === arrow.toLane ? `M${px(x1)},${px(y1)}C${px(x1)},${px(y1 - 16)} ${px(x2)},${px(y2 - 16)} ${px(x2)},${px(y2)}` : `M${px(x1)},${px(y1)}L${px(x2)},${px(y2)}`;
  const detail = describe({
    message: arrow.message,
    channel: arrow.channel,
    seq: arrow.seq,
    from: arrow.from,
    to: arrow.to,
    sent: `${relative(arrow.sent, layout)}${arrow.redelivered ? ' (redelivery)' : ''}`,
    delivered: relative(arrow.delivered, layout),
    latency: formatMs(arrow.delivered - arrow.sent),
    'critical path': arrow.critical ? 'yes' : undefined,
  });
  const classes = `message${arrow.redelivered ? ' redelivered' : ''}${arrow.critical ? ' critical' : ''}`;
  return `<path class="${classes}" d="${d}" marker-end="url(#${arrow.critical ? 'arrowhead-critical' : 'arrowhead'})" data-detail="${escapeHtml(detail)}"><title>${escapeHtml(detail)}</title></path>`;
}

function renderMarkers(markers: readonly Marker[], layout: Layout): string[] {
  const parts: string[] = [];
  // Votes and decisions get a text tag when it does not run into the previous tag on the lane.
  const tagEnds = new Map<number, number>();
  for (const marker of markers) {
    const x = layout.x(marker.time);
    const y = layout.lanes[marker.lane]!.markerY;
    const detail = `${marker.kind}\n${marker.detail}\nat: ${relative(marker.time, layout)}`;
    parts.push(`<g class="${markerClass(marker.kind, marker.outcome)}" data-detail="${escapeHtml(detail)}"><title>${escapeHtml(detail)}</title>${markerGlyph(marker.kind, x, y)}</g>`);
    if (marker.kind !== 'vote' && marker.kind !== 'decision') continue;
    const tag = truncate(marker.label, 24);
    const tagX = x + 8;
    if (tagX < (tagEnds.get(marker.lane) ?? -Infinity)) continue;
    tagEnds.set(marker.lane, tagX + tag.length * 6 + 6);
    parts.push(`<text class="marker-tag m-${marker.kind}" x="${px(tagX)}" y="${px(y + 4)}">${escapeHtml(tag)}</text>`);
  }
  return parts;
}

function renderBudget(timeline: Timeline, layout: Layout, top: number): string {
  const { points, scale } = timeline.budget;
  const inner = { top: top + 8, height: BUDGET_HEIGHT - 16 };
  const yOf = (fraction: number) => inner.top + (1 - Math.min(1, Math.max(0, fraction))) * inner.height;
  const parts = [
    `<g class="budget"><rect class="budget-frame" x="${MARGIN_X}" y="${px(inner.top)}" width="${px(layout.width - 2 * MARGIN_X)}" height="${px(inner.height)}"/>`,
  ];
  const caption: string[] = [];
  for (const resource of ['tokens', 'dollars'] as const) {
    const full = scale[resource];
    if (full === undefined || !(full > 0)) continue;
    let y = yOf(1);
    let left = full;
    const coordinates = [`${px(layout.x(layout.start))},${px(y)}`];
    for (const point of points) {
      const remaining = point.remaining[resource];
      if (remaining === undefined) continue;
      // A step line: the level holds until the event, then drops (or rises, on a settlement).
      const x = px(layout.x(point.time));
      const before = px(y);
      y = yOf(remaining / full);
      left = remaining;
      coordinates.push(`${x},${before}`, `${x},${px(y)}`);
    }
    coordinates.push(`${px(layout.x(layout.end))},${px(y)}`);
    const shown = resource === 'tokens' ? formatCount : formatDollars;
    const text = `${resource}: ${shown(left)} left of ≈${shown(full)}`;
    caption.push(text);
    parts.push(`<polyline class="budget-line budget-${resource}" points="${coordinates.join(' ')}" data-detail="${escapeHtml(text)}"><title>${escapeHtml(text)}</title></polyline>`);
  }
  parts.push(`<text class="budget-caption" x="${MARGIN_X + 6}" y="${px(inner.top + inner.height - 5)}">${escapeHtml(caption.join(' · '))}</text></g>`);
  return parts.join('');
}
