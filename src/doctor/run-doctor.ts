/**
 * `doctor`: the same golden images through the Node reference and through
 * the product's worker in every installed engine × backend, compared head by
 * head against the contract's tolerance. For a localizer, the worker locates
 * the soroban in each image (beside the shipped column classifier) and its
 * corners, presence and count are compared.
 */
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelKind, type ModelKind } from '../contract/model-kind.ts';
import { InputError } from '../errors.ts';
import { loadClassifierModel } from '../model/load.ts';
import { openModelSource } from '../cli/model-args.ts';
import { useNodeBackend } from '../reference/backend.ts';
import { ensureDist } from './build.ts';
import { failedRows, notInstalledRows, rowOf, type DoctorRow } from './compare.ts';
import { EngineLauncher, type OpenEngine } from './engines.ts';
import { directoryImages, goldenImages, goldenSorobans, type ImageJob } from './images.ts';
import { nodeOutputs } from './node-reference.ts';
import { BACKEND_CONFIGS, DECISIONS, ENGINES, type Engine, type PageMessage, type PageResult } from './protocol.ts';
import { startDoctorServer, type Mount } from './server.ts';

/** The package root: dist/, esbuild.config.mjs and scripts/ live there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** model.json (or its directory); http(s) URLs are read by Node, and the browsers fetch them directly. */
  readonly model: string;
  readonly imagesDir?: string | undefined;
  /** Engines to run (default all three). */
  readonly engines?: readonly Engine[];
  /** Timed passes after the measured one. Default 3. */
  readonly timedPasses?: number;
  /** Longest wait for one engine's whole run. Default 20 minutes. */
  readonly engineTimeoutMs?: number;
  /** Progress, one short line at a time. */
  readonly progress: (line: string) => void;
}

/** What doctor found. */
export interface DoctorReport {
  readonly model: string;
  /** What the model is: its rows compare a classifier's columns or a localizer's location. */
  readonly kind: ModelKind;
  /** What its decisions are ("digits"; "found, count"). */
  readonly decision: string;
  readonly tolerance: number;
  /** Where the tolerance came from. */
  readonly toleranceSource: string;
  readonly images: readonly { readonly name: string; readonly columns: number }[];
  readonly engines: readonly {
    readonly engine: Engine;
    readonly installed: boolean;
    readonly userAgent: string | undefined;
  }[];
  readonly rows: readonly DoctorRow[];
}

/** The column classifier a localizer's rows run beside: the shipped one, as the built dist/ serves it. */
const SHIPPED_MODEL_PATH = '/models/column-classifier/model.json';

/** Used when a contract has no golden section: the worker's self-check then checks nothing, so doctor still needs a bar. */
export const DEFAULT_TOLERANCE = 1e-3;

/**
 * Runs the doctor.
 *
 * @throws {LoadError} / {ContractError} when the model does not load in Node (nothing to compare with)
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const say = options.progress;
  await ensureDist(PACKAGE_ROOT, say);
  say('loading the model in Node (wasm backend)');
  await useNodeBackend('wasm');
  const source = await openModelSource(options.model);
  const model = await loadClassifierModel(source);
  const kind = modelKind(model.contract);
  const remote = /^https?:\/\//.test(options.model);
  const mounts: Mount[] = [];
  let modelUrlPath: string;
  if (remote) {
    modelUrlPath = options.model;
  } else {
    mounts.push({ prefix: '/__model/', dir: dirname(source.description) });
    modelUrlPath = `/__model/${basename(source.description)}`;
  }
  const images: ImageJob[] = remote ? [] : goldenImages(model.contract, '/__model/');
  if (!remote) {
    // The index may list a photo the contract already has as a golden case.
    for (const photo of await goldenSorobans(dirname(source.description), '/__model/'))
      if (!images.some((i) => i.url === photo.url)) images.push(photo);
  }
  if (options.imagesDir !== undefined) {
    mounts.push({ prefix: '/__images/', dir: options.imagesDir });
    images.push(...(await directoryImages(options.imagesDir, '/__images/')));
  }
  if (images.length === 0) {
    model.dispose();
    throw new InputError(
      'input/bad-argument',
      'doctor: no images to compare: the contract has no golden PNG cases (or the model is remote); give --images DIR.',
    );
  }
  const tolerance = model.contract.golden?.tolerance ?? DEFAULT_TOLERANCE;
  const toleranceSource =
    model.contract.golden === undefined
      ? `no golden section in the contract; doctor's default ${DEFAULT_TOLERANCE}`
      : 'contract golden.tolerance';
  say(`Node reference: ${images.length} image(s)`);
  const reference = await nodeOutputs(model, source, images);
  model.dispose();

  const waiting = new Map<Engine, { resolve: (result: PageResult) => void; reject: (error: Error) => void }>();
  const server = await startDoctorServer({
    distDir: `${PACKAGE_ROOT}dist`,
    mounts,
    configFor: (engine) => ({
      engine,
      // A localizer runs beside the column classifier the package ships (served from dist/).
      ...(kind === 'localizer'
        ? { modelUrl: SHIPPED_MODEL_PATH, localizerUrl: modelUrlPath }
        : { modelUrl: modelUrlPath }),
      configs: BACKEND_CONFIGS,
      images: images.map((i) => ({ name: i.name, url: i.url, geometry: i.geometry })),
      timedPasses: options.timedPasses ?? 3,
    }),
    onMessage: (message: PageMessage) => {
      if (message.kind === 'progress') say(`${message.engine} ${message.message}`);
      else if (message.kind === 'result') waiting.get(message.engine)?.resolve(message);
      else waiting.get(message.engine)?.reject(new Error(message.message));
    },
  });
  const launcher = await EngineLauncher.create();
  const installed = launcher.installed();
  const configIds = BACKEND_CONFIGS.map((c) => c.id);
  const rows: DoctorRow[] = [];
  const engines: { engine: Engine; installed: boolean; userAgent: string | undefined }[] = [];
  try {
    for (const engine of options.engines ?? ENGINES) {
      if (!installed[engine]) {
        engines.push({ engine, installed: false, userAgent: undefined });
        rows.push(
          ...notInstalledRows(
            engine,
            configIds,
            `${engine} is not installed: ${launcher.installHints()[engine]}; not counted as a failure.`,
          ),
        );
        continue;
      }
      say(`${engine}: starting`);
      let open: OpenEngine | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const result = new Promise<PageResult>((resolve, reject) => {
          waiting.set(engine, { resolve, reject });
          timer = setTimeout(
            () => reject(new Error(`no result within ${Math.round((options.engineTimeoutMs ?? 1_200_000) / 1000)} s`)),
            options.engineTimeoutMs ?? 1_200_000,
          );
        });
        open = await launcher.open(engine, `${server.origin}/__doctor/index.html?engine=${engine}`);
        const page = await result;
        engines.push({ engine, installed: true, userAgent: page.userAgent });
        rows.push(...page.results.map((r) => rowOf(engine, r, reference, tolerance, DECISIONS[kind])));
      } catch (error) {
        engines.push({ engine, installed: true, userAgent: undefined });
        rows.push(
          ...failedRows(
            engine,
            configIds,
            `the doctor page did not complete in ${engine}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      } finally {
        clearTimeout(timer);
        waiting.delete(engine);
        await open?.close();
      }
    }
  } finally {
    launcher.stop();
    await server.close();
  }
  return {
    model: source.description,
    kind,
    decision: DECISIONS[kind],
    tolerance,
    toleranceSource,
    images: images.map((i) => ({ name: i.name, columns: i.geometry.columns })),
    engines,
    rows,
  };
}
