/**
 * Renders a trace's HTML timeline to a PNG with headless Chromium, to check the page by eye or
 * attach it to a report:
 *
 *   tsx scripts/screenshot-trace.ts run.jsonl run.png [--width 1600] [--predicted-speedup 2.5]
 *
 * Uses Debian's Chromium (`apt-get install -y chromium`) through playwright-core, which downloads
 * no browser of its own. Exit 0 on success, 1 when the page logs an error, 2 on a usage mistake.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { viewTrace } from '../compiler/trace-view/view.js';

export const CHROMIUM_PATH = process.env.TEAMC_CHROMIUM ?? '/usr/bin/chromium';

/** No sandbox (containers run as root), and nothing that would reach the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface ScreenshotOptions {
  width?: number;
  height?: number;
}

/**
 * Opens `htmlPath` as a file (the way a person would) and saves a full-page screenshot; returns
 * what the page logged as errors, so a caller can fail on them.
 */
export async function screenshotPage(htmlPath: string, pngPath: string, options: ScreenshotOptions = {}): Promise<string[]> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1600, height: options.height ?? 900 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.screenshot({ path: pngPath, fullPage: true });
    return errors;
  } finally {
    await browser.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let width: number | undefined;
  let speedup: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--width') width = Number(argv[++i]);
    else if (arg === '--predicted-speedup') speedup = Number(argv[++i]);
    else positional.push(arg);
  }
  const [tracePath, pngPath] = positional;
  if (tracePath === undefined || pngPath === undefined || (width !== undefined && !(width > 0)) || (speedup !== undefined && !(speedup > 0))) {
    console.error('usage: tsx scripts/screenshot-trace.ts TRACE.jsonl OUT.png [--width PIXELS] [--predicted-speedup X]');
    return 2;
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.error(`screenshot-trace: no Chromium at ${CHROMIUM_PATH}; install it (apt-get install -y chromium) or set TEAMC_CHROMIUM`);
    return 2;
  }
  const view = viewTrace(fs.readFileSync(tracePath, 'utf8'), { source: path.basename(tracePath), ...(speedup !== undefined ? { predicted: { speedup } } : {}) });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'teamc-screenshot-'));
  try {
    const htmlPath = path.join(directory, 'trace.html');
    fs.writeFileSync(htmlPath, view.html);
    const errors = await screenshotPage(htmlPath, path.resolve(pngPath), width !== undefined ? { width } : {});
    for (const error of errors) console.error(`page error: ${error}`);
    console.log(`wrote ${pngPath}`);
    return errors.length > 0 ? 1 : 0;
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
