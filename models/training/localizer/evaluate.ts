/**
 * The localizer on held-out whole photos, as the product uses it (src/localize/locate.ts): the whole frame first,
 * then the window around the first quad, then a window about each corner where that is a closer look; the count from
 * the count head and the bead area's periodicity. Corner error is in pixels as a fraction of the photo's diagonal.
 *
 * `npx tsx models/training/localizer/evaluate.ts MODEL_DIR [PHOTOS] [--val] [--classifier DIR] [--looks 2|3]
 * [--corner-look-max-share S] [--json OUT]` (default 300 test photos; `--looks` overrides whether each corner gets its
 * third look, `--corner-look-max-share` skips it where a corner window is more than S of the second look's). `--val` reads the validation photos instead (the styles of training, seeds of validation) and
 * prints the count accuracy for several periodicity weights: the weight is chosen there, never on the test photos.
 * `--classifier DIR` reads every photo end to end as the element does without corners (`readLocated`), and with the
 * true corners and count, and prints both column accuracies and how many of the columns reported at confidence
 * ≥ 0.5 are wrong (every column of a photo with no whole soroban is wrong; a column is compared with the digit at
 * its index, so a wrong count makes most of its columns wrong).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { periodicityScores } from '../../../src/localize/column-count.ts';
import {
  combineCount,
  CORNER_LOOKS,
  cornerWindowShare,
  locate,
  mostProbableCount,
  splitLocalizerOutputs,
  type LocalizerOutput,
  type LocateOptions,
} from '../../../src/localize/locate.ts';
import { readLocated } from '../../../src/localize/read-located.ts';
import { LocationTracker } from '../../../src/localize/tracker.ts';
import { loadClassifierModel } from '../../../src/model/load.ts';
import { fileModelSource } from '../../../src/model/node-file-source.ts';
import { readColumns } from '../../../src/model/read-columns.ts';
import { NO_MARGINS } from '../../../src/preprocess/types.ts';
import type { ClassifierModel } from '../../../src/model/classifier-model.ts';
import { cornerError } from '../../../src/localize/window.ts';
import type { Quad } from '../../../src/preprocess/types.ts';
import { photoTensor, renderPhoto } from '../dataset.ts';
import { loadModel } from '../io.ts';
import { ELEVATION_BANDS } from '../score-3d.ts';
import { argValue, positiveNumber } from '../args.ts';
import { PRESENCE_THRESHOLD } from './attach-contract.ts';
import { localizerDatasets } from './config.ts';
import { LOCALIZER_SIDE } from './model.ts';
import { localizerInputSpec } from './samples.ts';
import { percentile } from './metrics.ts';
import { HELD_OUT_COLOUR, HELD_OUT_PROFILE, HELD_OUT_SHAPE } from '../config.ts';

export interface PhotoResult {
  readonly renderer: string;
  readonly scene: string;
  readonly style: string;
  readonly elevation: number;
  readonly columns: number;
  readonly present: boolean;
  readonly presence: number;
  /** The second look's presence (the window around the first quad). */
  readonly closePresence: number;
  /** A corner window's side over the second look's window's (see cornerWindowShare). */
  readonly cornerShare: number;
  readonly coarseError?: number;
  readonly error?: number;
  readonly countHead?: number;
  readonly countCombined?: number;
  readonly countPeriodicityNear?: number;
  readonly endToEnd?: EndToEnd;
}

/** One photo read by the classifier, with the true geometry and with what the localizer found. */
interface EndToEnd {
  /** Readable columns of the photo (all of a whole 2D one; a hand or the picture edge can hide some in 3D). */
  readonly readable: number;
  /** Readable columns read right with the true corners and count. */
  readonly rightTrue: number;
  /** Readable columns read right where the localizer found the soroban (compared index by index). */
  readonly rightFound: number;
  /** Columns reported (found) at confidence ≥ 0.5, and how many of those are wrong. */
  readonly confident: number;
  readonly confidentWrong: number;
  /** The same, with each column's confidence without the location's count confidence. */
  readonly confidentWithoutCount: number;
  readonly confidentWrongWithoutCount: number;
}

const MIN_CONFIDENCE = 0.5;

