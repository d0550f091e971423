import * as Comlink from 'comlink';
import { DisposedError, WorkerError } from '../errors.ts';
import type {
  BackendName,
  ClassifierWorkerApi,
  RuntimeInfo,
  StripMeansResult,
  WorkerMemory,
} from './classifier-worker-api.ts';
import { installErrorTransfer } from './error-transfer.ts';
import { defaultWorkerUrl } from './worker-url.ts';

/** Options of {@link ClassifierClient.create}. */
export interface ClassifierClientOptions {
  /** The TF.js backend the worker must use. */
  readonly backend: BackendName;
  /** The module worker script. Default: the worker built beside this bundle. */
  readonly workerUrl?: URL | string;
  /** Where the `.wasm` files are served. Default: beside the worker. */
  readonly wasmPaths?: string;
}

/**
 * The main thread's handle on one classifier worker. Each method forwards to
 * the worker through Comlink; frames are transferred, never copied. If the
 * worker dies, pending and later calls reject with a WorkerError instead of
 * hanging.
 *
 * ```ts
 * const client = await ClassifierClient.create({ backend: 'wasm' });
 * const result = await client.measureStrips(await createImageBitmap(canvas), 13);
 * client.dispose();
 * ```
 */
export class ClassifierClient {
  /** What the worker is running on. */
  readonly runtime: RuntimeInfo;
  private readonly worker: Worker;
  private readonly remote: Comlink.Remote<ClassifierWorkerApi>;
  private readonly died: Promise<never>;
  private disposed = false;

  private constructor(worker: Worker, remote: Comlink.Remote<ClassifierWorkerApi>, died: Promise<never>, runtime: RuntimeInfo) {
    this.worker = worker;
    this.remote = remote;
    this.died = died;
    this.runtime = runtime;
  }

  /** Starts a worker and initializes its backend. Rejects with BackendError if the backend can't be used. */
  static async create(options: ClassifierClientOptions): Promise<ClassifierClient> {
    installErrorTransfer();
    const worker = new Worker(options.workerUrl ?? defaultWorkerUrl, { type: 'module', name: 'column-classifier' });
    const died = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
        reject(
          new WorkerError(
            'worker/crashed',
            `The classifier worker failed: ${event.message || 'it could not be loaded or threw at top level'}${where}.`,
          ),
        );
      });
    });
    // A rejection nobody is waiting for yet must not surface as unhandled.
    died.catch(() => undefined);
    const remote = Comlink.wrap<ClassifierWorkerApi>(worker);
    try {
      const init = options.wasmPaths === undefined ? { backend: options.backend } : { backend: options.backend, wasmPaths: options.wasmPaths };
      const runtime = await Promise.race([remote.init(init), died]);
      return new ClassifierClient(worker, remote, died, runtime);
    } catch (error) {
      remote[Comlink.releaseProxy]();
      worker.terminate();
      throw error;
    }
  }

  /** Transfers `frame` to the worker (it is detached here afterwards) and returns the strip means. */
  measureStrips(frame: ImageBitmap, strips: number): Promise<StripMeansResult> {
    return this.call(() => this.remote.measureStrips(Comlink.transfer(frame, [frame]), strips));
  }

  /** The worker's TF.js memory counters. */
  memory(): Promise<WorkerMemory> {
    return this.call(() => this.remote.memory());
  }

  /** Stops the worker. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  private call<T>(send: () => Promise<T>): Promise<T> {
    if (this.disposed) {
      return Promise.reject(new DisposedError('disposed/used-after-dispose', 'This classifier client was disposed; create a new one.'));
    }
    return Promise.race([send(), this.died]);
  }
}
