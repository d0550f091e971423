/**
 * Part 1, design (c): the field app's way, as its users run it today. The
 * field's MobileNetV2 α0.35 graph model (its model.json with a generated
 * shard of the listed shapes) on the main thread with WebGL; each column is
 * cut out of the frame with getImageData and preprocessed on its own
 * (fromPixels → grey → resizeBilinear to 128×64), then the columns are
 * concatenated into one batch and predicted.
 */
import * as tf from '@tensorflow/tfjs';
import { columnBoxes } from '../../src/preprocess/columns.ts';
import type { Quad } from '../../src/preprocess/types.ts';
import { geometryOf, readout } from './common.ts';
import { StageLog, exposeResponsiveness, type Design } from './responsiveness.ts';

const INPUT_HEIGHT = 128;
const INPUT_WIDTH = 64;

/** The pixel rectangle around a column's quad. */
function boundingBox(quad: Quad, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const points = [quad.topLeft, quad.topRight, quad.bottomRight, quad.bottomLeft];
  const x0 = Math.max(0, Math.floor(Math.min(...points.map((p) => p.x)) * width));
  const x1 = Math.min(width, Math.ceil(Math.max(...points.map((p) => p.x)) * width));
  const y0 = Math.max(0, Math.floor(Math.min(...points.map((p) => p.y)) * height));
  const y1 = Math.min(height, Math.ceil(Math.max(...points.map((p) => p.y)) * height));
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

function fieldDesign(): Design {
  const log = new StageLog();
  let busy = false;
  return {
    async setup(set, source, backend) {
      await tf.setBackend(backend);
      await tf.ready();
      if (tf.getBackend() !== backend)
        throw new Error(`design (c) asked for ${backend} but TF.js runs ${tf.getBackend()}.`);
      const model = await tf.loadGraphModel(new URL('/field/model.json', location.href).href);
      const warm = model.predict(tf.zeros([set.columns, INPUT_HEIGHT, INPUT_WIDTH, 1])) as tf.Tensor | tf.Tensor[];
      for (const t of [warm].flat()) {
        await t.data();
        t.dispose();
      }
      const context = source.canvas.getContext('2d', { willReadFrequently: true });
      if (context === null) throw new Error('No 2D context on the source canvas.');
      const boxes = columnBoxes(geometryOf(set)).map((q) => boundingBox(q, set.width, set.height));
      const output = readout();
      const classify = async (): Promise<Record<string, number>> => {
        const start = performance.now();
        const columns = boxes.map((box) => {
          const pixels = context.getImageData(box.x, box.y, box.w, box.h);
          return tf.tidy(() =>
            tf.image
              .resizeBilinear(tf.browser.fromPixels(pixels, 1), [INPUT_HEIGHT, INPUT_WIDTH])
              .toFloat()
              .expandDims(0),
          );
        });
        const batch = tf.concat(columns, 0);
        for (const t of columns) t.dispose();
        const preprocessed = performance.now();
        const outputs = [model.predict(batch) as tf.Tensor | tf.Tensor[]].flat();
        batch.dispose();
        const values = await Promise.all(outputs.map((t) => t.data()));
        for (const t of outputs) t.dispose();
        const predicted = performance.now();
        const earth = values.find((v) => v.length === set.columns * 5);
        output.textContent = earth === undefined ? '?' : String(earth[0]);
        return { preprocess: preprocessed - start, predict: predicted - preprocessed, total: predicted - start };
      };
      // Warm-up runs the whole frame path, as the element's does: WebGL compiles a program per new input shape.
      const warmUp = { first: 0, second: 0 };
      let t = performance.now();
      await classify();
      warmUp.first = performance.now() - t;
      t = performance.now();
      await classify();
      warmUp.second = performance.now() - t;
      source.onFrame(() => {
        if (busy) {
          log.skipped += 1;
          return;
        }
        busy = true;
        classify()
          .then((timings) => log.add(timings))
          .catch((error: unknown) => log.errors.push(String(error)))
          .finally(() => {
            busy = false;
          });
      });
      return { backend: tf.getBackend(), tfjsVersion: tf.version.tfjs, warmUpMs: warmUp };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

exposeResponsiveness(fieldDesign());
