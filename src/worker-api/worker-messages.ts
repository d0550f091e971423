/**
 * The shapes of the worker's call arguments, checked where they arrive. `ClassifierClient` only sends
 * well-formed calls, but the worker is a public module (`column-classifier/worker`) that a page may talk
 * to around the client: a call that does not match {@link ClassifierWorkerApi} gets an `InputError`
 * naming the argument, never a TypeError from deep inside TF.js or the loader. Ranges (columns, corners,
 * byte limits) are checked later by the code that owns them; here only structure and types.
 */
import * as z from 'zod/mini';
import { ENGLISH_MESSAGES } from '../contract/zod-messages.ts';
import { InputError } from '../errors.ts';
import type { FineTuneRequest, FineTuneWorkerApi } from './fine-tune-worker-api.ts';
import { formatPath } from '../contract/validate.ts';
import {
  BackendName,
  type ClassifierWorkerApi,
  type FrameRequest,
  type StartOptions,
  type StreamWatchSettings,
} from './classifier-worker-api.ts';

const backendName = z.enum(BackendName);
const backends = z.array(backendName).check(z.minLength(1));
const point = z.object({ x: z.number(), y: z.number() });

/** A sample set's name: part of its stored model's key, so no control characters. */
const setName = z
  .string()
  .check(z.minLength(1), z.maxLength(200), z.regex(/^[^\u0000-\u001f]*$/, 'must have no control characters'));
const startOptions = z.object({
  modelUrl: z.string().check(z.minLength(1)),
  localizerUrl: z.optional(z.string().check(z.minLength(1))),
  backends,
  choose: z.optional(z.enum(['first', 'fastest', 'first-then-fastest'])),
  wasmPaths: z.optional(z.string()),
  wasmThreads: z.optional(z.boolean()),
  warmUpColumns: z.optional(z.number()),
  maxModelBytes: z.optional(z.number()),
  allowPathsOutsideFolder: z.optional(z.boolean()),
  flags: z.optional(z.record(z.string(), z.union([z.boolean(), z.number()]))),
  fineTunedSet: z.optional(setName),
});

const geometry = z.object({
  columns: z.number(),
  corners: z.object({ topLeft: point, topRight: point, bottomRight: point, bottomLeft: point }),
  margins: z.object({ horizontal: z.number(), vertical: z.number() }),
});
const locate = z.strictObject({
  columns: z.optional(z.number()),
  relocate: z.optional(z.boolean()),
  still: z.optional(z.boolean()),
});
const sampleOptions = z.strictObject({
  set: setName,
  maxColumns: z.int().check(z.minimum(1), z.maximum(1_000_000)),
});
const labelOptions = z.extend(sampleOptions, { frame: z.optional(z.int().check(z.minimum(1))) });
const labelDigits = z.array(z.int().check(z.minimum(0), z.maximum(9))).check(z.minLength(1), z.maxLength(64));
const geometryRequest = z.object({ geometry, sentAt: z.number() });
const watchNumber = z.int().check(z.minimum(1));
const watchSettings = z.strictObject({
  intervalMs: z.number().check(z.minimum(0)),
  where: z.union([z.strictObject({ geometry }), z.strictObject({ locate })]),
});
const locateRequest = z.object({ locate, sentAt: z.number() });

/**
 * A frame request: `geometry` or `locate`, not both (the worker would have to guess which the page meant). Each
 * kind is checked by its own schema, so a problem is named by its field rather than as "no kind matched".
 */
function checkedFrameRequest(request: unknown, argument: string): FrameRequest {
  const has = (key: string) => typeof request === 'object' && request !== null && key in request;
  if (has('geometry') && has('locate'))
    throw new InputError(
      'input/bad-argument',
      `${argument}: give geometry (where the columns are) or locate (find them), not both.`,
    );
  return (
    has('locate') ? checked(locateRequest, request, argument) : checked(geometryRequest, request, argument)
  ) as FrameRequest;
}

const callback = z.custom<((value: never) => void) | undefined>(
  (value) => value === undefined || typeof value === 'function',
  'must be a function (a Comlink.proxy) or absent',
);

/** Parses `value` or throws an `InputError` that names the call, the argument and the field. */
function checked<S extends z.ZodMiniType>(schema: S, value: unknown, argument: string): z.output<S> {
  const result = z.safeParse(schema, value, ENGLISH_MESSAGES);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '' : formatPath(issue.path);
    const field = path === '' || path.startsWith('[') ? `${argument}${path}` : `${argument}.${path}`;
    return `${field}: ${issue.message}`;
  });
  throw new InputError(
    'input/bad-argument',
    `The worker was called with arguments that do not match its API: ${problems.join('; ')}. Call it through ClassifierClient, or see ClassifierWorkerApi for each method's arguments.`,
    { details: { problems } },
  );
}

/** Whether `frame` is an ImageBitmap the worker can read. */
function checkedFrame(frame: unknown): ImageBitmap {
  if (typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap) return frame;
  const kind = frame === null ? 'null' : typeof frame === 'object' ? frame.constructor.name : typeof frame;
  throw new InputError(
    'input/bad-argument',
    `classify(frame): the frame must be a transferred ImageBitmap, not ${kind}. Capture it with createImageBitmap() and transfer it.`,
  );
}

