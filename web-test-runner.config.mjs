// Browser tests in Chromium, Firefox and WebKit with the apt-installed browsers.
// Xvfb and WebKitWebDriver are started here, each in its own process group,
// and killed when this process exits, however it exits.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import puppeteerCore from 'puppeteer-core';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  FIREFOX_PATH,
  crossOriginIsolation,
  freePort,
  installedEngines,
  startWebKitDriver,
  startXvfb,
  webkitCapabilities,
} from './scripts/browsers.mjs';
import { writeSync } from 'node:fs';
import { workerBundlePlugin } from './scripts/worker-bundle-plugin.mjs';
import { traceCommandsPlugin } from './scripts/trace-commands-plugin.mjs';
import { faultyModelMiddleware } from './scripts/faulty-model-middleware.mjs';

// web-test-runner buffers console output and flushes it on a timer, so a run that stops on an
// uncaught error can exit before its cause is printed. Write the cause (an unhandled rejection
// arrives here as an uncaught exception), and who exited with which code, straight to stderr.
const writeNow = (text) => writeSync(2, `[web-test-runner.config] ${text}\n`);
process.on('uncaughtException', (error) => {
  writeNow(`uncaught exception: ${error?.stack ?? String(error)}`);
  // Until web-test-runner adds its own handler (it stops the run), crash as Node would without ours.
  if (process.listenerCount('uncaughtException') === 1) process.exit(1);
});
const exit = process.exit.bind(process);
process.exit = (code) => {
  if (code !== undefined && code !== 0)
    writeNow(`process.exit(${String(code)}) called from ${new Error().stack?.split('\n').slice(2, 6).join(' <- ')}`);
  return exit(code);
};

const wanted = (process.env.ENGINES ?? 'chromium,firefox,webkit').split(',');
const installed = installedEngines();
for (const engine of wanted) {
  if (!installed[engine]) {
    throw new Error(
      `Engine "${engine}" is not installed here. Run .ci/run (it installs the apt browsers) or set ENGINES.`,
    );
  }
}

// Firefox has no WebGL without a display, and MiniBrowser has no headless mode.
const display = wanted.includes('firefox') || wanted.includes('webkit') ? await startXvfb() : undefined;
if (display) process.env.DISPLAY = display;

const browsers = [];
if (wanted.includes('chromium')) {
  browsers.push(
    chromeLauncher({
      puppeteer: puppeteerCore,
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
    }),
  );
}
if (wanted.includes('firefox')) {
  const firefox = chromeLauncher({
    puppeteer: puppeteerCore,
    launchOptions: {
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      env: { ...process.env, DISPLAY: display },
    },
  });
  firefox.name = 'Firefox';
  browsers.push(firefox);
}
if (wanted.includes('webkit')) {
  const port = await startWebKitDriver(display);
  const webkit = new WebdriverLauncher({
    hostname: '127.0.0.1',
    port,
    path: '/',
    logLevel: 'error',
    capabilities: webkitCapabilities(),
  });
  webkit.name = 'WebKit';
  browsers.push(webkit);
}

export default {
  // A free port, so that two runs (a developer's and a tool's) never collide on the default 8000.
  port: await freePort(),
  files: process.env.TEST_FILES ?? 'test/browser/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 3,
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  // Generous: CI machines have 2 cores for three browsers, each test file starts several workers. A full-size soak
  // (SOAK_FRAMES) gets 0.3 s a frame: 10 000 frames took WebKit longer than 15 minutes.
  testsFinishTimeout: Math.max(900000, Number(process.env.SOAK_FRAMES ?? 0) * 300),
  testFramework: { config: { timeout: 120000 } },
  browsers,
  middleware: [crossOriginIsolation, faultyModelMiddleware(process.cwd())],
  plugins: [
    traceCommandsPlugin(),
    {
      // The soak test's size: a few hundred frames in `npm test`, SOAK_FRAMES (10 000 in `npm run soak`) otherwise.
      name: 'soak-config',
      serve(context) {
        if (context.path !== '/__soak.json') return undefined;
        return { body: JSON.stringify({ frames: Number(process.env.SOAK_FRAMES ?? 300) }), type: 'json' };
      },
    },
    workerBundlePlugin({ rootDir: process.cwd() }),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
  ],
};
