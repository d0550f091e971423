// Watches what a web-test-runner run prints and says whether it stopped because the browser's
// WebDriver left a navigation unanswered, with no test failed: the one case run-browser-tests.mjs
// runs an engine again. WebKitWebDriver now and then never answers the navigation to the next
// test page (seen in a CI run after 12 of 18 files had passed: "Request failed with error code
// UND_ERR_HEADERS_TIMEOUT when running "url""); web-test-runner then exits with the files left
// unrun. Nothing else qualifies — not another command timing out, not a lost session, which a
// test that hangs or crashes the page could cause — and a failed test anywhere in the output
// never does.

const NAVIGATION_STALL = /WebDriverError: Request failed with error code UND_ERR_HEADERS_TIMEOUT when running "url"/;
const FAILED_COUNT = /\b(\d+) failed\b/g;
const FAILURE_MARK = /❌|Error while running tests/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
/** Text kept from the previous chunk, so that a pattern split across two chunks is still seen. */
const OVERLAP = 200;

/** Reads a run's output as it comes (decoded text, in order). */
export class RunOutput {
  #carry = '';
  #testFailed = false;
  #stall = undefined;

  /** Adds the next piece of output. */
  add(text) {
    const window = (this.#carry + text).replace(ANSI, '');
    for (const match of window.matchAll(FAILED_COUNT)) if (Number(match[1]) > 0) this.#testFailed = true;
    if (FAILURE_MARK.test(window)) this.#testFailed = true;
    this.#stall ??= NAVIGATION_STALL.exec(window)?.[0];
    this.#carry = window.slice(-OVERLAP);
  }

  /** The navigation stall the output shows, or undefined when it shows none or a test failed. */
  get webDriverStall() {
    return this.#testFailed ? undefined : this.#stall;
  }
}

/** The navigation stall `output` shows, or undefined when it shows none or a test failed. */
export function webDriverStall(output) {
  const watcher = new RunOutput();
  watcher.add(output);
  return watcher.webDriverStall;
}
