// `npm run bench`: builds the product, serves it with the bench pages, drives
// Chromium, Firefox and WebKit, prints the five parts and writes
// bench/results.json, bench/results.md and bench/results.svg.
//
//   npm run bench                         full run (~10–15 min on 2 cores)
//   npm run bench -- --quick              fewer frames and rounds (~3–4 min)
//   npm run bench -- --only=latency,sizes parts: responsiveness, latency, cold, memory, sizes, fine-tune (the
//                                         others are kept from the last bench/results.json, with their date)
//   npm run bench -- --engines=chromium   engines for parts 2, 3 and 6
//   npm run bench -- --backend=webgl      backend of designs (a) and (b) in part 1 (default wasm)
//   npm run bench -- --designs=element,floor   part 1's designs (default all; the control always runs)
//   npm run bench -- --compare-dist=DIR   part 1 also runs design (a) from another build's dist/ (e.g. of main,
//                                         built in a worktree), interleaved with this one's: an A/B in one run
//   npm run bench -- --memory-frames=N --memory-columns=N   part 4 (default 10 000 frames of 1 column)
//   npm run bench -- --no-build           reuse dist/ as it is
//   npm run bench -- --report-only        re-print and re-draw bench/results.json
//
// Run with tsx (the script does), because it imports the renderer and the
// field-model fixture from TypeScript.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { stopHelpers } from '../scripts/browsers.mjs';
import { openEngine } from './drivers.mjs';
import { writeFieldModel, writeFrames, writeStillFrames, writeTeachingFrames } from './prepare.ts';
import { printReport, writeChart, writeMarkdown } from './report.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { ratio, summary } from './stats.mjs';
import { TRACE_CATEGORIES, analyzeWindow } from './trace.mjs';
import { bytesBeforeFirstReading, measureSizes } from './sizes.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', '.out');
const SITE = join(OUT, 'site');
const PARTS = ['responsiveness', 'latency', 'cold', 'memory', 'sizes', 'fine-tune'];
const ENGINES = ['chromium', 'firefox', 'webkit'];
const BACKENDS = ['cpu', 'wasm', 'webgl'];
/**
 * Rows of the element as it starts by default, with no `corners` or `columns`: the worker loads the localizer beside
 * the model and finds the soroban (the other rows give the geometry).
 */
const FOUND_AUTO = 'auto, found';
const FOUND_WASM = 'wasm, found';
const LATENCY_COLUMNS = [1, 5, 13, 21];
/** Part 6: 200 self-labelled columns (20 frames of a 10-column soroban), as issue 19 counts them. */
const FINE_TUNE = { columns: 10, frames: 20, labelled: 200 };

function parseArgs(argv) {
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (name, all) => {
    const text = value(name);
    if (text === undefined) return all;
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = items.filter((i) => !all.includes(i));
    if (unknown.length > 0) throw new Error(`--${name}: unknown ${unknown.join(', ')}; choose from ${all.join(', ')}.`);
    return items;
  };
  const known = [
    'quick',
    'no-build',
    'report-only',
    'only',
    'engines',
    'backend',
    'designs',
    'compare-dist',
    'memory-frames',
    'memory-columns',
  ];
  for (const arg of argv) {
    const name = arg.replace(/^--/, '').split('=')[0];
    if (!arg.startsWith('--') || !known.includes(name))
      throw new Error(`Unknown argument ${arg}. Known: ${known.map((k) => `--${k}`).join(' ')}.`);
  }
  const quick = flag('quick');
  const memoryColumns = Number(value('memory-columns') ?? 1);
  if (!LATENCY_COLUMNS.includes(memoryColumns))
    throw new Error(`--memory-columns must be one of ${LATENCY_COLUMNS.join(', ')} (the rendered frame sets).`);
  const memoryFrames = Number(value('memory-frames') ?? (quick ? 1000 : 10_000));
  if (!Number.isInteger(memoryFrames) || memoryFrames < 1)
    throw new Error('--memory-frames must be a whole number ≥ 1.');
  const compareDist = value('compare-dist');
  const backend = value('backend') ?? 'wasm';
  if (!BACKENDS.includes(backend)) throw new Error(`--backend must be one of ${BACKENDS.join(', ')}.`);
  return {
    quick,
    reportOnly: flag('report-only'),
    build: !flag('no-build'),
    parts: list('only', PARTS),
    engines: list('engines', ENGINES),
    // The control is what every other design's time is measured against.
    designs: chosenDesigns(list('designs', Object.keys(DESIGNS)), compareDist !== undefined),
    compareDist,
    // Part 1: the backend of the element (a) and of the main-thread baseline (b); (c) is always WebGL, as in the field.
    backend,
    rounds: quick ? 1 : 3,
    windowFrames: quick ? 60 : 90,
    warmFrames: 30,
    settleFrames: 15,
    clickEveryMs: 150,
    latencyFrames: quick ? 10 : 40,
    latencyMinFrames: quick ? 3 : 5,
    latencyBudgetMs: quick ? 3000 : 5000,
    latencyWarm: 2,
    coldTries: quick ? 1 : 3,
    memoryFrames,
    // One column keeps 10 000 frames within minutes on a shared 2-core machine; the frame path (bitmap, transfer,
    // preprocess, predict, decode) is the same for any column count.
    memoryColumns,
    memoryChunk: quick ? 250 : 1000,
  };
}

