// The apps of consumer-apps.ts in Chromium: each reads the rendered photo with
// the default (shipped) model on the wasm backend and gets its digits, with no
// failed request (no 404 for the worker, a .wasm file, the model or a sidecar).
// Plain page, esbuild app, Vite build and Vite dev server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import puppeteer, { type Browser } from 'puppeteer-core';
import { cornersAttribute, makeConsumerApps, npxCli, type ConsumerApps } from './consumer-apps.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/browsers.mjs';
import { serveStatic } from '../../scripts/static-server.mjs';

interface PageResult {
  readonly kind: 'reading' | 'error' | 'samples';
  /** An exported sample set, base64. */
  readonly zip?: string;
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

  it("exports labelled samples that the installed CLI's fine-tune reads, and the element reads with the CLI's model", async () => {
    // The plain page's element labels the photo's reading three times (digits shifted by 5, so that the fine-tune has
    // something to learn at a tiny size) and exports the set; the zip comes back base64-encoded.
    const script = `<script type="module">
import '/node_modules/column-classifier/dist/column-classifier.js';
const element = document.createElement('column-classifier');
for (const [name, value] of Object.entries({ source: 'photo', backend: 'wasm', paused: '', 'stable-frames': '1',
  'min-confidence': '0', 'sample-set': 'package-test', columns: '${apps.photo.digits.length}', corners: '${cornersAttribute(apps.photo)}' }))
  element.setAttribute(name, value);
element.addEventListener('cc-error', (event) => {
  window.ccResult = { kind: 'error', code: event.detail.error.code, message: event.detail.error.message };
});
element.addEventListener('cc-ready', async () => {
  await element.clearSamples();
  const reading = await element.classifyOnce();
  for (let i = 0; i < 3; i++) await element.label(reading.digits.map((d) => (d + 5) % 10));
  const zip = new Uint8Array(await (await element.exportSamples()).arrayBuffer());
  let binary = '';
  for (const byte of zip) binary += String.fromCharCode(byte);
  window.ccResult = { kind: 'samples', zip: btoa(binary) };
}, { once: true });
document.body.append(element);
</script>`;
    await writeFile(
      join(apps.plain, 'samples.html'),
      `<!doctype html><html lang="en"><head><meta charset="utf-8" /><link rel="icon" href="data:," /></head><body><img id="photo" src="/plain/photo.png" alt="" />${script}</body></html>\n`,
    );
    const server = await serveStatic(apps.root);
    closers.push(() => server.close());
    const exported = await visit(`${server.origin}/plain/samples.html`);
    assert.equal(exported.result.kind, 'samples', `${exported.result.code ?? ''} ${exported.result.message ?? ''}`);
    assert.deepEqual(exported.problems, []);
    const data = await mkdtemp(join(tmpdir(), 'cc-pkg-samples-'));
    closers.push(() => rm(data, { recursive: true, force: true }));
    const files = unzipSync(Buffer.from(exported.result.zip ?? '', 'base64'));
    assert.ok('labels.json' in files);
    for (const [path, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(data, path)), { recursive: true });
      await writeFile(join(data, path), bytes);
    }
    // The installed CLI fine-tunes on the unzipped folder at a tiny size (the rendered test columns may drop: the
    // point is the path, not the accuracy) and writes a gated, sealed model.
    const out = join(data, 'model');
    const tiny = [
      '--epochs',
      '1',
      '--replay',
      '32',
      '--test-crops',
      '64',
      '--gate-crops',
      '64',
      '--max-test-drop',
      '100',
    ];
    const { stdout } = await npxCli(apps.root, 'fine-tune', '--data', data, '--out', out, ...tiny);
    assert.match(stdout, /accepted/);
    await cp(out, join(apps.plain, 'fine-tuned'), { recursive: true });
    const { result, problems } = await visit(`${server.origin}/plain/index.html?model=fine-tuned`);
    assert.equal(result.kind, 'reading', `${result.code ?? ''} ${result.message ?? ''}`);
    assert.equal(result.digits?.length, apps.photo.digits.length);
    assert.deepEqual(problems, []);
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
