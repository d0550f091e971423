/**
 * `doctor --diagnose`: for a model with no contract, or a suspect one, find
 * by measurement what it wants — input range, colour order, resize — on
 * labelled soroban photos; read what it does inside (normalization, heads,
 * quantization); say what a suspect contract gets wrong; and write a sidecar
 * contract that makes it load.
 */
import { classifierDecode } from '../contract/model-kind.ts';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DECODE_RULE, EARTH_CLASSES, type ModelContract } from '../contract/schema.ts';
import { decodeColumns } from '../model/decode.ts';
import { InputError } from '../errors.ts';
import { readContractFile } from '../reference/seal.ts';
import { useNodeBackend } from '../reference/backend.ts';
import { imageTensor, readImage } from '../reference/image.ts';
import { readLabels, type LabelledImage } from '../reference/labels.ts';
import { inspectModel, type ModelInspection } from '../model/inspect.ts';
import { fileModelSource } from '../model/node-file-source.ts';
import { SIDECAR_NAME } from '../model/contract-location.ts';
import type { Problem } from '../model/problems.ts';
import { formatMap, mapRange, type AffineMap } from '../model/topology.ts';
import type { WeightAudit } from '../model/quantization-audit.ts';
import {
  checkBinding,
  identifyHeads,
  measuredOutputs,
  type BindingCheck,
  type HeadIdentification,
  type MeasuredOutput,
} from './heads.ts';
import { feedFor, hypothesesFor, hypothesisLabel, RANGES, type Hypothesis } from './hypotheses.ts';
import { MIN_USEFUL_RANGE_WIDTH } from '../model/check-input.ts';
import { buildRawModel, type RawModel } from './raw-model.ts';
import { contractFromDiagnosis } from './sidecar.ts';

/** Options of {@link diagnoseModel}. */
export interface DiagnoseOptions {
  /** model.json or its directory. */
  readonly model: string;
  /** A directory with the renderer's labels.json. */
  readonly imagesDir: string;
  /** A suspect sidecar contract to judge (default: model.contract.json beside the model, or the embedded one). */
  readonly sidecar?: string | undefined;
  /** Where to write the sidecar contract found (default beside the model; see {@link defaultOutPath}). */
  readonly out?: string | undefined;
  /** Use at most this many labelled images (default all). */
  readonly maxImages?: number;
  readonly progress?: (line: string) => void;
}

/** The measured accuracy of one hypothesis. */
export interface HypothesisScore {
  readonly hypothesis: Hypothesis;
  readonly label: string;
  /** Columns read right / columns. */
  readonly accuracy: number;
  /**
   * Mean −log P(true digit) over the columns: the training objective. A model
   * robust enough to read several ranges right still has its lowest loss on
   * the range it was trained on, so hypotheses are ranked by it.
   */
  readonly loss: number;
  /** log P(true digit) of each column, in label order (for paired comparisons). */
  readonly logLikelihoods: readonly number[];
  /** Whether each column was read right, in label order (for paired comparisons of accuracy). */
  readonly correct: readonly boolean[];
  /** What the first convolution sees for this range, after the model's own normalization. */
  readonly firstConvSees: { readonly min: number; readonly max: number } | undefined;
}

/** What the diagnosis says about a suspect contract. */
export interface SuspectFinding {
  readonly description: string;
  /** The contract's own preprocessing, scored like the hypotheses (undefined when its heads cannot be decoded). */
  readonly accuracy: number | undefined;
  readonly label: string;
  readonly binding: readonly BindingCheck[];
  readonly swapped: boolean;
  /** Problems the loader's inspection finds with this contract. */
  readonly problems: readonly Problem[];
  /** Plain-language findings, most important first. */
  readonly findings: readonly string[];
}

