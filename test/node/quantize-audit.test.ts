import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatInspection } from '../../src/cli/inspect-report.ts';
import { inspectModel } from '../../src/model/inspect.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import type { WeightReport } from '../../src/model/check-weights.ts';
import { auditQuantization } from '../../src/model/quantization-audit.ts';
import { encodeWeight } from '../../src/quantize/encode.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

const FIXTURE = '/work/shared/fixtures/field-column-classifier/layers-uint8/model.json';
/** The fixture's shard is not shipped: 2,192,650 uint8 values, one byte each. */
const SHARD_BYTES = 2_192_650;

describe('the audit of a foreign quantized model', () => {
  it('lists range and rounding error of every uint8 tensor of the field layers-uint8 model and names the batch-norm tensors at risk', async () => {
    const dir = await tempDir('cc-audit-');
    await copyFile(FIXTURE, join(dir, 'model.json'));
    const shard = new Uint8Array(SHARD_BYTES);
    let s = 99;
    for (let i = 0; i < shard.length; i++) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      shard[i] = s >>> 23;
    }
    await writeFile(join(dir, 'group1-shard1of1.bin'), shard);
    const inspection = await inspectModel(await fileModelSource(dir), { requireWeights: false });
    assert.equal(inspection.audit.length, 26);
    const variance = inspection.audit.find((a) => a.name === 'batch_normalization_3/moving_variance');
    assert.ok(
      variance?.max !== undefined && Math.abs(variance.max - (0.000532600621227175 + 255 * 0.8092722632006888)) < 1e-9,
    );
    assert.ok(variance.relativeToSpread !== undefined && Math.abs(variance.relativeToSpread - 1 / 510) < 1e-12);
    assert.ok(variance.risk !== undefined);
    assert.equal(inspection.audit.find((a) => a.name === 'dense/kernel')?.risk, undefined);
    const warning = inspection.problems.find((p) => p.code === 'contract/quantization-at-risk');
    assert.equal(warning?.severity, 'warning');
    assert.match(warning?.message ?? '', /batch_normalization_3\/moving_variance/);
    assert.doesNotMatch(warning?.message ?? '', /dense\/kernel|conv2d/);
    const report = formatInspection(inspection);
    assert.match(
      report,
      /batch_normalization_3\/moving_variance \[128\] float32 stored uint8 dequantized as q · .*range \[0\.000532601, 206\.365\], worst rounding error 0\.404636 \(0\.196078 % of the spread\).*AT RISK/,
    );
  });

  it('flags a tensor whose range an outlier stretched, from its values', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 40 : Math.sin(i) * 0.05));
    const e = encodeWeight(values, 'uint8');
    const weight: WeightReport = {
      name: 'w',
      shape: [1000],
      dtype: 'float32',
      stored: 'uint8',
      quantization:
        e.quantization?.dtype === 'uint8' ? { min: e.quantization.min, scale: e.quantization.scale } : undefined,
      bytes: 1000,
      declared: undefined,
    };
    const [audit] = auditQuantization([weight], () => e.decoded);
    assert.match(audit?.risk ?? '', /standard deviation/);
    const [fine] = auditQuantization([{ ...weight, quantization: { min: -0.05, scale: 0.1 / 255 } }], () =>
      Float32Array.from(values.subarray(1)),
    );
    assert.equal(fine?.risk, undefined);
  });
});
