import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError, DisposedError, InputError, StateError } from '../src/errors.ts';
import { fineTuneAndJudge } from '../src/fine-tune/fine-tune-and-judge.ts';
import { fineTunedArtifacts, type FineTunedArtifacts } from '../src/fine-tune/fine-tuned-artifacts.ts';
import { concatCrops } from '../src/fine-tune/labelled-crops.ts';
import { memoryModelSource, modelJsonSha256, putStoredModel } from '../src/fine-tune/model-store.ts';
import { measureReference, runGate, type GateProgress, type GateResult } from '../src/quantize/gate.ts';
import { gatedArtifacts } from '../src/quantize/gated-artifacts.ts';
import type { InputSet } from '../src/quantize/measure.ts';
import { preprocessingKey, storedModelKey } from '../src/fine-tune/database.ts';
import { keptRenderedColumns } from '../src/fine-tune/kept-rendered-columns.ts';
import { SampleStore, samplesAsCrops } from '../src/fine-tune/sample-store.ts';
import { loadClassifierModel } from '../src/model/load.ts';
import { fetchModelSource } from '../src/model/source.ts';
import { registerWasmGradientKernels } from '../src/training/kernels/register.ts';
import type {
  FineTuneOutcome,
  FineTuneRequest,
  FineTuneStage,
  FineTuneWorkerApi,
} from '../src/worker-api/fine-tune-worker-api.ts';
import { defaultWasmPaths } from './asset-urls.ts';
import { cachingSource } from './caching-source.ts';
import { browserImageDecoder } from './image-decoder.ts';

/** Samples are never dropped while reading them for a fine-tune. */
const READ_ALL = Number.MAX_SAFE_INTEGER;

/**
 * The fine-tuned float32 model through the quantization gate: the files of the gated model (golden outputs of the
 * quantized weights), and what the gate decided.
 */
async function quantizedArtifacts(
  fineTuned: FineTunedArtifacts,
  inputs: InputSet,
  onProgress: (progress: GateProgress) => void,
): Promise<{ artifacts: FineTunedArtifacts; result: GateResult }> {
  const source = memoryModelSource(fineTuned, 'fine-tuned model (in memory)', 'fine-tune again');
  const model = await loadClassifierModel(source, { sidecar: 'none' });
  try {
    const result = await runGate(await measureReference(model, source, inputs), { onProgress });
    const { files, goldenFiles } = await gatedArtifacts(result, browserImageDecoder);
    return {
      artifacts: {
        modelJson: `${JSON.stringify(files.modelJson)}\n`,
        files: { ...goldenFiles, [files.shardPath]: files.shard },
      },
      result,
    };
  } finally {
    model.dispose();
  }
}

/** The fine-tune worker: one fine-tune at a time, on the wasm backend with the training's gradient kernels. */
export class FineTuneService implements FineTuneWorkerApi {
  private running: AbortController | undefined;

  async fineTune(request: FineTuneRequest, onProgress?: (stage: FineTuneStage) => void): Promise<FineTuneOutcome> {
    if (this.running !== undefined)
      throw new StateError('state/not-started', 'fineTune: a fine-tune is already running in this worker.');
    const abort = new AbortController();
    this.running = abort;
    try {
      return await this.run(request, abort.signal, onProgress);
    } finally {
      this.running = undefined;
    }
  }

  async abort(): Promise<void> {
    this.running?.abort();
  }