/** Everything a diagnosis found. */
export interface Diagnosis {
  readonly model: string;
  readonly format: string;
  readonly input: { readonly name: string; readonly shape: readonly (number | null)[]; readonly dtype: string };
  readonly normalization: {
    readonly map: AffineMap | undefined;
    readonly steps: readonly string[];
    readonly channelRepeat: number;
    readonly problem: string | undefined;
  };
  readonly outputs: readonly MeasuredOutput[];
  readonly heads: HeadIdentification;
  /** Weights by stored encoding, and the audit of every quantized one (range, worst rounding error, risk). */
  readonly quantization: {
    readonly byStored: Readonly<Record<string, number>>;
    readonly audit: readonly WeightAudit[];
  };
  readonly images: number;
  readonly columns: number;
  /** Best first; empty when the heads are not soroban heads. */
  readonly scores: readonly HypothesisScore[];
  /** Accuracy of always answering the most common digit: what "no better than guessing" means on these labels. */
  readonly chance: number;
  readonly best: HypothesisScore | undefined;
  /** Plain-language conclusions. */
  readonly conclusions: readonly string[];
  readonly suspect: SuspectFinding | undefined;
  readonly written:
    { readonly path: string; readonly loads: boolean; readonly problems: readonly Problem[] } | undefined;
  /** `ok`: a contract was written and loads, and no suspect contract is wrong. */
  readonly verdict: 'ok' | 'problems';
}

/** Where the found contract goes when `--out` is not given: the sidecar name, unless a sidecar already sits there. */
export function defaultOutPath(modelJsonPath: string, sidecarExists: boolean): string {
  return join(dirname(modelJsonPath), sidecarExists ? 'model.contract.diagnosed.json' : SIDECAR_NAME);
}

interface LoadedImage {
  readonly frame: tf.Tensor3D;
  readonly label: LabelledImage;
}

/**
 * Digits read by the product's own decode rule, and each column's probability of its true digit
 * under the heads' outputs; undefined when the outputs are not soroban heads.
 */
function decodeOutputs(
  values: Record<string, { values: Float32Array; units: number }>,
  heaven: string,
  earth: string,
  threshold: number,
  truth: readonly number[],
): { digits: number[]; pTrue: number[] } | undefined {
  const h = values[heaven];
  const e = values[earth];
  if (h === undefined || e === undefined || h.units !== 1 || e.units !== EARTH_CLASSES) return undefined;
  const decode = { rule: DECODE_RULE, heaven, earth, heavenThreshold: threshold } as const;
  const columns = decodeColumns({ [heaven]: h.values, [earth]: e.values }, decode, truth.length);
  const pTrue = columns.map((column, c) => {
    const digit = truth[c] as number;
    return (digit >= 5 ? column.heaven : 1 - column.heaven) * (column.earth[digit % 5] as number);
  });
  return { digits: columns.map((column) => column.digit), pTrue };
}

/** Standard errors (of the sign test) a difference must exceed before one input range counts as better than another. */
export const SIGNIFICANCE = 2;

/**
 * The best hypothesis of every other range/colour that is not significantly
 * worse than the best, by a paired sign test over the same columns: on how
 * many columns does the best give the true digit a higher probability?
 * A sign test, not a t-test on the log-likelihoods: a robust model differs
 * on most columns by a little and on a few by a lot, and those few heavy
 * tails swamp a t-test's standard error.
 */
export function indistinguishable(best: HypothesisScore, scores: readonly HypothesisScore[]): HypothesisScore[] {
  const groups = new Map<string, HypothesisScore>();
  for (const s of scores) {
    const key = `${s.hypothesis.range.name} ${s.hypothesis.colour}`;
    const known = groups.get(key);
    if (known === undefined || s.loss < known.loss) groups.set(key, s);
  }
  groups.delete(`${best.hypothesis.range.name} ${best.hypothesis.colour}`);
  return [...groups.values()].filter((other) => !signTestBetter(best.logLikelihoods, other.logLikelihoods));
}

/** Whether `a` beats `b` on significantly more paired columns than it loses (ties dropped; normal approximation). */
export function signTestBetter(a: readonly number[], b: readonly number[]): boolean {
  let wins = 0;
  let losses = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    // Differences below float32 resolution of a log-probability are ties, not evidence.
    if (d > 1e-6) wins += 1;
    else if (d < -1e-6) losses += 1;
  }
  const decided = wins + losses;
  if (decided === 0) return false;
  return (wins - decided / 2) / Math.sqrt(decided / 4) > SIGNIFICANCE;
}

