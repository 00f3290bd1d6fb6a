/** How the viewer writes durations, money, counts and ratios, and escapes what it did not write. */

/** `&`, `<`, `>`, `"` and `'` as entities: safe in HTML text, in quoted attributes and in inline SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** At most `max` characters, with an ellipsis when cut (the full text goes in the tooltip). */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const size = Math.abs(ms);
  if (size < 1000) return `${sign}${round(size, size < 10 ? 1 : 0)} ms`;
  if (size < 60_000) return `${sign}${round(size / 1000, size < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(size / 60_000);
  const seconds = Math.round((size - minutes * 60_000) / 1000);
  return seconds === 60 ? `${sign}${minutes + 1} min` : `${sign}${minutes} min${seconds > 0 ? ` ${seconds} s` : ''}`;
}

export function formatSpeedup(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '—' : `${round(ratio, 2).toFixed(2)}×`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDollars(dollars: number): string {
  return `$${dollars !== 0 && Math.abs(dollars) < 1 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
}

/** A tick spacing of 1, 2 or 5 × 10^k that is at least `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough) return factor * power;
  return 10 * power;
}

/** A coordinate with one decimal: enough for a screen, and it keeps a big trace's page small. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
