/**
 * Where a path that model.json names may lead: the one check every
 * {@link ModelSource} runs before it reads a file, so a hostile model.json
 * cannot make the worker request another origin or a parent folder (or make
 * the Node CLI read one).
 */
import { LoadError } from '../errors.ts';

/** Options of {@link resolveModelPath}. */
export interface ModelPathOptions {
  /**
   * Let model.json name files outside its own folder: other origins (`https://cdn.example/w.bin`),
   * protocol-relative (`//cdn.example/w.bin`), root-relative (`/w.bin`) and climbing (`../w.bin`)
   * paths. Default false; only for a model whose files really live elsewhere and whose model.json
   * you trust.
   */
  readonly allowPathsOutsideFolder?: boolean;
  /** The field that names the path, for messages (e.g. `weightsManifest[0].paths[1]`). */
  readonly field?: string;
}

// What the URL parser drops before it parses (leading and trailing C0 controls and spaces, tabs and
// newlines anywhere), so that a path is judged as it will be parsed.
const IGNORED_BY_URL_PARSER = /^[\u0000-\u0020]+|[\u0000-\u0020]+$|[\t\n\r]/g;
// A scheme (`https:`, `data:`, `C:`), or a path from the root or the host (`/`, `//`, `\`).
const NOT_RELATIVE = /^([a-z][a-z0-9+.-]*:|[/\\])/i;

// A percent-encoded slash or backslash survives URL resolution as part of one segment, and a
// server that decodes it before mapping to files climbs folders after the check; Node's
// fileURLToPath refuses it outright. No converter writes one.
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/**
 * Resolves a path named by model.json against the URL of model.json (an `https:` or a `file:`
 * URL) and refuses it when it leads outside model.json's folder.
 *
 * The path must be relative (no scheme, not from the root or the host), and the URL it resolves to
 * must lie in the folder: the second check runs on the resolved URL, so every spelling the URL
 * parser understands (`..\\`, `%2e%2e/`, tabs and newlines, which it drops) is judged as it will be
 * requested.
 *
 * @param modelUrl - absolute URL of model.json
 * @param path - the path as model.json gives it
 * @returns the URL to read
 * @throws {LoadError} `load/path-outside-model` when the path leaves the folder and
 *   `allowPathsOutsideFolder` is not set, or is not a path at all
 */
export function resolveModelPath(modelUrl: string | URL, path: string, options: ModelPathOptions = {}): URL {
  const named = options.field === undefined ? `The path "${path}"` : `${options.field} ("${path}")`;
  const refuse = (why: string, cause?: unknown): never => {
    throw new LoadError(
      'load/path-outside-model',
      `${named} ${why}. model.json may only name files in its own folder or below it, so a model file cannot make the page request another server or a parent folder. Move the file beside model.json and name it by a relative path; if the model's files really live elsewhere and you trust its model.json, load it with allowPathsOutsideFolder: true.`,
      {
        ...(cause === undefined ? {} : { cause }),
        details: { path, ...(options.field === undefined ? {} : { field: options.field }) },
      },
    );
  };
  if (path === '') return refuse('is empty');
  let url: URL;
  try {
    url = new URL(path, modelUrl);
  } catch (error) {
    return refuse(`cannot be resolved against ${String(modelUrl)}`, error);
  }
  if (options.allowPathsOutsideFolder === true) return url;
  if (NOT_RELATIVE.test(path.replace(IGNORED_BY_URL_PARSER, '')))
    return refuse(`is not relative to model.json (it resolves to ${url.href})`);
  if (ENCODED_SEPARATOR.test(path)) return refuse('holds a percent-encoded slash or backslash');
  const folder = new URL('./', modelUrl).href;
  // Comparing whole hrefs compares scheme, credentials, host, port and folder at once.
  if (!url.href.startsWith(folder) || url.href.length === folder.length)
    return refuse(`leads to ${url.href}, outside the model's folder ${folder}`);
  return url;
}
