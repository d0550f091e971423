/**
 * The images doctor runs through Node and every browser: the contract's
 * golden PNG cases (one column each), the whole golden sorobans listed in the
 * model's golden/index.json (when it ships one), and, with `--images DIR`, the renderer's
 * labelled photos (DIR/labels.json) or else every PNG/JPEG in DIR as one column.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelContract } from '../contract/schema.ts';
import { goldenGeometry } from '../model/golden.ts';
import { InputError } from '../errors.ts';
import { labelledEntry, readLabels } from '../reference/labels.ts';
import { NO_MARGINS, WHOLE_FRAME, type ColumnGeometry } from '../preprocess/types.ts';

/** An image with where to read it in Node and in the browser. */
export interface ImageJob {
  readonly name: string;
  /** Node: a file path, or a path relative to model.json (golden cases). */
  readonly node: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'model'; readonly path: string };
  /** Path under the served origin. */
  readonly url: string;
  readonly geometry: ColumnGeometry;
  /** The labelled digits, when known. */
  readonly digits: readonly number[] | undefined;
}

const ONE_COLUMN: ColumnGeometry = { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS };

/** The contract's golden PNG cases (single columns and whole photos), served from the model's directory under `modelPrefix`. */
export function goldenImages(contract: ModelContract, modelPrefix: string): ImageJob[] {
  return (contract.golden?.cases ?? []).flatMap((c, i) =>
    c.input.kind === 'png'
      ? [
          {
            name: c.name ?? `golden ${i}`,
            node: { kind: 'model' as const, path: c.input.path },
            url: new URL(c.input.path, `http://x${modelPrefix}`).pathname,
            geometry: goldenGeometry(c.input),
            digits: undefined,
          },
        ]
      : [],
  );
}

/** Where a model's whole golden photos are listed, relative to model.json (written by `npm run train`). */
export const GOLDEN_INDEX = 'golden/index.json';

/**
 * The whole sorobans of the model's golden/index.json, served under `modelPrefix`. The contract's
 * golden cases are mostly single columns (at most a photo or two, kept small for the self-check);
 * whole photos exercise the resampling of a large frame, where WebGL with half floats drifts
 * furthest. None when the model has no index.
 *
 * @throws {InputError} `input/bad-argument` when the index exists but is malformed
 */
export async function goldenSorobans(modelDir: string, modelPrefix: string): Promise<ImageJob[]> {
  const path = join(modelDir, GOLDEN_INDEX);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (cause) {
    throw new InputError('input/bad-argument', `${path} is not valid JSON: ${String(cause)}.`, { cause });
  }
  const sorobans =
    typeof index === 'object' && index !== null ? ((index as { sorobans?: unknown }).sorobans ?? []) : undefined;
  if (!Array.isArray(sorobans))
    throw new InputError('input/bad-argument', `${path}: must be an object whose "sorobans" is an array.`);
  return sorobans.map((value: unknown, i) => {
    const entry = labelledEntry(value, 'path', `${path}: sorobans[${i}]`);
    return {
      name: entry.file,
      node: { kind: 'model' as const, path: entry.file },
      url: new URL(entry.file, `http://x${modelPrefix}`).pathname,
      geometry: entry.geometry,
      digits: entry.digits,
    };
  });
}

/** The images of `--images DIR`, served under `prefix`. */
export async function directoryImages(dir: string, prefix: string): Promise<ImageJob[]> {
  const labels = join(dir, 'labels.json');
  if (
    await stat(labels).then(
      () => true,
      () => false,
    )
  ) {
    return (await readLabels(labels)).map((image) => {
      const file = image.path.slice(dir.length).replace(/^\/+/, '');
      return {
        name: file,
        node: { kind: 'file' as const, path: image.path },
        url: `${prefix}${file}`,
        geometry: image.geometry,
        digits: image.digits,
      };
    });
  }
  const files = (await readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  return files.map((file) => ({
    name: file,
    node: { kind: 'file' as const, path: join(dir, file) },
    url: `${prefix}${file}`,
    geometry: ONE_COLUMN,
    digits: undefined,
  }));
}
