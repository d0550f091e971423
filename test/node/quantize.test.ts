import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ContractError } from '../../src/errors.ts';
import { float32ToBase64 } from '../../src/model/golden.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { readWeight } from '../../src/model/weights.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { measureGolden } from '../../src/runtime/golden-check.ts';
import { affineRange, encodeWeight, float32ToFloat16Bits } from '../../src/quantize/encode.ts';
import { judgePlan, measureReference, runGate, uniformPlan } from '../../src/quantize/gate.ts';
import {
  compareOutputs,
  decisionsOf,
  gateFailures,
  NEAR_TIE,
  toleranceFor,
  type InputSet,
  type Outputs,
} from '../../src/quantize/measure.ts';
import { withQuantizationSection } from '../../src/quantize/report.ts';
import { formatGateTable } from '../../src/quantize/table.ts';
import { writeGatedModel } from '../../src/quantize/write.ts';
import { testLocalizerContract, testModelContract } from '../fixtures/contracts.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { judgedResult } from '../fixtures/gate-results.ts';
import { buildBrightnessModel, buildTestModel, saveModel, writeModel } from '../fixtures/test-models.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

/** Uniform grey columns (16 × 8 model input, values 0..255) at the given brightnesses b ∈ [0, 1]. */
function greyColumns(brightness: readonly number[]): InputSet {
  const per = 16 * 8;
  const x = new Float32Array(brightness.length * per);
  brightness.forEach((b, i) => x.fill(255 * b, i * per, (i + 1) * per));
  return { description: `${brightness.length} grey columns`, count: brightness.length, x };
}

/** Random-looking but deterministic columns. */
function noiseColumns(count: number): InputSet {
  const x = new Float32Array(count * 16 * 8);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    x[i] = (s / 2 ** 31) * 255;
  }
  return { description: `${count} noise columns`, count, x };
}

/** A model directory with a sealed contract that carries one float32-base64 golden case (computed from the model). */
async function modelWithGolden(model: tf.LayersModel): Promise<string> {
  const input = noiseColumns(1).x;
  const outputs = model.predict(tf.tensor4d(input, [1, 16, 8, 1])) as tf.Tensor[];
  const [earth, heaven] = outputs.map((t) => Array.from(t.dataSync()));
  tf.dispose(outputs);
  const contract = {
    ...testModelContract(),
    golden: {
      tolerance: 1e-4,
      cases: [
        {
          name: 'noise',
          input: { kind: 'float32-base64' as const, data: float32ToBase64(input) },
          expected: { heaven: heaven ?? [], earth: earth ?? [] },
        },
      ],
    },
  };
  return (await writeModel(await saveModel(model), contract)).dir;
}

describe('encoding a weight as the converter does', () => {
  it('nudges the uint8 range so that zero is exact, and dequantizes as q · scale + min', () => {
    const values = Float32Array.from([-0.3, -0.1, 0, 0.2, 0.7]);
    const e = encodeWeight(values, 'uint8');
    assert.ok(e.quantization !== undefined && e.quantization.dtype === 'uint8');
    const { min, scale } = e.quantization;
    assert.equal(scale, (Math.fround(0.7) - Math.fround(-0.3)) / 255);
    assert.equal(e.decoded[2], 0);
    assert.equal(affineRange(Math.fround(-0.3), Math.fround(0.7), 255).min, min);
    assert.equal(Math.round(-min / scale), -min / scale);
    e.decoded.forEach((v, i) => assert.ok(Math.abs(v - (values[i] as number)) <= scale / 2 + 1e-7));
    assert.equal(e.bytes.byteLength, 5);
  });

  it('keeps a positive-only range un-nudged and a constant tensor as zeros with scale 1', () => {
    assert.deepEqual(affineRange(1, 2, 255), { min: 1, scale: 1 / 255, max: 2 });
    const constant = encodeWeight(Float32Array.from([0.5, 0.5]), 'uint16');
    assert.deepEqual([...constant.decoded], [0.5, 0.5]);
    assert.deepEqual(constant.quantization, { dtype: 'uint16', min: 0.5, scale: 1, original_dtype: 'float32' });
  });

  it('rounds float16 to nearest even, like numpy', () => {
    assert.equal(float32ToFloat16Bits(1), 0x3c00);
    assert.equal(float32ToFloat16Bits(65504), 0x7bff);
    assert.equal(float32ToFloat16Bits(1e6), 0x7c00);
    assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001);
    // 1 + 2^-11 is halfway between 1 and the next half; ties go to the even mantissa (1).
    assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00);
    const e = encodeWeight(Float32Array.from([0.1, -2.5]), 'float16');
    assert.ok(Math.abs((e.decoded[0] as number) - 0.1) < 1e-4);
    assert.equal(e.decoded[1], -2.5);
  });
});

