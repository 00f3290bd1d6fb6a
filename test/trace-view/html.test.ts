import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../runtime/trace.js';
import { buildTimeline } from '../../compiler/trace-view/timeline.js';
import { renderTraceHtml } from '../../compiler/trace-view/html.js';
import { layoutTimeline } from '../../compiler/trace-view/layout.js';
import { viewTrace } from '../../compiler/trace-view/view.js';
import { screenEvents } from '../../compiler/trace-view/screen.js';
import { escapeHtml, formatMs, niceStep } from '../../compiler/trace-view/format.js';
import { codeReviewTrace, HOSTILE, largeTrace, toJsonLines } from './fixtures.js';

const page = (events: TraceEvent[], predicted?: { speedup?: number; makespanMs?: number }) =>
  renderTraceHtml(buildTimeline(events, predicted ? { predicted } : {}), { source: 'run.jsonl' });

/** A trace where every string the page shows came from an attacker. */
function hostileTrace(): TraceEvent[] {
  const rename = (name: string) => (name === 'security' ? HOSTILE : name === 'judge' ? `${HOSTILE}judge` : name);
  return codeReviewTrace({ agentName: rename }).map((event): TraceEvent => {
    switch (event.kind) {
      case 'run-start':
        return { ...event, team: HOSTILE };
      case 'send':
      case 'deliver':
        return { ...event, channel: HOSTILE, message: `${event.message}${HOSTILE}` };
      case 'decision':
        return { ...event, key: HOSTILE };
      case 'call-end':
        return event.error ? { ...event, error: { ...event.error, message: HOSTILE } } : event;
      default:
        return event;
    }
  });
}

