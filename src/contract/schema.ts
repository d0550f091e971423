/**
 * The model contract: what a column-classifier model expects as input, what it
 * already does inside, which outputs are which head, how heads decode to a
 * digit, golden inputs, weight integrity and quantization. It travels inside
 * `model.json` (`userDefinedMetadata.contract`) or beside it as
 * `model.contract.json`.
 *
 * The zod schema below is the single source: the TypeScript type, the runtime
 * validator and `models/contract.schema.json` are all derived from it.
 */
import * as z from 'zod';
import { GreyFormula, Prefilter, ResizeMethod } from '../preprocess/types.ts';
import type { ErrorCode } from '../errors.ts';

/** The contract schema version this code reads and writes. */
export const CONTRACT_SCHEMA_VERSION = 1;

/** The only decode rule a soroban column has: one heaven bead worth 5, four earth beads worth 1 each. */
export const DECODE_RULE = 'digit = 5 * heaven + earth';

/** Number of classes of the earth head: 0 to 4 earth beads pushed. */
export const EARTH_CLASSES = 5;

/**
 * The decode rule of a localizer: its heads give the bead area's corners in the window it read, whether a whole
 * soroban is in that window, and the soroban's column count.
 */
export const LOCATE_RULE = 'bead-area corners, presence, column count';

/** Values of the corners head: topLeft, topRight, bottomRight, bottomLeft, (x, y) each. */
export const CORNER_VALUES = 8;

/** Classes of a localizer's count head: counts 1..21, the range its training photos have (src/localize/limits.ts). */
export const LOCATE_COUNT_CLASSES = 21;

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const dimension = z.number().int().min(1).max(4096);

/**
 * The most pixels one column's input may have (256 x 256, or any other shape of that area). Warm-up and every
 * batch allocate columns x height x width x channels floats; with the element's 64 columns at most, this keeps a
 * batch under 50 MB, where the per-side limit alone would let a contract ask for 12 GB.
 */
export const MAX_INPUT_PIXELS = 256 * 256;
const nameString = z.string().min(1);

/** Contract codes raised by the schema's cross-field checks (see {@link validateContract} in `validate.ts`). */
export const ContractRuleCode = {
  duplicateHead: 'contract/duplicate-head',
  duplicateHeadOutput: 'contract/duplicate-head-output',
  inputShapeMismatch: 'contract/input-shape-mismatch',
  inputTooLarge: 'contract/out-of-range',
  emptyInputRange: 'contract/empty-input-range',
  decodeUnknownHead: 'contract/decode-unknown-head',
  decodeHeadMismatch: 'contract/decode-head-mismatch',
  softmaxSingleUnit: 'contract/softmax-single-unit',
  goldenUnknownHead: 'contract/golden-unknown-head',
  goldenMissingHead: 'contract/golden-missing-head',
  goldenOutputSize: 'contract/golden-output-size',
  goldenInputSize: 'contract/golden-input-size',
} as const satisfies Record<string, ErrorCode>;
export type ContractRuleCode = (typeof ContractRuleCode)[keyof typeof ContractRuleCode];

const affineFields = {
  scale: finite.describe('Multiplier: the layer computes x * scale + offset.'),
  offset: finite.describe('Added after scaling: the layer computes x * scale + offset.'),
};

