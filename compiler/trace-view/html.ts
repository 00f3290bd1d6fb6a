/**
 * One self-contained HTML page for a timeline: inline CSS, inline SVG and a few lines of inline
 * script (click anything for its details; dim what is off the critical path). Nothing is fetched:
 * no external stylesheet, font, image or script, and a Content-Security-Policy of `default-src
 * 'none'` that admits only this page's own stylesheet and script, by their hashes — so even a
 * string that slipped past escaping could neither run (inline handlers are not hash-allowed),
 * restyle the page, nor call home.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, formatCount, formatDollars, formatMs, formatSpeedup, truncate } from './format.js';
import { LABEL_WIDTH, layoutTimeline } from './layout.js';
import { renderLegend } from './legend.js';
import type { Timeline } from './model.js';
import { renderChart, renderLabels } from './svg.js';

export interface HtmlOptions {
  /** Shown in the page title; the trace file's name, typically. */
  source?: string;
}

/** The most critical-path steps listed in words; the chart highlights all of them. */
const LISTED_STEPS = 200;

export function renderTraceHtml(timeline: Timeline, options: HtmlOptions = {}): string {
  const layout = layoutTimeline(timeline);
  const team = timeline.summary.team;
  const title = `teamc trace${team !== undefined ? ` — ${team}` : ''}${options.source !== undefined ? ` (${options.source})` : ''}`;
  const policy = `default-src 'none'; style-src 'sha256-${sha256(STYLE)}'; script-src 'sha256-${sha256(SCRIPT)}'; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="teamc trace view">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    renderHeader(timeline, options),
    renderLegend(),
    '<div class="controls"><label><input type="checkbox" id="only-critical"> dim everything off the critical path</label></div>',
    `<main id="timeline"><div class="label-column">${renderLabels(timeline, layout)}</div>`,
    `<div class="chart-scroll">${renderChart(timeline, layout)}</div></main>`,
    renderCriticalPath(timeline),
    '<aside id="details" aria-live="polite"><h2>Details</h2><pre id="details-text">Click a bar, an arrow, a band or a marker.</pre></aside>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function renderHeader(timeline: Timeline, options: HtmlOptions): string {
  const s = timeline.summary;
  const predicted = s.predicted ?? {};
  const meta = [
    s.outcome !== undefined ? `outcome: ${s.outcome}${s.runError !== undefined ? ` (${s.runError})` : ''}` : 'no run-end in trace',
    s.clock !== undefined ? `${s.clock} clock` : undefined,
    s.seed !== undefined ? `seed ${s.seed}` : undefined,
    `${formatCount(s.events)} events`,
    s.notShown > 0 ? `${formatCount(s.notShown)} not drawn` : undefined,
    options.source !== undefined ? `from ${options.source}` : undefined,
  ].filter((part): part is string => part !== undefined);

  const figure = (name: string, value: string, id: string, note?: string) =>
    `<div class="figure" id="fig-${id}"><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}${note !== undefined ? `<small>${escapeHtml(note)}</small>` : ''}</dd></div>`;
  const figures = [
    figure('makespan', formatMs(s.makespanMs), 'makespan', predicted.makespanMs !== undefined ? `predicted ${formatMs(predicted.makespanMs)}` : undefined),
    figure('time in model calls', formatMs(s.callMs), 'call-time', `${formatCount(s.calls)} attempts`),
    figure('measured speed-up', formatSpeedup(s.measuredSpeedup), 'measured-speedup', 'call time ÷ makespan'),
    figure('predicted speed-up', formatSpeedup(predicted.speedup), 'predicted-speedup', predicted.speedup === undefined ? 'no prediction given' : measuredVersusPredicted(s.measuredSpeedup, predicted.speedup)),
    figure('tokens', formatCount(s.tokens), 'tokens'),
    figure('cost', formatDollars(s.dollars), 'cost'),
    figure('critical path', formatMs(timeline.criticalPath.spanMs), 'critical-path', `${plural(timeline.criticalPath.steps.length, 'step')}, ${formatMs(timeline.criticalPath.callMs)} in calls`),
    figure('faults handled', `${plural(s.retries, 'retry', 'retries')} · ${plural(s.timeouts, 'time-out')}`, 'faults', `${plural(s.hedges, 'hedge')} · ${plural(s.fallbacks, 'fallback')} · ${plural(s.errors, 'error')}`),
    figure('messages', formatCount(s.messages), 'messages'),
    figure('consensus', `${plural(s.votes, 'vote')} · ${plural(s.decisions, 'decision')}`, 'consensus'),
  ];
  const warning =
    s.malformed > 0 ? `<p class="warning" role="alert">${formatCount(s.malformed)} malformed event${s.malformed === 1 ? ' was' : 's were'} skipped; the timeline may be incomplete.</p>` : '';
  return (
    `<header><h1>Trace${s.team !== undefined ? ` of <span class="team">${escapeHtml(s.team)}</span>` : ''}</h1>` +
    `<p class="meta">${meta.map(escapeHtml).join(' · ')}</p>${warning}<dl class="figures">${figures.join('')}</dl></header>`
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function measuredVersusPredicted(measured: number | undefined, predicted: number): string {
  if (measured === undefined || !(predicted > 0)) return '';
  return `measured is ${Math.round((measured / predicted) * 100)}% of predicted`;
}

function renderCriticalPath(timeline: Timeline): string {
  const { steps } = timeline.criticalPath;
  const items: string[] = [];
  for (const step of steps.slice(0, LISTED_STEPS)) {
    if (step.kind === 'call') {
      const bar = timeline.bars[step.id]!;
      const lane = timeline.lanes[bar.lane]!;
      items.push(
        `<li class="step call">${escapeHtml(truncate(lane.label, 60))}: attempt ${bar.attempt} (${escapeHtml(bar.outcome)}), ${escapeHtml(formatMs(bar.start - timeline.summary.start))} → ${escapeHtml(formatMs(bar.end - timeline.summary.start))}</li>`,
      );
    } else {
      const arrow = timeline.arrows[step.id]!;
      items.push(
        `<li class="step message">message ${escapeHtml(truncate(arrow.message, 40))} on ${escapeHtml(truncate(arrow.channel, 40))}: ${escapeHtml(truncate(arrow.from, 40))} → ${escapeHtml(truncate(arrow.to, 40))}, ${escapeHtml(formatMs(arrow.sent - timeline.summary.start))} → ${escapeHtml(formatMs(arrow.delivered - timeline.summary.start))}</li>`,
      );
    }
  }
  const more = steps.length > LISTED_STEPS ? `<p>… and ${formatCount(steps.length - LISTED_STEPS)} more steps (highlighted in the chart).</p>` : '';
  const body = steps.length === 0 ? '<p>No model calls or messages in this trace.</p>' : `<ol>${items.join('')}</ol>${more}`;
  return `<section id="critical-path-steps"><h2>Critical path</h2><p class="explain">Walking back from the last step to finish, each time to the latest-finishing call or message it waited for.</p>${body}</section>`;
}

/**
 * Click → details (as text, never as HTML) in a panel that stays hidden until then; clicking
 * empty space closes it. The checkbox dims what is off the critical path.
 */
const SCRIPT = `(function () {
  'use strict';
  var aside = document.getElementById('details');
  var panel = document.getElementById('details-text');
  var selected = null;
  document.addEventListener('click', function (event) {
    var node = event.target;
    while (node && node.nodeType === 1 && !node.hasAttribute('data-detail')) node = node.parentNode;
    if (selected) selected.classList.remove('selected');
    if (!node || node.nodeType !== 1) {
      if (!aside.contains(event.target)) aside.classList.remove('open');
      selected = null;
      return;
    }
    panel.textContent = node.getAttribute('data-detail');
    aside.classList.add('open');
    selected = node;
    selected.classList.add('selected');
  });
  var toggle = document.getElementById('only-critical');
  toggle.addEventListener('change', function () {
    document.body.classList.toggle('dim-off-path', toggle.checked);
  });
})();`;

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --critical: #f2b701; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header { padding: 14px 18px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 19px; margin: 0 0 4px; }
h2 { font-size: 14px; margin: 0 0 6px; }
h3 { font-size: 12px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
.meta { margin: 0 0 8px; color: var(--muted); }
.warning { margin: 0 0 8px; padding: 4px 8px; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 4px; }
.figures { display: flex; flex-wrap: wrap; gap: 8px; margin: 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; min-width: 150px; }
.figure dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .03em; }
.figure dd { margin: 0; font-size: 16px; font-weight: 600; }
.figure small { display: block; font-size: 11px; font-weight: 400; color: var(--muted); }
#legend { display: flex; flex-wrap: wrap; gap: 6px 28px; padding: 10px 18px; border-bottom: 1px solid var(--line); }
#legend > h2 { width: 100%; margin: 0; }
#legend ul { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(2, auto); gap: 2px 14px; }
.legend-item { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.controls { padding: 6px 18px; }
#timeline { display: flex; align-items: flex-start; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
.label-column { flex: 0 0 ${LABEL_WIDTH}px; border-right: 1px solid var(--line); background: #fff; }
.chart-scroll { flex: 1 1 auto; overflow-x: auto; }
svg { display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
.lane-bg { fill: #fff; }
.lane-bg.odd { fill: #f6f8fa; }
.lane-label.depth-0 { font-weight: 600; font-size: 12px; }
.lane-label.depth-1 { fill: var(--muted); }
.budget-label { font-weight: 600; fill: var(--muted); }
.grid { stroke: #eaeef2; stroke-width: 1; }
.tick { fill: var(--muted); text-anchor: middle; font-size: 10px; }
.call { stroke: rgba(0,0,0,.25); stroke-width: 1; cursor: pointer; }
.outcome-ok { fill: #4c78a8; }
.outcome-error { fill: #e45756; }
.outcome-timeout { fill: url(#stripes-timeout); }
.stripe-base { fill: #f58518; }
.stripe { fill: #ffd8a8; }
.outcome-invalid { fill: #b279a2; }
.outcome-cancelled { fill: #c9c2bd; }
.outcome-unfinished { fill: #fff; stroke: #6e7781; stroke-dasharray: 3 2; }
.call.role-retry { stroke: #111; stroke-width: 1.6; stroke-dasharray: 4 2; }
.call.role-hedge { stroke: #00a6c0; stroke-width: 2.6; }
.call.role-fallback { stroke: #8c564b; stroke-width: 2.6; stroke-dasharray: 6 2; }
.critical-halo { fill: none; stroke: var(--critical); stroke-width: 3; }
.bar-label { fill: #fff; font-size: 10px; font-weight: 600; pointer-events: none; }
.message { fill: none; stroke: #57606a; stroke-width: 1.3; cursor: pointer; }
.message.redelivered { stroke-dasharray: 5 3; }
.message.critical { stroke: var(--critical); stroke-width: 3; }
.arrowhead { fill: #57606a; }
.arrowhead.critical { fill: var(--critical); }
.band { cursor: pointer; }
.band-fill { opacity: .16; }
.state-closed .band-fill { fill: #2da44e; opacity: .06; }
.state-closed .band-strip { fill: #2da44e; }
.state-open .band-fill { fill: #cf222e; }
.state-open .band-strip { fill: #cf222e; }
.state-half-open .band-fill { fill: #d4a72c; }
.state-half-open .band-strip { fill: #d4a72c; }
.marker { cursor: pointer; stroke: #1f2328; stroke-width: 1; }
.m-vote.vote-answer, .m-vote.vote-accept { fill: #2da44e; }
.m-vote.vote-reject, .m-vote.vote-stale { fill: #fb8f44; }
.m-vote.vote-crashed { fill: #1f2328; }
.m-decision { fill: var(--critical); stroke-width: 1.5; }
.m-round { fill: #8c959f; }
.m-election { fill: #8250df; }
.m-retry-scheduled { fill: #fff; stroke: #f58518; stroke-width: 2; }
.m-retry-given-up { stroke: #cf222e; stroke-width: 2.5; fill: none; }
.m-hedge-fired { fill: #fff; stroke: #00a6c0; stroke-width: 2; }
.m-hedge-won { fill: #00a6c0; }
.m-fallback { fill: #8c564b; }
.m-breaker-rejected { fill: #cf222e; stroke: none; }
.m-budget-refused, .m-timeout { fill: #8250df; }
.m-error { stroke: #a40e26; stroke-width: 3; fill: none; }
.m-undelivered { fill: #fff; stroke: #8c959f; stroke-dasharray: 2 1.5; }
.m-orphan-delivery { fill: #eaeef2; stroke: #57606a; stroke-dasharray: 1 1.5; }
.marker-tag { font-size: 10px; fill: var(--ink); pointer-events: none; }
.marker-tag.m-decision { font-weight: 700; stroke: none; fill: #7d4e00; }
.marker-tag.m-vote { stroke: none; fill: #24292f; }
.budget-frame { fill: #fbfbfc; stroke: var(--line); }
.budget-line { fill: none; stroke-width: 2; }
.budget-tokens { stroke: #4c78a8; }
.budget-dollars { stroke: #2da44e; stroke-dasharray: 5 2; }
.budget-caption { fill: var(--muted); font-size: 10px; }
.selected { outline: none; filter: drop-shadow(0 0 3px #0969da); }
.dim-off-path .call:not(.critical), .dim-off-path .message:not(.critical), .dim-off-path .marker, .dim-off-path .band { opacity: .12; }
#critical-path-steps { padding: 10px 18px 120px; }
#critical-path-steps .explain { color: var(--muted); margin: 0 0 6px; }
#critical-path-steps ol { margin: 0; padding-left: 22px; }
#details:not(.open) { display: none; }
#details { position: fixed; right: 12px; bottom: 12px; width: 380px; max-height: 40vh; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 4px 14px rgba(0,0,0,.12); padding: 8px 10px; }
#details pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
`;