/** The ranges a network's first layers are trained on: a rescaling layer inside a model maps its input onto one of them. */
const CANONICAL_RANGES = [
  { min: -1, max: 1 },
  { min: 0, max: 1 },
] as const;

/**
 * The one input range the model's own rescaling maps onto a canonical range ([-1,1] or [0,1]),
 * if exactly one does: Keras models put Rescaling(1/255), Rescaling(1/127.5, −1) or
 * Rescaling(2, −1) in front of their layers for exactly that. Undefined when the model does
 * not rescale, or when no range or several fit.
 */
export function structuralRange(map: AffineMap | undefined): (typeof RANGES)[number] | undefined {
  if (map === undefined || (map.scale === 1 && map.offset === 0)) return undefined;
  const fits = RANGES.filter((r) => CANONICAL_RANGES.some((c) => sameRange(mapRange(map, r), c)));
  return fits.length === 1 ? fits[0] : undefined;
}

/**
 * The hypothesis to believe. Loss ranks them, but it is biased towards wider ranges: a model fed
 * more contrast than it was trained on grows its logits, so where it is right it is surer, and a
 * robust model is right almost everywhere. So where the model's own rescaling names one range
 * (see {@link structuralRange}), that range's best hypothesis wins unless another reads
 * significantly more columns right (paired sign test on correctness).
 *
 * @param scores - sorted by loss, best first
 * @returns the chosen score, and a sentence when it is not the lowest loss
 */
export function chooseHypothesis(
  scores: readonly HypothesisScore[],
  map: AffineMap | undefined,
): { best: HypothesisScore | undefined; note: string | undefined } {
  const byLoss = scores[0];
  const implied = structuralRange(map);
  if (byLoss === undefined || implied === undefined || map === undefined || sameRange(byLoss.hypothesis.range, implied))
    return { best: byLoss, note: undefined };
  const structural = scores.find(
    (s) => sameRange(s.hypothesis.range, implied) && s.hypothesis.colour === byLoss.hypothesis.colour,
  );
  if (structural === undefined) return { best: byLoss, note: undefined };
  const asNumbers = (c: readonly boolean[]): number[] => c.map((ok) => (ok ? 1 : 0));
  const why = `the model's rescaling (x ↦ ${formatMap(map)}) maps ${implied.name} onto ${rng(mapRange(map, implied))}, the range its layers are trained on, and ${byLoss.hypothesis.range.name} onto ${rng(mapRange(map, byLoss.hypothesis.range))}`;
  if (signTestBetter(asNumbers(byLoss.correct), asNumbers(structural.correct))) {
    return {
      best: byLoss,
      note: `${byLoss.label} reads significantly more columns right (${pct(byLoss.accuracy)}) than ${structural.label} (${pct(structural.accuracy)}), although ${why}: trust the measurement, and check the trainer's code.`,
    };
  }
  return {
    best: structural,
    note: `Chosen by structure, not by loss: ${byLoss.label} has the lowest loss (${byLoss.loss.toFixed(4)} against ${structural.loss.toFixed(4)}) but reads no more columns right (${pct(byLoss.accuracy)} against ${pct(structural.accuracy)}), and ${why}. More contrast than trained on makes a model surer where it is already right, so loss alone favours wider ranges.`,
  };
}

/** Floor for a probability before its log: one confidently wrong column must not make the loss infinite. */
const MIN_PROBABILITY = 1e-7;

