/**
 * `column-classifier locate IMAGE... [--localizer PATH] [--backend wasm|cpu] [--json]`: where the soroban is in each
 * image — the bead area's corners, its column count, and whether a whole soroban was found.
 */
import { InputError } from '../errors.ts';
import { locateWith } from '../localize/localizer-model.ts';
import { loadClassifierModel } from '../model/load.ts';
import type { Quad } from '../preprocess/types.ts';
import { useNodeBackend, type NodeBackend } from '../reference/backend.ts';
import { imageTensor, readImage } from '../reference/image.ts';
import { DEFAULT_LOCALIZER, openModelSource, sidecarOption } from './model-args.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { LOCATE_USAGE } from './usage.ts';

/** One image's location, as printed. */
export interface ImageLocation {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly found: boolean;
  readonly presence: number;
  readonly columns: number;
  readonly countProbability: number;
  /** The count's probability once the bead area's periodicity is combined with the model's (see locate.ts). */
  readonly countConfidence: number;
  /** Normalized to the image. */
  readonly corners: Quad;
}

const corner = (p: { x: number; y: number }, width: number, height: number) =>
  `(${(p.x * width).toFixed(1)}, ${(p.y * height).toFixed(1)})`;

function formatLocation(l: ImageLocation): string {
  const q = l.corners;
  return [
    `${l.image}: ${l.found ? 'soroban found' : 'no whole soroban found'} (presence ${l.presence.toFixed(3)})`,
    `  columns ${l.columns} (model's probability ${l.countProbability.toFixed(3)}, with periodicity ${l.countConfidence.toFixed(3)})`,
    `  corners in pixels: top-left ${corner(q.topLeft, l.width, l.height)} top-right ${corner(q.topRight, l.width, l.height)} bottom-right ${corner(q.bottomRight, l.width, l.height)} bottom-left ${corner(q.bottomLeft, l.width, l.height)}`,
    `  --corners ${[q.topLeft, q.topRight, q.bottomRight, q.bottomLeft].flatMap((p) => [p.x.toFixed(4), p.y.toFixed(4)]).join(',')} --columns ${l.columns}`,
  ].join('\n');
}

/** Runs `locate`. */
export async function runLocate(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('locate', LOCATE_USAGE, args, {
    localizer: { type: 'string' },
    sidecar: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length === 0)
    throw new InputError('input/bad-argument', `locate: give at least one image.\nusage: ${LOCATE_USAGE}`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new InputError('input/bad-argument', `locate: --backend must be wasm or cpu, got ${values.backend}.`);
  await useNodeBackend(values.backend as NodeBackend);
  const model = await loadClassifierModel(await openModelSource(values.localizer ?? DEFAULT_LOCALIZER), {
    sidecar: await sidecarOption(values.sidecar),
    kind: 'localizer',
  });
  try {
    const found: ImageLocation[] = [];
    for (const path of positionals) {
      const image = await readImage(path);
      const frame = imageTensor(image);
      try {
        const l = await locateWith(model, frame);
        found.push({
          image: path,
          width: image.width,
          height: image.height,
          found: l.found,
          presence: l.presence,
          columns: l.columns,
          countProbability: l.countProbability,
          countConfidence: l.countConfidence,
          corners: l.corners,
        });
      } finally {
        frame.dispose();
      }
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(found, null, 2)}\n` : `${found.map(formatLocation).join('\n')}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
