// Launch settings for the three engines, measured on this machine (see
// docs/platform.md). Shared by web-test-runner, `doctor` and `bench`, so
// every tool runs the browsers the same way. Shipped in the package for
// `column-classifier doctor`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Chromium flags: root needs --no-sandbox; the rest keep it off the closed network and give it WebGL on SwiftShader. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** How to get each engine (and its driver) when it is missing, for messages. */
export function installHints() {
  return {
    chromium: `no Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chrome or Chromium binary; the doctor drives it with puppeteer-core (npm install --save-dev puppeteer-core@24)`,
    firefox: `no Firefox at ${FIREFOX_PATH}: install it (Debian: apt-get install firefox-esr xvfb) or set FIREFOX_PATH; the doctor drives it with puppeteer-core (npm install --save-dev puppeteer-core@24)`,
    webkit: `no WebKitWebDriver at ${WEBKIT_DRIVER_PATH} with a MiniBrowser at ${MINIBROWSER_PATH}: install them (Debian: apt-get install webkit2gtk-driver xvfb) or set WEBKIT_DRIVER_PATH and MINIBROWSER_PATH; the doctor drives it with webdriverio (npm install --save-dev webdriverio@9)`,
  };
}

/** Which engines are installed here. */
export function installedEngines() {
  return {
    chromium: existsSync(CHROMIUM_PATH),
    firefox: existsSync(FIREFOX_PATH),
    webkit: existsSync(WEBKIT_DRIVER_PATH) && existsSync(MINIBROWSER_PATH),
  };
}

const children = new Set();
let cleanupInstalled = false;

/** Kills every process group this module started. Safe to call more than once. */
export function stopHelpers() {
  for (const child of children) {
    try {
      // Negative pid: the whole group, so grandchildren (MiniBrowser, WebKitWebProcess) go too.
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', stopHelpers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopHelpers();
      process.exit(130);
    });
  }
}

function track(child) {
  installCleanup();
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Starts a private Xvfb in its own process group; resolves to its DISPLAY (e.g. ":99"). */
export function startXvfb() {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
        detached: true,
        stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      }),
    );
    let text = '';
    child.stdio[3].on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`Xvfb exited early with code ${code}`)));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on port ${port} within ${timeoutMs} ms`);
}

/** Starts WebKitWebDriver in its own process group with the given DISPLAY; resolves to its port. */
export async function startWebKitDriver(display) {
  const port = await freePort();
  track(
    spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
      detached: true,
      stdio: 'ignore',
      // SharedArrayBuffer is off in WebKitGTK unless JSC is told otherwise.
      env: { ...process.env, DISPLAY: display, JSC_useSharedArrayBuffer: '1' },
    }),
  );
  await waitForPort(port, 15000);
  return port;
}

/** WebDriver capabilities for MiniBrowser (WebGL in workers is behind a feature flag). */
export function webkitCapabilities() {
  return {
    browserName: 'MiniBrowser',
    'webkitgtk:browserOptions': {
      binary: MINIBROWSER_PATH,
      args: ['--automation', '--features=+AllowWebGLInWorkers'],
    },
    // webdriverio 9 asks for BiDi by default; WebKitWebDriver then fails to match capabilities.
    'wdio:enforceWebDriverClassic': true,
  };
}

/** Dev-server middleware giving cross-origin isolation (SharedArrayBuffer, threaded WASM). */
export function crossOriginIsolation(context, next) {
  context.set('Cross-Origin-Opener-Policy', 'same-origin');
  context.set('Cross-Origin-Embedder-Policy', 'require-corp');
  // `?corp=cross-origin` lets another origin embed the file without CORS: the tests' cross-origin (tainting) image.
  context.set('Cross-Origin-Resource-Policy', context.query.corp === 'cross-origin' ? 'cross-origin' : 'same-origin');
  // `?csp=strict` serves a worker under the strict policy the README names, without 'wasm-unsafe-eval'.
  if (context.query.csp === 'strict') context.set('Content-Security-Policy', "script-src 'self'; worker-src 'self'");
  return next();
}
