import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  applyHomography,
  columnBoxes,
  downscaleFactor,
  GREY_WEIGHTS,
  homographyFromUnitSquare,
  invertHomography,
  NO_MARGINS,
  preprocessColumns,
  WHOLE_FRAME,
  type ColumnGeometry,
  type PreprocessSpec,
  type Quad,
} from '../../src/preprocess/index.ts';
import { InputError } from '../../src/errors.ts';

/** Float32 arithmetic on grey values 0..255 scaled to [0, 1]. */
const EPSILON = 1e-4;

const SPEC: PreprocessSpec = {
  height: 128,
  width: 64,
  channels: 1,
  grey: 'bt601',
  resize: 'bilinear',
  inputRange: { min: 0, max: 1 },
};

/** An RGB frame of `columns` vertical stripes, stripe i filled with colours[i]. */
function stripes(colours: [number, number, number][], stripeWidth: number, height: number): tf.Tensor3D {
  const width = colours.length * stripeWidth;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colours[Math.floor(x / stripeWidth)] ?? [0, 0, 0];
      data.set(c, (y * width + x) * 3);
    }
  }
  return tf.tensor3d(data, [height, width, 3], 'int32');
}

function withNoLeaks(fn: () => void): void {
  const before = tf.memory().numTensors;
  fn();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`preprocessColumns on ${backend}`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
    });

    it('gives every column of a stripe frame the grey value of its stripe', () => {
      const colours: [number, number, number][] = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [40, 80, 120],
        [250, 250, 250],
      ];
      const frame = stripes(colours, 64, 128);
      withNoLeaks(() => {
        const out = preprocessColumns(frame, { columns: 5, corners: WHOLE_FRAME, margins: NO_MARGINS }, SPEC);
        assert.deepEqual(out.shape, [5, 128, 64, 1]);
        assert.equal(out.dtype, 'float32');
        const values = out.dataSync();
        out.dispose();
        colours.forEach(([r, g, b], i) => {
          const expected = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
          for (let k = i * 128 * 64; k < (i + 1) * 128 * 64; k++) {
            assert.ok(
              Math.abs((values[k] ?? NaN) - expected) < EPSILON,
              `column ${i} pixel ${k}: ${values[k]} ≠ ${expected}`,
            );
          }
        });
      });
      frame.dispose();
    });

    it('box-filters a 2× downscale and still keeps stripes apart', () => {
      const colours: [number, number, number][] = [
        [0, 0, 0],
        [200, 200, 200],
        [100, 100, 100],
      ];
      const frame = stripes(colours, 128, 256);
      const geometry: ColumnGeometry = { columns: 3, corners: WHOLE_FRAME, margins: NO_MARGINS };
      assert.equal(downscaleFactor(geometry, SPEC, 256, 384), 2);
      assert.equal(downscaleFactor(geometry, { ...SPEC, prefilter: 'none' }, 256, 384), 1);
      withNoLeaks(() => {
        const out = preprocessColumns(frame, geometry, SPEC);
        const means = tf.tidy(() => tf.mean(out, [1, 2, 3]).dataSync());
        const maxes = tf.tidy(() => tf.max(out, [1, 2, 3]).dataSync());
        out.dispose();
        [0, 200, 100].forEach((g, i) => {
          assert.ok(Math.abs((means[i] ?? NaN) - g / 255) < EPSILON, `column ${i} mean`);
          assert.ok(Math.abs((maxes[i] ?? NaN) - g / 255) < EPSILON, `column ${i} max`);
        });
      });
      frame.dispose();
    });

    it('follows a rectangle quad inside the frame, with margins', () => {
      // Frame 200 × 300: a bright rectangle x ∈ [40, 168), y ∈ [50, 306)... kept inside by the quad.
      const height = 300;
      const width = 200;
      const data = new Float32Array(height * width * 3);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          // Two stripes inside [40, 168): left half 60, right half 180; outside 255.
          const v = x >= 40 && x < 104 ? 60 : x >= 104 && x < 168 ? 180 : 255;
          data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
        }
      }
      const frame = tf.tensor3d(data, [height, width, 3]);
      // The quad spans x ∈ [20, 188) (margins 20/168 each side take it to [40, 168)), y ∈ [10, 290).
      const m = 20 / 168;
      const corners: Quad = {
        topLeft: { x: 20 / width, y: 10 / height },
        topRight: { x: 188 / width, y: 10 / height },
        bottomRight: { x: 188 / width, y: 290 / height },
        bottomLeft: { x: 20 / width, y: 290 / height },
      };
      withNoLeaks(() => {
        const out = preprocessColumns(frame, { columns: 2, corners, margins: { horizontal: m, vertical: 0.1 } }, SPEC);
        const [left, right] = tf.tidy(() => tf.unstack(tf.mean(out, [1, 2, 3])).map((t) => t.dataSync()[0] ?? NaN));
        out.dispose();
        assert.ok(Math.abs((left ?? NaN) - 60 / 255) < 1e-3, `left ${left}`);
        assert.ok(Math.abs((right ?? NaN) - 180 / 255) < 1e-3, `right ${right}`);
      });
      frame.dispose();
    });

    it('follows a perspective quad: columns drawn in perspective come out as clean stripes', () => {
      const height = 240;
      const width = 320;
      const columns = 4;
      const corners: Quad = {
        topLeft: { x: 0.12, y: 0.1 },
        topRight: { x: 0.86, y: 0.16 },
        bottomRight: { x: 0.92, y: 0.9 },
        bottomLeft: { x: 0.08, y: 0.82 },
      };
      const inverse = invertHomography(homographyFromUnitSquare(corners));
      const data = new Uint8Array(height * width * 4);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const { x: u, y: v } = applyHomography(inverse, (x + 0.5) / width, (y + 0.5) / height);
          const inside = u >= 0 && u < 1 && v >= 0 && v < 1;
          const value = inside ? (Math.floor(u * columns) % 2 === 0 ? 30 : 220) : 128;
          data.set([value, value, value, 7], (y * width + x) * 4);
        }
      }
      const frame = tf.tensor3d(data, [height, width, 4], 'int32');
      withNoLeaks(() => {
        const out = preprocessColumns(frame, { columns, corners, margins: NO_MARGINS }, SPEC);
        const values = out.dataSync();
        out.dispose();
        let good = 0;
        for (let i = 0; i < columns; i++) {
          const expected = (i % 2 === 0 ? 30 : 220) / 255;
          for (let k = i * 128 * 64; k < (i + 1) * 128 * 64; k++) {
            if (Math.abs((values[k] ?? NaN) - expected) < 0.02) good++;
          }
        }
        // Only the 1-pixel anti-aliased borders of each column may differ.
        assert.ok(good / values.length > 0.95, `only ${((100 * good) / values.length).toFixed(1)} % of pixels match`);
      });
      frame.dispose();
    });

    it('maps grey to the input range and repeats it into 3 channels', () => {
      const frame = stripes(
        [
          [0, 0, 0],
          [255, 255, 255],
        ],
        64,
        128,
      );
      withNoLeaks(() => {
        const spec: PreprocessSpec = { ...SPEC, channels: 3, inputRange: { min: -1, max: 1 } };
        const out = preprocessColumns(frame, { columns: 2, corners: WHOLE_FRAME, margins: NO_MARGINS }, spec);
        assert.deepEqual(out.shape, [2, 128, 64, 3]);
        const [lo, hi] = tf.tidy(() => [tf.min(out).dataSync()[0], tf.max(out).dataSync()[0]]);
        const firstValues = tf.tidy(() => tf.slice(out, [1, 5, 5, 0], [1, 1, 1, 3]).dataSync());
        out.dispose();
        assert.ok(Math.abs((lo ?? NaN) + 1) < EPSILON);
        assert.ok(Math.abs((hi ?? NaN) - 1) < EPSILON);
        assert.deepEqual(
          Array.from(firstValues).map((v) => Math.round(v * 1000)),
          [1000, 1000, 1000],
        );
      });
      frame.dispose();
    });

    it('applies each grey formula', () => {
      const frame = stripes(
        [
          [255, 0, 0],
          [0, 255, 0],
          [0, 0, 255],
        ],
        64,
        128,
      );
      for (const grey of ['bt601', 'bt709', 'mean'] as const) {
        withNoLeaks(() => {
          const out = preprocessColumns(
            frame,
            { columns: 3, corners: WHOLE_FRAME, margins: NO_MARGINS },
            { ...SPEC, grey, resize: 'nearest' },
          );
          const means = tf.tidy(() => tf.mean(out, [1, 2, 3]).dataSync());
          out.dispose();
          GREY_WEIGHTS[grey].forEach((w, i) =>
            assert.ok(Math.abs((means[i] ?? NaN) - w) < EPSILON, `${grey} channel ${i}`),
          );
        });
      }
      frame.dispose();
    });

    it('nearest sampling only returns values that are in the frame', () => {
      const data = new Float32Array(50 * 37 * 3).map((_, i) => (Math.floor(i / 3) * 7919) % 256);
      const frame = tf.tensor3d(data, [50, 37, 3]);
      withNoLeaks(() => {
        const out = preprocessColumns(
          frame,
          { columns: 2, corners: WHOLE_FRAME, margins: NO_MARGINS },
          { ...SPEC, resize: 'nearest', grey: 'mean' },
        );
        const values = out.dataSync();
        out.dispose();
        // Every frame value is an integer 0..255 (bilinear blending would make fractions).
        for (const v of values)
          assert.ok(Math.abs(v * 255 - Math.round(v * 255)) < 1e-3, `value ${v * 255} is not a frame value`);
      });
      frame.dispose();
    });

    it('refuses a zero-size frame and a bad geometry with coded input errors', () => {
      const empty = tf.zeros([0, 10, 3]) as tf.Tensor3D;
      withNoLeaks(() => {
        assert.throws(
          () => preprocessColumns(empty, { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS }, SPEC),
          (e: unknown) => e instanceof InputError && e.code === 'input/zero-size-frame',
        );
      });
      empty.dispose();
      const frame = tf.zeros([10, 10, 3]) as tf.Tensor3D;
      const line: Quad = {
        topLeft: { x: 0, y: 0 },
        topRight: { x: 0.5, y: 0.5 },
        bottomRight: { x: 1, y: 1 },
        bottomLeft: { x: 0.2, y: 0.2 },
      };
      // The same four points as WHOLE_FRAME with the two bottom corners swapped: a bow tie.
      const crossed: Quad = {
        topLeft: { x: 0, y: 0 },
        topRight: { x: 1, y: 0 },
        bottomRight: { x: 0, y: 1 },
        bottomLeft: { x: 1, y: 1 },
      };
      const dented: Quad = { ...WHOLE_FRAME, bottomRight: { x: 0.3, y: 0.3 } };
      for (const geometry of [
        { columns: 0, corners: WHOLE_FRAME, margins: NO_MARGINS },
        { columns: 1000, corners: WHOLE_FRAME, margins: NO_MARGINS },
        { columns: 2, corners: crossed, margins: NO_MARGINS },
        { columns: 2, corners: dented, margins: NO_MARGINS },
        { columns: 2, corners: WHOLE_FRAME, margins: { horizontal: 0.5, vertical: 0 } },
        { columns: 2, corners: line, margins: NO_MARGINS },
      ]) {
        withNoLeaks(() => {
          assert.throws(
            () => preprocessColumns(frame, geometry, SPEC),
            (e: unknown) => e instanceof InputError && e.code === 'input/bad-geometry',
          );
        });
      }
      frame.dispose();
    });
  });
}