const inputSchema = z
  .strictObject({
    name: nameString.describe(
      'The model input: the signature input key for a graph model (e.g. "input_layer"), the input layer name for a layers model.',
    ),
    height: dimension.describe('Input height in pixels (the model input tensor is [batch, height, width, channels]).'),
    width: dimension.describe('Input width in pixels.'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .describe('Input channels: 1 = grey; 3 = the grey image repeated into three channels.'),
    shape: z
      .array(z.union([z.null(), z.literal(-1), dimension]))
      .length(4)
      .optional()
      .describe(
        'Optional copy of the input tensor shape [batch, height, width, channels] as the model declares it (batch null or -1); when given it must agree with height, width and channels.',
      ),
    dtype: z
      .enum(['float32', 'int32'])
      .describe('Data type of the input tensor. A float32 model must state its inputRange.'),
    grey: z.enum(GreyFormula).describe('Colour to grey formula applied to R, G, B before anything else.'),
    resize: z
      .strictObject({
        method: z
          .enum(ResizeMethod)
          .describe(
            'Sampling of each output pixel (pixel centres at +1/2, as src/preprocess does it): bilinear blends 4 neighbours, nearest takes the containing pixel.',
          ),
        prefilter: z
          .enum(Prefilter)
          .describe(
            'Anti-alias pre-filter before sampling: box averages f x f blocks (f = integer downscale factor), none samples the grey frame directly.',
          ),
      })
      .describe('How each column box is resampled to height x width (the shared preprocessing module).'),
    inputRange: z
      .strictObject({
        min: finite.describe('Value fed for a black pixel (p = 0).'),
        max: finite.describe('Value fed for a white pixel (p = 255).'),
      })
      .optional()
      .describe(
        'The value range the model input tensor expects: pixel p in [0, 255] is fed as min + (max - min) * p / 255. For a model with Rescaling(1/255) inside, this is {min: 0, max: 255}. Required for a float32 input.',
      ),
  })
  .describe('The model input and how a frame is turned into it.');

const normalizationSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('none').describe('The model applies no rescaling before its first convolution.'),
    }),
    z.strictObject({
      kind: z
        .literal('affine')
        .describe(
          'The model rescales its input itself (Keras Rescaling / Normalization, or the equivalent graph ops).',
        ),
      ...affineFields,
    }),
  ])
  .describe(
    'The affine map the model applies itself between its input and its first convolution, as the topology inspection must find it.',
  );

const headSchema = z.strictObject({
  name: nameString.describe('The head name used by decode and golden (e.g. "heaven", "earth").'),
  output: nameString.describe(
    'Where the head comes out: the output layer name (layers model) or the signature output key (graph model).',
  ),
  shape: z
    .array(z.union([z.null(), z.literal(-1), dimension]))
    .min(2)
    .describe('Output shape with the batch first as null or -1, e.g. [null, 1].'),
  activation: z
    .enum(['sigmoid', 'softmax', 'linear'])
    .describe('The last activation of the head (linear: none, e.g. coordinates a localizer regresses).'),
  meaning: z.string().describe('What the head says, for people reading the contract.'),
});

const pointSchema = z.strictObject({
  x: finite.describe('Normalized x (0 = left edge, 1 = right edge).'),
  y: finite.describe('Normalized y (0 = top, 1 = bottom).'),
});
const quadSchema = z.strictObject({
  topLeft: pointSchema,
  topRight: pointSchema,
  bottomRight: pointSchema,
  bottomLeft: pointSchema,
});

const goldenInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('float32-base64').describe('A model input tensor [height, width, channels] already preprocessed.'),
    data: z
      .base64()
      .describe('Little-endian float32 values of the model input tensor, base64; height * width * channels values.'),
  }),
  z.strictObject({
    kind: z
      .literal('png')
      .describe(
        'An image preprocessed by the contract: one column (the whole image), or a whole photo when `photo` is given.',
      ),
    path: nameString.describe('PNG file path relative to model.json.'),
    photo: z
      .strictObject({
        columns: dimension.describe('Columns in the bead area.'),
        corners: quadSchema.describe('The bead area, corners normalized to the image; no margins.'),
      })
      .optional()
      .describe(
        'The PNG is a whole photo: cut into `columns` columns inside `corners`. Resampling a large frame is where backends drift most (half-float WebGL), which single-column cases miss. Expected values are per column, concatenated left to right.',
      ),
  }),
]);

