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
import * as z from 'zod/mini';
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

const finite = z.number().check(z.refine(Number.isFinite, { message: 'must be a finite number' }));
const dimension = z.int().check(z.minimum(1), z.maximum(4096));

/** `schema` with a description: in the JSON Schema, and in the message of an error about the field. */
function described<T extends z.ZodMiniType>(schema: T, text: string): T {
  return schema.check(z.describe(text));
}

/**
 * The most pixels one column's input may have (256 x 256, or any other shape of that area). Warm-up and every
 * batch allocate columns x height x width x channels floats; with the element's 64 columns at most, this keeps a
 * batch under 50 MB, where the per-side limit alone would let a contract ask for 12 GB.
 */
export const MAX_INPUT_PIXELS = 256 * 256;
const nameString = z.string().check(z.minLength(1));

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
  scale: described(finite, 'Multiplier: the layer computes x * scale + offset.'),
  offset: described(finite, 'Added after scaling: the layer computes x * scale + offset.'),
};

const inputSchema = described(
  z.strictObject({
    name: described(
      nameString,
      'The model input: the signature input key for a graph model (e.g. "input_layer"), the input layer name for a layers model.',
    ),
    height: described(
      dimension,
      'Input height in pixels (the model input tensor is [batch, height, width, channels]).',
    ),
    width: described(dimension, 'Input width in pixels.'),
    channels: described(
      z.union([z.literal(1), z.literal(3)]),
      'Input channels: 1 = grey; 3 = the grey image repeated into three channels.',
    ),
    shape: described(
      z.optional(z.array(z.union([z.null(), z.literal(-1), dimension])).check(z.length(4))),
      'Optional copy of the input tensor shape [batch, height, width, channels] as the model declares it (batch null or -1); when given it must agree with height, width and channels.',
    ),
    dtype: described(
      z.enum(['float32', 'int32']),
      'Data type of the input tensor. A float32 model must state its inputRange.',
    ),
    grey: described(z.enum(GreyFormula), 'Colour to grey formula applied to R, G, B before anything else.'),
    resize: described(
      z.strictObject({
        method: described(
          z.enum(ResizeMethod),
          'Sampling of each output pixel (pixel centres at +1/2, as src/preprocess does it): bilinear blends 4 neighbours, nearest takes the containing pixel.',
        ),
        prefilter: described(
          z.enum(Prefilter),
          'Anti-alias pre-filter before sampling: box averages f x f blocks (f = integer downscale factor), none samples the grey frame directly.',
        ),
      }),
      'How each column box is resampled to height x width (the shared preprocessing module).',
    ),
    inputRange: described(
      z.optional(
        z.strictObject({
          min: described(finite, 'Value fed for a black pixel (p = 0).'),
          max: described(finite, 'Value fed for a white pixel (p = 255).'),
        }),
      ),
      'The value range the model input tensor expects: pixel p in [0, 255] is fed as min + (max - min) * p / 255. For a model with Rescaling(1/255) inside, this is {min: 0, max: 255}. Required for a float32 input.',
    ),
  }),
  'The model input and how a frame is turned into it.',
);

const normalizationSchema = described(
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: described(z.literal('none'), 'The model applies no rescaling before its first convolution.'),
    }),
    z.strictObject({
      kind: described(
        z.literal('affine'),
        'The model rescales its input itself (Keras Rescaling / Normalization, or the equivalent graph ops).',
      ),
      ...affineFields,
    }),
  ]),
  'The affine map the model applies itself between its input and its first convolution, as the topology inspection must find it.',
);

const headSchema = z.strictObject({
  name: described(nameString, 'The head name used by decode and golden (e.g. "heaven", "earth").'),
  output: described(
    nameString,
    'Where the head comes out: the output layer name (layers model) or the signature output key (graph model).',
  ),
  shape: described(
    z.array(z.union([z.null(), z.literal(-1), dimension])).check(z.minLength(2)),
    'Output shape with the batch first as null or -1, e.g. [null, 1].',
  ),
  activation: described(
    z.enum(['sigmoid', 'softmax', 'linear']),
    'The last activation of the head (linear: none, e.g. coordinates a localizer regresses).',
  ),
  meaning: described(z.string(), 'What the head says, for people reading the contract.'),
});

const pointSchema = z.strictObject({
  x: described(finite, 'Normalized x (0 = left edge, 1 = right edge).'),
  y: described(finite, 'Normalized y (0 = top, 1 = bottom).'),
});
const quadSchema = z.strictObject({
  topLeft: pointSchema,
  topRight: pointSchema,
  bottomRight: pointSchema,
  bottomLeft: pointSchema,
});

const goldenInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: described(
      z.literal('float32-base64'),
      'A model input tensor [height, width, channels] already preprocessed.',
    ),
    data: described(
      z.base64(),
      'Little-endian float32 values of the model input tensor, base64; height * width * channels values.',
    ),
  }),
  z.strictObject({
    kind: described(
      z.literal('png'),
      'An image preprocessed by the contract: one column (the whole image), or a whole photo when `photo` is given.',
    ),
    path: described(nameString, 'PNG file path relative to model.json.'),
    photo: described(
      z.optional(
        z.strictObject({
          columns: described(dimension, 'Columns in the bead area.'),
          corners: described(quadSchema, 'The bead area, corners normalized to the image; no margins.'),
        }),
      ),
      'The PNG is a whole photo: cut into `columns` columns inside `corners`. Resampling a large frame is where backends drift most (half-float WebGL), which single-column cases miss. Expected values are per column, concatenated left to right.',
    ),
  }),
]);