async function endToEnd(
  classifier: ClassifierModel,
  localizer: ClassifierModel,
  frame: tf.Tensor3D,
  photo: { digits: readonly number[]; readable: readonly boolean[]; corners: Quad; present: boolean },
): Promise<EndToEnd> {
  const truth = photo.present
    ? (
        await readColumns(classifier, frame, {
          columns: photo.digits.length,
          corners: photo.corners,
          margins: NO_MARGINS,
        })
      ).columns
    : [];
  const found = await readLocated(classifier, localizer, frame, new LocationTracker());
  let readable = 0;
  let rightTrue = 0;
  let rightFound = 0;
  if (photo.present)
    photo.digits.forEach((digit, i) => {
      if (photo.readable[i] !== true) return;
      readable++;
      if (truth[i]?.digit === digit) rightTrue++;
      if (found.columns.length === photo.digits.length && found.columns[i]?.digit === digit) rightFound++;
    });
  const right = (c: { digit: number }, i: number) =>
    photo.present &&
    found.columns.length === photo.digits.length &&
    photo.readable[i] === true &&
    c.digit === photo.digits[i];
  const sure = found.location.countConfidence;
  const withoutCount = found.columns.map((c) => ({ ...c, confidence: sure > 0 ? c.confidence / sure : 0 }));
  const confident = found.columns.filter((c) => c.confidence >= MIN_CONFIDENCE);
  const confidentWrong = found.columns.filter((c, i) => c.confidence >= MIN_CONFIDENCE && !right(c, i)).length;
  return {
    readable,
    rightTrue,
    rightFound,
    confident: confident.length,
    confidentWrong,
    confidentWithoutCount: withoutCount.filter((c) => c.confidence >= MIN_CONFIDENCE).length,
    confidentWrongWithoutCount: withoutCount.filter((c, i) => c.confidence >= MIN_CONFIDENCE && !right(c, i)).length,
  };
}

/** Every {@link EndToEnd} count summed over the rows read end to end (all 0 when none was). */
function endToEndTotals(rows: readonly PhotoResult[]): EndToEnd {
  const all = rows.map((r) => r.endToEnd).filter((e): e is EndToEnd => e !== undefined);
  const sum = (key: keyof EndToEnd) => all.reduce((n, e) => n + e[key], 0);
  return {
    readable: sum('readable'),
    rightTrue: sum('rightTrue'),
    rightFound: sum('rightFound'),
    confident: sum('confident'),
    confidentWrong: sum('confidentWrong'),
    confidentWithoutCount: sum('confidentWithoutCount'),
    confidentWrongWithoutCount: sum('confidentWrongWithoutCount'),
  };
}

function endToEndSummary(rows: readonly PhotoResult[], label: string): string {
  const t = endToEndTotals(rows);
  return `| ${label} | ${rows.length} | ${t.readable} | ${share(t.rightTrue, t.readable)} | ${share(t.rightFound, t.readable)} | ${t.confidentWrong} / ${t.confident} (${share(t.confidentWrong, t.confident)}) | ${t.confidentWrongWithoutCount} / ${t.confidentWithoutCount} (${share(t.confidentWrongWithoutCount, t.confidentWithoutCount)}) |`;
}

function summary(rows: readonly PhotoResult[], label: string): string {
  const h = headline(rows);
  const present = rows.filter((r) => r.present);
  const coarse = present.map((r) => r.coarseError ?? NaN);
  const errorPair = (mean: number, p95: number) =>
    present.length === 0 ? 'n/a' : `${(100 * mean).toFixed(2)} % / ${(100 * p95).toFixed(2)} %`;
  return [
    `| ${label} | ${rows.length} | ${present.length}`,
    errorPair(meanOf(coarse), percentile(coarse, 0.95)),
    errorPair(h.meanCornerError, h.p95CornerError),
    share(present.filter((r) => r.countHead === r.columns).length, present.length),
    share(present.filter((r) => r.countCombined === r.columns).length, present.length),
    `${share(rows.filter((r) => presenceRight(r)).length, rows.length)} |`,
  ].join(' | ');
}

