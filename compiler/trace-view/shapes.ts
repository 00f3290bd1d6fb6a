/**
 * The glyph of each marker kind, drawn around a point. The timeline and the legend both draw
 * from here, so a legend entry always looks like what it explains.
 */
import { px } from './format.js';
import type { MarkerKind } from './model.js';

/** SVG elements (no wrapper) drawing `kind` centred on (x, y). Their style comes from classes. */
export function markerGlyph(kind: MarkerKind, x: number, y: number): string {
  const p = (dx: number, dy: number) => `${px(x + dx)},${px(y + dy)}`;
  switch (kind) {
    case 'vote':
      return `<circle cx="${px(x)}" cy="${px(y)}" r="5"/>`;
    case 'decision':
      return `<path d="M${p(0, -7)}L${p(7, 0)}L${p(0, 7)}L${p(-7, 0)}Z"/>`;
    case 'round':
      return `<rect x="${px(x - 3.5)}" y="${px(y - 3.5)}" width="7" height="7"/>`;
    case 'election':
    case 'hedge-fired':
    case 'hedge-won':
      return `<path d="M${p(0, -5)}L${p(5, 4)}L${p(-5, 4)}Z"/>`;
    case 'retry-scheduled':
    case 'undelivered':
    case 'orphan-delivery':
      return `<circle cx="${px(x)}" cy="${px(y)}" r="4"/>`;
    case 'retry-given-up':
    case 'error':
      return `<path d="M${p(-4, -4)}L${p(4, 4)}M${p(4, -4)}L${p(-4, 4)}"/>`;
    case 'fallback':
      return `<path d="M${p(-4, -5)}L${p(5, 0)}L${p(-4, 5)}Z"/>`;
    case 'breaker-rejected':
      return `<rect x="${px(x - 1.5)}" y="${px(y - 6)}" width="3" height="12"/>`;
    case 'budget-refused':
    case 'timeout':
      return `<rect x="${px(x - 4)}" y="${px(y - 4)}" width="8" height="8"/>`;
  }
}

/** The class list of a marker of `kind` (and, for a vote, its outcome). */
export function markerClass(kind: MarkerKind, outcome?: string): string {
  return `marker m-${kind}${kind === 'vote' && outcome !== undefined ? ` vote-${safeClass(outcome)}` : ''}`;
}

/** A class-name fragment from trace text: letters, digits and dashes only. */
export function safeClass(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, '_');
}
