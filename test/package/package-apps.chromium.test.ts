// The apps of consumer-apps.ts in Chromium: each reads the rendered photo with
// the default (shipped) model on the wasm backend and gets its digits, with no
// failed request (no 404 for the worker, a .wasm file, the model or a sidecar).
// Plain page, esbuild app, Vite build and Vite dev server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer-core';
import { makeConsumerApps, type ConsumerApps } from './consumer-apps.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/browsers.mjs';
import { serveStatic } from '../../scripts/static-server.mjs';

interface PageResult {
  readonly kind: 'reading' | 'error';
  readonly digits?: number[];
  readonly backend?: string;
  readonly code?: string;
  readonly name?: string;
  readonly message?: string;
}

interface Visit {
  readonly result: PageResult;
  /** Responses of 400 or more, requests that failed, and console errors. */
  readonly problems: string[];
}

describe('the packed package read in Chromium', () => {
  let apps: ConsumerApps;
  let browser: Browser;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    apps = await makeConsumerApps();
    browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  });
  after(async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    await browser?.close();
    await apps?.remove();
  });

  async function visit(url: string): Promise<Visit> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) =>
      problems.push(`failed ${request.url()}: ${request.failure()?.errorText ?? ''}`),
    );
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    try {
      await page.goto(url);
      await page.waitForFunction(() => 'ccResult' in window, { timeout: 90_000 });
      const result = (await page.evaluate(
        () => (window as unknown as { ccResult: PageResult }).ccResult,
      )) as PageResult;
      return { result, problems };
    } finally {
      await page.close();
    }
  }

  function assertRead(visit: Visit): void {
    assert.equal(visit.result.kind, 'reading', `${visit.result.code ?? ''} ${visit.result.message ?? ''}`);
    assert.deepEqual(visit.result.digits, apps.photo.digits);
    assert.equal(visit.result.backend, 'wasm');
    assert.deepEqual(visit.problems, []);
  }

  it('reads the photo in a plain page that imports dist/column-classifier.js', async () => {
    const server = await serveStatic(apps.root);
    closers.push(() => server.close());
    assertRead(await visit(`${server.origin}/plain/index.html`));
  });

  it('reads the photo in an esbuild app', async () => {
    const server = await serveStatic(apps.esbuildOut);
    closers.push(() => server.close());
    assertRead(await visit(`${server.origin}/index.html`));
  });

  it('reads the photo in a Vite build', async () => {
    const server = await serveStatic(apps.viteOut);
    closers.push(() => server.close());
    assertRead(await visit(`${server.origin}/index.html`));
  });

  it('reads the photo on the Vite dev server', async () => {
    const { createServer } = await import('vite');
    const server = await createServer({
      root: apps.vite,
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    closers.push(() => server.close());
    await server.listen();
    const address = server.httpServer?.address();
    assert.ok(address !== null && typeof address === 'object');
    assertRead(await visit(`http://127.0.0.1:${address.port}/index.html`));
  });

  it('reports a missing model as a LoadError by its class name in the built, minified bundle', async () => {
    const server = await serveStatic(apps.esbuildOut);
    closers.push(() => server.close());
    const { result, problems } = await visit(`${server.origin}/index.html?backend=cpu&model=missing`);
    assert.equal(result.kind, 'error');
    assert.equal(result.code, 'load/http');
    assert.equal(result.name, 'LoadError');
    assert.ok(
      problems.some((p) => p.startsWith('404 ')),
      'the missing model.json is the 404',
    );
  });
});
