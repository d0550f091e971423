/**
 * The Node reference side of the doctor: the same model, the same images and
 * the same shared preprocessing on the Node wasm backend. Its head values are
 * what every browser row is compared with.
 */
import { modelKind } from '../contract/model-kind.ts';
import { locateWith } from '../localize/localizer-model.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { readColumns } from '../model/read-columns.ts';
import type { ModelSource } from '../model/source.ts';
import { decodeImage, imageTensor } from '../reference/image.ts';
import { readFile } from 'node:fs/promises';
import type { ImageJob } from './images.ts';
import type { ImageReading } from './protocol.ts';

/** Reads every image with the Node reference pipeline: a classifier's columns, or where a localizer finds the soroban. */
export async function nodeOutputs(
  model: ClassifierModel,
  source: ModelSource,
  images: readonly ImageJob[],
): Promise<ImageReading[]> {
  const readings: ImageReading[] = [];
  const localizer = modelKind(model.contract) === 'localizer';
  for (const image of images) {
    const bytes =
      image.node.kind === 'model'
        ? await source.readBytes(image.node.path)
        : new Uint8Array(await readFile(image.node.path));
    const frame = imageTensor(decodeImage(bytes, image.name));
    try {
      readings.push(
        localizer
          ? { name: image.name, location: await locateWith(model, frame) }
          : { name: image.name, columns: (await readColumns(model, frame, image.geometry)).columns },
      );
    } finally {
      frame.dispose();
    }
  }
  return readings;
}
