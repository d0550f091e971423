// Declarations of the parts of browsers.mjs that TypeScript tests import.

/** The Chromium binary (CHROMIUM_PATH, default the apt package's). */
export declare const CHROMIUM_PATH: string;
/** The Firefox binary (FIREFOX_PATH, default the apt package's). */
export declare const FIREFOX_PATH: string;
/** The flags Chromium is started with everywhere (sandbox, network, WebGL on SwiftShader). */
export declare const CHROMIUM_ARGS: readonly string[];
/** Which engines are installed here. */
export declare function installedEngines(): { chromium: boolean; firefox: boolean; webkit: boolean };
/** For each engine, what is missing and how to install it. */
export declare function installHints(): { chromium: string; firefox: string; webkit: string };
