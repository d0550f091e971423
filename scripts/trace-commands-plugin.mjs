// web-test-runner commands that record a DevTools trace of the test page in
// Chromium (through puppeteer's CDP session), so a test can check what the
// Performance panel would show. Other engines answer `unsupported`.

const CATEGORIES = ['blink.user_timing', 'devtools.timeline', '__metadata'];

export function traceCommandsPlugin() {
  return {
    name: 'trace-commands',
    async executeCommand({ command, session }) {
      if (command !== 'start-trace' && command !== 'stop-trace') return undefined;
      const launcher = session.browser;
      if (
        launcher.type !== 'puppeteer' ||
        launcher.launchOptions?.browser === 'firefox' ||
        typeof launcher.getPage !== 'function'
      ) {
        return { unsupported: `DevTools tracing is a Chromium protocol; ${launcher.name} has none.` };
      }
      const page = launcher.getPage(session.id);
      if (command === 'start-trace') {
        await page.tracing.start({ categories: CATEGORIES });
        return { started: true };
      }
      const buffer = await page.tracing.stop();
      const { traceEvents } = JSON.parse(Buffer.from(buffer).toString('utf8'));
      const threadNames = new Map();
      for (const event of traceEvents) {
        if (event.ph === 'M' && event.name === 'thread_name')
          threadNames.set(`${event.pid}:${event.tid}`, event.args?.name);
      }
      const measures = traceEvents
        .filter(
          (event) =>
            typeof event.name === 'string' &&
            event.name.startsWith('column-classifier:') &&
            event.cat?.includes('user_timing'),
        )
        .map((event) => ({
          name: event.name,
          phase: event.ph,
          thread: threadNames.get(`${event.pid}:${event.tid}`) ?? 'unknown',
          detail: event.args?.data?.detail ?? event.args?.detail ?? null,
        }));
      return { measures };
    },
  };
}
