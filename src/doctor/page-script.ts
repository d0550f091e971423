/**
 * The doctor's browser page: for each backend configuration it starts the
 * product's own worker through {@link ClassifierClient} (the built element
 * bundle, as a consumer would load it), classifies the images (or, for a
 * localizer, locates the soroban in each, as a still image), and posts the
 * head values and timings back. It imports nothing at build time: the
 * doctor serves it through `esbuild.transform`, and the bundle is loaded at
 * run time from the served `dist/`.
 */
import type { ClassifierClient } from '../worker-api/classifier-client.ts';
import type { ConfigResult, ImageReading, PageConfig, PageMessage } from './protocol.ts';

type ClientModule = { readonly ClassifierClient: typeof ClassifierClient };

// A plain string, so neither tsc nor esbuild tries to resolve the bundle at build time.
const ELEMENT_BUNDLE: string = '/column-classifier.js';

async function post(message: PageMessage): Promise<void> {
  await fetch('/__doctor/report', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(message),
  });
}

async function bitmapOf(url: string): Promise<ImageBitmap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  // Unpremultiplied, without colour management: the pixels Node decodes (the element's premultiplied capture gives the same values, see capture.ts).
  return createImageBitmap(await response.blob(), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

function errorOf(error: unknown): NonNullable<ConfigResult['error']> {
  const e = error as { code?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : String(error),
    details: typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined,
  };
}

async function runConfig(module: ClientModule, config: PageConfig, index: number): Promise<ConfigResult> {
  const backendConfig = config.configs[index]!;
  const say = (message: string): Promise<void> =>
    post({ kind: 'progress', engine: config.engine, message: `${backendConfig.id}: ${message}` });
  await say('starting the worker');
  let client: ClassifierClient | undefined;
  const outputs: ImageReading[] = [];
  const batchMs: number[] = [];
  const batchColumns: number[] = [];
  let backendUsed: string | undefined;
  let selfCheck: ConfigResult['selfCheck'];
  const warnings: NonNullable<ConfigResult['error']>[] = [];
  try {
    client = await module.ClassifierClient.create({
      modelUrl: config.modelUrl,
      ...(config.localizerUrl === undefined ? {} : { localizerUrl: config.localizerUrl }),
      // cpu as the fallback, as users' preference lists end: a backend the self-check refuses is then reported
      // with its per-head golden differences (a warning), and the row shows what users would get instead.
      backends: backendConfig.backend === 'cpu' ? ['cpu'] : [backendConfig.backend, 'cpu'],
      onWarning: (warning) =>
        warnings.push({
          code: warning.code,
          message: warning.message,
          details: warning.details === undefined ? undefined : { ...warning.details },
        }),
      flags: backendConfig.flags,
      warmUpColumns: Math.max(1, ...config.images.map((i) => i.geometry.columns)),
      // SwiftShader compiles shaders slowly on a busy 2-core machine.
      startTimeoutMs: 300_000,
      callTimeoutMs: 120_000,
    });
    backendUsed = client.runtime.backend;
    const checked = config.localizerUrl === undefined ? undefined : 'localizer';
    selfCheck = client.runtime.selfChecks.find((c) => c.backend === backendConfig.backend && c.model === checked);
    for (let pass = 0; pass <= config.timedPasses; pass++) {
      await say(
        pass === 0 ? `classifying ${config.images.length} image(s)` : `timing pass ${pass} of ${config.timedPasses}`,
      );
      for (const image of config.images) {
        if (config.localizerUrl !== undefined) {
          const { location } = await client.classify(await bitmapOf(image.url), { locate: { still: true } });
          if (location === undefined) throw new Error(`no location for ${image.name}`);
          if (pass === 0) {
            const { found, corners, columns, presence, countProbability, countConfidence } = location;
            outputs.push({
              name: image.name,
              location: { found, corners, columns, presence, countProbability, countConfidence },
            });
          } else batchMs.push(location.ms);
          continue;
        }
        const result = await client.classify(await bitmapOf(image.url), image.geometry);
        if (pass === 0) {
          outputs.push({
            name: image.name,
            columns: result.columns.map(({ heaven, earth, digit }) => ({ heaven, earth, digit })),
          });
        } else {
          batchMs.push(result.timings.total);
          batchColumns.push(image.geometry.columns);
        }
      }
    }
    return { id: backendConfig.id, backendUsed, selfCheck, outputs, batchMs, batchColumns, warnings, error: undefined };
  } catch (error) {
    return {
      id: backendConfig.id,
      backendUsed,
      selfCheck,
      outputs,
      batchMs,
      batchColumns,
      warnings,
      error: errorOf(error),
    };
  } finally {
    client?.dispose();
  }
}

async function run(): Promise<void> {
  const config = (await (await fetch(`/__doctor/config.json${location.search}`)).json()) as PageConfig;
  try {
    const module = (await import(ELEMENT_BUNDLE)) as ClientModule;
    const results: ConfigResult[] = [];
    for (let i = 0; i < config.configs.length; i++) results.push(await runConfig(module, config, i));
    await post({ kind: 'result', engine: config.engine, userAgent: navigator.userAgent, results });
  } catch (error) {
    await post({ kind: 'failure', engine: config.engine, message: errorOf(error).message });
  }
}

void run();
