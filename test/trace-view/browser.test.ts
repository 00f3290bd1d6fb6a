/**
 * Loads generated pages in a real Chromium: no console errors (a wrong CSP hash or a script bug
 * would log one), the agents' rows and the legend are in the DOM, clicking shows details, and a
 * hostile agent name stays text. Needs Debian's chromium at /usr/bin/chromium; without it these
 * tests are skipped with a message saying so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewTrace } from '../../compiler/trace-view/view.js';
import { CHROMIUM_PATH, launchChromium, screenshotPage } from '../../scripts/screenshot-trace.js';
import { codeReviewTrace, HOSTILE, largeTrace, toJsonLines } from './fixtures.js';

const hasChromium = fs.existsSync(CHROMIUM_PATH);
const SKIPPED = `skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
if (!hasChromium) console.warn(`test/trace-view/browser.test.ts: ${SKIPPED}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-trace-browser-'));
let browser: Browser | undefined;

beforeAll(async () => {
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
  loadMs: number;
}

/** Writes the page to a file and opens it the way a person would, recording anything suspicious. */
async function open(name: string, html: string): Promise<Opened> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, html);
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const opened: Opened = { page, errors: [], requests: [], dialogs: [], loadMs: 0 };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') opened.errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('request', (request) => {
    if (request.url() !== pathToFileURL(file).href) opened.requests.push(request.url());
  });
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const started = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  opened.loadMs = performance.now() - started;
  return opened;
}

describe.skipIf(!hasChromium)('the page in Chromium', () => {
  it('loads without errors or requests, with one row per agent and replica, and the legend', async () => {
    const { page, errors, requests } = await open('review.html', viewTrace(toJsonLines(codeReviewTrace()), { predicted: { speedup: 2.5 } }).html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('.lane-label').allTextContents()).toEqual(['team', 'security', 'style', 'tests', 'tests_lite', 'judge', 'judge #0', 'judge #1', 'judge #2', 'verdict', 'budget left']);
    expect(await page.locator('.lane-head[data-agent="judge"]').count()).toBe(4);
    expect(await page.locator('#legend').isVisible()).toBe(true);
    expect(await page.locator('#legend .legend-item').count()).toBeGreaterThanOrEqual(30);
    expect(await page.locator('#legend .legend-item[data-legend="breaker-half-open"]').textContent()).toBe('half-open');
    expect(await page.locator('svg.chart rect.call').count()).toBe(10);
    expect(await page.locator('svg.chart rect.call.critical').count()).toBe(4);
    expect(await page.locator('svg.chart path.message').count()).toBe(6);
    expect(await page.locator('svg.chart .m-decision').count()).toBe(1);
    expect(await page.locator('#fig-predicted-speedup dd').textContent()).toContain('2.50×');
    await page.close();
  });

  it('shows a bar’s details on click, and dims what is off the critical path', async () => {
    const { page, errors } = await open('click.html', viewTrace(toJsonLines(codeReviewTrace())).html);
    expect(await page.locator('#details').isVisible()).toBe(false);
    await page.locator('svg.chart rect.call.outcome-timeout').click();
    expect(await page.locator('#details').isVisible()).toBe(true);
    const text = await page.locator('#details-text').textContent();
    expect(text).toContain('call: tests, attempt 1 (first attempt)');
    expect(text).toContain('outcome: timeout');
    expect(text).toContain('error: TimeoutError: timed out after 5000ms');
    await page.locator('#only-critical').check();
    expect(await page.locator('body').getAttribute('class')).toContain('dim-off-path');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a hostile agent name as text: no element, no script, no dialog', async () => {
    const events = codeReviewTrace({ agentName: (name) => (name === 'style' ? HOSTILE : name) });
    const { page, errors, requests, dialogs } = await open('hostile.html', viewTrace(toJsonLines(events)).html);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('.lane-head').nth(2).getAttribute('data-agent')).toBe(HOSTILE);
    expect(await page.locator('.lane-head').nth(2).locator('title').textContent()).toBe(HOSTILE);
    await page.locator('svg.chart rect.call.outcome-error').first().click();
    expect(await page.locator('#details-text').textContent()).toContain(`call: ${HOSTILE}, attempt 1`);
    await page.close();
  });

  it('opens a 10,000-event trace promptly', async () => {
    const { page, errors, loadMs } = await open('large.html', viewTrace(toJsonLines(largeTrace(10_000))).html);
    expect(errors).toEqual([]);
    expect(loadMs).toBeLessThan(10_000);
    expect(await page.locator('svg.chart rect.call').count()).toBeGreaterThan(2000);
    await page.close();
  });

  it('screenshots a page (scripts/screenshot-trace.ts)', async () => {
    const html = path.join(dir, 'shot.html');
    fs.writeFileSync(html, viewTrace(toJsonLines(codeReviewTrace())).html);
    const png = path.join(dir, 'shot.png');
    expect(await screenshotPage(html, png, { width: 1200 })).toEqual([]);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1200); // the IHDR width
  });
});

// Says why in the test report, not only in the log.
if (!hasChromium) it.skip(SKIPPED, () => {});
