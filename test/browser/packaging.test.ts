import { expect } from '@esm-bundle/chai';

interface PageReport {
  readonly kind: 'reading' | 'error';
  readonly digits?: number[];
  readonly expected?: number[];
  readonly backend?: string;
  readonly code?: string;
  readonly message?: string;
  readonly violations: string[];
}

/** Opens a test page in an iframe and waits for its report (see test/pages/report-reading.js). */
function runPage(url: string): Promise<PageReport> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    const timer = setTimeout(() => reject(new Error(`${url} sent no report`)), 50000);
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.contentWindow) return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      frame.remove();
      resolve(event.data as PageReport);
    };
    window.addEventListener('message', onMessage);
    frame.src = url;
    document.body.append(frame);
  });
}

describe('packaging', function () {
  it('the built element reads frames from a plain <script type="module"> under a strict CSP (no eval)', async function () {
    const report = await runPage('/test/pages/csp.html');
    expect(report.violations).to.deep.equal([]);
    expect(report.kind, report.message).to.equal('reading');
    expect(report.digits).to.deep.equal(report.expected);
  });

  it('works when another app bundles it with esbuild, with the worker and .wasm copied beside that bundle', async function () {
    const report = await runPage('/.test-pages/consumer/index.html?backend=wasm');
    expect(report.violations).to.deep.equal([]);
    expect(report.kind, report.message).to.equal('reading');
    expect(report.backend).to.equal('wasm');
    expect(report.digits).to.deep.equal(report.expected);
  });
});
