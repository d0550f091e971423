// Reads what a web-test-runner run printed and says whether it stopped because the browser's
// WebDriver stopped answering, with no test failed: the one case run-browser-tests.mjs runs an
// engine again. WebKitWebDriver now and then leaves a navigation to the next test page
// unanswered (seen once in a CI run, after 12 of 18 files had passed: "Request failed with
// error code UND_ERR_HEADERS_TIMEOUT when running "url""); web-test-runner then exits with the
// files left unrun. A test that failed is never a reason to run again.

const TRANSPORT_FAILURE =
  /WebDriverError: Request failed with error code (UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|UND_ERR_SOCKET)|invalid session id/;
const FAILED_COUNT = /\b(\d+) failed\b/g;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The WebDriver failure `output` shows, or undefined when it shows none or a test failed. */
export function webDriverStall(output) {
  const text = output.replace(ANSI, '');
  for (const match of text.matchAll(FAILED_COUNT)) if (Number(match[1]) > 0) return undefined;
  if (/❌|Error while running tests/.test(text)) return undefined;
  return TRANSPORT_FAILURE.exec(text)?.[0];
}
