/**
 * Writes what the bench pages load: source frames rendered by the project's
 * renderer (RGBA, back to back, plus their bead-area corners and digits) and
 * the field's MobileNetV2 graph model with a generated shard.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSoroban } from '../src/render/index.ts';
import { writeFieldGraphModel } from '../test/fixtures/field-graph.ts';

/** Column pitch of the bench frames in pixels: a 13-column soroban comes out about 600 px wide. */
const PITCH: readonly [number, number] = [36, 36];

/** Renders `perSet` frames of each column count (same seed per count, so the same size) into `dir/frames/`. */
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
    const first = rendered[0];
    if (first === undefined) throw new Error('writeFrames: perSet must be ≥ 1.');
    if (rendered.some((r) => r.width !== first.width || r.height !== first.height)) {
      throw new Error(
        `writeFrames: frames of ${columns} columns came out in different sizes; the source canvas needs one size.`,
      );
    }
    const bytes = Buffer.concat(rendered.map((r) => Buffer.from(r.rgba.buffer, r.rgba.byteOffset, r.rgba.byteLength)));
    await writeFile(join(out, `cols-${columns}.bin`), bytes);
    const meta = {
      columns,
      width: first.width,
      height: first.height,
      corners: first.corners,
      digits: rendered.map((r) => r.digits),
    };
    await writeFile(join(out, `cols-${columns}.json`), JSON.stringify(meta));
  }
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
