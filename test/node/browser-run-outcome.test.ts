import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webDriverStall } from '../../scripts/browser-run-outcome.mjs';

// The end of a CI run's WebKit output (2026-12-03): 12 of 18 files passed, then the driver left a navigation unanswered.
const STALLED = [
  '\u001b[2K\u001b[1A\u001b[2K\u001b[GMiniBrowser: |████████████████████          | 12/18 test files | 67 passed, 0 failed, 1 skipped',
  'Running tests...',
  '[web-test-runner.config] uncaught exception: Error: WebDriverError: Request failed with error code UND_ERR_HEADERS_TIMEOUT when running "url" with method "POST"',
  '    at FetchRequest._libRequest (file:///check/work/main/node_modules/webdriver/build/node.js:2273:13)',
  '[web-test-runner.config] process.exit(1) called from     at EventEmitter.<anonymous>',
].join('\n');

describe('webDriverStall', () => {
  it('names a WebDriver that stopped answering when no test failed', () => {
    assert.match(webDriverStall(STALLED) ?? '', /UND_ERR_HEADERS_TIMEOUT/);
    assert.equal(
      webDriverStall('MiniBrowser: | 3/18 test files | 9 passed\nError: invalid session id'),
      'invalid session id',
    );
  });

  it('never excuses a failed test, even when the driver also stalled', () => {
    assert.equal(webDriverStall(STALLED.replace('0 failed', '1 failed')), undefined);
    assert.equal(webDriverStall(`${STALLED}\n ❌ a MediaStream source > reads`), undefined);
  });

  it('says nothing of a run that failed for another reason', () => {
    assert.equal(webDriverStall('Chromium: | 18/18 test files | 115 passed, 1 failed'), undefined);
    assert.equal(webDriverStall('Error: Engine "webkit" is not installed here.'), undefined);
  });
});
