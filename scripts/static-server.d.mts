// Declarations of static-server.mjs for TypeScript tests.

/**
 * Serves `root` on 127.0.0.1 at `port` (default: a free one) with the cross-origin isolation headers;
 * `onServe(path)` is told each file served.
 */
export declare function serveStatic(
  root: string,
  port?: number,
  options?: { readonly onServe?: (path: string) => void },
): Promise<{ readonly origin: string; close(): Promise<void> }>;