/** `n / d` as a percentage, 'n/a' when nothing was counted. */
function share(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(2)} %`;
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, e) => s + e, 0) / values.length;
}

/**
 * Whether presence `p` (the first look's unless told) decides right at the contract's threshold (the element also
 * needs the quad to outline an area).
 */
function presenceRight(r: PhotoResult, p = r.presence): boolean {
  return p >= PRESENCE_THRESHOLD === r.present;
}

/** What {@link evaluateLocalizer} reads and how. */
export interface LocalizerEvaluationOptions {
  /** The localizer's folder (sealed, when `classifierDir` is given). */
  readonly dir: string;
  readonly photos: number;
  /** Validation photos (the styles of training, validation seeds) instead of the held-out test photos. */
  readonly val?: boolean;
  /** Reads every photo end to end with this classifier too. */
  readonly classifierDir?: string;
  /** Whether each corner gets its third look (default {@link CORNER_LOOKS}). */
  readonly cornerLooks?: boolean;
  /** See {@link LocateOptions.cornerLookMaxShare}. */
  readonly cornerLookMaxShare?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Every photo's result, and the tables {@link main} prints. */
export interface LocalizerEvaluation {
  readonly rows: readonly PhotoResult[];
  readonly text: string;
  readonly seed: number;
}

/** The figures issue 22 sets goals on, from {@link LocalizerEvaluation.rows}; NaN where nothing was counted. */
export interface LocalizerHeadline {
  readonly photos: number;
  readonly wholeSorobans: number;
  readonly meanCornerError: number;
  readonly p95CornerError: number;
  readonly countExact: number;
  readonly presenceRight: number;
  /** End to end (undefined without a classifier): readable columns right with the true geometry and where found. */
  readonly endToEnd?: { readonly readable: number; readonly rightTrue: number; readonly rightFound: number };
  readonly confidentWrong?: { readonly wrong: number; readonly reported: number };
}

export function headline(rows: readonly PhotoResult[]): LocalizerHeadline {
  const present = rows.filter((r) => r.present);
  const errors = present.map((r) => r.error ?? NaN);
  const t = endToEndTotals(rows);
  const readEndToEnd = rows.some((r) => r.endToEnd !== undefined);
  return {
    photos: rows.length,
    wholeSorobans: present.length,
    meanCornerError: meanOf(errors),
    p95CornerError: percentile(errors, 0.95),
    countExact:
      present.length === 0 ? NaN : present.filter((r) => r.countCombined === r.columns).length / present.length,
    presenceRight: rows.length === 0 ? NaN : rows.filter((r) => presenceRight(r)).length / rows.length,
    ...(!readEndToEnd
      ? {}
      : {
          endToEnd: { readable: t.readable, rightTrue: t.rightTrue, rightFound: t.rightFound },
          confidentWrong: { wrong: t.confidentWrong, reported: t.confident },
        }),
  };
}

/**
 * Reads `photos` held-out (or validation) photos as the product does without geometry: corners, count and presence
 * from the localizer, and, given a classifier, every column end to end.
 */
export async function evaluateLocalizer(options: LocalizerEvaluationOptions): Promise<LocalizerEvaluation> {
  const { dir, classifierDir } = options;
  const { model } = await loadModel(dir);
  const classifier =
    classifierDir === undefined
      ? undefined
      : await loadClassifierModel(await fileModelSource(classifierDir), { kind: 'column-classifier' });
  const localizer =
    classifierDir === undefined
      ? undefined
      : await loadClassifierModel(await fileModelSource(dir), { kind: 'localizer' });
  try {
    return await readPhotos(options, model, classifier, localizer);
  } finally {
    model.dispose();
    classifier?.dispose();
    localizer?.dispose();
  }
}

async function readPhotos(
  options: LocalizerEvaluationOptions,
  model: tf.LayersModel,
  classifier: ClassifierModel | undefined,
  localizer: ClassifierModel | undefined,
): Promise<LocalizerEvaluation> {
  const { classifierDir } = options;
  const count = options.photos;
  const spec = localizerInputSpec(LOCALIZER_SIDE);
  const run = async (input: tf.Tensor4D): Promise<LocalizerOutput[]> => {
    const [c, p, n] = model.predict(input) as tf.Tensor[];
    const values = [c, p, n].map((t) => (t === undefined ? new Float32Array(0) : (t.dataSync() as Float32Array)));
    tf.dispose([c, p, n].filter((t) => t !== undefined));
    const [corners = new Float32Array(0), presence = new Float32Array(0), count = new Float32Array(0)] = values;
    return splitLocalizerOutputs(corners, presence, count, input.shape[0]);
  };
  const sets = localizerDatasets();
  const useVal = options.val === true;
  const cornerLooks = options.cornerLooks ?? CORNER_LOOKS;
  const test = useVal
    ? { ...sets.val, photos: count, request: sets.test.request, windows: 'whole-frame' as const }
    : { ...sets.test, photos: count };
  const countByWeight = new Map<number, number>();
  const rows: PhotoResult[] = [];
  let inferenceMs = 0;
  for (let i = 0; i < test.photos; i++) {
    const filter = test.filters[i % test.filters.length] ?? {};
    const photo = renderPhoto(test.seed * 1_000_003 + i, filter, test.request);
    const frame = photoTensor(photo);
    const t = performance.now();
    const found = await locate(frame, run, spec, undefined, {
      cornerLooks,
      ...(options.cornerLookMaxShare === undefined ? {} : { cornerLookMaxShare: options.cornerLookMaxShare }),
    });
    inferenceMs += performance.now() - t;
    const base = {
      renderer: photo.renderer,
      scene: photo.present ? 'whole' : photo.scene === 'whole' ? 'hidden' : photo.scene,
      style: `${photo.beadShape}/${photo.beadColour}`,
      elevation: photo.elevation,
      columns: photo.digits.length,
      present: photo.present,
      presence: found.presence,
      closePresence: found.closePresence,
      cornerShare: cornerWindowShare(found.closeCorners, found.closeWindow, {
        width: photo.width,
        height: photo.height,
      }),
      ...(classifier === undefined || localizer === undefined
        ? {}
        : { endToEnd: await endToEnd(classifier, localizer, frame, photo) }),
    };
    if (photo.present) {
      // The count from the head alone, and from the head with the periodicity of the true bead area.
      const head = mostProbableCount(found.countProbabilities);
      const periodicity = await periodicityScores(frame, photo.corners);
      const foundPeriodicity = await periodicityScores(frame, found.corners);
      for (const w of [0, 1, 2, 4, 8, 16, 32, 64])
        countByWeight.set(
          w,
          (countByWeight.get(w) ?? 0) +
            (combineCount(found.countProbabilities, foundPeriodicity, w) === photo.digits.length ? 1 : 0),
        );
      rows.push({
        ...base,
        coarseError: cornerError(found.coarseCorners, photo.corners, photo.width, photo.height),
        error: cornerError(found.corners, photo.corners, photo.width, photo.height),
        countHead: head,
        countCombined: found.columns,
        countPeriodicityNear: combineCount(found.countProbabilities, periodicity),
      });
    } else rows.push(base);
    frame.dispose();
    options.onProgress?.(i + 1, test.photos);
  }
  const lines = [
    `Localizer ${options.dir} on ${rows.length} ${useVal ? 'validation' : 'held-out test'} photos (seed ${test.seed}); ${cornerLooks ? 'three looks (the third where a corner window is closer)' : 'two looks'} and count on wasm took ${(inferenceMs / rows.length).toFixed(1)} ms per photo in Node.`,
    '',
    '| photos | n | with a whole soroban | first look: corner error mean / p95 | all looks | count, head alone | count, head + periodicity | presence right |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    summary(rows, 'all'),
    summary(
      rows.filter((r) => r.renderer === '2d'),
      '2D',
    ),
    summary(
      rows.filter((r) => r.renderer === '3d'),
      '3D',
    ),
    ...ELEVATION_BANDS.map(([lo, hi]) =>
      summary(
        rows.filter((r) => r.renderer === '3d' && r.elevation >= lo && r.elevation < hi),
        `3D ${lo}–${hi}°`,
      ),
    ),
    ...['whole', 'hidden', 'cut-off', 'empty'].map((s) =>
      summary(
        rows.filter((r) => r.scene === s),
        `scene ${s}`,
      ),
    ),
    ...['lens/', '/green'].map((s) =>
      summary(
        rows.filter((r) => r.style.includes(s)),
        `held out ${s}`,
      ),
    ),
  ];
  const present = rows.filter((r) => r.present);
  lines.push('', presenceByRule(rows));
  lines.push(
    `count with the true corners, head's choice ± periodicity: ${present.filter((r) => r.countPeriodicityNear === r.columns).length}/${present.length}`,
    `count right by periodicity weight (found corners): ${[...countByWeight].map(([w, n]) => `${w}: ${n}/${present.length}`).join(', ')}`,
  );
  if (classifier !== undefined) {
    const groups: [string, (r: PhotoResult) => boolean][] = [
      ['all', () => true],
      ['2D', (r) => r.renderer === '2d'],
      ['3D', (r) => r.renderer === '3d'],
      ['3D ≥ 50°', (r) => r.renderer === '3d' && r.elevation >= 50],
      ['3D < 50°', (r) => r.renderer === '3d' && r.elevation < 50],
      ['no whole soroban (hand, cut off, empty)', (r) => !r.present],
    ];
    lines.push(
      ...[
        '',
        `End to end (classifier ${classifierDir}): readable columns read right with the true corners and count, and where the localizer found the soroban (no corners, no count); columns reported at confidence ≥ ${MIN_CONFIDENCE} that are wrong.`,
        '',
        "| photos | n | readable columns | true geometry | found | wrong at confidence ≥ 0.5 | the same, confidence without the count's |",
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...groups.map(([label, keep]) => endToEndSummary(rows.filter(keep), label)),
      ],
    );
  }
  return { rows, text: lines.join('\n'), seed: test.seed };
}

