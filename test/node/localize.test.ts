import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chirped, countScores, periodicityScore } from '../../src/localize/column-count.ts';
import {
  closeWindowAround,
  combineCount,
  CORNER_LOOK_MAX_SHARE,
  cornerWindowShare,
  countPosterior,
  locate,
  type LocateOptions,
} from '../../src/localize/locate.ts';
import * as tf from '@tensorflow/tfjs';
import { useNodeBackend } from '../../src/reference/backend.ts';
import {
  boundingWindow,
  CORNER_WINDOW_SCALE,
  cornerWindow,
  fromWindow,
  grownWindow,
  mapQuad,
  quadValues,
  toWindow,
  valuesQuad,
  WHOLE_WINDOW,
} from '../../src/localize/window.ts';
import { mirroredCornerWeights, mirroredCorners } from '../../models/training/localizer/batches.ts';
import { countTarget, localizerLoss } from '../../models/training/localizer/loss.ts';
import { photoTensor } from '../../models/training/dataset.ts';
import { headline, type PhotoResult } from '../../models/training/localizer/evaluate.ts';
import { LOCATE_COUNT_CLASSES } from '../../src/contract/schema.ts';
import { MAX_COLUMN_COUNT } from '../../src/localize/limits.ts';
import type { Quad } from '../../src/preprocess/types.ts';
import { DEFAULT_LOCALIZER, DEFAULT_MODEL } from '../../src/cli/model-args.ts';
import { readLocated } from '../../src/localize/read-located.ts';
import { LocationTracker } from '../../src/localize/tracker.ts';
import { cornerError } from '../../src/localize/window.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { localizerRunner } from '../../src/localize/localizer-model.ts';
import { readColumns } from '../../src/model/read-columns.ts';
import { NO_MARGINS } from '../../src/preprocess/types.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { InferenceError } from '../../src/errors.ts';

