/**
 * The legend: one swatch per style the timeline uses, drawn with the same classes and glyphs, so
 * what the legend shows is what the chart draws.
 */
import type { MarkerKind } from './model.js';
import { markerClass, markerGlyph } from './shapes.js';

interface Entry {
  key: string;
  text: string;
  swatch: string;
}

const bar = (classes: string) => `<rect class="${classes}" x="2" y="3" width="30" height="14" rx="2"/>`;
const marker = (kind: MarkerKind, outcome?: string) => `<g class="${markerClass(kind, outcome)}">${markerGlyph(kind, 17, 10)}</g>`;

const groups: ReadonlyArray<{ title: string; entries: Entry[] }> = [
  {
    title: 'Model calls (one bar per attempt)',
    entries: [
      { key: 'outcome-ok', text: 'answered', swatch: bar('call outcome-ok role-first') },
      { key: 'outcome-error', text: 'failed', swatch: bar('call outcome-error role-first') },
      { key: 'outcome-timeout', text: 'timed out', swatch: bar('call outcome-timeout role-first') },
      { key: 'outcome-invalid', text: 'invalid output', swatch: bar('call outcome-invalid role-first') },
      { key: 'outcome-cancelled', text: 'cancelled (lost hedge, decided round, stopped run)', swatch: bar('call outcome-cancelled role-first') },
      { key: 'outcome-unfinished', text: 'unfinished when the trace ends', swatch: bar('call outcome-unfinished role-first') },
      { key: 'role-retry', text: 'retry (dashed outline)', swatch: bar('call outcome-ok role-retry') },
      { key: 'role-hedge', text: 'hedge copy (cyan outline)', swatch: bar('call outcome-ok role-hedge') },
      { key: 'role-fallback', text: 'fallback stand-in (brown outline)', swatch: bar('call outcome-ok role-fallback') },
      { key: 'critical', text: 'on the critical path', swatch: `<rect class="critical-halo" x="0" y="1" width="34" height="18" rx="4"/>${bar('call outcome-ok role-first critical')}` },
    ],
  },
  {
    title: 'Messages',
    entries: [
      { key: 'message', text: 'send → deliver', swatch: '<path class="message" d="M2,10L30,10" marker-end="url(#arrowhead)"/>' },
      { key: 'message-redelivered', text: 'redelivered by the transport', swatch: '<path class="message redelivered" d="M2,10L30,10" marker-end="url(#arrowhead)"/>' },
      { key: 'message-critical', text: 'message on the critical path', swatch: '<path class="message critical" d="M2,10L30,10" marker-end="url(#arrowhead-critical)"/>' },
      { key: 'undelivered', text: 'sent, never delivered', swatch: marker('undelivered') },
      { key: 'orphan-delivery', text: 'delivered, send not in trace', swatch: marker('orphan-delivery') },
    ],
  },
  {
    title: 'Circuit breakers',
    entries: (['closed', 'open', 'half-open'] as const).map((state) => ({
      key: `breaker-${state}`,
      text: state,
      swatch: `<g class="band state-${state}"><rect class="band-fill" x="2" y="2" width="30" height="16"/><rect class="band-strip" x="2" y="14" width="30" height="4"/></g>`,
    })),
  },
  {
    title: 'Events',
    entries: [
      { key: 'vote-answer', text: 'vote: answer / accept', swatch: marker('vote', 'answer') },
      { key: 'vote-reject', text: 'vote: reject / stale', swatch: marker('vote', 'reject') },
      { key: 'vote-crashed', text: 'vote: replica crashed', swatch: marker('vote', 'crashed') },
      { key: 'decision', text: 'decision', swatch: marker('decision') },
      { key: 'round', text: 'round ended', swatch: marker('round') },
      { key: 'election', text: 'leader election', swatch: marker('election') },
      { key: 'retry-scheduled', text: 'retry scheduled', swatch: marker('retry-scheduled') },
      { key: 'retry-given-up', text: 'retries given up', swatch: marker('retry-given-up') },
      { key: 'hedge-fired', text: 'hedge fired', swatch: marker('hedge-fired') },
      { key: 'hedge-won', text: 'hedge won', swatch: marker('hedge-won') },
      { key: 'fallback', text: 'fallback taken', swatch: marker('fallback') },
      { key: 'breaker-rejected', text: 'breaker refused a call', swatch: marker('breaker-rejected') },
      { key: 'budget-refused', text: 'budget refused a call', swatch: marker('budget-refused') },
      { key: 'error', text: 'error', swatch: marker('error') },
    ],
  },
  {
    title: 'Budget',
    entries: [
      { key: 'budget-tokens', text: 'tokens left', swatch: '<polyline class="budget-line budget-tokens" points="2,6 16,6 16,14 32,14"/>' },
      { key: 'budget-dollars', text: 'dollars left', swatch: '<polyline class="budget-line budget-dollars" points="2,4 12,4 12,10 32,10"/>' },
    ],
  },
];

export function renderLegend(): string {
  const parts = ['<section id="legend" aria-label="legend"><h2>Legend</h2>'];
  for (const group of groups) {
    parts.push(`<div class="legend-group"><h3>${group.title}</h3><ul>`);
    for (const entry of group.entries) {
      parts.push(`<li class="legend-item" data-legend="${entry.key}"><svg width="34" height="20" aria-hidden="true">${entry.swatch}</svg>${entry.text}</li>`);
    }
    parts.push('</ul></div>');
  }
  parts.push('</section>');
  return parts.join('');
}