  private async run(
    request: FineTuneRequest,
    signal: AbortSignal,
    onProgress: ((stage: FineTuneStage) => void) | undefined,
  ): Promise<FineTuneOutcome> {
    const started = performance.now();
    onProgress?.({ stage: 'load' });
    setWasmPaths(request.wasmPaths ?? defaultWasmPaths);
    // Threaded WASM hung in Firefox here; the classifier's worker leaves it off too.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm')))
      throw new BackendError('backend/unavailable', 'Fine-tuning runs on the wasm backend, which did not start here.');
    await tf.ready();
    registerWasmGradientKernels();
    // Cached: the model.json text the model was loaded from is the one its fine-tuned model is said to come from.
    const source = cachingSource(
      fetchModelSource(request.modelUrl, { allowPathsOutsideFolder: request.allowPathsOutsideFolder ?? false }),
    );
    const model = await loadClassifierModel(source);
    try {
      const baseModelJsonSha256 = await modelJsonSha256(source);
      const { spec } = model;
      // Samples cut for a model with other preprocessing are not this model's columns; those labelled on an earlier
      // fine-tune of it, or on another model with the same preprocessing, are.
      const key = preprocessingKey(spec);
      const samples = (await new SampleStore(request.set, READ_ALL).all()).filter((s) => s.model.preprocessing === key);
      const labelled = samplesAsCrops(samples, spec.inputRange.min, spec.inputRange.max);
      if (labelled.count < 2)
        throw new InputError(
          'input/bad-argument',
          `fineTune: the sample set "${request.set}" has ${labelled.count} labelled column(s) cut for this model; label() more readings first.`,
        );
      const replayCount = request.replayColumns ?? 300;
      const testCount = request.testColumns ?? 300;
      const total = replayCount + testCount;
      onProgress?.({ stage: 'render', done: 0, total });
      const replay = (
        await keptRenderedColumns('train', replayCount, spec, (done) =>
          onProgress?.({ stage: 'render', done: Math.min(done, replayCount), total }),
        )
      ).columns;
      const test = (
        await keptRenderedColumns('test', testCount, spec, (done) =>
          onProgress?.({ stage: 'render', done: replayCount + Math.min(done, testCount), total }),
        )
      ).columns;
      const judged = await fineTuneAndJudge(
        model,
        { labelled, replay, test, ...(request.maxTestDrop === undefined ? {} : { maxTestDrop: request.maxTestDrop }) },
        {
          ...(request.epochs === undefined ? {} : { epochs: request.epochs }),
          ...(request.patience === undefined ? {} : { patience: request.patience }),
          ...(request.learningRate === undefined ? {} : { learningRate: request.learningRate }),
          signal,
          onProgress: (p) => onProgress?.({ stage: 'fine-tune', ...p }),
        },
      );
      const { result, verdict } = judged;
      if (signal.aborted) throw new DisposedError('disposed/aborted', 'The fine-tune was stopped; nothing was stored.');
      let quantization: FineTuneOutcome['quantization'];
      if (verdict.accepted) {
        const fineTuned = await fineTunedArtifacts(model, source, browserImageDecoder, {
          trainedBy: 'column-classifier element fineTune() (TF.js wasm in a module worker)',
          dataset: `Fine-tuned from ${request.modelUrl} on ${judged.learnt} labelled columns of sample set "${request.set}" (${judged.heldOut} more held out), mixed with ${replay.count} rendered training columns.`,
          notes: verdict.summary,
        });
        // The quantization gate, as for the shipped model: each weight takes the smallest encoding that changes no
        // digit on the rendered test columns and the held-out samples.
        const inputs: InputSet = {
          description: `${test.count} rendered test columns and ${judged.heldOutCrops.count} held-out labelled columns`,
          ...concatCrops([test, judged.heldOutCrops]),
        };
        const { artifacts, result: gate } = await quantizedArtifacts(fineTuned, inputs, (p) =>
          onProgress?.({ stage: 'gate', done: p.done, total: p.total }),
        );
        if (signal.aborted)
          throw new DisposedError('disposed/aborted', 'The fine-tune was stopped; nothing was stored.');
        quantization = { bytesBefore: gate.bytesBefore, bytesAfter: gate.bytesAfter };
        onProgress?.({ stage: 'store' });
        await putStoredModel({
          key: storedModelKey(request.set, request.modelUrl),
          set: request.set,
          baseUrl: request.modelUrl,
          baseModelJsonSha256,
          createdAt: new Date().toISOString(),
          ...artifacts,
          summary: `${verdict.summary}; quantization gate: weights ${(gate.bytesBefore / 1024).toFixed(1)} → ${(gate.bytesAfter / 1024).toFixed(1)} KB`,
        });
      }
      return {
        accepted: verdict.accepted,
        summary: verdict.summary,
        failures: verdict.failures,
        ...(quantization === undefined ? {} : { quantization }),
        heldOut: {
          before: verdict.heldOut.before.accuracy,
          after: verdict.heldOut.after.accuracy,
          columns: judged.heldOut,
        },
        test: { before: verdict.test.before, after: verdict.test.after, columns: verdict.test.count },
        learnt: judged.learnt,
        epochs: result.epochs.map(({ epoch, loss, heldOutAccuracy, heldOutLoss, seconds }) => ({
          epoch,
          loss,
          heldOutAccuracy,
          heldOutLoss,
          seconds,
        })),
        bestEpoch: result.bestEpoch,
        seconds: (performance.now() - started) / 1000,
        backend: 'wasm',
      };
    } finally {
      model.dispose();
    }
  }
}