function assertNear(actual: unknown, expected: unknown, path = 'value'): void {
  if (typeof expected === 'number') {
    assert.ok(
      typeof actual === 'number' && Math.abs(actual - expected) < 1e-9,
      `${path}: ${String(actual)} ≠ ${expected}`,
    );
    return;
  }
  for (const [key, value] of Object.entries(expected as object))
    assertNear((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

const quad: Quad = {
  topLeft: { x: 0.2, y: 0.3 },
  topRight: { x: 0.7, y: 0.25 },
  bottomRight: { x: 0.75, y: 0.6 },
  bottomLeft: { x: 0.15, y: 0.55 },
};

/** A bead-area profile of `n` columns: a rod and two bead edges per column, and light falling off across. */
function columnsProfile(n: number, length = 252): Float32Array {
  const profile = new Float32Array(length);
  for (let x = 0; x < length; x++) {
    const phase = (((x + 0.5) * n) / length) % 1;
    const rod = Math.abs(phase - 0.5) < 0.04 ? 1 : 0;
    const edges = Math.abs(Math.abs(phase - 0.5) - 0.3) < 0.05 ? 0.6 : 0;
    profile[x] = rod + edges + 0.4 * (x / length);
  }
  return profile;
}

describe('localizer windows', () => {
  it('maps a point into a window and back', () => {
    const w = { x: 0.1, y: 0.2, width: 0.5, height: 0.4 };
    const p = { x: 0.35, y: 0.5 };
    const inside = toWindow(w, p);
    assertNear(inside, { x: 0.5, y: 0.75 });
    assertNear(fromWindow(w, inside), p);
  });

  it('bounds a quad and grows the box within the frame', () => {
    const box = boundingWindow(quad);
    assert.ok(Math.abs(box.x - 0.15) < 1e-12 && Math.abs(box.width - 0.6) < 1e-12);
    assert.ok(Math.abs(box.y - 0.25) < 1e-12 && Math.abs(box.height - 0.35) < 1e-12);
    const grown = grownWindow(box, { left: 0.5, right: 0.5, top: 2, bottom: 0.1 });
    assert.equal(grown.x, 0);
    assert.equal(grown.y, 0);
    assert.ok(Math.abs(grown.x + grown.width - 1) < 1e-12, 'cut at the right edge');
    assert.ok(Math.abs(grown.height - (0.25 + 0.35 * 1.1)) < 1e-12);
  });

  it("puts a corner look's window square in pixels about the corner, the bead area's height across", () => {
    // A 400 × 200 frame: the quad's left edge runs 20 px across and 50 down, its right edge 20 across and 70 down.
    const w = cornerWindow(quad, 2, 400, 200);
    const side = (CORNER_WINDOW_SCALE * (Math.hypot(20, 50) + Math.hypot(20, 70))) / 2;
    assert.ok(Math.abs(w.width * 400 - side) < 1e-9 && Math.abs(w.height * 200 - side) < 1e-9, 'square in pixels');
    assertNear(fromWindow(w, { x: 0.5, y: 0.5 }), quad.bottomRight);
    assert.ok(Math.abs(cornerWindow(quad, 0, 400, 200, 2).width - 2 * w.width) < 1e-12, 'scaled');
  });

  it('reads the whole frame again when the first look found nothing to zoom into', () => {
    const nowhere = mapQuad(quad, () => ({ x: 1.4, y: -0.3 }));
    assert.deepEqual(closeWindowAround(nowhere), WHOLE_WINDOW);
    const around = closeWindowAround(quad);
    assert.ok(around.x < 0.15 && around.x + around.width > 0.75);
  });
});

describe('column count by periodicity', () => {
  it('scores the true count above its neighbours, whatever the light does', () => {
    for (const n of [3, 7, 12, 20]) {
      const scores = countScores(columnsProfile(n));
      const at = (k: number) => scores[k - 1] ?? 0;
      assert.ok(at(n) > at(n - 1) && at(n) > at(n + 1), `n = ${n}: ${at(n - 1)} ${at(n)} ${at(n + 1)}`);
    }
  });

  it('counts columns that a quad off in perspective spaces unevenly (tighter at one end)', () => {
    // Columns as a quad too long at one edge sees them: resampled at t ↦ 1.15·t / (1 + 0.15·t), which no value of
    // PERSPECTIVE_CHIRPS undoes exactly.
    const n = 18;
    const uneven = chirped(columnsProfile(n), 0.15);
    const best = (scores: number[]) => scores.indexOf(Math.max(...scores)) + 1;
    const near = (scores: number[]) => best(scores.slice(n - 3, n + 2)) + n - 3;
    assert.notEqual(
      near(Array.from({ length: 21 }, (_, i) => periodicityScore(uneven, i + 1))),
      n,
      'the plain fold already finds the count: the profile is not uneven enough to test anything',
    );
    assert.equal(near(countScores(uneven)), n);
  });

  it('is less sure of a count the model and the periodicity disagree on', () => {
    const scores = countScores(columnsProfile(9));
    const agreeing = Array.from({ length: 21 }, (_, i) => (i === 8 ? 0.6 : 0.4 / 20));
    const disagreeing = Array.from({ length: 21 }, (_, i) => (i === 9 ? 0.6 : 0.4 / 20));
    const sure = countPosterior(agreeing, scores);
    const unsure = countPosterior(disagreeing, scores);
    assert.ok(Math.abs(sure.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'a posterior sums to 1');
    assert.equal(combineCount(agreeing, scores), sure.indexOf(Math.max(...sure)) + 1);
    assert.ok((sure[8] ?? 0) > 0.9, `agreeing: ${sure[8]}`);
    assert.ok(Math.max(...unsure) < (sure[8] ?? 0), `disagreeing: ${Math.max(...unsure)}`);
  });

  it('still gives a count, and a finite confidence, when the model gives NaN', () => {
    const broken = Array.from({ length: 21 }, (_, i) => (i === 3 ? NaN : 0.01));
    const posterior = countPosterior(broken, countScores(columnsProfile(9)));
    assert.ok(posterior.every(Number.isFinite), 'a finite posterior');
    assert.equal(combineCount(broken, countScores(columnsProfile(9))), 9);
  });

  it('gives nothing to a flat profile', () => {
    assert.equal(periodicityScore(new Float32Array(100).fill(0.5), 4), 0);
  });

  it("lets periodicity move the model's count by one where the model is unsure, never to a far count", () => {
    const scores = countScores(columnsProfile(9));
    const unsure = Array.from({ length: 21 }, (_, i) => (i === 7 ? 0.5 : i === 8 ? 0.4 : 0.1 / 19));
    assert.equal(combineCount(unsure, scores), 9);
    const sure = Array.from({ length: 21 }, (_, i) => (i === 17 ? 0.98 : 0.02 / 20));
    assert.equal(combineCount(sure, scores), 18, "a divisor's periodicity does not outvote a sure model");
  });
});

describe('localizer labels', () => {
  it('mirrors corners with the picture: left and right swap', () => {
    const mirrored = valuesQuad(mirroredCorners(quadValues(quad)));
    assertNear(mirrored.topLeft, { x: 0.3, y: 0.25 });
    assertNear(mirrored.bottomRight, { x: 0.85, y: 0.55 });
    assertNear(valuesQuad(mirroredCorners(mirroredCorners(quadValues(quad)))), quad);
  });

  it("mirrors a corner window's weight with its corner", () => {
    // A window about the topLeft corner shows the topRight one once mirrored.
    assert.deepEqual(mirroredCornerWeights([1, 0, 0, 0]), [0, 1, 0, 0]);
    assert.deepEqual(mirroredCornerWeights([0, 0, 0, 1]), [0, 0, 1, 0]);
  });

  it("learns only a corner window's own corner, and no count from it", async () => {
    await useNodeBackend('wasm');
    const truth = tf.tensor2d([[0.5, 0.5, 0.9, 0.1, 0.9, 0.9, 0.1, 0.9]]);
    // Every corner but the topLeft one is far off; the count is wrong.
    const predicted = tf.tensor2d([[0.5, 0.5, 0, 0, 0, 0, 0, 0]]);
    const wrongCount = tf.tensor2d([Array.from({ length: 21 }, (_, i) => (i === 20 ? 1 : 0))]);
    const labels = (cornerWeight: number[], countWeight: number) => ({
      corners: truth,
      cornerWeight: tf.tensor2d([cornerWeight]),
      countWeight: tf.tensor2d([[countWeight]]),
      present: tf.tensor2d([[0]]),
      count: tf.tensor2d([Array.from(countTarget(3))]),
    });
    const cornerWindowLoss = localizerLoss(predicted, tf.tensor2d([[0.01]]), wrongCount, labels([1, 0, 0, 0], 0));
    assert.ok(cornerWindowLoss.corners.dataSync()[0] === 0, 'the other corners cost nothing');
    assert.ok(cornerWindowLoss.count.dataSync()[0] === 0, 'the count costs nothing');
    const whole = localizerLoss(predicted, tf.tensor2d([[0.01]]), wrongCount, labels([1, 1, 1, 1], 1));
    assert.ok((whole.corners.dataSync()[0] ?? 0) > 0.3 && (whole.count.dataSync()[0] ?? 0) > 1);
  });
});

describe("the localizer report's headline", () => {
  it('says nothing was measured (NaN, so no goal reads as met) where there was nothing to count', () => {
    const empty = headline([]);
    assert.ok(
      Number.isNaN(empty.meanCornerError) && Number.isNaN(empty.countExact) && Number.isNaN(empty.presenceRight),
    );
    const noSoroban: PhotoResult = {
      renderer: '3d',
      scene: 'empty',
      style: 'x/y',
      elevation: 60,
      columns: 0,
      present: false,
      presence: 0.2,
      closePresence: 0.7,
      cornerShare: 0.3,
    };
    const h = headline([noSoroban]);
    assert.ok(Number.isNaN(h.meanCornerError) && Number.isNaN(h.countExact));
    assert.equal(h.presenceRight, 1);
  });

  it('counts corners, count and presence over the photos with a whole soroban', () => {
    const whole = (error: number, countCombined: number, presence: number): PhotoResult => ({
      renderer: '2d',
      scene: 'whole',
      style: 'x/y',
      elevation: 90,
      columns: 5,
      present: true,
      presence,
      closePresence: presence,
      cornerShare: 0.3,
      error,
      countCombined,
    });
    const h = headline([whole(0.01, 5, 0.9), whole(0.03, 4, 0.3)]);
    assert.ok(Math.abs(h.meanCornerError - 0.02) < 1e-12);
    assert.equal(h.p95CornerError, 0.03);
    assert.equal(h.countExact, 0.5);
    assert.equal(h.presenceRight, 0.5);
  });
});

describe('count range', () => {
  it("is the same in the localizer's contract as in the renderers and the localizer", () => {
    assert.equal(LOCATE_COUNT_CLASSES, MAX_COLUMN_COUNT);
  });
});

describe('count target', () => {
  it('is a distribution that peaks at the count, sharp for few columns and wide for many', () => {
    for (const n of [1, 2, 10, 21]) {
      const t = countTarget(n);
      assert.ok(Math.abs(t.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      assert.equal(t.indexOf(Math.max(...t)), n - 1);
    }
    assert.ok((countTarget(2)[2] ?? 1) < 1e-3, '3 is no near miss for 2');
    assert.ok((countTarget(20)[20] ?? 0) > 0.1, '21 is a near miss for 20');
  });
});

describe('locate', () => {
  it('reports a quad that outlines nothing (no soroban in view) without failing, its count from the head alone', async () => {
    await useNodeBackend('wasm');
    const frame = tf.zeros([40, 60, 4], 'int32') as tf.Tensor3D;
    // Corners in the wrong order: what an untrained or unsure localizer gives for an empty table.
    const crossed = [0.8, 0.2, 0.2, 0.2, 0.8, 0.8, 0.2, 0.8];
    const count = Array.from({ length: 21 }, (_, i) => (i === 4 ? 0.6 : 0.02));
    const spec = {
      height: 16,
      width: 16,
      channels: 1 as const,
      grey: 'bt601' as const,
      resize: 'bilinear' as const,
      inputRange: { min: 0, max: 1 },
    };
    const found = await locate(
      frame,
      async (input) => Array.from({ length: input.shape[0] }, () => ({ corners: crossed, presence: 0.1, count })),
      spec,
    );
    assert.equal(found.columns, 5);
    assert.equal(found.presence, 0.1);
    frame.dispose();
  });

  it('refuses, as an inference error, a runner that gives fewer outputs than the windows it was given', async () => {
    await useNodeBackend('wasm');
    const frame = tf.zeros([40, 60, 3], 'int32') as tf.Tensor3D;
    const count = Array.from({ length: 21 }, () => 1 / 21);
    const one = async () => [{ corners: quadValues(quad), presence: 0.9, count }];
    await assert.rejects(
      locate(frame, one, localizerSpec(16), 5, { cornerLooks: true }),
      (e: unknown) =>
        e instanceof InferenceError && e.code === 'inference/bad-output' && /1 outputs for 4 windows/.test(e.message),
    );
    frame.dispose();
  });

  it("takes each corner from its own look's window, unless that look puts it near the window's edge", async () => {
    await useNodeBackend('wasm');
    const frame = tf.zeros([200, 400, 3], 'int32') as tf.Tensor3D;
    const spec = localizerSpec(16);
    const count = Array.from({ length: 21 }, (_, i) => (i === 4 ? 0.6 : 0.02));
    const batches: number[] = [];
    // Every look answers the same corners in its own window: the quad as the whole frame, then a little right of
    // each corner window's centre — except the bottomLeft one, which it puts near the window's edge.
    const answer = [0.55, 0.5, 0.55, 0.5, 0.55, 0.5, 0.97, 0.5];
    const found = await locate(
      frame,
      async (input) => {
        batches.push(input.shape[0]);
        const corners = batches.length <= 2 ? quadValues(quad) : answer;
        return Array.from({ length: input.shape[0] }, () => ({ corners, presence: 0.9, count }));
      },
      spec,
      5,
      { cornerLooks: true },
    );
    assert.deepEqual(batches, [1, 1, 4], 'two looks, then the four corners in one batch');
    for (const [k, key] of (['topLeft', 'topRight', 'bottomRight'] as const).entries()) {
      const side = cornerWindowSide(found.closeCorners, k);
      assert.ok(Math.abs((found.corners[key].x - found.closeCorners[key].x) * 400 - 0.05 * side) < 1e-6, key);
      assert.ok(Math.abs(found.corners[key].y - found.closeCorners[key].y) < 1e-9, key);
    }
    assertNear(found.corners.bottomLeft, found.closeCorners.bottomLeft);
    const twoLooks = await locate(frame, async () => [{ corners: quadValues(quad), presence: 0.9, count }], spec, 5, {
      cornerLooks: false,
    });
    assertNear(twoLooks.corners, twoLooks.closeCorners);
    frame.dispose();
  });

  it('gives no third look where a corner window would be about as large as the second look (a soroban of few columns)', async () => {
    await useNodeBackend('wasm');
    const frame = tf.zeros([200, 400, 3], 'int32') as tf.Tensor3D;
    const count = Array.from({ length: 21 }, (_, i) => (i === 1 ? 0.6 : 0.02));
    // 80 × 120 pixels in a 400 × 200 frame: the second look's window is its box grown 12 % a side, 149 pixels high.
    const narrow: Quad = {
      topLeft: { x: 0.4, y: 0.2 },
      topRight: { x: 0.6, y: 0.2 },
      bottomRight: { x: 0.6, y: 0.8 },
      bottomLeft: { x: 0.4, y: 0.8 },
    };
    // The second look answers a quad `fill` of its window high, so a corner window (1.25 × that height across) is
    // 1.25 × `fill` of the second look's window.
    const read = async (fill: number, options: LocateOptions = {}) => {
      const batches: number[] = [];
      const [lo, hi] = [0.5 - fill / 2, 0.5 + fill / 2];
      const found = await locate(
        frame,
        async (input) => {
          batches.push(input.shape[0]);
          const corners =
            batches.length === 1
              ? quadValues(narrow)
              : batches.length === 2
                ? [lo, lo, hi, lo, hi, hi, lo, hi]
                : [0.55, 0.5, 0.55, 0.5, 0.55, 0.5, 0.55, 0.5];
          return Array.from({ length: input.shape[0] }, () => ({ corners, presence: 0.9, count }));
        },
        localizerSpec(16),
        2,
        { cornerLooks: true, ...options },
      );
      const share = cornerWindowShare(found.closeCorners, found.closeWindow, { width: 400, height: 200 });
      return { found, batches, share };
    };
    for (const fill of [0.9, 0.76]) {
      const skipped = await read(fill);
      assert.ok(skipped.share > CORNER_LOOK_MAX_SHARE, `share ${skipped.share}`);
      assert.deepEqual(skipped.batches, [1, 1], `share ${skipped.share}`);
      assertNear(skipped.found.corners, skipped.found.closeCorners);
    }
    const closer = await read(0.68);
    assert.ok(closer.share < CORNER_LOOK_MAX_SHARE, `share ${closer.share}`);
    assert.deepEqual(closer.batches, [1, 1, 4], `share ${closer.share}`);
    assert.deepEqual((await read(0.9, { cornerLookMaxShare: Infinity })).batches, [1, 1, 4]);
    frame.dispose();
  });
});

function localizerSpec(side: number) {
  return {
    height: side,
    width: side,
    channels: 1 as const,
    grey: 'bt601' as const,
    resize: 'bilinear' as const,
    inputRange: { min: 0, max: 1 },
  };
}

/** The side in pixels of corner `k`'s look window about `q` in a 400 × 200 frame. */
function cornerWindowSide(q: Quad, k: number): number {
  return cornerWindow(q, k, 400, 200).width * 400;
}

/** The shipped classifier and localizer, on Node's wasm backend. */
async function shippedModels() {
  await useNodeBackend('wasm');
  return {
    classifier: await loadClassifierModel(await fileModelSource(DEFAULT_MODEL), { kind: 'column-classifier' }),
    localizer: await loadClassifierModel(await fileModelSource(DEFAULT_LOCALIZER), { kind: 'localizer' }),
  };
}

describe('reading a located frame', () => {
  it('is sure of a count the page gives, even on a location the localizer found before', async () => {
    const { classifier, localizer } = await shippedModels();
    const photo = renderSoroban({ seed: 410_011, columns: 9, pitch: [40, 48] });
    const frame = photoTensor(photo);
    try {
      const tracker = new LocationTracker();
      const found = await readLocated(classifier, localizer, frame, tracker);
      assert.ok(found.location.countConfidence < 1, `the localizer's own count: ${found.location.countConfidence}`);
      // The same count, now given by the page: the tracker reuses the location.
      const given = await readLocated(classifier, localizer, frame, tracker, { columns: found.location.columns });
      assert.equal(given.location.fresh, false);
      assert.equal(given.location.countConfidence, 1);
      given.columns.forEach((c, i) => {
        const own = found.columns[i];
        assert.ok(own !== undefined && Math.abs(c.confidence - own.confidence / found.location.countConfidence) < 1e-9);
      });
    } finally {
      frame.dispose();
      classifier.dispose();
      localizer.dispose();
    }
  });

  it('locates a still image afresh: no smoothing with the frame before it', async () => {
    const { classifier, localizer } = await shippedModels();
    const photo = renderSoroban({ seed: 410_002, columns: 6, pitch: [40, 48] });
    const first = photoTensor(photo);
    // The same soroban a few pixels to the left, in a frame of the same size: near enough for the tracker to follow.
    const shifted = tf.tidy(() =>
      tf.pad(first.slice([0, 6, 0], [-1, photo.width - 6, -1]), [
        [0, 0],
        [0, 6],
        [0, 0],
      ]),
    ) as tf.Tensor3D;
    // The count fixed: the tracker follows a soroban only while its count stays the same.
    const six = { columns: 6 };
    try {
      const alone = (await readLocated(classifier, localizer, shifted, new LocationTracker(), six)).location;
      const tracker = new LocationTracker();
      await readLocated(classifier, localizer, first, tracker, six);
      const followed = (await readLocated(classifier, localizer, shifted, tracker, { ...six, relocate: true }))
        .location;
      await readLocated(classifier, localizer, first, tracker, six);
      const still = (await readLocated(classifier, localizer, shifted, tracker, { ...six, still: true })).location;
      assert.equal(alone.found, true);
      // Followed: halfway between the two frames' corners; still: exactly what the frame alone gives.
      assert.ok(cornerError(followed.corners, alone.corners, photo.width, photo.height) > 1e-3);
      assert.deepEqual(still.corners, alone.corners);
      assert.equal(still.fresh, true);
    } finally {
      tf.dispose([first, shifted]);
      classifier.dispose();
      localizer.dispose();
    }
  });

  it('converts a located frame to grey once for its four preprocessings, and reads it as before', async () => {
    const { classifier, localizer } = await shippedModels();
    const photo = renderSoroban({ seed: 410_003, columns: 5, pitch: [40, 48] });
    const frame = photoTensor(photo);
    try {
      const tensorsBefore = tf.memory().numTensors;
      let read: Awaited<ReturnType<typeof readLocated>> | undefined;
      const profile = await tf.profile(async () => {
        read = await readLocated(classifier, localizer, frame, new LocationTracker());
      });
      assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
      // The grey conversion starts with a cast of the whole frame; the localizer's two looks, the count's strip and
      // the columns each cast it before.
      const frameCasts = profile.kernels.filter(
        (k) => k.name === 'Cast' && k.inputShapes[0]?.join() === frame.shape.join(),
      );
      assert.equal(frameCasts.length, 1, `the frame was converted ${frameCasts.length} times`);
      // The same reading as each preprocessing converting the frame itself.
      const location = await locate(frame, localizerRunner(localizer), localizer.spec);
      assert.deepEqual(read?.location.corners, location.corners);
      assert.equal(read?.location.columns, location.columns);
      const columns = await readColumns(classifier, frame, {
        columns: location.columns,
        corners: location.corners,
        margins: NO_MARGINS,
      });
      // Each column's confidence includes how sure the count is.
      const sure = location.countConfidence;
      assert.ok(sure > 0 && sure <= 1, `count confidence ${sure}`);
      assert.deepEqual(
        read?.columns,
        columns.columns.map((c) => ({ ...c, confidence: c.confidence * sure })),
      );
    } finally {
      frame.dispose();
      classifier.dispose();
      localizer.dispose();
    }
  });
});
