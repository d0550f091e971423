// Opens the three engines the way scripts/browsers.mjs says they work here,
// behind one small interface: open(url) → a page whose `run(step, params)`
// calls the bench page's `window.benchRun` and resolves with its result.
import puppeteer from 'puppeteer-core';
import { remote } from 'webdriverio';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  FIREFOX_PATH,
  installedEngines,
  startWebKitDriver,
  startXvfb,
  webkitCapabilities,
} from '../scripts/browsers.mjs';

/** How long one bench step may take before the driver gives up (the 10 000-frame memory run is split in chunks). */
const STEP_TIMEOUT_MS = 15 * 60 * 1000;

let display;
async function ensureDisplay() {
  display ??= await startXvfb();
  return display;
}

/** Waits for the page's entry point, so a step never races the page's own module loading. */
async function waitForBench(evaluate) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await evaluate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('The bench page did not install window.benchRun within 60 s (see the browser console).');
}

function unwrap(outcome, step) {
  if (outcome && typeof outcome === 'object' && 'error' in outcome)
    throw new Error(`bench step "${step}" failed in the page: ${outcome.error}`);
  return outcome?.ok;
}

async function puppeteerEngine(name, launchOptions) {
  const browser = await puppeteer.launch({ headless: true, protocolTimeout: STEP_TIMEOUT_MS, ...launchOptions });
  const version = await browser.version();
  return {
    name,
    version,
    async open(url) {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url, { waitUntil: 'load' });
      await waitForBench(() => page.evaluate(() => typeof window.benchRun === 'function'));
      return {
        raw: page,
        errors,
        async run(step, params = {}) {
          const outcome = await page.evaluate(
            (s, p) =>
              window.benchRun(s, p).then(
                (ok) => ({ ok }),
                (error) => ({ error: String(error?.stack ?? error) }),
              ),
            step,
            params,
          );
          return unwrap(outcome, step);
        },
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function webkitEngine() {
  const port = await startWebKitDriver(await ensureDisplay());
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: 'error',
    capabilities: webkitCapabilities(),
  });
  await browser.setTimeout({ script: STEP_TIMEOUT_MS, pageLoad: 60_000 });
  const caps = browser.capabilities;
  return {
    name: 'webkit',
    version: `WebKitGTK ${caps.browserVersion ?? 'unknown'} (MiniBrowser)`,
    async open(url) {
      await browser.url(url);
      await waitForBench(() => browser.execute(() => typeof window.benchRun === 'function'));
      return {
        raw: browser,
        errors: [],
        async run(step, params = {}) {
          const outcome = await browser.executeAsync(
            (s, p, done) => {
              window.benchRun(s, p).then(
                (ok) => done({ ok }),
                (error) => done({ error: String(error && error.stack ? error.stack : error) }),
              );
            },
            step,
            params,
          );
          return unwrap(outcome, step);
        },
        close: () => browser.url('about:blank'),
      };
    },
    close: () => browser.deleteSession(),
  };
}

/**
 * Starts one engine; resolves to `{ name, version, open(url), close() }`, or to
 * `{ name, missing: reason }` when it is not installed here.
 */
export async function openEngine(name) {
  const installed = installedEngines();
  if (!installed[name]) return { name, missing: `${name} is not installed here (see README: the apt packages)` };
  switch (name) {
    case 'chromium':
      return puppeteerEngine('chromium', { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    case 'firefox':
      // Firefox has WebGL only with a display, even headless.
      return puppeteerEngine('firefox', {
        browser: 'firefox',
        executablePath: FIREFOX_PATH,
        env: { ...process.env, DISPLAY: await ensureDisplay() },
      });
    case 'webkit':
      return webkitEngine();
    default:
      throw new Error(`Unknown engine "${name}": use chromium, firefox or webkit.`);
  }
}