const goldenSchema = described(
  z.strictObject({
    tolerance: described(
      z.number().check(z.minimum(0)),
      'Largest allowed absolute difference between an expected and a computed output value.',
    ),
    cases: described(
      z
        .array(
          z.strictObject({
            name: described(z.optional(nameString), 'Name of the golden case.'),
            input: described(goldenInputSchema, 'The golden input.'),
            expected: described(
              z.record(nameString, z.array(finite)),
              'Expected output values per head name (one value per output unit; per column and unit for a photo case).',
            ),
          }),
        )
        .check(z.minLength(1)),
      'Golden cases.',
    ),
  }),
  'Golden inputs with the outputs the model must produce on any backend.',
);

const integritySchema = described(
  z.strictObject({
    algorithm: described(z.literal('sha256'), 'Hash algorithm; only sha256.'),
    shards: described(
      z.record(nameString, z.string().check(z.regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' }))),
      'sha256 (lowercase hex) of each weight shard, keyed by its path as listed in weightsManifest.',
    ),
  }),
  'Hashes checked before the weights are used.',
);

const quantizationSchema = described(
  z.optional(
    z.record(
      nameString,
      z.strictObject({
        dtype: described(z.enum(['float32', 'float16', 'uint16', 'uint8']), 'Stored encoding of the weight.'),
        agreement: described(
          z.optional(
            z.strictObject({
              metric: described(
                z.enum(['max-abs-output-diff', 'argmax-agreement']),
                'What was measured against float32.',
              ),
              value: described(z.number().check(z.minimum(0)), 'The measured value.'),
              measuredOn: described(z.optional(z.string()), 'The data the agreement was measured on.'),
            }),
          ),
          'Measured agreement of the model with this weight so encoded versus float32.',
        ),
      }),
    ),
  ),
  'Encoding of each weight (by manifest name) with its measured agreement.',
);

const provenanceSchema = described(
  z.optional(
    z.strictObject({
      trainedBy: described(z.optional(z.string()), 'Tool or script that trained the model.'),
      trainedAt: described(z.optional(z.string()), 'ISO 8601 time of training.'),
      commit: described(z.optional(z.string()), 'Source commit.'),
      dataset: described(z.optional(z.string()), 'What the model was trained on.'),
      notes: described(z.optional(z.string()), 'Anything else.'),
    }),
  ),
  'Where the model came from.',
);

/** A probability threshold strictly between 0 and 1. */
const threshold = z.number().check(z.gt(0), z.lt(1));

const classifierDecodeSchema = described(
  z.strictObject({
    rule: described(z.literal(DECODE_RULE), `A column classifier: "${DECODE_RULE}".`),
    heaven: described(nameString, 'Name of the heaven head (sigmoid, [batch, 1]).'),
    earth: described(nameString, `Name of the earth head (softmax, [batch, ${EARTH_CLASSES}]).`),
    readable: described(
      z.optional(nameString),
      "Name of the readable head (sigmoid, [batch, 1]): the probability that the crop shows one whole, visible column. When given, a column's confidence is multiplied by it, so a hand, the picture edge or a misplaced quad gives a low confidence instead of a confident wrong digit.",
    ),
    heavenThreshold: described(
      threshold,
      'The heaven bead counts as down (worth 5) when its probability is at least this.',
    ),
  }),
  'How the heads decode to a digit.',
);

const locateDecodeSchema = described(
  z.strictObject({
    rule: described(z.literal(LOCATE_RULE), `A localizer: "${LOCATE_RULE}".`),
    corners: described(
      nameString,
      `Name of the corners head (linear, [batch, ${CORNER_VALUES}]): topLeft, topRight, bottomRight, bottomLeft of the bead area as (x, y), normalized to the window the input was cut from (0..1 inside it).`,
    ),
    presence: described(
      nameString,
      'Name of the presence head (sigmoid, [batch, 1]): the probability that a whole soroban is in the window.',
    ),
    count: described(
      nameString,
      `Name of the count head (softmax, [batch, ${LOCATE_COUNT_CLASSES}]): the probability of each column count 1..${LOCATE_COUNT_CLASSES} (index n - 1).`,
    ),
    presenceThreshold: described(
      threshold,
      'A soroban counts as found when the presence probability is at least this.',
    ),
  }),
  "How a localizer's heads are read.",
);

const contractObject = z.strictObject({
  $schema: described(z.optional(z.string()), 'Optional reference to contract.schema.json, for editors.'),
  schemaVersion: described(z.literal(CONTRACT_SCHEMA_VERSION), 'Contract schema version; this code reads version 1.'),
  input: inputSchema,
  modelInternals: described(
    z.strictObject({ normalization: normalizationSchema }),
    'What the model does to its input itself, declared so the loader can compare it with the topology.',
  ),
  heads: described(
    z.array(headSchema).check(z.minLength(1)),
    'The output heads, bound by name and shape, never by index.',
  ),
  decode: described(
    z.discriminatedUnion('rule', [classifierDecodeSchema, locateDecodeSchema]),
    'How the heads decode: to a digit (a column classifier) or to where the soroban is (a localizer).',
  ),
  golden: z.optional(goldenSchema),
  integrity: z.optional(integritySchema),
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
export const modelContractSchema = described(
  contractObject.check(
    z.superRefine((contract, ctx) => {
      for (const issue of contradictions(contract)) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, params: { code: issue.code } });
      }
    }),
  ),
  'Preprocessing, internals, heads, decode rule, golden cases, integrity and quantization of a column-classifier model. Lives in model.json userDefinedMetadata.contract or in model.contract.json beside it. Cross-field rules (unique head names, decode heads, golden sizes, input.shape agreement) are checked by the runtime validator only.',
);

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
