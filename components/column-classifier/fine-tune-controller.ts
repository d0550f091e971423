import type { ReactiveController, ReactiveControllerHost } from 'lit';
import * as Comlink from 'comlink';
import { DisposedError, StateError, WorkerError } from '../../src/errors.ts';
import { defaultFineTuneWorkerUrl } from '../../src/worker-api/default-urls.ts';
import { installErrorTransfer } from '../../src/worker-api/error-transfer.ts';
import type {
  FineTuneOutcome,
  FineTuneRequest,
  FineTuneStage,
  FineTuneWorkerApi,
} from '../../src/worker-api/fine-tune-worker-api.ts';

/** What the fine-tune needs from its host. */
export interface FineTuneControllerOptions {
  /** Progress of the running fine-tune. */
  readonly onProgress: (stage: FineTuneStage) => void;
}

/**
 * Runs the host's fine-tunes in their own module worker (all of TF.js's wasm backend and gradients, which the
 * classifier's worker leaves out), one at a time; the worker exists only while a fine-tune runs. An abort signal,
 * or the host leaving the document, terminates it at once: nothing it was doing is stored.
 */
export class FineTuneController implements ReactiveController {
  private readonly options: FineTuneControllerOptions;
  private running: { readonly worker: Worker; readonly remote: Comlink.Remote<FineTuneWorkerApi> } | undefined;
  /** Ends the running fine-tune now (its promise rejects with `disposed/aborted`). */
  private stopRunning: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, options: FineTuneControllerOptions) {
    this.options = options;
    host.addController(this);
  }

  /**
   * Fine-tunes in a new worker and resolves with its outcome; the worker is terminated after.
   *
   * @throws {StateError} `state/not-started` while another fine-tune runs
   * @throws {DisposedError} `disposed/aborted` when `signal` aborts or the host is removed
   * @throws {WorkerError} `worker/crashed` when the worker fails to start or dies
   */
  async run(request: FineTuneRequest, signal?: AbortSignal): Promise<FineTuneOutcome> {
    if (this.running !== undefined)
      throw new StateError('state/not-started', 'fineTune: a fine-tune is already running on this element.');
    if (signal?.aborted === true)
      throw new DisposedError('disposed/aborted', 'The fine-tune was stopped before it started.');
    installErrorTransfer();
    const worker = new Worker(defaultFineTuneWorkerUrl, { type: 'module', name: 'column-classifier fine-tune' });
    const remote = Comlink.wrap<FineTuneWorkerApi>(worker);
    const running = { worker, remote };
    this.running = running;
    // An abort ends the worker at once: rendering, a step, or storing may be under way, and none of it may land.
    let stop = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      stop = () => {
        worker.terminate();
        reject(new DisposedError('disposed/aborted', 'The fine-tune was stopped; nothing was stored.'));
      };
    });
    signal?.addEventListener('abort', stop);
    this.stopRunning = stop;
    const crashed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (event) =>
        reject(
          new WorkerError('worker/crashed', `The fine-tune worker failed: ${event.message || 'it did not load'}.`),
        ),
      ),
    );
    try {
      return await Promise.race([
        remote.fineTune(
          request,
          Comlink.proxy((stage: FineTuneStage) => this.options.onProgress(stage)),
        ),
        crashed,
        aborted,
      ]);
    } finally {
      signal?.removeEventListener('abort', stop);
      if (this.running === running) {
        this.running = undefined;
        this.stopRunning = undefined;
      }
      remote[Comlink.releaseProxy]();
      worker.terminate();
    }
  }

  hostDisconnected(): void {
    this.stopRunning?.();
  }
}
