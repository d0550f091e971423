/**
 * The Node reference pipeline: image files → the shared preprocessing →
 * the model → digits. Its numbers are the golden values browser runs are
 * compared with.
 */
import { readLocated, type FrameLocation } from '../localize/read-located.ts';
import { LocationTracker } from '../localize/tracker.ts';
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
  /** Where the localizer found the soroban (images read without a geometry); no columns when it found none. */
  readonly location?: FrameLocation;
}

/** A localizer to find the soroban with, and the column count when the caller knows it. */
export interface LocateWith {
  readonly localizer: ClassifierModel;
  readonly columns?: number;
}

/**
 * Reads the columns of one image file.
 *
 * @param geometry - where the columns are, a function of the image size (e.g. corners given in pixels), or a
 *   localizer to find them with
 */
export async function classifyImageFile(
  model: ClassifierModel,
  path: string,
  geometry: ColumnGeometry | ((width: number, height: number) => ColumnGeometry) | LocateWith,
): Promise<ImageReading> {
  const image = await readImage(path);
  const frame = imageTensor(image);
  try {
    if ('localizer' in geometry) {
      // A tracker of its own: every image is a first frame, so the localizer always runs.
      const request = geometry.columns === undefined ? {} : { columns: geometry.columns };
      const { columns, location } = await readLocated(model, geometry.localizer, frame, new LocationTracker(), request);
      const digits = columns.map((c) => c.digit);
      return { image: path, width: image.width, height: image.height, digits, columns, location };
    }
    const where = typeof geometry === 'function' ? geometry(image.width, image.height) : geometry;
    const { columns } = await readColumns(model, frame, where);
    return { image: path, width: image.width, height: image.height, digits: columns.map((c) => c.digit), columns };
  } finally {
    frame.dispose();
  }
}