async function score(
  raw: RawModel,
  images: readonly LoadedImage[],
  h: Hypothesis,
  heads: { heaven: string; earth: string; threshold: number },
  size: { height: number; width: number; channels: 1 | 3 },
): Promise<{ accuracy: number; loss: number; logLikelihoods: number[]; correct: boolean[] } | undefined> {
  let right = 0;
  let total = 0;
  const logLikelihoods: number[] = [];
  const correct: boolean[] = [];
  for (const image of images) {
    const batch = feedFor(image.frame, image.label.geometry, h, size);
    let values;
    try {
      values = await raw.run(batch);
    } finally {
      batch.dispose();
    }
    const read = decodeOutputs(values, heads.heaven, heads.earth, heads.threshold, image.label.digits);
    if (read === undefined) return undefined;
    read.digits.forEach((d, i) => correct.push(d === image.label.digits[i]));
    right += read.digits.filter((d, i) => d === image.label.digits[i]).length;
    total += read.digits.length;
    for (const p of read.pTrue) logLikelihoods.push(Math.log(Math.max(p, MIN_PROBABILITY)));
  }
  return total === 0
    ? undefined
    : { accuracy: right / total, loss: -logLikelihoods.reduce((a, b) => a + b, 0) / total, logLikelihoods, correct };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const rng = (r: { min: number; max: number }): string =>
  `[${Number(r.min.toPrecision(4))}, ${Number(r.max.toPrecision(4))}]`;
const sameRange = (a: { min: number; max: number }, b: { min: number; max: number }): boolean =>
  Math.abs(a.min - b.min) < 1e-3 && Math.abs(a.max - b.max) < 1e-3;

/** Plain-language findings about a suspect contract, most important first (exported for tests). */
export function suspectFindings(
  contract: ModelContract,
  accuracy: number | undefined,
  best: HypothesisScore | undefined,
  binding: { checks: BindingCheck[]; swapped: boolean },
  map: AffineMap | undefined,
  problems: readonly Problem[],
): string[] {
  const out: string[] = [];
  if (binding.swapped) {
    const [heaven, earth] = binding.checks as [BindingCheck, BindingCheck];
    out.push(
      `Heads swapped: the contract binds heaven to "${heaven.boundTo?.key ?? '?'}" (${heaven.boundTo?.units ?? '?'} units, ${heaven.boundTo?.activation ?? '?'}) and earth to "${earth.boundTo?.key ?? '?'}" (${earth.boundTo?.units ?? '?'} units, ${earth.boundTo?.activation ?? '?'}); by shape and activation heaven is "${heaven.identified?.key ?? '?'}" and earth is "${earth.identified?.key ?? '?'}". Swap heads[].output.`,
    );
  } else {
    for (const c of binding.checks) {
      if (!c.correct && c.identified !== undefined)
        out.push(
          `The ${c.role} head "${c.head}" is bound to ${c.boundTo === undefined ? 'no model output' : `"${c.boundTo.key}" (${c.boundTo.units} units, ${c.boundTo.activation})`}; the ${c.role} output is "${c.identified.key}".`,
        );
    }
  }
  const range = contract.input.inputRange;
  if (range !== undefined && best !== undefined && !sameRange(range, best.hypothesis.range)) {
    const fedSees = map === undefined ? undefined : mapRange(map, range);
    const bestSees = best.firstConvSees;
    const internal = contract.modelInternals.normalization;
    if (
      map !== undefined &&
      bestSees !== undefined &&
      sameRange(range, bestSees) &&
      !(map.scale === 1 && map.offset === 0)
    ) {
      out.push(
        `Double normalization: the contract feeds ${rng(range)}, which is what the model's first convolution should see — but the model normalizes again inside (x ↦ ${formatMap(map)}), so it sees ${fedSees === undefined ? '?' : rng(fedSees)}. Feed ${best.hypothesis.range.name} and let the model normalize once.`,
      );
    } else if (
      map !== undefined &&
      fedSees !== undefined &&
      bestSees !== undefined &&
      fedSees.max - fedSees.min < (bestSees.max - bestSees.min) / 50
    ) {
      out.push(
        `Double normalization: the contract feeds ${rng(range)} and the model rescales again inside, so its first convolution sees ${rng(fedSees)} — nearly constant. It was trained on ${best.hypothesis.range.name} (first convolution sees ${rng(bestSees)}).`,
      );
    } else {
      out.push(
        `Wrong input range: the contract feeds ${rng(range)}, but the model reads best on ${best.hypothesis.range.name}${fedSees === undefined ? '' : ` (the contract's range reaches the first convolution as ${rng(fedSees)}, the best as ${bestSees === undefined ? '?' : rng(bestSees)})`}.`,
      );
    }
    if (internal.kind === 'none' && map !== undefined && !(map.scale === 1 && map.offset === 0))
      out.push(
        'The contract declares no normalization inside the model (modelInternals.normalization "none"), but the model has one: its author did not know the model rescales.',
      );
  }
  if (accuracy !== undefined && best !== undefined && accuracy < best.accuracy - 0.05)
    out.push(
      `Measured: the contract's preprocessing reads ${pct(accuracy)} of the labelled columns right; the best hypothesis (${best.label}) ${pct(best.accuracy)}.`,
    );
  for (const p of problems.filter((p) => p.severity === 'error'))
    out.push(`The loader refuses it: [${p.code}] ${p.message.split('\n')[0] ?? ''}`);
  return out;
}

/**
 * Diagnoses a model on labelled soroban photos.
 *
 * @throws {InputError} when the images are not a renderer labels directory
 * @throws {LoadError} when the model or its weights cannot be read
 */
export async function diagnoseModel(options: DiagnoseOptions): Promise<Diagnosis> {
  const say = options.progress ?? (() => undefined);
  await useNodeBackend('wasm');
  const source = await fileModelSource(options.model);
  const sidecarText = options.sidecar === undefined ? undefined : await readContractFile(options.sidecar);
  // Inspected twice: without any contract (what the model is), and with the suspect one (what the loader says of it).
  const bare: ModelInspection = await inspectModel(source, { sidecar: 'none', requireWeights: true });
  const judged = await inspectModel(source, {
    sidecar: sidecarText === undefined ? 'auto' : { json: sidecarText, description: options.sidecar ?? '' },
    requireWeights: true,
  });
  const raw = await buildRawModel(bare);
  const labelled = (await readLabels(join(options.imagesDir, 'labels.json'))).slice(
    0,
    options.maxImages ?? Number.POSITIVE_INFINITY,
  );
  if (labelled.length === 0)
    throw new InputError('input/bad-argument', `${options.imagesDir}/labels.json lists no images.`);
  const images: LoadedImage[] = [];
  try {
    for (const label of labelled) images.push({ frame: imageTensor(await readImage(label.path)), label });
    const [, height, width, channels] = raw.input.shape;
    if (
      typeof height !== 'number' ||
      typeof width !== 'number' ||
      (channels !== 1 && channels !== 3) ||
      height < 1 ||
      width < 1
    ) {
      throw new InputError(
        'input/bad-argument',
        `The model's input "${raw.input.name}" has shape ${JSON.stringify(raw.input.shape)}; doctor --diagnose needs [batch, height, width, 1 or 3].`,
      );
    }
    const size = { height, width, channels: channels as 1 | 3 };
    say('running the model once to measure its outputs');
    const probe = feedFor(
      (images[0] as LoadedImage).frame,
      { ...(images[0] as LoadedImage).label.geometry },
      hypothesesFor(size.channels)[0] as Hypothesis,
      size,
    );
    const probed = await raw.run(probe).finally(() => probe.dispose());
    // Units per column come from running the model: a layers model's JSON does not always declare output shapes.
    const outputs = measuredOutputs(
      raw.outputs,
      Object.fromEntries(Object.entries(probed).map(([k, v]) => [k, v.units])),
    );
    const heads = identifyHeads(outputs);
    const map = raw.input.map;
    const columns = labelled.reduce((n, l) => n + l.digits.length, 0);
    const counts = new Map<number, number>();
    for (const l of labelled) for (const d of l.digits) counts.set(d, (counts.get(d) ?? 0) + 1);
    const chance = Math.max(...counts.values()) / columns;
    const scores: HypothesisScore[] = [];
    const conclusions: string[] = [];
    if (heads.heaven !== undefined && heads.earth !== undefined) {
      const all = hypothesesFor(size.channels);
      for (const [i, h] of all.entries()) {
        say(`hypothesis ${i + 1} of ${all.length}: ${hypothesisLabel(h)}`);
        const measured = await score(
          raw,
          images,
          h,
          { heaven: heads.heaven.key, earth: heads.earth.key, threshold: 0.5 },
          size,
        );
        scores.push({
          hypothesis: h,
          label: hypothesisLabel(h),
          accuracy: measured?.accuracy ?? 0,
          loss: measured?.loss ?? Number.POSITIVE_INFINITY,
          logLikelihoods: measured?.logLikelihoods ?? [],
          correct: measured?.correct ?? [],
          firstConvSees: map === undefined ? undefined : mapRange(map, h.range),
        });
      }
      scores.sort((a, b) => a.loss - b.loss || b.accuracy - a.accuracy);
    } else {
      conclusions.push(
        `Not a soroban column classifier: ${heads.notes.join('; ')}. Its accuracy on soroban labels cannot be measured, and the contract format (heaven + earth heads) cannot describe it.`,
      );
    }
    const { best, note: choiceNote } = chooseHypothesis(scores, map);
    if (best !== undefined) {
      if (best.accuracy <= chance + 0.1) {
        conclusions.push(
          `No hypothesis reads clearly better than always answering the most common digit (${pct(chance)}); best ${best.label} ${pct(best.accuracy)}. The weights may be untrained or the heads mean something else: the input range cannot be decided from these images.`,
        );
      } else {
        const ties = indistinguishable(best, scores);
        conclusions.push(
          `Best: ${best.label} (loss ${best.loss.toFixed(4)}, ${pct(best.accuracy)} of ${columns} columns right).`,
        );
        if (choiceNote !== undefined) conclusions.push(choiceNote);
        if (ties.length === 0)
          conclusions.push(
            `The model wants ${best.hypothesis.range.name} ${best.hypothesis.colour}: on significantly more columns (sign test, > ${SIGNIFICANCE} standard errors) it gives the true digit a higher probability than every other range/colour does.`,
          );
        else
          conclusions.push(
            `On these images ${best.hypothesis.range.name} ${best.hypothesis.colour} cannot be told apart from ${ties.map((t) => `${t.label} (loss ${t.loss.toFixed(4)}, ${pct(t.accuracy)})`).join(', ')}: per column, neither gives the true digit a higher probability significantly more often (sign test, ${SIGNIFICANCE} standard errors). The model is robust to that change on these photos; give harder or more photos to decide.`,
          );
      }
    }
    if (map === undefined)
      conclusions.push(`The normalization inside the model could not be read: ${raw.input.problem ?? 'unknown'}.`);
    else if (map.scale === 1 && map.offset === 0)
      conclusions.push(
        "The model does not rescale its input: whatever range it was trained on must be applied before it (by the contract). Nothing in the file says which; only measurement or the trainer's code can.",
      );
    else {
      // Structure alone already rules out some ranges: fed through the model's own map they reach the first convolution nearly constant.
      const collapsed = RANGES.filter((r) => {
        const seen = mapRange(map, r);
        return seen.max - seen.min < MIN_USEFUL_RANGE_WIDTH;
      });
      conclusions.push(
        `The model rescales inside (x ↦ ${formatMap(map)}): a pipeline that also normalizes outside does it twice. ${RANGES.map((r) => `fed ${r.name}, its first convolution sees ${rng(mapRange(map, r))}`).join('; ')}.` +
          (collapsed.length === 0
            ? ''
            : ` ${collapsed.map((r) => r.name).join(' and ')} would reach it nearly constant (double normalization), whatever the weights: from the structure alone the model expects ${RANGES.filter(
                (r) => !collapsed.includes(r),
              )
                .map((r) => r.name)
                .join(' or ')}.`),
      );
    }

    let suspect: SuspectFinding | undefined;
    const contract = judged.contract;
    if (contract !== undefined || judged.contractOrigin !== undefined) {
      const description = judged.contractDescription ?? options.sidecar ?? 'the contract';
      let accuracy: number | undefined;
      let binding: { checks: BindingCheck[]; swapped: boolean } = { checks: [], swapped: false };
      let label = '(contract invalid)';
      if (contract !== undefined) {
        binding = checkBinding(contract, outputs, heads);
        const range = contract.input.inputRange;
        if (range !== undefined) {
          const h: Hypothesis = {
            range: { name: rng(range), min: range.min, max: range.max },
            colour: 'grey',
            resize: contract.input.resize.method,
            prefilter: contract.input.resize.prefilter,
          };
          label = hypothesisLabel(h);
          const outputOf = (role: 'heaven' | 'earth'): string =>
            binding.checks.find((c) => c.role === role)?.boundTo?.key ?? '';
          accuracy =
            contract.input.channels === size.channels
              ? (
                  await score(
                    raw,
                    images,
                    h,
                    {
                      heaven: outputOf('heaven'),
                      earth: outputOf('earth'),
                      threshold: classifierDecode(contract).heavenThreshold,
                    },
                    size,
                  )
                )?.accuracy
              : undefined;
        }
      }
      const findings =
        contract === undefined
          ? judged.problems
              .filter((p) => p.code.startsWith('contract/'))
              .map((p) => `[${p.code}] ${p.message.split('\n')[0] ?? ''}`)
          : suspectFindings(contract, accuracy, best, binding, map, judged.problems);
      if (contract !== undefined && accuracy === undefined && !binding.swapped)
        findings.push('Its heads cannot be decoded as heaven (1 unit) and earth (5 units) with the outputs it names.');
      suspect = {
        description,
        accuracy,
        label,
        binding: binding.checks,
        swapped: binding.swapped,
        problems: judged.problems,
        findings,
      };
    }

    let written: Diagnosis['written'];
    if (best !== undefined && best.accuracy > chance + 0.1 && heads.heaven !== undefined && heads.earth !== undefined) {
      if (best.hypothesis.colour !== 'grey') {
        conclusions.push(
          `The model wants ${best.hypothesis.colour.toUpperCase()} colour; the contract format feeds grey only, so no contract is written.`,
        );
      } else {
        const written0 = await contractFromDiagnosis({
          inspection: bare,
          raw,
          best: best.hypothesis,
          heaven: heads.heaven,
          earth: heads.earth,
          images: images.slice(0, 2).map((i) => ({ frame: i.frame, geometry: i.label.geometry })),
          size,
          accuracy: best.accuracy,
          columns,
        });
        const path =
          options.out ??
          defaultOutPath(source.description, (await source.readOptionalText(SIDECAR_NAME)) !== undefined);
        await writeFile(path, `${JSON.stringify(written0, null, 2)}\n`);
        const check = await inspectModel(source, {
          sidecar: { json: written0, description: path },
          requireWeights: true,
        });
        const errors = check.problems.filter((p) => p.severity === 'error');
        written = { path, loads: errors.length === 0, problems: check.problems };
      }
    }
    const suspectWrong = suspect !== undefined && suspect.findings.length > 0;
    return {
      model: source.description,
      format: bare.model.format,
      input: { name: raw.input.name, shape: raw.input.shape, dtype: raw.input.dtype },
      normalization: {
        map,
        steps: raw.input.steps.map((s) => `${s.op} ${s.name}: ${s.note}`),
        channelRepeat: raw.input.channelRepeat,
        problem: raw.input.problem,
      },
      outputs,
      heads,
      quantization: {
        byStored: bare.weights.reduce<Record<string, number>>(
          (acc, w) => ({ ...acc, [w.stored]: (acc[w.stored] ?? 0) + 1 }),
          {},
        ),
        audit: bare.audit,
      },
      images: images.length,
      columns,
      scores,
      chance,
      best,
      conclusions,
      suspect,
      written,
      verdict: written?.loads === true && !suspectWrong ? 'ok' : 'problems',
    };
  } finally {
    for (const image of images) image.frame.dispose();
    raw.dispose();
  }
}
