import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RunOutput, webDriverStall } from '../../scripts/browser-run-outcome.mjs';

// The end of a CI run's WebKit output (2026-12-03): 12 of 18 files passed, then the driver left a navigation unanswered.
const STALLED = [
  '\u001b[2K\u001b[1A\u001b[2K\u001b[GMiniBrowser: |████████████████████          | 12/18 test files | 67 passed, 0 failed, 1 skipped',
  'Running tests...',
  '[web-test-runner.config] uncaught exception: Error: WebDriverError: Request failed with error code UND_ERR_HEADERS_TIMEOUT when running "url" with method "POST"',
  '    at FetchRequest._libRequest (file:///check/work/main/node_modules/webdriver/build/node.js:2273:13)',
  '[web-test-runner.config] process.exit(1) called from     at EventEmitter.<anonymous>',
].join('\n');

describe('webDriverStall', () => {
  it('names a navigation the driver left unanswered when no test failed', () => {
    assert.match(webDriverStall(STALLED) ?? '', /UND_ERR_HEADERS_TIMEOUT when running "url"/);
  });

  it('never excuses a failed test, even when the driver also stalled', () => {
    assert.equal(webDriverStall(STALLED.replace('0 failed', '1 failed')), undefined);
    assert.equal(webDriverStall(`${STALLED}\n ❌ a MediaStream source > reads`), undefined);
    // In the static log a non-terminal gets, a failure earlier in the run counts as much as the last line.
    assert.equal(webDriverStall(`MiniBrowser: 5/18 test files | 30 passed, 2 failed\n${STALLED}`), undefined);
  });

  it('does not take another command timing out or a lost session for a stall: a hanging test could cause those', () => {
    assert.equal(webDriverStall(STALLED.replace('when running "url"', 'when running "execute/sync"')), undefined);
    assert.equal(webDriverStall('MiniBrowser: | 3/18 test files | 9 passed\nError: invalid session id'), undefined);
  });

  it('says nothing of a run that failed for another reason', () => {
    assert.equal(webDriverStall('Chromium: | 18/18 test files | 115 passed, 1 failed'), undefined);
    assert.equal(webDriverStall('Error: Engine "webkit" is not installed here.'), undefined);
  });

  it('reads output as it comes, a failure split across two pieces included', () => {
    const output = new RunOutput();
    output.add('MiniBrowser: 4/18 test files | 20 passed, 1 fai');
    output.add(`led\n${STALLED}`);
    assert.equal(output.webDriverStall, undefined);
    const clean = new RunOutput();
    clean.add(STALLED.slice(0, 200));
    clean.add(STALLED.slice(200));
    assert.match(clean.webDriverStall ?? '', /UND_ERR_HEADERS_TIMEOUT/);
  });
});