describe('the quantization gate', () => {
  before(async () => {
    await useNodeBackend('wasm');
  });

  it('quantizes a small model, writes quantization blocks, decisions and hashes, and the written model reproduces its goldens on wasm and cpu', async () => {
    const dir = await modelWithGolden(buildTestModel({ seed: 3 }));
    const source = await fileModelSource(dir);
    const model = await loadClassifierModel(source);
    const reference = await measureReference(model, source, noiseColumns(64));
    model.dispose();
    const before = tf.memory().numTensors;
    const result = await runGate(reference, { maxDiff: 0.01, minValues: 16 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(result.agreement.changedDecisions, 0);
    const conv = result.decisions.find((d) => d.name.endsWith('conv/kernel'));
    assert.ok(conv !== undefined && conv.encoding !== 'float32', formatGateTable(result));
    assert.ok(result.bytesAfter < result.bytesBefore);

    const out = await tempDir('cc-quantized-');
    const written = await writeGatedModel(result, out);
    assert.equal(written.golden?.passed, true);
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as {
      weightsManifest: {
        weights: { name: string; quantization?: { dtype: string; min?: number; scale?: number } }[];
      }[];
      userDefinedMetadata: {
        contract: { quantization: Record<string, { dtype: string; agreement?: { value: number } }> };
      };
    };
    const entry = json.weightsManifest[0]?.weights.find((w) => w.name === conv.name);
    assert.equal(entry?.quantization?.dtype, conv.encoding);
    const declared = json.userDefinedMetadata.contract.quantization[conv.name];
    assert.equal(declared?.dtype, conv.encoding);
    assert.equal(declared?.agreement?.value, 1);
    for (const backend of ['cpu', 'wasm'] as const) {
      await useNodeBackend(backend);
      const loaded = await loadClassifierModel(await fileModelSource(out));
      assert.deepEqual(
        loaded.inspection.shards.map((s) => s.status),
        ['ok'],
      );
      const golden = await measureGolden(loaded, await fileModelSource(out), async () => {
        throw new Error('no PNG cases');
      });
      assert.equal(golden?.passed, true, `${backend}: ${JSON.stringify(golden)}`);
      loaded.dispose();
    }
  });

  it('reproduces the seed failure: uniform uint8 changes digits, the gate refuses to write it, and the gated model keeps every digit', async () => {
    const dir = await modelWithGolden(buildBrightnessModel());
    const source = await fileModelSource(dir);
    const model = await loadClassifierModel(source);
    // Columns a hair either side of each decision boundary (earth: b = 1/8, 3/8, 5/8, 7/8; heaven: 1/2).
    const boundaries = [0.125, 0.375, 0.5, 0.625, 0.875];
    const reference = await measureReference(
      model,
      source,
      greyColumns(boundaries.flatMap((b) => [b - 2e-4, b + 2e-4, b - 5e-4, b + 5e-4])),
    );
    model.dispose();

    const tolerance = toleranceFor(reference.base.contract, 0.01);
    const naive = await judgePlan(reference, uniformPlan(reference.base, 'uint8'), tolerance);
    assert.ok(naive.agreement.changedDecisions > 0, JSON.stringify(naive));
    assert.equal(naive.passed, false);
    const refused = await rejectsWith(
      writeGatedModel(
        judgedResult(reference, uniformPlan(reference.base, 'uint8'), naive.agreement, tolerance),
        await tempDir(),
      ),
      ContractError,
      'contract/quantization-gate',
    );
    assert.match(refused.message, /decoded digits changed/);

    const gated = await runGate(reference, { maxDiff: 0.01, minValues: 0 });
    assert.equal(gated.agreement.changedDecisions, 0);
    assert.ok(
      gated.decisions.some((d) => d.encoding !== 'uint8'),
      formatGateTable(gated),
    );
    const out = await tempDir('cc-quantized-');
    await writeGatedModel(gated, out);
    const written = await loadClassifierModel(await fileModelSource(out));
    for (const d of gated.decisions) assert.equal(written.contract.quantization?.[d.name]?.dtype, d.encoding);
    written.dispose();
  });

  it('writes bytes TF.js reads back to the values the gate measured', async () => {
    const values = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 0.4 + (i === 7 ? 3 : 0));
    for (const encoding of ['uint8', 'uint16', 'float16'] as const) {
      const e = encodeWeight(values, encoding);
      const entry = {
        name: 'w',
        shape: [300],
        dtype: 'float32',
        ...(e.quantization === undefined ? {} : { quantization: e.quantization }),
      };
      const read = tf.io.decodeWeights(e.bytes.slice().buffer, [entry as tf.io.WeightsManifestEntry]);
      const tensor = read['w'];
      assert.ok(tensor !== undefined);
      assert.deepEqual([...tensor.dataSync()], [...e.decoded], encoding);
      assert.deepEqual(
        [...readWeight({ entry, group: 0, offset: 0, byteLength: e.bytes.byteLength }, e.bytes)].map(Math.fround),
        [...e.decoded],
      );
      tensor.dispose();
    }
  });
});

describe("the gate's decisions for a localizer", () => {
  /** One window's localizer outputs: corners, presence, and a count distribution putting `top` on count `n`. */
  function window(presence: number, n: number, top: number, second: number, cornerShift = 0): Outputs {
    const count = new Float32Array(21).fill((1 - top - second) / 19);
    count[n - 1] = top;
    count[n % 21] = second;
    const heads = {
      corners: Float32Array.from([0.1, 0.1, 0.9, 0.1, 0.9, 0.6, 0.1, 0.6], (v) => v + cornerShift),
      presence: Float32Array.of(presence),
      count,
    };
    return { heads, ...decisionsOf(testLocalizerContract(), heads, 1) };
  }

  it('decides the count where a whole soroban is present and nothing where it is not', () => {
    assert.deepEqual([...window(0.9, 7, 0.6, 0.2).decisions], [7]);
    assert.deepEqual([...window(0.3, 7, 0.6, 0.2).decisions], [0]);
  });

  it('refuses a changed count or presence, and a corner moved further than its own bound', () => {
    const tolerance = toleranceFor(testLocalizerContract(), 0.01, 0.002);
    const reference = window(0.9, 7, 0.6, 0.2);
    const countFlip = compareOutputs(reference, window(0.9, 8, 0.6, 0.2));
    assert.equal(countFlip.changedDecisions, 1);
    assert.match(gateFailures(countFlip, tolerance).join(), /1 of 1 decoded presence and count decisions changed/);
    const gone = compareOutputs(reference, window(0.45, 7, 0.6, 0.2));
    assert.equal(gone.changedDecisions, 1);
    // 0.003 of the window is within the probability bound but not the corners'.
    const moved = compareOutputs(reference, window(0.9, 7, 0.6, 0.2, 0.003));
    assert.equal(moved.changedDecisions, 0);
    assert.match(gateFailures(moved, tolerance).join(), /head "corners" moved by up to 3\.0\d*e-3 > 0\.002/);
    assert.deepEqual(gateFailures(compareOutputs(reference, window(0.9, 7, 0.6, 0.2, 0.001)), tolerance), []);
  });

  it('reports a near tie that went the other way without refusing it', () => {
    const tolerance = toleranceFor(testLocalizerContract(), 0.01);
    // Counts 7 and 8 within NEAR_TIE of each other: the head has no preference.
    const tie = window(0.9, 7, 0.4, 0.4 - NEAR_TIE / 2);
    assert.deepEqual([...tie.nearTies], [1]);
    // The same values with counts 7 and 8 swapped: moved by NEAR_TIE / 2, within the bound.
    const swapped = Float32Array.from(tie.heads['count'] ?? []);
    [swapped[6], swapped[7]] = [swapped[7] ?? 0, swapped[6] ?? 0];
    const heads = { ...tie.heads, count: swapped };
    const other = { heads, ...decisionsOf(testLocalizerContract(), heads, 1) };
    const agreement = compareOutputs(tie, other);
    assert.equal(agreement.changedDecisions, 0);
    assert.equal(agreement.changedNearTies, 1);
    assert.deepEqual(gateFailures(agreement, tolerance), []);
  });
});

describe("the gate's decisions for a column classifier", () => {
  /** One crop's outputs: P(heaven) and the earth distribution. */
  function crop(heaven: number, earth: readonly number[]): Outputs {
    const heads = { heaven: Float32Array.of(heaven), earth: Float32Array.from(earth) };
    return { heads, ...decisionsOf(testModelContract(), heads, 1) };
  }

  it('counts a digit the float32 model hardly prefers as a near tie: heaven at its threshold, or two earth counts level', () => {
    assert.deepEqual([...crop(0.5 + NEAR_TIE / 2, [0.9, 0.1, 0, 0, 0]).nearTies], [1]);
    assert.deepEqual([...crop(0.1, [0.02, 0.3585, 0.3584, 0.16, 0.1031]).nearTies], [1]);
    assert.deepEqual([...crop(0.1, [0.02, 0.3595, 0.3575, 0.16, 0.1031]).nearTies], [0]);
    assert.deepEqual([...crop(0.9, [0.1, 0.8, 0.05, 0.05, 0]).nearTies], [0]);
  });

  it('reports a near-tie digit that went the other way, and refuses any other changed digit', () => {
    const tolerance = toleranceFor(testModelContract(), 0.002);
    // What the shipped model's conv2 as uint16 did to one validation crop: earth 1 and 2 a ten-thousandth apart swapped.
    const tie = compareOutputs(
      crop(0.4039, [0.0213, 0.3585, 0.3584, 0.1602, 0.1016]),
      crop(0.4038, [0.0213, 0.3585, 0.3586, 0.1601, 0.1016]),
    );
    assert.equal(tie.changedDecisions, 0);
    assert.equal(tie.changedNearTies, 1);
    assert.deepEqual(gateFailures(tie, tolerance), []);
    // A digit the model was sure of, changed: refused, however small the move that changed it.
    const flip = compareOutputs(crop(0.4995 - NEAR_TIE, [0.9, 0.1, 0, 0, 0]), crop(0.5005, [0.9, 0.1, 0, 0, 0]));
    assert.equal(flip.changedDecisions, 1);
    assert.match(gateFailures(flip, tolerance).join(), /1 of 1 decoded digits changed/);
  });
});

describe('the report section', () => {
  it('replaces an earlier Quantization section and keeps what follows it, or appends one', () => {
    const report = '# Report\n\n## Result\n\nok\n\n## Quantization\n\nold\n\n## Later\n\nkept\n';
    assert.equal(
      withQuantizationSection(report, '## Quantization\n\nnew\n'),
      '# Report\n\n## Result\n\nok\n\n## Quantization\n\nnew\n\n## Later\n\nkept\n',
    );
    assert.equal(
      withQuantizationSection('# Report\n', '## Quantization\n\nnew\n'),
      '# Report\n\n## Quantization\n\nnew\n',
    );
  });
});