const started = Date.now();
function progress(text) {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${s} s] ${text}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function buildSite(options) {
  if (options.build) {
    progress('building (npm run build)…');
    const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  }
  await rm(SITE, { recursive: true, force: true });
  await mkdir(SITE, { recursive: true });
  // A copy, so that another `npm run build` during the run cannot pull files from under the browsers.
  await cp(join(ROOT, 'dist'), SITE, { recursive: true });
  if (options.compareDist !== undefined) await cp(options.compareDist, join(SITE, 'compare'), { recursive: true });
  const benchDir = join(SITE, 'bench');
  await mkdir(benchDir, { recursive: true });
  progress('bundling the bench pages…');
  const pages = {
    'element-page': 'element-page.ts',
    'main-thread-page': 'main-thread-page.ts',
    'field-page': 'field-page.ts',
  };
  await esbuild.build({
    entryPoints: Object.fromEntries(
      Object.entries(pages).map(([name, file]) => [name, join(ROOT, 'bench', 'pages', file)]),
    ),
    outdir: benchDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  for (const name of Object.keys(pages)) {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench: ${name}</title>
<script type="module" src="${name}.js"></script></head><body></body></html>\n`;
    await writeFile(join(benchDir, `${name}.html`), html);
  }
  progress('rendering source frames and writing the field graph model…');
  await writeFrames(benchDir, LATENCY_COLUMNS, 4);
  await writeStillFrames(benchDir, 13);
  await writeTeachingFrames(benchDir, FINE_TUNE.columns, FINE_TUNE.frames);
  const field = await writeFieldModel(SITE);
  return { field };
}

// ---------------------------------------------------------------- part 1

/**
 * Part 1's designs. `scene` is what the source canvas shows: `still` (the default, as a camera over a soroban sees
 * it: one number at rest with sensor noise, changed every 2 s) or `changing` (a new number every frame: the worst
 * case, where every reading redraws the readout).
 */
const DESIGNS = {
  control: { page: 'element-page', design: 'control', label: 'source + clicks only (control)' },
  element: { page: 'element-page', design: 'element', label: '(a) element + worker' },
  elementPreview: { page: 'element-page', design: 'element-preview', label: '(a) element + worker, preview on' },
  elementChanging: {
    page: 'element-page',
    design: 'element',
    scene: 'changing',
    label: '(a) element + worker, a new number every frame',
  },
  elementChangingCompare: {
    page: 'element-page',
    design: 'element',
    scene: 'changing',
    query: '&bundle=compare',
    label: '(a) element + worker, a new number every frame, built from --compare-dist',
  },
  floor: { page: 'element-page', design: 'floor', label: 'floor: capture + transfer to the worker, no element' },
  elementStream: {
    page: 'element-page',
    design: 'element-stream',
    label: '(a) element + worker, MediaStream source (canvas.captureStream)',
  },
  elementStreamChanging: {
    page: 'element-page',
    design: 'element-stream',
    scene: 'changing',
    label: '(a) element + worker, MediaStream source, a new number every frame',
  },
  elementStreamCompare: {
    page: 'element-page',
    design: 'element-stream',
    query: '&bundle=compare',
    label: '(a) element + worker, MediaStream source, built from --compare-dist',
  },
  controlStream: {
    page: 'element-page',
    design: 'control-stream',
    label: 'stream control: the same captureStream playing in a <video>, nothing reading it',
  },
  elementCompare: {
    page: 'element-page',
    design: 'element',
    query: '&bundle=compare',
    label: '(a) element + worker, built from --compare-dist',
  },
  mainThread: {
    page: 'main-thread-page',
    design: 'main-thread',
    label: '(b) same model + preprocessing on the main thread',
  },
  field: {
    page: 'field-page',
    design: 'field',
    label: '(c) field: MobileNetV2 graph, main thread, WebGL, per-column preprocessing',
  },
};

/** Part 1's designs in their order: the control first; with --compare-dist, each element design's twin from that build. */
function chosenDesigns(named, compare) {
  const twins = {
    element: 'elementCompare',
    elementChanging: 'elementChangingCompare',
    elementStream: 'elementStreamCompare',
  };
  const own = named.filter((d) => d !== 'control' && !Object.values(twins).includes(d));
  return ['control', ...own, ...(compare ? own.flatMap((d) => (twins[d] === undefined ? [] : [twins[d]])) : [])];
}

async function responsivenessSegment(engine, origin, key, options) {
  const { page: file, design, query = '', scene = 'still' } = DESIGNS[key];
  const page = await engine.open(`${origin}/bench/${file}.html?design=${design}${query}`);
  const raw = page.raw;
  try {
    const info = await page.run('setup', {
      columns: 13,
      backend: key === 'field' ? 'webgl' : options.backend,
      scene,
    });
    await page.run('start', { fps: 30 });
    await page.run('frames', { count: options.warmFrames });
    await raw.emulateCPUThrottling(4);
    await page.run('frames', { count: options.settleFrames });
    await raw.tracing.start({ categories: TRACE_CATEGORIES });
    let clicking = true;
    const clicker = (async () => {
      while (clicking) {
        await raw.mouse.click(info.click.x, info.click.y);
        await sleep(options.clickEveryMs);
      }
    })();
    const counters = await page.run('measure', { count: options.windowFrames });
    clicking = false;
    await clicker;
    const trace = JSON.parse(Buffer.from(await raw.tracing.stop()).toString('utf8'));
    await raw.emulateCPUThrottling(null);
    await page.run('stop');
    return { design: key, info, counters, trace: analyzeWindow(trace.traceEvents), pageErrors: [...page.errors] };
  } finally {
    await page.close();
  }
}

/** Attributable time per frame = the design's time in that frame − the median of the same round's control (source + clicks only). */
function attributable(segments, key, field, controls) {
  const values = [];
  let excess = 0;
  for (const s of segments) {
    const control = key === 'control' ? 0 : (controls.get(s.round)?.[field] ?? 0);
    for (const busy of s.trace[field]) values.push(busy - control);
    excess += s.trace[field].reduce((x, y) => x + y, 0) - control * s.trace[field].length;
  }
  const q = summary(values);
  return {
    perFrame: { p50: Math.max(0, q.p50), p95: Math.max(0, q.p95) },
    excess: Math.max(0, excess),
    frames: values.length,
  };
}

function summarizeResponsiveness(segments) {
  const controls = new Map();
  for (const s of segments) {
    if (s.design === 'control')
      controls.set(s.round, {
        perFrame: summary(s.trace.perFrame).p50,
        perFrameWall: summary(s.trace.perFrameWall).p50,
      });
  }
  const designs = {};
  for (const key of Object.keys(DESIGNS)) {
    const mine = segments.filter((s) => s.design === key);
    if (mine.length === 0) continue;
    const cpu = attributable(mine, key, 'perFrame', controls);
    const wall = attributable(mine, key, 'perFrameWall', controls);
    const readings = mine.reduce((n, s) => n + s.counters.readings, 0);
    const windowMs = mine.reduce((n, s) => n + s.trace.windowMs, 0);
    const sum = (pick) =>
      mine.reduce((acc, s) => ({ count: acc.count + pick(s).count, totalMs: acc.totalMs + pick(s).totalMs }), {
        count: 0,
        totalMs: 0,
      });
    const stages = {};
    for (const s of mine)
      for (const [name, values] of Object.entries(s.counters.stages)) (stages[name] ??= []).push(...values);
    designs[key] = {
      label: DESIGNS[key].label,
      backend: mine[0].info.backend,
      frame: mine[0].info.frame,
      rounds: mine.length,
      framesMeasured: cpu.frames,
      mainThreadMsPerFrame: cpu.perFrame,
      mainThreadWallMsPerFrame: wall.perFrame,
      mainThreadMsPerFrameUnsubtracted: summary(mine.flatMap((s) => s.trace.perFrame)),
      mainThreadMsPerReading: readings > 0 ? cpu.excess / readings : Number.NaN,
      readings,
      readingsPerSecond: windowMs > 0 ? (readings / windowMs) * 1000 : Number.NaN,
      longTasks: sum((s) => s.trace.longTasks),
      longTasksCpu: sum((s) => s.trace.longTasksCpu),
      clickDelayMs: summary(mine.flatMap((s) => s.counters.clicks.delays)),
      clickToNextFrameMs: summary(mine.flatMap((s) => s.counters.clicks.toNextFrame)),
      workerMsPerFrame: summary(mine.flatMap((s) => s.trace.workerPerFrame)),
      // The worker thread's CPU time per reading: what a reading costs whatever else the machine runs.
      workerMsPerReading: readings > 0 ? sumOf(mine.flatMap((s) => s.trace.workerPerFrame)) / readings : Number.NaN,
      kindsMsPerFrame: Object.fromEntries(
        Object.keys(mine[0].trace.kinds).map((kind) => [
          kind,
          mine.reduce((sum, s) => sum + s.trace.kinds[kind], 0) / mine.length,
        ]),
      ),
      stagesMs: Object.fromEntries(Object.entries(stages).map(([name, values]) => [name, summary(values)])),
      setup: mine[0].info,
      errors: mine.flatMap((s) => [...s.counters.errors, ...s.pageErrors]),
    };
  }
  const ratios = {};
  // How many times the element's cost each baseline is: [ratio, baseline, element] for (b)/(a) and (c)/(a) on the
  // canvas source, and (b) over the element on a stream.
  for (const [name, baselineKey, elementKey] of [
    ['mainThread', 'mainThread', 'element'],
    ['field', 'field', 'element'],
    ['mainThreadOverStream', 'mainThread', 'elementStream'],
  ]) {
    const d = designs[baselineKey];
    const a = designs[elementKey];
    if (a === undefined || d === undefined) continue;
    ratios[name] = {
      p50: ratio(d.mainThreadMsPerFrame.p50, a.mainThreadMsPerFrame.p50),
      p95: ratio(d.mainThreadMsPerFrame.p95, a.mainThreadMsPerFrame.p95),
      perReading: ratio(d.mainThreadMsPerReading, a.mainThreadMsPerReading),
      clickDelayP50: ratio(d.clickDelayMs.p50, a.clickDelayMs.p50),
    };
  }
  const floor = designs.floor;
  // The other way round from the baselines' ratios: how many floors the element costs (goal ≤ 1.5).
  for (const key of ['element', 'elementPreview', 'elementCompare', 'elementChanging', 'elementChangingCompare']) {
    const d = designs[key];
    if (d === undefined || floor === undefined) continue;
    ratios[`${key}OverFloor`] = {
      p50: ratio(d.mainThreadMsPerFrame.p50, floor.mainThreadMsPerFrame.p50),
      p95: ratio(d.mainThreadMsPerFrame.p95, floor.mainThreadMsPerFrame.p95),
    };
  }
  // The stream designs against their own control (the same stream playing in a <video>): ms above it, not a ratio.
  const streamControl = designs.controlStream;
  for (const key of ['elementStream', 'elementStreamCompare', 'elementStreamChanging']) {
    const stream = designs[key];
    if (stream === undefined || streamControl === undefined) continue;
    ratios[`${key}AboveControlMs`] = {
      p50: stream.mainThreadMsPerFrame.p50 - streamControl.mainThreadMsPerFrame.p50,
      p95: stream.mainThreadMsPerFrame.p95 - streamControl.mainThreadMsPerFrame.p95,
    };
  }
  return { designs, ratios };
}

async function runResponsiveness(options, origin, engines) {
  const engine = engines.chromium;
  if (engine === undefined || engine.missing) return { skipped: engine?.missing ?? 'chromium was not opened' };
  const order = options.designs;
  const segments = [];
  for (let round = 0; round < options.rounds; round += 1) {
    // Interleaved, and rotated each round, so a burst of load from other work on the machine hits every design.
    const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const key of rotated) {
      progress(
        `part 1, round ${round + 1}/${options.rounds}: ${DESIGNS[key].label}, ${options.windowFrames} frames at 30 fps, CPU 4× throttled…`,
      );
      const segment = await responsivenessSegment(engine, origin, key, options);
      segments.push({ round, ...segment });
      const perFrame = summary(segment.trace.perFrame);
      progress(
        `  main thread ${perFrame.p50.toFixed(2)} / ${perFrame.p95.toFixed(2)} ms CPU per frame (p50/p95, control not yet subtracted), ${segment.counters.readings} readings, ${segment.trace.longTasks.count} long tasks`,
      );
    }
  }
  return {
    throttle: 4,
    fps: 30,
    columns: 13,
    // What the source shows unless a design says otherwise (DESIGNS).
    scene: 'still',
    windowFrames: options.windowFrames,
    warmFrames: options.warmFrames + options.settleFrames,
    rounds: options.rounds,
    ...summarizeResponsiveness(segments),
    segments: segments.map(({ trace, ...rest }) => ({
      ...rest,
      counters: { ...rest.counters, stages: undefined },
      trace: {
        ...trace,
        perFrame: summary(trace.perFrame),
        cpuMs: sumOf(trace.perFrame),
        perFrameWall: summary(trace.perFrameWall),
        wallMs: sumOf(trace.perFrameWall),
        workerPerFrame: summary(trace.workerPerFrame),
      },
    })),
  };
}

// ---------------------------------------------------------------- parts 2 and 3

/**
 * Runs `measure(open, backend)` for each engine × backend. `open()` gives a
 * fresh element page (closing the one before); a missing engine is recorded as
 * such, and a failure as `{ error }`, so one bad cell never stops the run.
 */
async function eachEngineAndBackend(options, origin, engines, measure, backends = BACKENDS) {
  const results = {};
  for (const name of options.engines) {
    const engine = engines[name];
    if (engine.missing) {
      results[name] = { missing: engine.missing };
      continue;
    }
    results[name] = {};
    for (const backend of backends) {
      let page;
      // Each call closes the page before, so one page at a time runs.
      const open = async () => {
        await page?.close().catch(() => undefined);
        page = await engine.open(`${origin}/bench/element-page.html`);
        return page;
      };
      try {
        results[name][backend] = await measure(open, backend, name);
      } catch (error) {
        results[name][backend] = { error: firstLine(error) };
        progress(`  failed: ${firstLine(error)}`);
      } finally {
        await page?.close().catch(() => undefined);
      }
    }
  }
  return results;
}

async function runLatency(options, origin, engines) {
  const results = await eachEngineAndBackend(options, origin, engines, async (open, backend, name) => {
    const frames = options.latencyFrames;
    progress(
      `part 2: ${name} ${backend}: ${LATENCY_COLUMNS.join('/')} columns × ${frames} frames (at least ${options.latencyMinFrames}, ${options.latencyBudgetMs / 1000} s budget each)…`,
    );
    const page = await open();
    const result = await page.run('latency', {
      backend,
      columns: LATENCY_COLUMNS.join(','),
      frames,
      warm: options.latencyWarm,
      minFrames: options.latencyMinFrames,
      budgetMs: options.latencyBudgetMs,
    });
    const byColumns = Object.fromEntries(
      Object.entries(result.byColumns).map(([columns, stages]) => [
        columns,
        Object.fromEntries(Object.entries(stages).map(([stage, values]) => [stage, summary(values)])),
      ]),
    );
    const t13 = byColumns['13']?.total;
    if (t13) progress(`  13 columns: total ${t13.p50.toFixed(1)} ms median, ${t13.p95.toFixed(1)} ms p95`);
    const localize = result.localize?.length > 0 ? summary(result.localize) : undefined;
    if (localize) progress(`  localizer: ${localize.p50.toFixed(1)} ms median, ${localize.p95.toFixed(1)} ms p95`);
    return { backend: result.backend, tfjsVersion: result.tfjsVersion, frames, byColumns, localize };
  });
  return { columns: LATENCY_COLUMNS, note: 'worker-side times, not throttled', engines: results };
}

async function runColdStart(options, origin, engines) {
  const results = await eachEngineAndBackend(
    options,
    origin,
    engines,
    async (open, row, name) => {
      progress(`part 3: ${name} ${row}: cold start × ${options.coldTries}…`);
      const [backend, geometry] = row === FOUND_AUTO ? ['auto', 'found'] : [row, 'given'];
      const ready = [];
      const first = [];
      const tries = [];
      let used;
      for (let i = 0; i < options.coldTries; i += 1) {
        // A fresh page each try: a new worker, a new TF.js, the model fetched again.
        const r = await (await open()).run('coldStart', { backend, columns: 13, geometry });
        used = r.backend;
        ready.push(r.ready);
        first.push(r.firstReading);
        tries.push(r);
      }
      // The stages of the median try: ms from connecting to the start of each.
      const median = [...tries].sort((a, b) => a.firstReading - b.firstReading)[Math.floor(tries.length / 2)];
      const stagesMs = median?.stages ?? {};
      progress(
        `  ready ${summary(ready).p50.toFixed(0)} ms, first reading ${summary(first).p50.toFixed(0)} ms (median); stages began at ${Object.entries(
          stagesMs,
        )
          .map(([stage, ms]) => `${stage} ${ms}`)
          .join(', ')}`,
      );
      return { backend: used, tries: ready.length, readyMs: summary(ready), firstReadingMs: summary(first), stagesMs };
      // `auto`, the element's default, measures the backends that pass before it reads: its time beside theirs.
    },
    [...BACKENDS, 'auto', FOUND_AUTO],
  );
  return {
    note: 'element connected → cc-ready / first cc-reading; model, worker and .wasm served from localhost, no HTTP cache',
    engines: results,
  };
}

// ---------------------------------------------------------------- part 5

/**
 * Per backend, the files a fresh page fetched from connecting the element to its first reading (13 columns), in
 * Chromium: which files a page needs does not depend on the engine (WebKit and Firefox take the same wasm file
 * unless threads are on, which the element does not ask for).
 */
async function runBytesBeforeFirstReading(origin, engines, served) {
  const engine = engines.chromium;
  if (engine === undefined || engine.missing) return { skipped: engine?.missing ?? 'chromium was not opened' };
  const results = {};
  for (const row of [...BACKENDS, FOUND_WASM]) {
    progress(`part 5: chromium ${row}: files fetched before the first reading…`);
    const [backend, geometry] = row === FOUND_WASM ? ['wasm', 'found'] : [row, 'given'];
    const page = await engine.open(`${origin}/bench/element-page.html`);
    try {
      served.length = 0;
      const run = await page.run('coldStart', { backend, columns: 13, geometry });
      results[row] = { backend: run.backend, ...(await bytesBeforeFirstReading(SITE, [...served])) };
      progress(`  ${(results[row].total.gzip / 1024).toFixed(1)} KB gzip`);
    } catch (error) {
      results[row] = { error: firstLine(error) };
      progress(`  failed: ${firstLine(error)}`);
    } finally {
      await page.close().catch(() => undefined);
    }
  }
  return {
    note: 'a fresh page each backend, no HTTP cache; gzip level 9 of each file fetched, the bench page’s own files not counted',
    engine: 'chromium',
    backends: results,
  };
}

// ---------------------------------------------------------------- part 6

/**
 * Per engine, one `fineTune()` with the element's defaults on 200 self-labelled columns (wasm: the fine-tune worker
 * runs on wasm only): its time from the call to the outcome, and how late a 10 ms main-thread timer ran meanwhile; in
 * Chromium also the main thread's long tasks over the whole fine-tune, from a DevTools trace.
 */
async function runFineTune(options, origin, engines) {
  const byBackend = await eachEngineAndBackend(
    options,
    origin,
    engines,
    async (open, _backend, name) => {
      progress(`part 6: ${name}: label ${FINE_TUNE.labelled} columns, then fineTune() with the element's defaults…`);
      const page = await open();
      const setup = await page.run('fineTuneSetup', { columns: FINE_TUNE.columns, labelled: FINE_TUNE.labelled });
      const tracing = name === 'chromium';
      if (tracing) await page.raw.tracing.start({ categories: TRACE_CATEGORIES });
      const run = await page.run('fineTuneRun', { last: 'no' });
      const trace = tracing
        ? analyzeWindow(JSON.parse(Buffer.from(await page.raw.tracing.stop()).toString('utf8')).traceEvents)
        : undefined;
      // Again on the same samples: the rendered columns are read back this time.
      const again = await page.run('fineTuneRun', { last: 'yes' });
      progress(
        `  ${run.seconds.toFixed(1)} s, again ${again.seconds.toFixed(1)} s (${run.accepted ? 'accepted' : 'refused'}: ${run.summary}); main-thread timer at most ${run.timerLatenessMs.max.toFixed(0)} ms late${trace === undefined ? '' : `; long tasks ${trace.longTasks.count} (wall) / ${trace.longTasksCpu.count} (thread time)`}`,
      );
      return {
        ...setup,
        ...run,
        again: { seconds: again.seconds, stagesMs: again.stagesMs, accepted: again.accepted },
        ...(trace === undefined
          ? {}
          : {
              longTasks: trace.longTasks,
              longTasksCpu: trace.longTasksCpu,
              mainThreadBusyMs: trace.perFrame[0],
              windowMs: trace.windowMs,
            }),
        pageErrors: [...page.errors],
      };
    },
    // The fine-tune worker runs on wasm only.
    ['wasm'],
  );
  return {
    note: `${FINE_TUNE.labelled} columns labelled through label() on ${FINE_TUNE.columns}-column frames of one soroban in a look the shipped model never trained on (3D renderer, its held-out bead profile and colour, under a raking light), then fineTune() with the element's defaults (wasm), timed from the call to its outcome; not throttled`,
    // One row per engine (a missing engine, or the wasm row's result or error).
    engines: Object.fromEntries(Object.entries(byBackend).map(([name, row]) => [name, row.wasm ?? row])),
  };
}

// ---------------------------------------------------------------- part 4

async function workerHeap(raw) {
  const worker = raw.workers().find((w) => w.url().includes('column-classifier.worker'));
  if (worker === undefined) return undefined;
  await worker.client.send('HeapProfiler.collectGarbage').catch(() => undefined);
  const { usedSize, totalSize } = await worker.client.send('Runtime.getHeapUsage');
  return { usedBytes: usedSize, totalBytes: totalSize };
}

/** The page's JS heap after a full GC (without one, garbage not yet collected reads as growth). */
async function pageHeap(raw) {
  const session = await raw.createCDPSession();
  try {
    await session.send('HeapProfiler.collectGarbage').catch(() => undefined);
    return (await raw.metrics()).JSHeapUsedSize;
  } finally {
    await session.detach().catch(() => undefined);
  }
}

async function runMemory(options, origin, engines) {
  const engine = engines.chromium;
  if (engine === undefined || engine.missing) return { skipped: engine?.missing ?? 'chromium was not opened' };
  const backend = 'wasm';
  const page = await engine.open(`${origin}/bench/element-page.html`);
  try {
    const before = await page.run('memorySetup', { backend, columns: options.memoryColumns });
    const heapBefore = await workerHeap(page.raw);
    const pageHeapBefore = await pageHeap(page.raw);
    progress(
      `part 4: chromium ${backend}: ${options.memoryFrames} frames of ${options.memoryColumns} column(s) through ClassifierClient.classify; worker heap ${mb(heapBefore?.usedBytes)}, ${before.numTensors} tensors`,
    );
    const curve = [{ frames: 0, numTensors: before.numTensors, workerHeapBytes: heapBefore?.usedBytes }];
    let done = 0;
    let after = before;
    while (done < options.memoryFrames) {
      const n = Math.min(options.memoryChunk, options.memoryFrames - done);
      after = await page.run('memoryRun', { frames: n });
      done += n;
      const heap = await workerHeap(page.raw);
      curve.push({ frames: done, numTensors: after.numTensors, workerHeapBytes: heap?.usedBytes });
      progress(
        `  ${done}/${options.memoryFrames} frames (${((n / after.ms) * 1000).toFixed(0)} frames/s): ${after.numTensors} tensors, worker heap ${mb(heap?.usedBytes)}`,
      );
    }
    const heapAfter = await workerHeap(page.raw);
    const pageHeapAfter = await pageHeap(page.raw);
    return {
      engine: 'chromium',
      backend: before.backend,
      frames: done,
      columns: options.memoryColumns,
      numTensors: { before: before.numTensors, after: after.numTensors },
      tfBytes: { before: before.numBytes, after: after.numBytes },
      workerHeapBytes: {
        before: heapBefore?.usedBytes,
        after: heapAfter?.usedBytes,
        how: 'CDP Runtime.getHeapUsage on the worker target after HeapProfiler.collectGarbage',
      },
      pageHeapBytes: {
        before: pageHeapBefore,
        after: pageHeapAfter,
        how: 'CDP Performance.getMetrics JSHeapUsedSize after HeapProfiler.collectGarbage',
      },
      curve,
      note: 'Firefox and WebKit expose no worker heap to their drivers; numTensors is the same code in every engine.',
    };
  } finally {
    await page.close();
  }
}

const sumOf = (values) => values.reduce((a, b) => a + b, 0);
const mb = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 1048576).toFixed(2)} MB`);
const firstLine = (error) => String(error?.message ?? error).split('\n')[0];

// ---------------------------------------------------------------- main

const PART_KEYS = {
  responsiveness: 'responsiveness',
  latency: 'latency',
  cold: 'coldStart',
  memory: 'memory',
  sizes: 'sizes',
  'fine-tune': 'fineTune',
};

/** With --only, the parts not run now are kept from the last results.json, each with the date it was measured. */
async function keepEarlierParts(results, options) {
  if (options.parts.length === PARTS.length) return;
  let earlier;
  try {
    earlier = JSON.parse(await readFile(join(ROOT, 'bench', 'results.json'), 'utf8'));
  } catch {
    return;
  }
  for (const part of PARTS.filter((p) => !options.parts.includes(p))) {
    const key = PART_KEYS[part];
    if (earlier[key] === undefined) continue;
    results[key] = { ...earlier[key], measuredAt: earlier[key].measuredAt ?? earlier.date };
    for (const [name, engine] of Object.entries(earlier.engines ?? {})) results.engines[name] ??= engine;
  }
}

async function report(results) {
  const benchDir = join(ROOT, 'bench');
  console.log(`\n${printReport(results)}`);
  await writeFile(join(benchDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeMarkdown(join(benchDir, 'results.md'), results);
  await writeChart(join(benchDir, 'results.svg'), results);
  progress('wrote bench/results.json, bench/results.md, bench/results.svg');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.reportOnly) {
    await report(JSON.parse(await readFile(join(ROOT, 'bench', 'results.json'), 'utf8')));
    return;
  }
  progress(
    `parts: ${options.parts.join(', ')}; engines: ${options.engines.join(', ')}${options.quick ? ' (quick)' : ''}`,
  );
  const load = { start: loadavg() };
  const { field } = await buildSite(options);
  // Every path served, for part 5's bytes before the first reading.
  const served = [];
  const server = await serveStatic(SITE, 0, { onServe: (path) => served.push(path) });
  const needed = new Set();
  if (options.parts.some((p) => ['responsiveness', 'memory', 'sizes'].includes(p))) needed.add('chromium');
  if (options.parts.some((p) => ['latency', 'cold', 'fine-tune'].includes(p)))
    for (const e of options.engines) needed.add(e);
  const engines = {};
  const results = {
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGB: Number((totalmem() / 2 ** 30).toFixed(1)),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    model:
      JSON.parse(await readFile(join(SITE, 'models', 'column-classifier', 'model.json'), 'utf8')).userDefinedMetadata
        ?.contract?.name ?? 'models/column-classifier',
    options: { ...options },
    engines: {},
  };
  try {
    for (const name of ENGINES.filter((e) => needed.has(e))) {
      progress(`starting ${name}…`);
      try {
        engines[name] = await openEngine(name);
      } catch (error) {
        engines[name] = { name, missing: `${name} did not start: ${firstLine(error)}` };
      }
      results.engines[name] = engines[name].missing
        ? { missing: engines[name].missing }
        : { version: engines[name].version };
      if (engines[name].missing) progress(`  ${engines[name].missing}`);
    }
    if (options.parts.includes('responsiveness'))
      results.responsiveness = await runResponsiveness(options, server.origin, engines);
    if (options.parts.includes('latency')) results.latency = await runLatency(options, server.origin, engines);
    if (options.parts.includes('cold')) results.coldStart = await runColdStart(options, server.origin, engines);
    if (options.parts.includes('memory')) results.memory = await runMemory(options, server.origin, engines);
    if (options.parts.includes('sizes'))
      results.sizes = {
        ...(await measureSizes(SITE, field)),
        beforeFirstReading: await runBytesBeforeFirstReading(server.origin, engines, served),
      };
    if (options.parts.includes('fine-tune')) results.fineTune = await runFineTune(options, server.origin, engines);
  } finally {
    for (const engine of Object.values(engines)) await engine.close?.().catch(() => undefined);
    await server.close();
    stopHelpers();
  }
  load.end = loadavg();
  results.machine.loadAverage = {
    start: load.start.map((l) => Number(l.toFixed(2))),
    end: load.end.map((l) => Number(l.toFixed(2))),
  };
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  for (const part of options.parts) if (results[PART_KEYS[part]]) results[PART_KEYS[part]].measuredAt = results.date;
  await keepEarlierParts(results, options);
  await report(results);
}

main().catch((error) => {
  stopHelpers();
  console.error(`bench failed: ${error?.stack ?? error}`);
  process.exit(1);
});