/** Whether `stream` is a ReadableStream (of the video frames the page's processor sends). */
function checkedStream(stream: unknown): ReadableStream<VideoFrame> {
  if (stream instanceof ReadableStream) return stream as ReadableStream<VideoFrame>;
  const kind = stream === null ? 'null' : typeof stream === 'object' ? stream.constructor.name : typeof stream;
  throw new InputError(
    'input/bad-argument',
    `attachStream(stream): the stream must be a transferred ReadableStream of VideoFrames (a MediaStreamTrackProcessor's readable), not ${kind}.`,
  );
}

/** Whether `port` is a MessagePort (the page's end of a stream watch's channel, transferred). */
function checkedPort(port: unknown): MessagePort {
  if (port instanceof MessagePort) return port;
  const kind = port === null ? 'null' : typeof port === 'object' ? port.constructor.name : typeof port;
  throw new InputError(
    'input/bad-argument',
    `watchStream(port): the port must be a transferred MessagePort (one end of a MessageChannel), not ${kind}.`,
  );
}

/**
 * The API as the worker exposes it: its methods, each checking its arguments before calling `service`, and
 * nothing else. A page cannot reach the service's fields through the proxy (Comlink gets and sets any
 * property path of the object it exposes), and the object is frozen so no method can be replaced.
 */
export function checkedWorkerApi(service: ClassifierWorkerApi): ClassifierWorkerApi {
  const api: ClassifierWorkerApi = {
    start: (options, onProgress, onWarning) =>
      call(() =>
        service.start(
          // zod types an absent optional field as `T | undefined`; absent fields stay absent, as StartOptions says.
          checked(startOptions, options, 'start(options)') as StartOptions,
          checked(callback, onProgress, 'start(…, onProgress)') as typeof onProgress,
          checked(callback, onWarning, 'start(…, …, onWarning)') as typeof onWarning,
        ),
      ),
    classify: (frame, request) =>
      call(() => {
        const bitmap = checkedFrame(frame);
        let checkedRequest: FrameRequest;
        try {
          checkedRequest = checkedFrameRequest(request, 'classify(…, request)');
        } catch (error) {
          // A frame the worker will never read is released now rather than when it is collected.
          bitmap.close();
          throw error;
        }
        return service.classify(bitmap, checkedRequest);
      }),
    attachStream: (stream) => call(() => service.attachStream(checkedStream(stream))),
    detachStream: () => service.detachStream(),
    classifyStreamFrame: (request) =>
      call(() => service.classifyStreamFrame(checkedFrameRequest(request, 'classifyStreamFrame(request)'))),
    watchStream: (port, settings) =>
      call(() =>
        service.watchStream(
          checkedPort(port),
          checked(watchSettings, settings, 'watchStream(…, settings)') as StreamWatchSettings,
        ),
      ),
    updateWatch: (watch, settings) =>
      call(() =>
        service.updateWatch(
          checked(watchNumber, watch, 'updateWatch(watch)'),
          checked(watchSettings, settings, 'updateWatch(…, settings)') as StreamWatchSettings,
        ),
      ),
    stopWatch: (watch) => call(() => service.stopWatch(checked(watchNumber, watch, 'stopWatch(watch)'))),
    setBackends: (list) => call(() => service.setBackends(checked(backends, list, 'setBackends(backends)'))),
    label: (digits, options) =>
      call(() =>
        service.label(
          checked(labelDigits, digits, 'label(digits)'),
          checked(labelOptions, options, 'label(…, options)'),
        ),
      ),
    exportSamples: (options) =>
      call(() => service.exportSamples(checked(sampleOptions, options, 'exportSamples(options)'))),
    clearSamples: (options) =>
      call(() => service.clearSamples(checked(sampleOptions, options, 'clearSamples(options)'))),
    resetModel: (set) => call(() => service.resetModel(checked(setName, set, 'resetModel(set)'))),
    memory: () => service.memory(),
    dispose: () => service.dispose(),
  };
  return Object.freeze(api);
}

/** Runs `work`, turning a synchronous throw into a rejection (callers await every method). */
async function call<T>(work: () => Promise<T>): Promise<T> {
  return work();
}

const fineTuneRequest = z.strictObject({
  modelUrl: z.string().check(z.minLength(1)),
  set: setName,
  epochs: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  patience: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  learningRate: z.optional(z.number().check(z.gt(0), z.lt(1))),
  replayColumns: z.optional(z.int().check(z.minimum(0), z.maximum(100_000))),
  testColumns: z.optional(z.int().check(z.minimum(1), z.maximum(100_000))),
  maxTestDrop: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
  wasmPaths: z.optional(z.string()),
  allowPathsOutsideFolder: z.optional(z.boolean()),
});

/** The fine-tune worker's API as it exposes it: its two methods, each checking its arguments first. */
export function checkedFineTuneApi(service: FineTuneWorkerApi): FineTuneWorkerApi {
  const api: FineTuneWorkerApi = {
    fineTune: (request, onProgress) =>
      call(() =>
        service.fineTune(
          checked(fineTuneRequest, request, 'fineTune(request)') as FineTuneRequest,
          checked(callback, onProgress, 'fineTune(…, onProgress)') as typeof onProgress,
        ),
      ),
    abort: () => service.abort(),
  };
  return Object.freeze(api);
}
