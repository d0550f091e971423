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
import { LIGHTINGS, renderSoroban3d, SceneKind, type Render3dOptions } from '../render3d/index.ts';

/** One-line usage of the command. */
export const RENDER_USAGE =
  'render --seed S --count N --out DIR [--columns N] [--3d [--elevation MIN-MAX] [--hand P] [--scene whole|cut-off|empty] [--lighting varied|raking]]   write rendered soroban photos (PNG) and labels.json';

/** The seed of photo `index` of a run with seed `seed`. */
export function photoSeed(seed: number, index: number): number {
  return seed * 1_000_003 + index;
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--'))
    throw new InputError('input/bad-argument', `render: ${name} needs a value.`);
  return value;
}

function integer(text: string | undefined, name: string, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError(
      'input/bad-argument',
      `render: ${name} is required.\nusage: column-classifier ${RENDER_USAGE}`,
    );
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InputError(
      'input/bad-argument',
      `render: ${name} must be a whole number from ${min} to ${max}, got "${text}".`,
    );
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
  const flags = new Set(['--3d']);
  const known = new Set(['--seed', '--count', '--out', '--columns', '--elevation', '--hand', '--scene', '--lighting']);
  for (let i = 0; i < args.length; i += 1) {
    const name = args[i] ?? '';
    if (flags.has(name)) continue;
    if (!known.has(name))
      throw new InputError(
        'input/bad-argument',
        `render: unknown option "${name}".\nusage: column-classifier ${RENDER_USAGE}`,
      );
    i++;
  }
  const seed = integer(option(args, '--seed'), '--seed', 0, 2 ** 31);
  const count = integer(option(args, '--count'), '--count', 1, 100_000, 1);
  const columnsText = option(args, '--columns');
  const columns = columnsText === undefined ? undefined : integer(columnsText, '--columns', 1, MAX_COLUMNS);
  const out = option(args, '--out');
  if (out === undefined)
    throw new InputError(
      'input/bad-argument',
      `render: --out DIR is required.\nusage: column-classifier ${RENDER_USAGE}`,
    );
  const threeD = args.includes('--3d');
  const render3d = threeD ? options3d(args) : undefined;
  if (!threeD && ['--elevation', '--hand', '--scene', '--lighting'].some((name) => args.includes(name))) {
    throw new InputError(
      'input/bad-argument',
      'render: --elevation, --hand, --scene and --lighting are options of the 3D renderer; add --3d.',
    );
  }
  mkdirSync(out, { recursive: true });
  const images = [];
  const width = String(count - 1).length;
  for (let i = 0; i < count; i++) {
    const s = photoSeed(seed, i);
    const file = `soroban-${seed}-${String(i).padStart(width, '0')}.png`;
    const count1 = columns === undefined ? {} : { columns };
    const photo =
      render3d !== undefined
        ? renderSoroban3d({ ...render3d, seed: s, ...count1 })
        : renderSoroban({ seed: s, ...count1 });
    writePng(join(out, file), photo);
    const { width: w, height: h, digits, corners, style } = photo;
    // A 3D photo also says per column whether it can be read, and whether the whole soroban is in view.
    const seen = 'visibility' in photo ? { present: photo.present, visibility: photo.visibility } : {};
    images.push({ file, seed: s, width: w, height: h, digits, corners, ...seen, style });
  }
  const labels = {
    generator: threeD ? 'column-classifier render --3d (src/render3d)' : 'column-classifier render (src/render)',
    seed,
    count,
    note:
      'corners: the bead area (outer edges of the columns, frame bars excluded; for --3d on the plane of the rods) in fractions of the image, null when no soroban is in the picture; columns are equal in its perspective-corrected space.' +
      (threeD
        ? ' visibility: per column, the fraction of its bead area hidden by a hand or outside the picture, and whether it can be read; present: the whole soroban is in view.'
        : ''),
    images,
  };
  writeFileSync(join(out, 'labels.json'), `${JSON.stringify(labels, null, 1)}\n`);
  process.stdout.write(`wrote ${count} photo(s) and labels.json to ${out}\n`);
  return 0;
}

function writePng(path: string, photo: { width: number; height: number; rgba: Uint8ClampedArray }): void {
  const png = new PNG({ width: photo.width, height: photo.height });
  png.data = Buffer.from(photo.rgba.buffer, photo.rgba.byteOffset, photo.rgba.byteLength);
  writeFileSync(path, PNG.sync.write(png));
}

/** The 3D renderer's options from `--elevation MIN-MAX`, `--hand P` and `--scene KIND`. */
function options3d(args: readonly string[]): Omit<Render3dOptions, 'seed'> {
  const elevationText = option(args, '--elevation');
  let elevation: [number, number] | undefined;
  if (elevationText !== undefined) {
    const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(elevationText);
    const lo = Number(match?.[1]);
    const hi = Number(match?.[2]);
    if (match === null || !(lo >= 35 && hi <= 90 && lo <= hi)) {
      throw new InputError(
        'input/bad-argument',
        `render: --elevation must be MIN-MAX degrees within 35-90 (e.g. 35-50), got "${elevationText}".`,
      );
    }
    elevation = [lo, hi];
  }
  const handText = option(args, '--hand');
  const hand = handText === undefined ? undefined : Number(handText);
  if (hand !== undefined && !(hand >= 0 && hand <= 1))
    throw new InputError('input/bad-argument', `render: --hand must be a chance from 0 to 1, got "${handText}".`);
  const sceneText = option(args, '--scene');
  const scenes: readonly string[] = Object.values(SceneKind);
  if (sceneText !== undefined && !scenes.includes(sceneText)) {
    throw new InputError(
      'input/bad-argument',
      `render: --scene must be one of ${scenes.join(', ')}, got "${sceneText}".`,
    );
  }
  const lightingText = option(args, '--lighting');
  const lighting = LIGHTINGS.find((l) => l === lightingText);
  if (lightingText !== undefined && lighting === undefined) {
    throw new InputError(
      'input/bad-argument',
      `render: --lighting must be one of ${LIGHTINGS.join(', ')}, got "${lightingText}".`,
    );
  }
  return {
    ...(elevation === undefined ? {} : { elevation: [elevation] }),
    ...(lighting === undefined ? {} : { lighting }),
    ...(hand === undefined ? {} : { hand }),
    ...(sceneText === undefined ? {} : { scene: sceneText as SceneKind }),
  };
}
