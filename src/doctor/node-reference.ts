/**
 * The Node reference side of the doctor: the same model, the same images and
 * the same shared preprocessing on the Node wasm backend. Its head values are
 * what every browser row is compared with.
 */
import { modelKind } from '../contract/model-kind.ts';
import { locateWith } from '../localize/localizer-model.ts';
import { quadValues } from '../localize/window.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { readColumns } from '../model/read-columns.ts';
import type { ModelSource } from '../model/source.ts';
import { decodeImage, imageTensor } from '../reference/image.ts';
import { readFile } from 'node:fs/promises';
import type { ImageJob } from './images.ts';
import type { ImageOutputs } from './protocol.ts';

/** Reads every image with the Node reference pipeline: a classifier's columns, or where a localizer finds the soroban. */
export async function nodeOutputs(
  model: ClassifierModel,
  source: ModelSource,
  images: readonly ImageJob[],
): Promise<ImageOutputs[]> {
  const outputs: ImageOutputs[] = [];
  const localizer = modelKind(model.contract) === 'localizer';
  for (const image of images) {
    const bytes =
      image.node.kind === 'model'
        ? await source.readBytes(image.node.path)
        : new Uint8Array(await readFile(image.node.path));
    const frame = imageTensor(decodeImage(bytes, image.name));
    try {
      if (localizer) {
        const found = await locateWith(model, frame);
        outputs.push({
          name: image.name,
          heads: {
            corners: quadValues(found.corners),
            presence: [found.presence],
            countProbability: [found.countProbability],
          },
          decisions: [found.found ? 1 : 0, found.columns],
        });
        continue;
      }
      const { columns } = await readColumns(model, frame, image.geometry);
      outputs.push({
        name: image.name,
        heads: { heaven: columns.map((c) => c.heaven), earth: columns.flatMap((c) => [...c.earth]) },
        decisions: columns.map((c) => c.digit),
      });
    } finally {
      frame.dispose();
    }
  }
  return outputs;
}
