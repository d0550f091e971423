/**
 * The Node reference pipeline: image files → the shared preprocessing →
 * the model → digits. Its numbers are the golden values browser runs are
 * compared with.
 */
import { readColumns } from '../model/read-columns.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import type { ColumnReading } from '../model/decode.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import { imageTensor, readImage } from './image.ts';

/** The reading of one image. */
export interface ImageReading {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  /** The digits, left to right. */
  readonly digits: readonly number[];
  readonly columns: readonly ColumnReading[];
}

/**
 * Reads the columns of one image file.
 *
 * @param geometry - where the columns are, or a function of the image size (e.g. corners given in pixels)
 */
export async function classifyImageFile(
  model: ClassifierModel,
  path: string,
  geometry: ColumnGeometry | ((width: number, height: number) => ColumnGeometry),
): Promise<ImageReading> {
  const image = await readImage(path);
  const frame = imageTensor(image);
  try {
    const where = typeof geometry === 'function' ? geometry(image.width, image.height) : geometry;
    const { columns } = await readColumns(model, frame, where);
    return { image: path, width: image.width, height: image.height, digits: columns.map((c) => c.digit), columns };
  } finally {
    frame.dispose();
  }
}
