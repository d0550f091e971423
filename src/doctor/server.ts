/**
 * The doctor's local HTTP server: the built `dist/` (element bundle, worker,
 * wasm), the model's directory, the images, the doctor page, and an endpoint
 * where the page posts progress and results. Same headers as `npm start`
 * (cross-origin isolation), so the worker runs as it does for users.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative } from 'node:path';
import { LoadError } from '../errors.ts';
import { pageScript } from './page-script-source.ts';
import type { Engine, PageConfig, PageMessage } from './protocol.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.map': 'application/json',
};

const PAGE_HTML =
  '<!doctype html><meta charset="utf-8"><title>column-classifier doctor</title><script type="module" src="/__doctor/page.js"></script>';

/** A directory served under a URL prefix. */
export interface Mount {
  /** e.g. `/__model/` (leading and trailing slash). */
  readonly prefix: string;
  readonly dir: string;
}

/** Options of {@link startDoctorServer}. */
export interface DoctorServerOptions {
  /** Served at `/`. */
  readonly distDir: string;
  readonly mounts: readonly Mount[];
  /** The page's configuration for an engine. */
  readonly configFor: (engine: Engine) => PageConfig;
  /** Called for everything the page posts. */
  readonly onMessage: (message: PageMessage) => void;
}

/** A running doctor server. */
export interface DoctorServer {
  readonly origin: string;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/** Resolves `path` inside `root`, or undefined when it would escape it. */
function inside(root: string, path: string): string | undefined {
  const file = normalize(join(root, path));
  return relative(root, file).startsWith('..') ? undefined : file;
}

/**
 * Starts the server on a free localhost port.
 *
 * @throws {LoadError} `load/network` when it cannot listen
 */
export async function startDoctorServer(options: DoctorServerOptions): Promise<DoctorServer> {
  const script = await pageScript();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const path = decodeURIComponent(url.pathname);
      const headers = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cross-Origin-Resource-Policy': 'same-origin',
        'Cache-Control': 'no-store',
      };
      if (request.method === 'POST' && path === '/__doctor/report') {
        options.onMessage(JSON.parse(await readBody(request)) as PageMessage);
        response.writeHead(204, headers).end();
        return;
      }
      if (path === '/__doctor/index.html') {
        response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.html'] }).end(PAGE_HTML);
        return;
      }
      if (path === '/__doctor/page.js') {
        response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.js'] }).end(script);
        return;
      }
      if (path === '/__doctor/config.json') {
        const engine = url.searchParams.get('engine') as Engine;
        response
          .writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.json'] })
          .end(JSON.stringify(options.configFor(engine)));
        return;
      }
      const mount = options.mounts.find((m) => path.startsWith(m.prefix));
      const file =
        mount === undefined ? inside(options.distDir, path) : inside(mount.dir, path.slice(mount.prefix.length));
      try {
        if (file === undefined || !(await stat(file)).isFile()) throw new Error('not a file');
        const body = await readFile(file);
        response
          .writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body);
      } catch {
        response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`Not found: ${path}`);
      }
    })().catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new LoadError('load/network', `doctor: the local server could not listen: ${String(error)}.`, { cause: error }),
      ),
    );
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
