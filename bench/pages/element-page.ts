/**
 * The bench page for everything that runs the product as shipped: the built
 * element bundle (`/column-classifier.js`, which also exports ClassifierClient)
 * and its module worker. Part 1's design (a) with its preview off and on, the
 * floor (the same worker fed by a bare capture loop) and the source-only control, and
 * parts 2–4 (worker latency, cold start, memory).
 */
import { formatCorners } from '../../components/column-classifier/corners.ts';
import { openDatabase } from '../../src/fine-tune/database.ts';
import type { ClassifierClient as ClientClass } from '../../src/worker-api/classifier-client.ts';
import type { BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import {
  SourceCanvas,
  exposeBench,
  geometryOf,
  loadFrames,
  numberParam,
  stringParam,
  type FrameSet,
  type Params,
} from './common.ts';
import { StageLog, exposeResponsiveness, type Design } from './responsiveness.ts';

type ElementModule = typeof import('../../components/column-classifier.ts');

const MODEL_URL = new URL('/models/column-classifier/model.json', location.href).href;
const LOCALIZER_URL = new URL('/models/localizer/model.json', location.href).href;
const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgl'];

/** The element bundle: the one built now, or with `bundle=compare` the one `--compare-dist` gave (an A/B in one run). */
function loadElementBundle(): Promise<ElementModule> {
  const folder = new URLSearchParams(location.search).get('bundle') === 'compare' ? '/compare' : '';
  return import(new URL(`${folder}/column-classifier.js`, location.href).href) as Promise<ElementModule>;
}

function backendParam(params: Params): BackendName {
  const name = stringParam(params, 'backend');
  const backend = BACKENDS.find((b) => b === name);
  if (backend === undefined)
    throw new Error(`bench parameter "backend" must be one of ${BACKENDS.join(', ')}, got ${name}.`);
  return backend;
}

/** Creates the element on a source and resolves on `cc-ready` (rejects on `cc-error`). */
function createElement(
  set: FrameSet,
  source: SourceCanvas,
  backend: string,
  maxFps: number,
  geometry: 'given' | 'found' = 'given',
): { element: HTMLElement; ready: Promise<unknown> } {
  const element = document.createElement('column-classifier');
  element.setAttribute('model', MODEL_URL);
  element.setAttribute('backend', backend);
  // 'found': no geometry attributes, the element's default: the worker loads the localizer and finds the soroban.
  if (geometry === 'given') {
    element.setAttribute('columns', String(set.columns));
    element.setAttribute('corners', formatCorners(set.corners));
  }
  element.setAttribute('max-fps', String(maxFps));
  element.setAttribute('source', source.canvas.id);
  const ready = new Promise((resolve, reject) => {
    element.addEventListener('cc-ready', (event) => resolve(event.detail.runtime), { once: true });
    element.addEventListener(
      'cc-error',
      (event) => reject(new Error(`${event.detail.error.code}: ${event.detail.error.message}`)),
      { once: true },
    );
  });
  return { element, ready };
}

/** Design (a): the element with its worker, reading the source at up to 30 fps; with `preview`, showing each frame read. */
function elementDesign(preview: boolean): Design {
  const log = new StageLog();
  return {
    async setup(set, source, backend) {
      await loadElementBundle();
      const { element, ready } = createElement(set, source, backend, 30);
      element.toggleAttribute('preview', preview);
      element.addEventListener('cc-reading', (event) => log.add({ ...event.detail.timings }));
      element.addEventListener('cc-error', (event) => log.errors.push(event.detail.error.code));
      document.body.append(element);
      const runtime = (await ready) as { backend: string };
      return { backend: runtime.backend };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

/**
 * Design (a) on a stream: the element given the source canvas's `captureStream()` as a `MediaStream`, shown in
 * its own `<video>`, its frames read by the worker itself where the browser allows it. Reports which path ran.
 */
function elementStreamDesign(): Design {
  const log = new StageLog();
  return {
    async setup(set, source, backend) {
      await loadElementBundle();
      const { element, ready } = createElement(set, source, backend, 30);
      element.removeAttribute('source');
      (element as HTMLElement & { source: MediaStream }).source = source.canvas.captureStream(30);
      const firstReading = new Promise<string>((resolve) =>
        // A build from before frameReadBy captured every frame on the main thread.
        element.addEventListener('cc-reading', (event) => resolve(event.detail.frameReadBy ?? 'main-thread'), {
          once: true,
        }),
      );
      element.addEventListener('cc-reading', (event) => log.add({ ...event.detail.timings }));
      element.addEventListener('cc-error', (event) => log.errors.push(event.detail.error.code));
      document.body.append(element);
      const runtime = (await ready) as { backend: string };
      // A canvas stream sends frames only while the canvas is drawn: drawn until the first reading says which path
      // ran, then stopped until the measurement starts it.
      source.start(30);
      const frameReadBy = await firstReading;
      source.stop();
      return { backend: `${runtime.backend}, frames read by the ${frameReadBy}` };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

/** The control for a stream: the source canvas's `captureStream()` playing in a `<video>`, nothing reading it. */
function controlStreamDesign(): Design {
  const log = new StageLog();
  return {
    async setup(_set, source) {
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = source.canvas.captureStream(30);
      document.body.append(video);
      await video.play();
      return { backend: 'none' };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

/**
 * The floor: what any design that reads in a worker pays on the main thread, with no element: a capture
 * (`createImageBitmap`, as the element takes it) and a transfer per frame, one frame in flight, at up to 30 fps.
 */
function floorDesign(): Design {
  const log = new StageLog();
  return {
    async setup(set, source, backend) {
      const client = await createClient(backendParam({ backend }), set.columns);
      const geometry = geometryOf(set);
      const interval = 1000 / 30;
      const tick = async (): Promise<void> => {
        const started = performance.now();
        try {
          const bitmap = await createImageBitmap(source.canvas, {
            premultiplyAlpha: 'default',
            colorSpaceConversion: 'none',
          });
          log.add({ ...(await client.classify(bitmap, geometry)).timings });
        } catch (error) {
          log.errors.push(String(error));
        }
        setTimeout(() => void tick(), Math.max(0, started + interval - performance.now()));
      };
      void tick();
      return { backend: client.runtime.backend };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

/** The control: the same source and click probe, nothing reading them. */
function controlDesign(): Design {
  const log = new StageLog();
  return {
    setup: async () => ({ backend: 'none' }),
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

async function rawBitmap(frame: ImageData): Promise<ImageBitmap> {
  return createImageBitmap(frame, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

async function createClient(backend: BackendName, warmUpColumns: number, localizer = false): Promise<ClientClass> {
  const { ClassifierClient } = await loadElementBundle();
  return ClassifierClient.create({
    modelUrl: MODEL_URL,
    ...(localizer ? { localizerUrl: LOCALIZER_URL } : {}),
    backends: [backend],
    warmUpColumns,
    callTimeoutMs: 120_000,
  });
}

/** Part 2: per-stage worker times for each column count on one backend: `frames` frames, or at least `minFrames` within `budgetMs` per column count. */
async function latency(params: Params): Promise<unknown> {
  const backend = backendParam(params);
  const counts = stringParam(params, 'columns').split(',').map(Number);
  const frames = numberParam(params, 'frames');
  const warm = numberParam(params, 'warm');
  const minFrames = numberParam(params, 'minFrames');
  const budgetMs = numberParam(params, 'budgetMs');
  const client = await createClient(backend, counts[0] ?? 13, true);
  try {
    const byColumns: Record<string, Record<string, number[]>> = {};
    for (const columns of counts) {
      const set = await loadFrames(columns);
      const geometry = geometryOf(set);
      const stages: Record<string, number[]> = {};
      let measuredSince = 0;
      for (let i = 0; i < warm + frames; i += 1) {
        // Past the time budget, stop once the minimum is in: software WebGL on a shared machine takes seconds a frame.
        if (i >= warm + minFrames && performance.now() - measuredSince > budgetMs) break;
        if (i === warm) measuredSince = performance.now();
        const bitmap = await rawBitmap(set.frames[i % set.frames.length]!);
        const result = await client.classify(bitmap, geometry);
        if (i < warm) continue;
        for (const [name, value] of Object.entries({ ...result.timings, roundTrip: result.roundTrip }))
          (stages[name] ??= []).push(value);
      }
      byColumns[String(columns)] = stages;
    }
    // The localizer: one call (both looks and the count) per frame, asked for on every frame of the 13-column set.
    const set = await loadFrames(13);
    const localize: number[] = [];
    const localizeStart = performance.now();
    for (let i = 0; i < warm + frames; i += 1) {
      if (i >= warm + minFrames && performance.now() - localizeStart > budgetMs) break;
      const bitmap = await rawBitmap(set.frames[i % set.frames.length]!);
      const result = await client.classify(bitmap, { locate: { relocate: true } });
      if (i >= warm && result.location !== undefined) localize.push(result.location.ms);
    }
    const { runtime } = client;
    return {
      backend: runtime.backend,
      tfjsVersion: runtime.tfjsVersion,
      wasmThreads: runtime.wasmThreads,
      byColumns,
      localize,
    };
  } finally {
    client.dispose();
  }
}

/** Part 3: element connected → cc-ready, and → first cc-reading (one try; the runner loads a fresh page per try). */
async function coldStart(params: Params): Promise<unknown> {
  const set = await loadFrames(numberParam(params, 'columns'));
  const source = new SourceCanvas(set);
  await loadElementBundle();
  // The element's default, `auto`, is timed too: it measures the backends that pass before its first reading.
  const backend = stringParam(params, 'backend') === 'auto' ? 'auto' : backendParam(params);
  const geometry = stringParam(params, 'geometry', 'given') === 'found' ? 'found' : 'given';
  const { element, ready } = createElement(set, source, backend, 30, geometry);
  const firstReading = new Promise<number>((resolve) =>
    element.addEventListener('cc-reading', () => resolve(performance.now()), { once: true }),
  );
  // Where the time goes: when each stage of each backend began, from the element's cc-progress events.
  const stages: Record<string, number> = {};
  element.addEventListener('cc-progress', (event) => {
    const { stage, backend: on } = (event as CustomEvent<{ stage: string; backend?: string }>).detail;
    const key = on === undefined ? stage : `${on} ${stage}`;
    stages[key] ??= Math.round(performance.now() - connected);
  });
  const connected = performance.now();
  document.body.append(element);
  const runtime = (await ready) as { backend: string };
  const readyAt = performance.now();
  const readingAt = await firstReading;
  element.remove();
  return { backend: runtime.backend, ready: readyAt - connected, firstReading: readingAt - connected, stages };
}

type FineTuningElement = HTMLElement & {
  classifyOnce(): Promise<{ digits: readonly number[] }>;
  label(digits: readonly number[]): Promise<{ total: number }>;
  clearSamples(): Promise<void>;
  resetModel(): Promise<void>;
  fineTune(options?: { signal?: AbortSignal }): Promise<{
    accepted: boolean;
    summary: string;
    seconds: number;
    learnt: number;
    heldOut: { columns: number };
    test: { columns: number };
    bestEpoch: number;
    epochs: readonly { epoch: number; heldOutAccuracy: number; heldOutLoss: number; seconds: number }[];
    quantization?: { bytesBefore: number; bytesAfter: number };
  }>;
};
let fineTuning: FineTuningElement | undefined;

/**
 * Part 6, set-up: an element on the teaching frames (one soroban, a new number each frame) labels each frame's
 * reading with the frame's true digits, as a host app that knows the answer would, until `columns` columns are kept.
 */
async function fineTuneSetup(params: Params): Promise<unknown> {
  const set = await loadFrames(numberParam(params, 'columns'), 'teach');
  const wanted = numberParam(params, 'labelled');
  // A first fine-tune renders its replay and test columns; later ones read them back (kept in IndexedDB).
  const db = await openDatabase();
  await db.clear('columns');
  db.close();
  const source = new SourceCanvas(set);
  await loadElementBundle();
  const { element, ready } = createElement(set, source, 'wasm', 30);
  element.setAttribute('paused', '');
  element.setAttribute('stable-frames', '1');
  element.setAttribute('min-confidence', '0');
  element.setAttribute('sample-set', `bench-${Date.now()}`);
  document.body.append(element);
  await ready;
  const teaching = element as FineTuningElement;
  let total = 0;
  for (let i = 0; total < wanted; i += 1) {
    source.show(i % set.frames.length);
    await teaching.classifyOnce();
    total = (await teaching.label(set.digits[i % set.digits.length] ?? [])).total;
  }
  fineTuning = teaching;
  return { labelled: total, frames: Math.ceil(total / set.columns) };
}

/**
 * Part 6: one `fineTune()` with the element's defaults, between two `bench:frame` marks (the runner's trace finds the
 * main thread's long tasks between them); a 10 ms timer on the main thread records its largest lateness, the one
 * measure of a blocked main thread every engine has.
 */
async function fineTuneRun(params: Params): Promise<unknown> {
  const element = fineTuning;
  if (element === undefined) throw new Error('Call fineTuneSetup first.');
  // `last`: the element is removed after this run (else a second run follows on the same samples).
  const last = stringParam(params, 'last', 'yes') === 'yes';
  const lateness: number[] = [];
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(now - expected);
    expected = now + 10;
  }, 10);
  const stages: Record<string, number> = {};
  const started = performance.now();
  element.addEventListener('cc-progress', (event) => {
    const { stage } = (event as CustomEvent<{ stage: string }>).detail;
    stages[stage] ??= Math.round(performance.now() - started);
  });
  performance.mark('bench:frame');
  try {
    const outcome = await element.fineTune();
    const seconds = (performance.now() - started) / 1000;
    performance.mark('bench:frame');
    return {
      seconds,
      workerSeconds: outcome.seconds,
      accepted: outcome.accepted,
      summary: outcome.summary,
      learnt: outcome.learnt,
      heldOut: outcome.heldOut.columns,
      testColumns: outcome.test.columns,
      epochs: outcome.epochs.length,
      bestEpoch: outcome.bestEpoch,
      perEpoch: outcome.epochs.map(({ epoch, heldOutAccuracy, heldOutLoss, seconds }) => ({
        epoch,
        heldOutAccuracy,
        heldOutLoss,
        seconds,
      })),
      quantization: outcome.quantization,
      stagesMs: stages,
      timerLatenessMs: {
        max: Math.max(0, ...lateness),
        over50: lateness.filter((l) => l > 50).length,
        ticks: lateness.length,
      },
    };
  } finally {
    clearInterval(timer);
    if (last) {
      await element.clearSamples();
      await element.resetModel();
      element.remove();
    }
  }
}

let memoryClient: ClientClass | undefined;
let memorySet: FrameSet | undefined;

/** Part 4: a client and its frames; the runner reads the worker's heap between chunks. */
async function memorySetup(params: Params): Promise<unknown> {
  const columns = numberParam(params, 'columns');
  memorySet = await loadFrames(columns);
  memoryClient = await createClient(backendParam(params), columns);
  return { ...(await memoryClient.memory()), backend: memoryClient.runtime.backend };
}

/** Runs `frames` frames through the client's classify loop; resolves with the worker's TF.js memory after. */
async function memoryRun(params: Params): Promise<unknown> {
  const client = memoryClient;
  const set = memorySet;
  if (client === undefined || set === undefined) throw new Error('Call memorySetup first.');
  const frames = numberParam(params, 'frames');
  const geometry = geometryOf(set);
  const started = performance.now();
  for (let i = 0; i < frames; i += 1)
    await client.classify(await rawBitmap(set.frames[i % set.frames.length]!), geometry);
  return { ms: performance.now() - started, ...(await client.memory()) };
}

const params = new URLSearchParams(location.search);
const design = params.get('design');
const designs: Readonly<Record<string, () => Design>> = {
  element: () => elementDesign(false),
  'element-preview': () => elementDesign(true),
  'element-stream': elementStreamDesign,
  floor: floorDesign,
  control: controlDesign,
  'control-stream': controlStreamDesign,
};
const chosen = design === null ? undefined : designs[design];
if (chosen !== undefined) {
  exposeResponsiveness(chosen());
} else {
  exposeBench({ latency, coldStart, memorySetup, memoryRun, fineTuneSetup, fineTuneRun });
}
