/**
 * `column-classifier render --seed S --count N --out DIR [--columns N]`:
 * writes N rendered soroban photos as PNG plus `labels.json` (digits, the
 * normalized corners of the bead area and the style of each photo) — for
 * testing any column classifier, ours or not.
 *
 * Photo i is `renderSoroban({ seed: S · 1000003 + i })`, so a run is
 * reproducible from its seed and any single photo can be re-rendered alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { InputError } from '../errors.ts';
import { MAX_COLUMNS, renderSoroban } from '../render/index.ts';

/** One-line usage of the command. */
export const RENDER_USAGE = 'render --seed S --count N --out DIR [--columns N]   write rendered soroban photos (PNG) and labels.json';

/** The seed of photo `index` of a run with seed `seed`. */
export function photoSeed(seed: number, index: number): number {
  return seed * 1_000_003 + index;
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new InputError('input/bad-argument', `render: ${name} needs a value.`);
  return value;
}

function integer(text: string | undefined, name: string, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError('input/bad-argument', `render: ${name} is required.\nusage: column-classifier ${RENDER_USAGE}`);
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError('input/bad-argument', `render: ${name} must be a whole number from ${min} to ${max}, got "${text}".`);
  }
  return n;
}

/**
 * Runs the render command.
 * @param args the arguments after `render`
 * @returns the exit code (0 on success; bad arguments throw an InputError)
 */
export async function runRender(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: column-classifier ${RENDER_USAGE}\n`);
    return 0;
  }
  const known = new Set(['--seed', '--count', '--out', '--columns']);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i] ?? '';
    if (!known.has(name)) throw new InputError('input/bad-argument', `render: unknown option "${name}".\nusage: column-classifier ${RENDER_USAGE}`);
  }
  const seed = integer(option(args, '--seed'), '--seed', 0, 2 ** 31);
  const count = integer(option(args, '--count'), '--count', 1, 100_000, 1);
  const columnsText = option(args, '--columns');
  const columns = columnsText === undefined ? undefined : integer(columnsText, '--columns', 1, MAX_COLUMNS);
  const out = option(args, '--out');
  if (out === undefined) throw new InputError('input/bad-argument', `render: --out DIR is required.\nusage: column-classifier ${RENDER_USAGE}`);
  mkdirSync(out, { recursive: true });
  const images = [];
  const width = String(count - 1).length;
  for (let i = 0; i < count; i++) {
    const s = photoSeed(seed, i);
    const photo = renderSoroban(columns === undefined ? { seed: s } : { seed: s, columns });
    const file = `soroban-${seed}-${String(i).padStart(width, '0')}.png`;
    const png = new PNG({ width: photo.width, height: photo.height });
    png.data = Buffer.from(photo.rgba.buffer, photo.rgba.byteOffset, photo.rgba.byteLength);
    writeFileSync(join(out, file), PNG.sync.write(png));
    images.push({ file, seed: s, width: photo.width, height: photo.height, digits: photo.digits, corners: photo.corners, style: photo.style });
  }
  const labels = {
    generator: 'column-classifier render (src/render)',
    seed,
    count,
    note: 'corners: the bead area (outer edges of the columns, frame bars excluded) in fractions of the image; columns are equal in its perspective-corrected space.',
    images,
  };
  writeFileSync(join(out, 'labels.json'), `${JSON.stringify(labels, null, 1)}\n`);
  process.stdout.write(`wrote ${count} photo(s) and labels.json to ${out}\n`);
  return 0;
}