const goldenSchema = z
  .strictObject({
    tolerance: z
      .number()
      .min(0)
      .describe('Largest allowed absolute difference between an expected and a computed output value.'),
    cases: z
      .array(
        z.strictObject({
          name: nameString.optional().describe('Name of the golden case.'),
          input: goldenInputSchema.describe('The golden input.'),
          expected: z
            .record(nameString, z.array(finite))
            .describe(
              'Expected output values per head name (one value per output unit; per column and unit for a photo case).',
            ),
        }),
      )
      .min(1)
      .describe('Golden cases.'),
  })
  .describe('Golden inputs with the outputs the model must produce on any backend.');

const integritySchema = z
  .strictObject({
    algorithm: z.literal('sha256').describe('Hash algorithm; only sha256.'),
    shards: z
      .record(nameString, z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' }))
      .describe('sha256 (lowercase hex) of each weight shard, keyed by its path as listed in weightsManifest.'),
  })
  .describe('Hashes checked before the weights are used.');

const quantizationSchema = z
  .record(
    nameString,
    z.strictObject({
      dtype: z.enum(['float32', 'float16', 'uint16', 'uint8']).describe('Stored encoding of the weight.'),
      agreement: z
        .strictObject({
          metric: z.enum(['max-abs-output-diff', 'argmax-agreement']).describe('What was measured against float32.'),
          value: z.number().min(0).describe('The measured value.'),
          measuredOn: z.string().optional().describe('The data the agreement was measured on.'),
        })
        .optional()
        .describe('Measured agreement of the model with this weight so encoded versus float32.'),
    }),
  )
  .optional()
  .describe('Encoding of each weight (by manifest name) with its measured agreement.');

const provenanceSchema = z
  .strictObject({
    trainedBy: z.string().optional().describe('Tool or script that trained the model.'),
    trainedAt: z.string().optional().describe('ISO 8601 time of training.'),
    commit: z.string().optional().describe('Source commit.'),
    dataset: z.string().optional().describe('What the model was trained on.'),
    notes: z.string().optional().describe('Anything else.'),
  })
  .optional()
  .describe('Where the model came from.');

const classifierDecodeSchema = z
  .strictObject({
    rule: z.literal(DECODE_RULE).describe(`A column classifier: "${DECODE_RULE}".`),
    heaven: nameString.describe('Name of the heaven head (sigmoid, [batch, 1]).'),
    earth: nameString.describe(`Name of the earth head (softmax, [batch, ${EARTH_CLASSES}]).`),
    readable: nameString
      .optional()
      .describe(
        "Name of the readable head (sigmoid, [batch, 1]): the probability that the crop shows one whole, visible column. When given, a column's confidence is multiplied by it, so a hand, the picture edge or a misplaced quad gives a low confidence instead of a confident wrong digit.",
      ),
    heavenThreshold: z
      .number()
      .gt(0)
      .lt(1)
      .describe('The heaven bead counts as down (worth 5) when its probability is at least this.'),
  })
  .describe('How the heads decode to a digit.');

const locateDecodeSchema = z
  .strictObject({
    rule: z.literal(LOCATE_RULE).describe(`A localizer: "${LOCATE_RULE}".`),
    corners: nameString.describe(
      `Name of the corners head (linear, [batch, ${CORNER_VALUES}]): topLeft, topRight, bottomRight, bottomLeft of the bead area as (x, y), normalized to the window the input was cut from (0..1 inside it).`,
    ),
    presence: nameString.describe(
      'Name of the presence head (sigmoid, [batch, 1]): the probability that a whole soroban is in the window.',
    ),
    count: nameString.describe(
      `Name of the count head (softmax, [batch, ${LOCATE_COUNT_CLASSES}]): the probability of each column count 1..${LOCATE_COUNT_CLASSES} (index n - 1).`,
    ),
    presenceThreshold: z
      .number()
      .gt(0)
      .lt(1)
      .describe('A soroban counts as found when the presence probability is at least this.'),
  })
  .describe("How a localizer's heads are read.");

const contractObject = z.strictObject({
  $schema: z.string().optional().describe('Optional reference to contract.schema.json, for editors.'),
  schemaVersion: z.literal(CONTRACT_SCHEMA_VERSION).describe('Contract schema version; this code reads version 1.'),
  input: inputSchema,
  modelInternals: z
    .strictObject({ normalization: normalizationSchema })
    .describe('What the model does to its input itself, declared so the loader can compare it with the topology.'),
  heads: z.array(headSchema).min(1).describe('The output heads, bound by name and shape, never by index.'),
  decode: z
    .discriminatedUnion('rule', [classifierDecodeSchema, locateDecodeSchema])
    .describe('How the heads decode: to a digit (a column classifier) or to where the soroban is (a localizer).'),
  golden: goldenSchema.optional(),
  integrity: integritySchema.optional(),
  quantization: quantizationSchema,
  provenance: provenanceSchema,
});

type ContractShape = z.infer<typeof contractObject>;
type Issue = { code: ContractRuleCode; path: (string | number)[]; message: string };

function unitsOf(shape: readonly (number | null)[]): number {
  return shape.slice(1).reduce<number>((n, d) => n * (d === null || d < 0 ? Number.NaN : d), 1);
}

/** Cross-field checks: each returns the contradictions it finds, with the code and field path to report. */
function contradictions(c: ContractShape): Issue[] {
  const issues: Issue[] = [];
  const { input } = c;
  if (input.shape !== undefined) {
    const [, h, w, ch] = input.shape;
    if (h !== input.height || w !== input.width || ch !== input.channels) {
      issues.push({
        code: ContractRuleCode.inputShapeMismatch,
        path: ['input', 'shape'],
        message: `input.shape ${JSON.stringify(input.shape)} disagrees with height ${input.height}, width ${input.width}, channels ${input.channels}; make them agree (shape is [batch, height, width, channels]) or drop input.shape`,
      });
    }
  }
  if (input.height * input.width > MAX_INPUT_PIXELS) {
    issues.push({
      code: ContractRuleCode.inputTooLarge,
      path: ['input', 'height'],
      message: `input is ${input.height} x ${input.width} = ${input.height * input.width} pixels per column, more than the ${MAX_INPUT_PIXELS} a column may have; a column classifier needs no larger input`,
    });
  }
  if (input.inputRange !== undefined && !(input.inputRange.min < input.inputRange.max)) {
    issues.push({
      code: ContractRuleCode.emptyInputRange,
      path: ['input', 'inputRange'],
      message: `input.inputRange has min ${input.inputRange.min} not below max ${input.inputRange.max}; black (min) must map below white (max)`,
    });
  }
  const byName = new Map<string, (typeof c.heads)[number]>();
  const byOutput = new Map<string, string>();
  c.heads.forEach((head, i) => {
    if (byName.has(head.name)) {
      issues.push({
        code: ContractRuleCode.duplicateHead,
        path: ['heads', i, 'name'],
        message: `two heads are named "${head.name}"; give each head its own name`,
      });
    }
    byName.set(head.name, head);
    const other = byOutput.get(head.output);
    if (other !== undefined) {
      issues.push({
        code: ContractRuleCode.duplicateHeadOutput,
        path: ['heads', i, 'output'],
        message: `heads "${other}" and "${head.name}" are both bound to output "${head.output}"; bind each head to its own output`,
      });
    }
    byOutput.set(head.output, head.name);
    if (head.activation === 'softmax' && head.shape[head.shape.length - 1] === 1) {
      issues.push({
        code: ContractRuleCode.softmaxSingleUnit,
        path: ['heads', i, 'shape'],
        message: `head "${head.name}" is softmax over a single unit, which always outputs 1; a single-unit head is sigmoid`,
      });
    }
  });
  const decode = c.decode;
  const wanted: readonly (readonly [string, string | undefined, 'sigmoid' | 'softmax' | 'linear', number])[] =
    decode.rule === DECODE_RULE
      ? [
          ['heaven', decode.heaven, 'sigmoid', 1],
          ['earth', decode.earth, 'softmax', EARTH_CLASSES],
          ['readable', decode.readable, 'sigmoid', 1],
        ]
      : [
          ['corners', decode.corners, 'linear', CORNER_VALUES],
          ['presence', decode.presence, 'sigmoid', 1],
          ['count', decode.count, 'softmax', LOCATE_COUNT_CLASSES],
        ];
  for (const [role, headName, activation, units] of wanted) {
    if (headName === undefined) continue;
    const head = byName.get(headName);
    if (head === undefined) {
      issues.push({
        code: ContractRuleCode.decodeUnknownHead,
        path: ['decode', role],
        message: `decode.${role} names head "${headName}", but heads has only ${[...byName.keys()].map((n) => `"${n}"`).join(', ')}; name one of them`,
      });
    } else if (head.activation !== activation || head.shape.length !== 2 || head.shape[1] !== units) {
      issues.push({
        code: ContractRuleCode.decodeHeadMismatch,
        path: ['decode', role],
        message: `decode.${role} names head "${headName}" (${head.activation}, shape ${JSON.stringify(head.shape)}), but the ${role} head must be ${activation} with shape [null, ${units}]`,
      });
    }
  }
  if (c.golden !== undefined) {
    const inputValues = input.height * input.width * input.channels;
    c.golden.cases.forEach((goldenCase, i) => {
      if (goldenCase.input.kind === 'float32-base64') {
        const bytes = base64ByteLength(goldenCase.input.data);
        if (bytes !== inputValues * 4) {
          issues.push({
            code: ContractRuleCode.goldenInputSize,
            path: ['golden', 'cases', i, 'input', 'data'],
            message: `golden case ${i} input holds ${bytes} bytes, but a ${input.height}x${input.width}x${input.channels} float32 input is ${inputValues * 4} bytes`,
          });
        }
      }
      const rows = goldenCase.input.kind === 'png' ? (goldenCase.input.photo?.columns ?? 1) : 1;
      for (const [headName, values] of Object.entries(goldenCase.expected)) {
        const head = byName.get(headName);
        if (head === undefined) {
          issues.push({
            code: ContractRuleCode.goldenUnknownHead,
            path: ['golden', 'cases', i, 'expected', headName],
            message: `golden case ${i} expects values for head "${headName}", which is not in heads; use a head name`,
          });
        } else if (values.length !== rows * unitsOf(head.shape)) {
          issues.push({
            code: ContractRuleCode.goldenOutputSize,
            path: ['golden', 'cases', i, 'expected', headName],
            message: `golden case ${i} gives ${values.length} values for head "${headName}", whose shape ${JSON.stringify(head.shape)} has ${unitsOf(head.shape)} per input${rows > 1 ? `, × ${rows} columns of the photo` : ''}`,
          });
        }
      }
      for (const headName of byName.keys()) {
        if (!(headName in goldenCase.expected)) {
          issues.push({
            code: ContractRuleCode.goldenMissingHead,
            path: ['golden', 'cases', i, 'expected'],
            message: `golden case ${i} has no expected values for head "${headName}"; every head needs them`,
          });
        }
      }
    });
  }
  return issues;
}

function base64ByteLength(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

/** The zod schema of a model contract, with every cross-field check. */
export const modelContractSchema = contractObject.superRefine((contract, ctx) => {
  for (const issue of contradictions(contract)) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, params: { code: issue.code } });
  }
});

/** A validated model contract. */
export type ModelContract = z.infer<typeof modelContractSchema>;
/** One output head of a {@link ModelContract}. */
export type HeadContract = ModelContract['heads'][number];
/** The decode section of a column classifier. */
export type ClassifierDecode = Extract<ModelContract['decode'], { rule: typeof DECODE_RULE }>;
/** The decode section of a localizer. */
export type LocateDecode = Extract<ModelContract['decode'], { rule: typeof LOCATE_RULE }>;
/** One golden case of a {@link ModelContract}. */
export type GoldenCase = NonNullable<ModelContract['golden']>['cases'][number];

/** The input of a PNG golden case (one column, or a whole photo). */
export type PngGoldenCaseInput = Extract<GoldenCase['input'], { kind: 'png' }>;
