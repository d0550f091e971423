/**
 * The contract a diagnosis writes: the measured best input, the model's own
 * normalization as found in its topology, heads bound by name to the outputs
 * identified by shape and activation, golden cases computed here, shard
 * hashes and each weight's stored encoding.
 */
import * as tf from '@tensorflow/tfjs';
import { CONTRACT_SCHEMA_VERSION, DECODE_RULE } from '../contract/schema.ts';
import { float32ToBase64 } from '../model/golden.ts';
import type { ModelInspection } from '../model/inspect.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import type { MeasuredOutput } from './heads.ts';
import { feedFor, hypothesisLabel, type Hypothesis } from './hypotheses.ts';
import type { RawModel } from './raw-model.ts';

/** Golden tolerance written into diagnosed contracts: the shipped model's, which every backend but forced half floats meets. */
export const DIAGNOSED_GOLDEN_TOLERANCE = 2e-3;
/** Golden cases written: enough columns to catch a backend's drift, few enough to keep the contract small. */
const GOLDEN_COLUMNS = 3;
/** Encodings the contract's quantization section can name. */
const ENCODINGS: ReadonlySet<string> = new Set(['float32', 'float16', 'uint16', 'uint8']);

/** What {@link contractFromDiagnosis} needs. */
export interface ContractInputs {
  readonly inspection: ModelInspection;
  readonly raw: RawModel;
  readonly best: Hypothesis;
  readonly heaven: MeasuredOutput;
  readonly earth: MeasuredOutput;
  /** Labelled frames to take golden columns from. */
  readonly images: readonly { readonly frame: tf.Tensor3D; readonly geometry: ColumnGeometry }[];
  readonly size: { readonly height: number; readonly width: number; readonly channels: 1 | 3 };
  readonly accuracy: number;
  readonly columns: number;
}

function headShape(output: MeasuredOutput): (number | null)[] {
  return output.shape.length === 2 ? [...output.shape] : [null, output.units];
}

/** Builds the contract JSON (validated by the caller through `inspectModel`). */
export async function contractFromDiagnosis(inputs: ContractInputs): Promise<Record<string, unknown>> {
  const { inspection, raw, best, heaven, earth, size } = inputs;
  const map = raw.input.map;
  const golden: {
    name: string;
    input: { kind: 'float32-base64'; data: string };
    expected: Record<string, number[]>;
  }[] = [];
  for (const [i, image] of inputs.images.entries()) {
    if (golden.length >= GOLDEN_COLUMNS) break;
    const batch = feedFor(image.frame, image.geometry, best, size);
    try {
      for (let c = 0; c < batch.shape[0] && golden.length < GOLDEN_COLUMNS; c++) {
        const column = tf.slice(batch, [c, 0, 0, 0], [1, size.height, size.width, size.channels]);
        try {
          const values = await raw.run(column);
          golden.push({
            name: `labelled image ${i + 1}, column ${c + 1}`,
            input: { kind: 'float32-base64', data: float32ToBase64((await column.data()) as Float32Array) },
            expected: {
              heaven: Array.from(values[heaven.key]?.values ?? []),
              earth: Array.from(values[earth.key]?.values ?? []),
            },
          });
        } finally {
          column.dispose();
        }
      }
    } finally {
      batch.dispose();
    }
  }
  const shards = Object.fromEntries(
    inspection.shards.flatMap((s) => (s.sha256 === undefined ? [] : [[s.path, s.sha256]])),
  );
  return {
    schemaVersion: CONTRACT_SCHEMA_VERSION,
    input: {
      name: raw.input.name,
      height: size.height,
      width: size.width,
      channels: size.channels,
      dtype: raw.input.dtype === 'int32' ? 'int32' : 'float32',
      grey: 'bt601',
      resize: { method: best.resize, prefilter: best.prefilter },
      inputRange: { min: best.range.min, max: best.range.max },
    },
    modelInternals: {
      normalization:
        map === undefined || (map.scale === 1 && map.offset === 0)
          ? { kind: 'none' }
          : { kind: 'affine', scale: map.scale, offset: map.offset },
    },
    heads: [
      {
        name: 'heaven',
        output: heaven.key,
        shape: headShape(heaven),
        activation: 'sigmoid',
        meaning:
          'Probability that the heaven bead (worth 5) is down; identified by doctor --diagnose from its shape and activation.',
      },
      {
        name: 'earth',
        output: earth.key,
        shape: headShape(earth),
        activation: 'softmax',
        meaning: 'Probabilities of 0-4 earth beads up; identified by doctor --diagnose from its shape and activation.',
      },
    ],
    decode: { rule: DECODE_RULE, heaven: 'heaven', earth: 'earth', heavenThreshold: 0.5 },
    golden: { tolerance: DIAGNOSED_GOLDEN_TOLERANCE, cases: golden },
    integrity: { algorithm: 'sha256', shards },
    // int32 constants (a graph's axes and paddings) are not weights the contract's encodings describe.
    quantization: Object.fromEntries(
      inspection.weights.filter((w) => ENCODINGS.has(w.stored)).map((w) => [w.name, { dtype: w.stored }]),
    ),
    provenance: {
      trainedBy: 'unknown (contract written by column-classifier doctor --diagnose)',
      notes: `Measured on ${inputs.columns} labelled columns: best input ${hypothesisLabel(best)} read ${(inputs.accuracy * 100).toFixed(1)} % right. Check against how the model was trained before relying on it.`,
    },
  };
}
