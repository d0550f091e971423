import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOCALIZER, DEFAULT_MODEL } from '../../src/cli/model-args.ts';
import { ContractError } from '../../src/errors.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { localizerWindows, trainingCrops } from '../../src/cli/training-crops.ts';
import { goldenInputs, renderedInputs, type CropRecipe } from '../../src/quantize/datasets.ts';
import {
  DEFAULT_MAX_DIFF,
  judgePlan,
  measureReference,
  runGate,
  uniformPlan,
  type Reference,
} from '../../src/quantize/gate.ts';
import { concatInputs, DEFAULT_MAX_CORNER_SHIFT, toleranceFor } from '../../src/quantize/measure.ts';
import { formatAgreement } from '../../src/quantize/table.ts';
import { writeGatedModel } from '../../src/quantize/write.ts';
import { rejectsWith } from '../fixtures/expect-error.ts';
import { judgedResult } from '../fixtures/gate-results.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

/** The float32 reference of a shipped model on wasm: its golden inputs and the first inputs of a training recipe. */
async function shippedReference(path: string, recipe: CropRecipe): Promise<Reference> {
  await useNodeBackend('wasm');
  const source = await fileModelSource(path);
  const model = await loadClassifierModel(source);
  try {
    return await measureReference(
      model,
      source,
      concatInputs([await goldenInputs(model, source), await renderedInputs(recipe, model.spec)]),
    );
  } finally {
    model.dispose();
  }
}

/** Validation crops rendered for this test: few, since rendering costs ~70 ms a crop here (cached in the temp dir). */
const CROPS = 24;

describe('the gate on the shipped model', () => {
  let reference: Reference;

  before(async () => {
    reference = await shippedReference(DEFAULT_MODEL, await trainingCrops('val', CROPS));
  });

  it('measures converter-style uint8 on every tensor and refuses to write it when a digit or a head moves too far', async () => {
    const plan = uniformPlan(reference.base, 'uint8');
    const naive = await judgePlan(reference, plan, toleranceFor(reference.base.contract, DEFAULT_MAX_DIFF));
    assert.equal(
      naive.passed,
      naive.agreement.changedDecisions === 0 && naive.agreement.maxAbsDiff <= DEFAULT_MAX_DIFF,
      formatAgreement(naive.agreement),
    );
    if (!naive.passed) {
      await rejectsWith(
        writeGatedModel(
          judgedResult(reference, plan, naive.agreement, toleranceFor(reference.base.contract, DEFAULT_MAX_DIFF)),
          await tempDir(),
        ),
        ContractError,
        'contract/quantization-gate',
      );
    }
  });

  it('keeps every decoded digit with the gated encodings of its large tensors', async () => {
    // Only the tensors above 10 000 values are tried here, to keep the test short; `quantize` tries all.
    const gated = await runGate(reference, { minValues: 10_000 });
    assert.equal(gated.agreement.changedDecisions, 0, formatAgreement(gated.agreement));
    assert.ok(gated.agreement.maxAbsDiff <= DEFAULT_MAX_DIFF);
  });
});

/** Validation windows of the localizer for this test (3 per photo; a photo renders in ~0.3 s here). */
const WINDOWS = 30;

describe('the gate on the shipped localizer', () => {
  let reference: Reference;

  before(async () => {
    reference = await shippedReference(DEFAULT_LOCALIZER, await localizerWindows('val', WINDOWS));
  });

  it('decides presence and count, and holds the corners to their own bound', () => {
    assert.equal(reference.outputs.decision, 'presence and count decisions');
    // Some windows show a whole soroban (a count 1..21), some do not (0).
    assert.ok(reference.outputs.decisions.some((d) => d === 0));
    assert.ok(reference.outputs.decisions.some((d) => d >= 1 && d <= 21));
    const tolerance = toleranceFor(reference.base.contract, DEFAULT_MAX_DIFF);
    assert.deepEqual(tolerance.byHead, { corners: DEFAULT_MAX_CORNER_SHIFT });
  });

  it('refuses a converter-style uint8 localizer whose corners move more than their bound', async () => {
    const tolerance = toleranceFor(reference.base.contract, DEFAULT_MAX_DIFF);
    const plan = uniformPlan(reference.base, 'uint8');
    const naive = await judgePlan(reference, plan, tolerance);
    assert.equal(naive.passed, false, formatAgreement(naive.agreement));
    assert.ok(
      naive.failures.some((f) => f.startsWith('head "corners"') || f.includes('presence and count decisions changed')),
      naive.failures.join('; '),
    );
    await rejectsWith(
      writeGatedModel(judgedResult(reference, plan, naive.agreement, tolerance), await tempDir()),
      ContractError,
      'contract/quantization-gate',
    );
  });

  it('keeps every presence and count decision, and the corners within their bound, with its gated large tensors', async () => {
    const gated = await runGate(reference, { minValues: 20_000 });
    assert.equal(gated.agreement.changedDecisions, 0, formatAgreement(gated.agreement));
    assert.ok((gated.agreement.maxAbsDiffByHead['corners'] ?? Infinity) <= DEFAULT_MAX_CORNER_SHIFT);
    assert.ok(gated.agreement.maxAbsDiff <= Math.max(DEFAULT_MAX_DIFF, DEFAULT_MAX_CORNER_SHIFT));
  });
});
