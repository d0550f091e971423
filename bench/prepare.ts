/**
 * Writes what the bench pages load: source frames rendered by the project's
 * renderer (RGBA, back to back, plus their bead-area corners and digits) and
 * the field's MobileNetV2 graph model with a generated shard.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSoroban } from '../src/render/index.ts';
import { createRandom } from '../src/render/random.ts';
import type { Quad } from '../src/preprocess/types.ts';
import { renderSoroban3d } from '../src/render3d/index.ts';
import { SIMULATED_USER } from '../models/training/config.ts';
import { writeFieldGraphModel } from '../test/fixtures/field-graph.ts';

/** Column pitch of the bench frames in pixels: a 13-column soroban comes out about 600 px wide. */
const PITCH: readonly [number, number] = [36, 36];

/** What {@link writeFrames} writes for one column count. */
interface FrameSetFiles {
  readonly width: number;
  readonly height: number;
  readonly corners: Quad;
  readonly digits: readonly (readonly number[])[];
  readonly rgba: readonly Uint8ClampedArray[];
}

/** How the source canvas steps through a set's frames; see `FrameSet` in bench/pages/common.ts. */
interface FrameSchedule {
  /** Source frames each number is held for. */
  readonly hold: number;
  /** Consecutive frames of the set that show the same number (camera noise apart). */
  readonly variants: number;
}

async function writeFrameSet(
  out: string,
  name: string,
  columns: number,
  set: FrameSetFiles,
  schedule: FrameSchedule = { hold: 1, variants: 1 },
): Promise<void> {
  const bytes = Buffer.concat(set.rgba.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength)));
  await writeFile(join(out, `${name}.bin`), bytes);
  const { width, height, corners, digits } = set;
  await writeFile(join(out, `${name}.json`), JSON.stringify({ columns, width, height, corners, digits, ...schedule }));
}

/** The first of `rendered`, once all are known to share its size (the source canvas has one size). */
function firstOfOneSize<T extends { readonly width: number; readonly height: number }>(
  rendered: readonly T[],
  writer: string,
): T {
  const first = rendered[0];
  if (first === undefined) throw new Error(`${writer}: nothing was rendered.`);
  if (rendered.some((r) => r.width !== first.width || r.height !== first.height))
    throw new Error(`${writer}: the frames came out in different sizes; the source canvas needs one size.`);
  return first;
}

/** Source frames a number stays on the still soroban: 2 s at 30 fps, a student moving beads now and then. */
const STILL_HOLD_FRAMES = 60;
/** Noisy copies of each number: no two consecutive source frames are the same pixels, as from a camera. */
const STILL_VARIANTS = 4;
/** Standard deviation of the still frames' sensor noise, in 8-bit levels per channel. */
const STILL_NOISE_LEVELS = 3;

/**
 * Part 1's camera-like source, `dir/frames/still-N`: one soroban at rest (the same renderer seed as `cols-N`), its
 * number changed every {@link STILL_HOLD_FRAMES} source frames, with sensor noise that differs from each frame to the next. `cols-N` (a new
 * number every frame) stays the worst case.
 */
export async function writeStillFrames(dir: string, columns: number, numbers = 3): Promise<void> {
  const out = join(dir, 'frames');
  await mkdir(out, { recursive: true });
  const random = createRandom(9700 + columns);
  const rendered = Array.from({ length: numbers }, () =>
    renderSoroban({
      seed: 9000 + columns,
      digits: Array.from({ length: columns }, () => random.int(0, 9)),
      pitch: PITCH,
    }),
  );
  const first = firstOfOneSize(rendered, 'writeStillFrames');
  const noisy = rendered.flatMap((r) =>
    Array.from({ length: STILL_VARIANTS }, () => {
      const rgba = new Uint8ClampedArray(r.rgba);
      for (let i = 0; i < rgba.length; i += 1)
        if (i % 4 !== 3) rgba[i] = (rgba[i] ?? 0) + Math.round(random.roughNormal() * STILL_NOISE_LEVELS);
      return { digits: r.digits, rgba };
    }),
  );
  await writeFrameSet(
    out,
    `still-${columns}`,
    columns,
    { ...first, digits: noisy.map((r) => r.digits), rgba: noisy.map((r) => r.rgba) },
    { hold: STILL_HOLD_FRAMES, variants: STILL_VARIANTS },
  );
}

/** Renders `perSet` frames of each column count (same seed per count, so the same size) into `dir/frames/cols-N`. */
export async function writeFrames(dir: string, columnCounts: readonly number[], perSet: number): Promise<void> {
  const out = join(dir, 'frames');
  await mkdir(out, { recursive: true });
  for (const columns of columnCounts) {
    const rendered = Array.from({ length: perSet }, (_, i) =>
      renderSoroban({
        seed: 9000 + columns,
        digits: Array.from({ length: columns }, (_, c) => (c * 7 + i * 3 + 1) % 10),
        pitch: PITCH,
      }),
    );
    const first = firstOfOneSize(rendered, `writeFrames (${columns} columns)`);
    await writeFrameSet(out, `cols-${columns}`, columns, {
      ...first,
      digits: rendered.map((r) => r.digits),
      rgba: rendered.map((r) => r.rgba),
    });
  }
}

/**
 * Part 6's frames, `dir/frames/teach-N`: one soroban in issue 19's simulated user's look (the 3D renderer's bead
 * profile and colour that training holds out, under a raking light), seen from one place, showing a new random number in each frame.
 */
export async function writeTeachingFrames(dir: string, columns: number, count: number): Promise<void> {
  const out = join(dir, 'frames');
  await mkdir(out, { recursive: true });
  const random = createRandom(9500 + columns);
  const rendered = Array.from({ length: count }, () =>
    renderSoroban3d({
      seed: 9500 + columns,
      columns,
      digits: Array.from({ length: columns }, () => random.int(0, 9)),
      profiles: SIMULATED_USER.profiles,
      beadColours: SIMULATED_USER.beadColours,
      frameColours: SIMULATED_USER.frameColours,
      backgrounds: SIMULATED_USER.backgrounds,
      lighting: SIMULATED_USER.lighting,
      elevation: [[70, 80]],
      fill: [0.8, 0.8],
      maxSide: 480,
    }),
  );
  const first = firstOfOneSize(rendered, 'writeTeachingFrames');
  if (first.corners === null) throw new Error('writeTeachingFrames: no soroban rendered.');
  await writeFrameSet(out, `teach-${columns}`, columns, {
    width: first.width,
    height: first.height,
    corners: first.corners,
    digits: rendered.map((r) => r.digits),
    rgba: rendered.map((r) => r.rgba),
  });
}

/** Writes the field graph model into `dir/field/`; resolves to its shard's size in bytes. */
export async function writeFieldModel(
  dir: string,
): Promise<{ modelJsonBytes: number; shardBytes: number; shard: Uint8Array }> {
  const out = join(dir, 'field');
  await mkdir(out, { recursive: true });
  const { shard } = await writeFieldGraphModel(out);
  return { modelJsonBytes: (await stat(join(out, 'model.json'))).size, shardBytes: shard.byteLength, shard };
}
