/**
 * The images doctor runs through Node and every browser: the contract's
 * golden PNG cases (one column each) and, with `--images DIR`, the renderer's
 * labelled photos (DIR/labels.json) or else every PNG/JPEG in DIR as one column.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelContract } from '../contract/schema.ts';
import { readLabels } from '../reference/labels.ts';
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

/** The contract's golden PNG cases, served from the model's directory under `modelPrefix`. */
export function goldenImages(contract: ModelContract, modelPrefix: string): ImageJob[] {
  return (contract.golden?.cases ?? []).flatMap((c, i) =>
    c.input.kind === 'png' ? [{ name: c.name ?? `golden ${i}`, node: { kind: 'model' as const, path: c.input.path }, url: new URL(c.input.path, `http://x${modelPrefix}`).pathname, geometry: ONE_COLUMN, digits: undefined }] : [],
  );
}

/** The images of `--images DIR`, served under `prefix`. */
export async function directoryImages(dir: string, prefix: string): Promise<ImageJob[]> {
  const labels = join(dir, 'labels.json');
  if (await stat(labels).then(() => true, () => false)) {
    return (await readLabels(labels)).map((image) => {
      const file = image.path.slice(dir.length).replace(/^\/+/, '');
      return { name: file, node: { kind: 'file' as const, path: image.path }, url: `${prefix}${file}`, geometry: image.geometry, digits: image.digits };
    });
  }
  const files = (await readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  return files.map((file) => ({ name: file, node: { kind: 'file' as const, path: join(dir, file) }, url: `${prefix}${file}`, geometry: ONE_COLUMN, digits: undefined }));
}