/** Presence right when decided from the first look, the second, or both: on all photos, whole sorobans, the rest. */
function presenceByRule(rows: readonly PhotoResult[]): string {
  const rules: [string, (r: PhotoResult) => number][] = [
    ['first look', (r) => r.presence],
    ['second look', (r) => r.closePresence],
    ['mean', (r) => (r.presence + r.closePresence) / 2],
    ['geometric mean', (r) => Math.sqrt(r.presence * r.closePresence)],
    ['max', (r) => Math.max(r.presence, r.closePresence)],
    ['min', (r) => Math.min(r.presence, r.closePresence)],
  ];
  const right = (keep: (r: PhotoResult) => boolean, p: (r: PhotoResult) => number) =>
    rows.filter((r) => keep(r) && presenceRight(r, p(r))).length;
  const whole = rows.filter((r) => r.present).length;
  return `presence right by rule (all / whole sorobans / no whole soroban): ${rules
    .map(
      ([name, p]) =>
        `${name} ${right(() => true, p)}/${rows.length}, ${right((r) => r.present, p)}/${whole}, ${right((r) => !r.present, p)}/${rows.length - whole}`,
    )
    .join('; ')}`;
}

async function main(args: string[]): Promise<void> {
  const dir = args[0];
  if (dir === undefined)
    throw new Error(
      'usage: evaluate.ts MODEL_DIR [PHOTOS] [--val] [--classifier DIR] [--looks 2|3] [--corner-look-max-share S] [--json OUT]',
    );
  const json = argValue(args, '--json');
  const classifierDir = argValue(args, '--classifier');
  const looks = argValue(args, '--looks');
  const cornerLookMaxShare = positiveNumber(argValue(args, '--corner-look-max-share'), '--corner-look-max-share');
  await tf.setBackend('wasm');
  await tf.ready();
  const evaluation = await evaluateLocalizer({
    dir,
    photos: (args[1]?.startsWith('--') === false ? positiveNumber(args[1], 'PHOTOS') : undefined) ?? 300,
    val: args.includes('--val'),
    ...(classifierDir === undefined ? {} : { classifierDir }),
    ...(looks === undefined ? {} : { cornerLooks: looks === '3' }),
    ...(cornerLookMaxShare === undefined ? {} : { cornerLookMaxShare }),
    onProgress: (done, total) => {
      if (done % 25 === 0) process.stderr.write(`${done}/${total} photos\n`);
    },
  });
  console.log(evaluation.text);
  if (json !== undefined) writeFileSync(json, JSON.stringify(evaluation.rows));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
