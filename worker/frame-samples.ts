import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { InputError, StateError } from '../src/errors.ts';
import { preprocessingKey } from '../src/fine-tune/database.ts';
import { SampleStore, type StoredSample } from '../src/fine-tune/sample-store.ts';
import type { ClassifierModel } from '../src/model/classifier-model.ts';
import { preprocessColumns } from '../src/preprocess/index.ts';
import { WHOLE_FRAME, type ColumnGeometry } from '../src/preprocess/types.ts';
import type { SampleAdded, SampleArchive, SampleOptions } from '../src/worker-api/classifier-worker-api.ts';

/** The last frame read: what `label()` cuts into samples. */
interface LastFrame {
  readonly pixels: ImageData;
  readonly geometry: ColumnGeometry;
  readonly model: ClassifierModel;
  readonly modelUrl: string;
}

/**
 * Self-labelled samples in the worker: the last frame read is kept (its pixels and where its columns were), so that
 * when the page says what it showed, its columns are cut for the model — by the product's own preprocessing — and
 * stored with the digits; and the stored samples are exported in the `render` format.
 */
export class FrameSamples {
  private last: LastFrame | undefined;
  private readonly stores = new Map<string, SampleStore>();

  /** Keeps the frame just read (undefined geometry: no soroban was found in it). */
  noteFrame(pixels: ImageData, geometry: ColumnGeometry | undefined, model: ClassifierModel, modelUrl: string): void {
    this.last = geometry === undefined ? undefined : { pixels, geometry, model, modelUrl };
  }

  /** Forgets the last frame (a new model reads differently sized columns). */
  forget(): void {
    this.last = undefined;
  }

  /**
   * Stores the last frame's columns labelled with `digits`.
   *
   * @throws {StateError} `state/not-started` when no frame with a soroban has been read yet
   * @throws {InputError} `input/bad-argument` for digits that are not 0–9 or not one per column
   */
  async label(digits: readonly number[], options: SampleOptions): Promise<SampleAdded> {
    const last = this.last;
    if (last === undefined)
      throw new StateError(
        'state/not-started',
        'label: no frame with a soroban has been read yet; label a reading after it arrives.',
      );
    const { columns, corners } = last.geometry;
    if (digits.length !== columns || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9))
      throw new InputError(
        'input/bad-argument',
        `label: give one digit 0–9 per column of the last reading (${columns}), got [${digits.join(', ')}].`,
      );
    const spec = last.model.spec;
    const values = tf.tidy(() => preprocessColumns(tf.browser.fromPixels(last.pixels, 3), last.geometry, spec));
    let data: Float32Array;
    try {
      data = (await values.data()) as Float32Array;
    } finally {
      values.dispose();
    }
    const { min, max } = spec.inputRange;
    const crops = Uint8Array.from(data, (v) => Math.round((255 * (v - min)) / (max - min)));
    return this.store(options).add({
      createdAt: new Date().toISOString(),
      digits: [...digits],
      corners,
      frameWidth: last.pixels.width,
      frameHeight: last.pixels.height,
      model: { url: last.modelUrl, preprocessing: preprocessingKey(spec) },
      height: spec.height,
      width: spec.width,
      crops,
    });
  }

  /** The set's samples as a zip of PNG strips and labels.json in the `render` format. */
  async export(options: SampleOptions): Promise<SampleArchive> {
    const samples = await this.store(options).all();
    const files: Record<string, Uint8Array> = {};
    const images = [];
    for (const [i, sample] of samples.entries()) {
      const file = `sample-${String(i + 1).padStart(4, '0')}.png`;
      files[file] = await stripPng(sample);
      images.push({
        file,
        width: sample.width * sample.digits.length,
        height: sample.height,
        digits: sample.digits,
        corners: WHOLE_FRAME,
        source: {
          createdAt: sample.createdAt,
          corners: sample.corners,
          frameWidth: sample.frameWidth,
          frameHeight: sample.frameHeight,
          model: sample.model,
        },
      });
    }
    const labels = {
      generator: 'column-classifier exportSamples()',
      note: "Each PNG holds one labelled frame's columns side by side as the model read them (its input size, grey); corners cover the whole image, so `column-classifier fine-tune --data DIR` cuts the same columns again. source: where they came from (the bead area in the frame, the model).",
      images,
    };
    files['labels.json'] = new TextEncoder().encode(`${JSON.stringify(labels, null, 1)}\n`);
    // PNGs are compressed already.
    const zip = zipSync(files, { level: 0 });
    return {
      zip,
      samples: samples.length,
      columns: samples.reduce((n, s) => n + s.digits.length, 0),
    };
  }

  /** Removes every sample of the set. */
  async clear(options: SampleOptions): Promise<void> {
    await this.store(options).clear();
  }

  close(): void {
    for (const store of this.stores.values()) store.close();
    this.stores.clear();
    this.last = undefined;
  }

  private store(options: SampleOptions): SampleStore {
    const key = `${options.set}\n${options.maxColumns}`;
    let store = this.stores.get(key);
    if (store === undefined) {
      store = new SampleStore(options.set, options.maxColumns);
      this.stores.set(key, store);
    }
    return store;
  }
}

/** One sample's columns side by side as a grey PNG. */
async function stripPng(sample: StoredSample): Promise<Uint8Array> {
  const { height, width } = sample;
  const columns = sample.digits.length;
  const image = new ImageData(width * columns, height);
  for (let c = 0; c < columns; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const v = sample.crops[(c * height + y) * width + x] ?? 0;
        const at = 4 * (y * width * columns + c * width + x);
        image.data[at] = v;
        image.data[at + 1] = v;
        image.data[at + 2] = v;
        image.data[at + 3] = 255;
      }
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  if (context === null)
    throw new InputError('input/unsupported-source', 'This browser has no 2D OffscreenCanvas in workers.');
  context.putImageData(image, 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}
