/**
 * Opening the doctor page in each installed engine, with exactly the launch
 * settings the browser tests use (`scripts/browsers.mjs`): Chromium and
 * Firefox through puppeteer-core, WebKit (MiniBrowser) through WebKitWebDriver
 * and webdriverio, Firefox and WebKit on a private Xvfb. Everything started
 * here is stopped here, also when a run fails.
 */
import { BackendError } from '../errors.ts';
import type { Engine } from './protocol.ts';

/** The parts of `scripts/browsers.mjs` used here (it is plain JS, shared with web-test-runner). */
interface BrowsersModule {
  readonly CHROMIUM_PATH: string;
  readonly FIREFOX_PATH: string;
  readonly CHROMIUM_ARGS: readonly string[];
  installedEngines(): Record<Engine, boolean>;
  installHints(): Record<Engine, string>;
  startXvfb(): Promise<string>;
  startWebKitDriver(display: string): Promise<number>;
  webkitCapabilities(): Record<string, unknown>;
  stopHelpers(): void;
}

// A non-literal specifier: tsc would otherwise want declarations for the .mjs.
const BROWSERS_MODULE: string = new URL('../../scripts/browsers.mjs', import.meta.url).href;

/** Loads the shared launch settings. */
export async function browsersModule(): Promise<BrowsersModule> {
  return (await import(BROWSERS_MODULE)) as BrowsersModule;
}

function isMissingModule(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND';
}

/** An engine with the page open; `close` ends it. */
export interface OpenEngine {
  close(): Promise<void>;
}

/** Shared helpers (Xvfb, WebKitWebDriver) for one doctor run. */
export class EngineLauncher {
  private display: string | undefined;
  private readonly browsers: BrowsersModule;

  private constructor(browsers: BrowsersModule) {
    this.browsers = browsers;
  }

  /** Loads the launch settings. */
  static async create(): Promise<EngineLauncher> {
    return new EngineLauncher(await browsersModule());
  }

  /** Which engines are installed here. */
  installed(): Record<Engine, boolean> {
    return this.browsers.installedEngines();
  }

  /** For each engine, what is missing and how to install it. */
  installHints(): Record<Engine, string> {
    return this.browsers.installHints();
  }

  private async xDisplay(): Promise<string> {
    // Firefox has no WebGL without a display, and MiniBrowser has no headless mode.
    this.display ??= await this.browsers.startXvfb();
    return this.display;
  }

  /**
   * Starts `engine` and opens `url` in it.
   *
   * @throws {BackendError} `backend/unavailable` when the engine cannot be started
   */
  async open(engine: Engine, url: string): Promise<OpenEngine> {
    try {
      if (engine === 'webkit') return await this.openWebKit(url);
      const puppeteer = (await import('puppeteer-core')).default;
      const launchOptions =
        engine === 'chromium'
          ? { executablePath: this.browsers.CHROMIUM_PATH, headless: true, args: [...this.browsers.CHROMIUM_ARGS] }
          : {
              browser: 'firefox' as const,
              executablePath: this.browsers.FIREFOX_PATH,
              headless: true,
              env: { ...process.env, DISPLAY: await this.xDisplay() },
            };
      const browser = await puppeteer.launch(launchOptions);
      const page = await browser.newPage();
      await page.goto(url);
      return {
        close: async () => {
          const process = browser.process();
          // Firefox over BiDi sometimes never answers close(); the process is killed after a grace period.
          await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
          if (process !== null && process.exitCode === null) process.kill('SIGKILL');
        },
      };
    } catch (error) {
      // The browser drivers are optional peer dependencies of the package: an app installs them only to run the doctor.
      if (isMissingModule(error)) {
        const driver = engine === 'webkit' ? 'webdriverio@9' : 'puppeteer-core@24';
        throw new BackendError(
          'backend/unavailable',
          `doctor: ${engine} is installed but its driver is not: ${String(error)}. Install it beside column-classifier: npm install --save-dev ${driver}.`,
          { cause: error },
        );
      }
      throw new BackendError('backend/unavailable', `doctor: ${engine} could not be started: ${String(error)}.`, {
        cause: error,
      });
    }
  }

  private async openWebKit(url: string): Promise<OpenEngine> {
    const port = await this.browsers.startWebKitDriver(await this.xDisplay());
    const { remote } = await import('webdriverio');
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      logLevel: 'error',
      capabilities: this.browsers.webkitCapabilities() as WebdriverIO.Capabilities,
    });
    await browser.url(url);
    return {
      close: async () => {
        await Promise.race([browser.deleteSession().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      },
    };
  }

  /** Kills Xvfb, WebKitWebDriver and what they started. */
  stop(): void {
    this.browsers.stopHelpers();
    this.display = undefined;
  }
}