describe('column geometry', () => {
  it('maps the unit square corners onto the quad', () => {
    const q: Quad = {
      topLeft: { x: 0.1, y: 0.2 },
      topRight: { x: 0.9, y: 0.1 },
      bottomRight: { x: 0.8, y: 0.95 },
      bottomLeft: { x: 0.05, y: 0.7 },
    };
    const m = homographyFromUnitSquare(q);
    const check = (u: number, v: number, p: { x: number; y: number }): void => {
      const r = applyHomography(m, u, v);
      assert.ok(Math.abs(r.x - p.x) < 1e-12 && Math.abs(r.y - p.y) < 1e-12, `(${u}, ${v})`);
    };
    check(0, 0, q.topLeft);
    check(1, 0, q.topRight);
    check(1, 1, q.bottomRight);
    check(0, 1, q.bottomLeft);
    const back = applyHomography(invertHomography(m), 0.8, 0.95);
    assert.ok(Math.abs(back.x - 1) < 1e-9 && Math.abs(back.y - 1) < 1e-9);
  });

  it('cuts the inset quad into equal columns', () => {
    const boxes = columnBoxes({ columns: 4, corners: WHOLE_FRAME, margins: { horizontal: 0.1, vertical: 0.2 } });
    assert.equal(boxes.length, 4);
    boxes.forEach((b, i) => {
      assert.ok(Math.abs(b.topLeft.x - (0.1 + 0.2 * i)) < 1e-12);
      assert.ok(Math.abs(b.bottomRight.x - (0.1 + 0.2 * (i + 1))) < 1e-12);
      assert.ok(Math.abs(b.topLeft.y - 0.2) < 1e-12 && Math.abs(b.bottomRight.y - 0.8) < 1e-12);
    });
  });

  it('puts column boundaries of a perspective quad at equal steps of perspective-corrected space, not of the frame', () => {
    const q: Quad = {
      topLeft: { x: 0, y: 0 },
      topRight: { x: 1, y: 0.3 },
      bottomRight: { x: 1, y: 0.7 },
      bottomLeft: { x: 0, y: 1 },
    };
    const boxes = columnBoxes({ columns: 2, corners: q, margins: NO_MARGINS });
    const middle = boxes[0]?.topRight.x ?? NaN;
    // The right side is farther away (shorter), so the middle of the soroban is drawn right of x = 0.5.
    assert.ok(middle > 0.5 && middle < 1, `middle at ${middle}`);
  });
});
