/**
 * Reading a renderer `labels.json` (from `column-classifier render`): each
 * image with its digits and the corners of its bead area, so `classify
 * --labels` can score a model against ground truth.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { NO_MARGINS, type ColumnGeometry, type Quad } from '../preprocess/types.ts';

/** One labelled image. */
export interface LabelledImage {
  readonly path: string;
  readonly digits: readonly number[];
  /** The bead area's corners; the columns are equal in its perspective-corrected space, so no margins. */
  readonly geometry: ColumnGeometry;
  /**
   * Per column, whether it can be read (a 3D photo's `visibility[i].readable`: a hand or the picture edge hides
   * it); every column when the label does not say.
   */
  readonly readable: readonly boolean[];
}

/** Whether `value` has the four corner points of a {@link Quad}. */
export function isQuad(value: unknown): value is Quad {
  if (typeof value !== 'object' || value === null) return false;
  return (['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const).every((k) => {
    const p = (value as Record<string, unknown>)[k] as { x?: unknown; y?: unknown } | undefined;
    return typeof p?.x === 'number' && typeof p.y === 'number';
  });
}

/**
 * Reads a labels.json; image paths are resolved beside it.
 *
 * @throws {InputError} `input/bad-argument` when it is not a renderer labels file
 */
export async function readLabels(path: string): Promise<LabelledImage[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new InputError('input/bad-argument', `Could not read labels ${path}: ${String(error)}.`, { cause: error });
  }
  const images = (json as { images?: unknown }).images;
  if (!Array.isArray(images))
    throw new InputError(
      'input/bad-argument',
      `${path} has no "images" array; give the labels.json written by \`column-classifier render\`.`,
    );
  return images.map((image: unknown, i) => {
    const entry = labelledEntry(image, 'file', `${path}: images[${i}]`);
    return {
      path: join(dirname(path), entry.file),
      digits: entry.digits,
      geometry: entry.geometry,
      readable: readableColumns(image, entry.digits.length),
    };
  });
}

/** A 3D photo's per-column readability (`visibility[i].readable`), or every column readable. */
function readableColumns(image: unknown, columns: number): boolean[] {
  const visibility = (image as { visibility?: unknown }).visibility;
  return Array.from({ length: columns }, (_, i) =>
    Array.isArray(visibility) ? (visibility[i] as { readable?: unknown } | undefined)?.readable !== false : true,
  );
}

/**
 * One entry of a labels file (renderer `labels.json` images, or a model's golden index): the image file under
 * `fileKey`, its digits and the bead area's corners.
 *
 * @throws {InputError} `input/bad-argument` naming `where` when a field is missing or of the wrong type
 */
export function labelledEntry(
  value: unknown,
  fileKey: 'file' | 'path',
  where: string,
): { file: string; digits: number[]; geometry: ColumnGeometry } {
  const entry = (value ?? {}) as Record<string, unknown>;
  const { digits, corners } = entry;
  const file = entry[fileKey];
  if (
    typeof file !== 'string' ||
    !Array.isArray(digits) ||
    !digits.every((d) => Number.isInteger(d)) ||
    !isQuad(corners)
  ) {
    throw new InputError(
      'input/bad-argument',
      `${where} needs ${fileKey}, digits (integers) and corners (topLeft, topRight, bottomRight, bottomLeft).`,
    );
  }
  return { file, digits: digits as number[], geometry: { columns: digits.length, corners, margins: NO_MARGINS } };
}
