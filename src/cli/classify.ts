/**
 * `column-classifier classify IMAGE... --columns N [--corners …] [--margins H,V]
 * [--model PATH] [--sidecar PATH] [--backend wasm|cpu] [--json]` and
 * `classify --crop IMAGE...` (each image is one column).
 */
import { parseCommandArgs } from './parse-command-args.ts';
import { InputError } from '../errors.ts';
import { CLASSIFY_USAGE } from './usage.ts';
import { loadClassifierModel } from '../model/load.ts';
import { NO_MARGINS, WHOLE_FRAME } from '../preprocess/types.ts';
import { useNodeBackend, type NodeBackend } from '../reference/backend.ts';
import { classifyImageFile, type ImageReading } from '../reference/pipeline.ts';
import { readLabels } from '../reference/labels.ts';
import { geometryFromArgs } from './geometry-args.ts';
import { DEFAULT_LOCALIZER, DEFAULT_MODEL, openModelSource, sidecarOption } from './model-args.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';

const fmt = (v: number): string => v.toFixed(3);

/** Human-readable lines for one image. */
export function formatReading(reading: ImageReading): string {
  const location = reading.location;
  if (location !== undefined && !location.found)
    return `${reading.image}: no whole soroban found (presence ${fmt(location.presence)})`;
  const lines = [`${reading.image}: ${reading.digits.join(' ')}`];
  if (location !== undefined) {
    const q = location.corners;
    const corners = [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft].flatMap((p) => [
      p.x.toFixed(4),
      p.y.toFixed(4),
    ]);
    lines.push(
      `  found ${location.columns} columns (presence ${fmt(location.presence)}) at --corners ${corners.join(',')}`,
    );
  }
  reading.columns.forEach((c, i) => {
    lines.push(
      `  column ${i + 1}: digit ${c.digit}  heaven ${fmt(c.heaven)}${c.heavenDown ? ' (down)' : ''}  earth [${c.earth.map(fmt).join(' ')}] → ${c.earthCount}  confidence ${fmt(c.confidence)}`,
    );
  });
  return lines.join('\n');
}

/**
 * Runs `classify`.
 *
 * @param args - the arguments after `classify`
 * @returns the exit code
 */
export async function runClassify(args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('classify', CLASSIFY_USAGE, args, {
    columns: { type: 'string' },
    corners: { type: 'string' },
    margins: { type: 'string' },
    model: { type: 'string' },
    localizer: { type: 'string' },
    sidecar: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
    crop: { type: 'boolean', default: false },
    labels: { type: 'string' },
  });
  const { values, positionals } = parsed;
  if (values.labels !== undefined) {
    if (positionals.length > 0 || values.columns !== undefined || values.corners !== undefined || values.crop) {
      throw new InputError(
        'input/bad-argument',
        'classify --labels takes its images, columns and corners from labels.json; give no images, --columns, --corners or --crop.',
      );
    }
    return scoreLabels(values.labels, values.model ?? DEFAULT_MODEL, values.sidecar, values.backend, values.json);
  }
  if (positionals.length === 0)
    throw new InputError('input/bad-argument', `classify: give at least one image.\nusage: ${CLASSIFY_USAGE}`);
  // Without --corners the localizer finds the bead area (and the count, unless --columns gives it).
  const locating = !values.crop && values.corners === undefined;
  if (!locating && values.localizer !== undefined)
    throw new InputError(
      'input/bad-argument',
      'classify: --localizer finds the corners; drop it when --corners (or --crop) is given.',
    );
  if (locating && values.margins !== undefined)
    throw new InputError(
      'input/bad-argument',
      'classify: --margins inset given corners; the localizer finds the bead area itself. Give --corners with --margins.',
    );
  if (values.crop && (values.columns !== undefined || values.corners !== undefined)) {
    throw new InputError(
      'input/bad-argument',
      'classify: --crop reads each image as one column; drop --columns and --corners.',
    );
  }
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new InputError('input/bad-argument', `classify: --backend must be wasm or cpu, got ${values.backend}.`);
  await useNodeBackend(values.backend as NodeBackend);
  const model = await loadClassifierModel(await openModelSource(values.model ?? DEFAULT_MODEL), {
    sidecar: await sidecarOption(values.sidecar),
    kind: 'column-classifier',
  });
  let localizer: ClassifierModel | undefined;
  try {
    const columns = values.columns === undefined ? undefined : Number(values.columns);
    if (locating) {
      if (columns !== undefined && !(Number.isInteger(columns) && columns >= 1))
        throw new InputError('input/bad-geometry', `--columns must be a whole number ≥ 1, got ${values.columns}.`);
      localizer = await loadClassifierModel(await openModelSource(values.localizer ?? DEFAULT_LOCALIZER), {
        kind: 'localizer',
      });
    }
    const readings: ImageReading[] = [];
    for (const image of positionals) {
      const geometry = values.crop
        ? { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS }
        : localizer !== undefined
          ? { localizer, ...(columns === undefined ? {} : { columns }) }
          : (width: number, height: number) =>
              geometryFromArgs(Number(values.columns ?? 13), values.corners, values.margins, width, height);
      readings.push(await classifyImageFile(model, image, geometry));
    }
    if (values.json) process.stdout.write(`${JSON.stringify(readings, null, 2)}\n`);
    else process.stdout.write(`${readings.map(formatReading).join('\n')}\n`);
    return 0;
  } finally {
    model.dispose();
    localizer?.dispose();
  }
}

/** `classify --labels labels.json`: reads every labelled image and scores the digits against the ground truth. */
async function scoreLabels(
  labelsPath: string,
  modelPath: string,
  sidecar: string | undefined,
  backend: string,
  json: boolean,
): Promise<number> {
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new InputError('input/bad-argument', `classify: --backend must be wasm or cpu, got ${backend}.`);
  const labelled = await readLabels(labelsPath);
  await useNodeBackend(backend);
  const model = await loadClassifierModel(await openModelSource(modelPath), {
    sidecar: await sidecarOption(sidecar),
    kind: 'column-classifier',
  });
  try {
    let right = 0;
    let total = 0;
    let wholeRight = 0;
    const rows = [];
    for (const image of labelled) {
      const reading = await classifyImageFile(model, image.path, image.geometry);
      const correct = reading.digits.filter((d, i) => d === image.digits[i]).length;
      right += correct;
      total += image.digits.length;
      if (correct === image.digits.length) wholeRight += 1;
      rows.push({ image: image.path, expected: image.digits, read: reading.digits, correct, columns: reading.columns });
    }
    const summary = {
      images: labelled.length,
      columnAccuracy: total === 0 ? 0 : right / total,
      imageAccuracy: labelled.length === 0 ? 0 : wholeRight / labelled.length,
    };
    if (json) {
      process.stdout.write(`${JSON.stringify({ summary, images: rows }, null, 2)}\n`);
    } else {
      for (const row of rows)
        process.stdout.write(
          `${row.image}: read ${row.read.join(' ')}  expected ${row.expected.join(' ')}  ${row.correct}/${row.expected.length}\n`,
        );
      process.stdout.write(
        `columns right: ${right}/${total} (${(summary.columnAccuracy * 100).toFixed(1)} %); images all right: ${wholeRight}/${labelled.length}\n`,
      );
    }
    return 0;
  } finally {
    model.dispose();
  }
}