describe('the page is self-contained', () => {
  const html = page(codeReviewTrace(), { speedup: 2.5 });

  it('references nothing outside itself', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|action|srcset)\s*=/i);
    expect(html).not.toMatch(/<(link|iframe|object|embed|img|image|use)\b/i);
    expect(html).not.toMatch(/@import|@font-face/i);
    // url(…) only ever points inside the page (arrowheads, the time-out stripes).
    for (const match of html.matchAll(/url\(([^)]*)\)/g)) expect(match[1]).toMatch(/^#[a-z-]+$/);
    expect(html).not.toMatch(/["'(\s]\/\/[a-z0-9]/i);
  });

  it('admits only its own script and stylesheet, by hash', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash(scripts[0]!)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(styles[0]!)}'`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('shows the header figures, the legend, the lanes and the critical path', () => {
    expect(html).toContain('<title>teamc trace — code-review (run.jsonl)</title>');
    expect(html).toMatch(/id="fig-makespan"><dt>makespan<\/dt><dd>9\.12 s/);
    expect(html).toMatch(/id="fig-measured-speedup"><dt>measured speed-up<\/dt><dd>2\.19×/);
    expect(html).toMatch(/id="fig-predicted-speedup"><dt>predicted speed-up<\/dt><dd>2\.50×<small>measured is 88% of predicted<\/small>/);
    expect(html).toMatch(/id="fig-tokens"><dt>tokens<\/dt><dd>16,200/);
    expect(html).toMatch(/id="fig-cost"><dt>cost<\/dt><dd>\$0\.0383/);
    for (const key of ['outcome-ok', 'outcome-error', 'outcome-timeout', 'outcome-cancelled', 'role-retry', 'role-hedge', 'role-fallback', 'critical', 'message', 'breaker-closed', 'breaker-open', 'breaker-half-open', 'vote-answer', 'decision', 'budget-tokens']) {
      expect(html).toContain(`data-legend="${key}"`);
    }
    expect(html.match(/class="lane-head"/g)).toHaveLength(10);
    const chart = html.slice(html.indexOf('<svg class="chart"'), html.indexOf('</main>'));
    expect(chart.match(/<rect class="call /g)).toHaveLength(10);
    expect(chart.match(/<rect class="call [^"]*critical"/g)).toHaveLength(4);
    expect(chart.match(/<path class="message[^"]*critical"/g)).toHaveLength(2);
    expect(chart.match(/class="call outcome-timeout role-first critical"/g)).toHaveLength(1);
    expect(chart.match(/class="call outcome-ok role-hedge"/g)).toHaveLength(1);
    expect(chart.match(/class="call outcome-ok role-fallback critical"/g)).toHaveLength(1);
    expect(chart.match(/<g class="band state-open"/g)).toHaveLength(1);
    expect(html.match(/<li class="step /g)).toHaveLength(6);
  });

  it('says so when no prediction was given', () => {
    expect(page(codeReviewTrace())).toMatch(/id="fig-predicted-speedup"><dt>predicted speed-up<\/dt><dd>—<small>no prediction given<\/small>/);
  });
});

describe('strings from the trace are escaped', () => {
  const html = page(hostileTrace());

  it('never lets a hostile name, message, channel, key or error out of its text', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b>/);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain(escapeHtml(HOSTILE));
    // In attributes too: the escaped name stays inside its quotes.
    expect(html).toContain(`data-agent="${escapeHtml(HOSTILE)}"`);
    expect(html).not.toMatch(/onerror="/i);
  });

  it('escapes every character that could end a text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('surfaces skipped events instead of hiding them', () => {
    const text = `${toJsonLines(codeReviewTrace())}{"kind":"call-end","agent":"x","time":1}\n`;
    expect(viewTrace(text).html).toContain('1 malformed event was skipped');
  });
});

describe('large traces', () => {
  const timed = (events: TraceEvent[]) => {
    let best = Infinity;
    let html = '';
    for (let run = 0; run < 2; run++) {
      const started = performance.now();
      html = renderTraceHtml(buildTimeline(events));
      best = Math.min(best, performance.now() - started);
    }
    return { ms: best, html };
  };

  it('render 10,000 events quickly, and four times as many in about four times the time', () => {
    const small = timed(largeTrace(10_000));
    const big = timed(largeTrace(40_000));
    expect(small.ms).toBeLessThan(2000);
    // Linearithmic work grows ~4.3× here; anything quadratic would grow ~16×.
    expect(big.ms / small.ms).toBeLessThan(9);
    expect(small.html.length).toBeGreaterThan(100_000);
  });
});

describe('layout and formatting', () => {
  it('scales the axis so a typical call is readable, within bounds, with round ticks', () => {
    const layout = layoutTimeline(buildTimeline(codeReviewTrace()));
    expect(layout.width).toBeGreaterThanOrEqual(1240);
    expect(layout.width).toBeLessThanOrEqual(24_000 + 32);
    expect(layout.ticks.slice(0, 3)).toEqual([0, 1000, 2000]);
    // Lanes stack without gaps, each below the last.
    for (let i = 1; i < layout.lanes.length; i++) expect(layout.lanes[i]!.top).toBe(layout.lanes[i - 1]!.top + layout.lanes[i - 1]!.height);
    expect(layout.budgetTop).toBe(layout.lanes.at(-1)!.top + layout.lanes.at(-1)!.height);
  });

  it('survives timestamps at the ends of the number line', () => {
    const html = page([
      { kind: 'call-start', agent: 'a', time: -1e308, attempt: 1 },
      { kind: 'call-end', agent: 'a', time: 1e308, attempt: 1, outcome: 'ok', durationMs: 1 },
    ]);
    expect(html).toContain('class="lane-head"');
  });

  it('writes durations and tick steps the way people read them', () => {
    expect([formatMs(0), formatMs(2.5), formatMs(950), formatMs(1234), formatMs(12_345), formatMs(125_000)]).toEqual(['0 ms', '2.5 ms', '950 ms', '1.23 s', '12.3 s', '2 min 5 s']);
    expect([niceStep(0.3), niceStep(7), niceStep(130), niceStep(4000)]).toEqual([0.5, 10, 200, 5000]);
  });
});

describe('odd but well-formed traces', () => {
  const kinds = ['run-start', 'run-end', 'send', 'deliver', 'ack', 'call-start', 'call-end', 'retry', 'timeout', 'breaker', 'hedge', 'fallback', 'budget', 'vote', 'round', 'election', 'decision', 'error', 'activation'] as const;
  const fields = ['team', 'clock', 'seed', 'outcome', 'output', 'error', 'channel', 'message', 'to', 'from', 'seq', 'attempt', 'policy', 'model', 'durationMs', 'usage', 'action', 'retry', 'delayMs', 'timeoutMs', 'breaker', 'state', 'rejected', 'branch', 'aborted', 'requested', 'actual', 'remaining', 'resource', 'consensus', 'round', 'replica', 'key', 'tally', 'term', 'leader', 'value', 'supporters'];
  const event = fc.record({
    kind: fc.constantFrom(...kinds),
    agent: fc.constantFrom('a', 'b', HOSTILE),
    time: fc.integer({ min: 0, max: 1000 }),
    extra: fc.dictionary(fc.constantFrom(...fields), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('a#0', 'a#1', 'b', 'open', 'ok', HOSTILE), fc.integer({ min: 0, max: 1000 }))),
  }).map(({ extra, ...base }) => ({ ...extra, ...base }));
  // Real events with one field swapped for junk: these mostly pass screening, so the timeline sees them.
  const fixture = codeReviewTrace();
  const mutated = fc
    .tuple(fc.integer({ min: 0, max: fixture.length - 1 }), fc.constantFrom(...fields), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(HOSTILE)))
    .map(([index, field, junk]) => ({ ...fixture[index]!, [field]: junk }) as unknown);

  it('render whatever optional fields they carry, without throwing and without leaking markup', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(event, mutated), { maxLength: 30 }), (values) => {
        const screened = screenEvents(values);
        const html = renderTraceHtml(buildTimeline(screened.events, { otherKinds: screened.otherKinds, malformed: screened.malformed.length }));
        expect(html.match(/<script\b/g)).toHaveLength(1);
        expect(html).not.toContain(HOSTILE);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
