import * as tf from '@tensorflow/tfjs';
import { InputError, StateError } from '../src/errors.ts';
import { preprocessingKey } from '../src/fine-tune/database.ts';
import { cropBytes } from '../src/fine-tune/labelled-crops.ts';
import { SampleStore, type StoredSample } from '../src/fine-tune/sample-store.ts';
import type { ClassifierModel } from '../src/model/classifier-model.ts';
import { preprocessColumns } from '../src/preprocess/index.ts';
import { WHOLE_FRAME, type ColumnGeometry } from '../src/preprocess/types.ts';
import type {
  LabelOptions,
  SampleAdded,
  SampleArchive,
  SampleOptions,
} from '../src/worker-api/classifier-worker-api.ts';

/** A frame read: what `label()` cuts into samples. */
interface ReadFrame {
  readonly frame: number;
  readonly pixels: ImageData;
  /** Undefined: no soroban was found in it. */
  readonly geometry: ColumnGeometry | undefined;
  readonly model: ClassifierModel;
  readonly modelUrl: string;
}

/**
 * Frames kept for `label()`: the one behind the page's stable reading, and those read after it while the page's
 * call was on its way (a capture loop keeps one frame in flight, `classifyOnce()` may add one).
 */
const KEPT_FRAMES = 3;

/**
 * Self-labelled samples in the worker: the last few frames read are kept (their pixels and where their columns
 * were), so that when the page says what one showed, its columns are cut for the model — by the product's own
 * preprocessing — and stored with the digits; and the stored samples are exported in the `render` format.
 */
export class FrameSamples {
  private kept: ReadFrame[] = [];
  private framesNoted = 0;
  private readonly stores = new Map<string, SampleStore>();

  /** Keeps a frame just read (undefined geometry: no soroban was found in it); returns its number. */
  noteFrame(pixels: ImageData, geometry: ColumnGeometry | undefined, model: ClassifierModel, modelUrl: string): number {
    this.framesNoted += 1;
    this.kept = [...this.kept.slice(1 - KEPT_FRAMES), { frame: this.framesNoted, pixels, geometry, model, modelUrl }];
    return this.framesNoted;
  }

  /** Forgets the frames kept (a new model reads differently sized columns). */
  forget(): void {
    this.kept = [];
  }

  /**
   * Stores a kept frame's columns (`options.frame`, else the last read) labelled with `digits`.
   *
   * @throws {StateError} `state/not-started` when that frame is not kept (none read yet, or too many read since) or
   *   had no soroban in it
   * @throws {InputError} `input/bad-argument` for digits that are not 0–9 or not one per column
   */
  async label(digits: readonly number[], options: LabelOptions): Promise<SampleAdded> {
    const wanted = options.frame ?? this.kept.at(-1)?.frame;
    const last = this.kept.find((kept) => kept.frame === wanted);
    if (last === undefined)
      throw new StateError(
        'state/not-started',
        wanted === undefined
          ? 'label: no frame has been read yet; label a reading after it arrives.'
          : `label: frame ${wanted} is not kept (the worker keeps the last ${KEPT_FRAMES} frames read since the model started; ${this.framesNoted} were read); label a newer reading.`,
      );
    if (last.geometry === undefined)
      throw new StateError(
        'state/not-started',
        `label: no soroban was found in frame ${last.frame}; label a reading with columns.`,
      );
    const { columns, corners } = last.geometry;
    if (digits.length !== columns || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9))
      throw new InputError(
        'input/bad-argument',
        `label: give one digit 0–9 per column of the last reading (${columns}), got [${digits.join(', ')}].`,
      );
    const spec = last.model.spec;
    const geometry = last.geometry;
    const values = tf.tidy(() => preprocessColumns(tf.browser.fromPixels(last.pixels, 3), geometry, spec));
    let data: Float32Array;
    try {
      data = (await values.data()) as Float32Array;
    } finally {
      values.dispose();
    }
    const { min, max } = spec.inputRange;
    const crops = cropBytes(data, min, max);
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
    // Loaded here only: the zip code is fetched by a page that exports, not before every first reading.
    const { zipSync } = await import('./zip.ts');
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
    this.kept = [];
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
