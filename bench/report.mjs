// Turns bench results into sections of tables, printed as text (the console)
// or Markdown (bench/results.md, pasted into the README), and a vega-lite
// chart rendered to SVG in Node.
import { writeFile } from 'node:fs/promises';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const ms = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(v !== 0 && Math.abs(v) < 0.1 ? 3 : digits) : 'n/a');
const pair = (s, digits) => (s && s.n !== 0 ? `${ms(s.p50, digits)} / ${ms(s.p95, digits)}` : 'n/a');
const times = (v) => (Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×` : 'n/a');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes) => (bytes === undefined || bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(2)} MB`);
const verdict = (ok) => (ok ? 'MET' : 'NOT MET');

function header(results) {
  const m = results.machine;
  const engines = Object.entries(results.engines)
    .map(([name, e]) => `${name}: ${e.version ?? e.missing}`)
    .join('; ');
  return {
    title: `column-classifier benchmarks, ${results.date.slice(0, 16).replace('T', ' ')} UTC (commit ${results.commit})`,
    notes: [
      `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGB} GB, ${m.platform}, Node ${m.node}; load average at start ${m.loadAverage?.start.join(' ')}, at end ${m.loadAverage?.end.join(' ')} (other work shares these cores: compare within a run, as ratios).`,
      `Engines: ${engines}.`,
      `Run took ${results.durationSeconds} s${results.options.quick ? ' (--quick)' : ''}.`,
      ...['responsiveness', 'latency', 'coldStart', 'memory', 'sizes', 'fineTune']
        .filter((key) => results[key]?.measuredAt && results[key].measuredAt !== results.date)
        .map(
          (key) =>
            `Part "${key}" is from an earlier run, ${results[key].measuredAt.slice(0, 16).replace('T', ' ')} UTC.`,
        ),
    ],
  };
}

function responsivenessSection(r) {
  if (r.skipped) return { title: '1. Main-thread responsiveness', notes: [`skipped: ${r.skipped}`] };
  const order = [
    'element',
    'elementPreview',
    'elementCompare',
    'elementChanging',
    'elementChangingCompare',
    'elementStream',
    'elementStreamCompare',
    'elementStreamChanging',
    'floor',
    'mainThread',
    'field',
    'controlStream',
    'control',
  ];
  const rows = order
    .filter((k) => r.designs[k])
    .map((k) => {
      const d = r.designs[k];
      return [
        d.label,
        d.backend,
        k === 'control'
          ? pair(d.mainThreadMsPerFrame, 2) + ' (subtracted from the others)'
          : pair(d.mainThreadMsPerFrame, 2),
        pair(d.mainThreadWallMsPerFrame, 1),
        k === 'control' ? '–' : ms(d.mainThreadMsPerReading, 2),
        ms(d.readingsPerSecond, 1),
        `${d.longTasks.count} (${ms(d.longTasks.totalMs, 0)} ms) / ${d.longTasksCpu.count}`,
        pair(d.clickDelayMs, 1),
        pair(d.clickToNextFrameMs, 1),
        k === 'element' ? pair(d.workerMsPerFrame, 1) : '–',
      ];
    });
  const a = r.designs.element;
  const b = r.designs.mainThread;
  const notes = [];
  if (r.scene === 'still')
    notes.push(
      'The source shows one soroban at rest, as a camera over it would (sensor noise that differs from frame to frame, the number changed every 2 s), except in the rows that say "a new number every frame".',
    );
  for (const [key, name] of [
    ['mainThread', '(b)/(a)'],
    ['field', '(c)/(a)'],
  ]) {
    const q = r.ratios[key];
    if (q)
      notes.push(
        `${name}: main-thread CPU per frame ${times(q.p50)} at p50, ${times(q.p95)} at p95; per reading ${times(q.perReading)}; click delay p50 ${times(q.clickDelayP50)}.`,
      );
  }
  for (const [key, name] of [
    ['elementOverFloor', '(a)'],
    ['elementPreviewOverFloor', '(a) with its preview on'],
    ['elementCompareOverFloor', '(a) built from --compare-dist'],
    ['elementChangingOverFloor', '(a) with a new number every frame'],
    ['elementChangingCompareOverFloor', '(a) with a new number every frame, built from --compare-dist'],
  ]) {
    const q = r.ratios[key];
    if (q)
      notes.push(
        `Goal, ${name} ≤ 1.5× the floor's main-thread CPU per frame: ${verdict(q.p50 <= 1.5 && q.p95 <= 1.5)} (${times(q.p50)} at p50, ${times(q.p95)} at p95).`,
      );
  }
  for (const [key, name] of [
    // Results from before the changing scene named the one stream design's margin `streamAboveControlMs`.
    [r.ratios.elementStreamAboveControlMs ? 'elementStreamAboveControlMs' : 'streamAboveControlMs', 'elementStream'],
    ['elementStreamCompareAboveControlMs', 'elementStreamCompare'],
    ['elementStreamChangingAboveControlMs', 'elementStreamChanging'],
  ]) {
    const above = r.ratios[key];
    if (above)
      notes.push(
        `Goal, ${r.designs[name]?.label ?? name} (${r.designs[name]?.backend}) ≤ 0.5 ms p95 above the stream control: ${verdict(above.p95 <= 0.5)} (${ms(above.p50, 2)} ms at p50, ${ms(above.p95, 2)} ms at p95 above it).`,
      );
  }
  if (a) {
    notes.push(
      `Goal, element ≤ 1 ms main-thread CPU per frame at p95: ${verdict(a.mainThreadMsPerFrame.p95 <= 1)} (${ms(a.mainThreadMsPerFrame.p95, 2)} ms).`,
    );
    if (b)
      notes.push(
        `Goal, (b)/(a) ≥ 10× at p95 for the canvas source: ${verdict(r.ratios.mainThread.p95 >= 10)} (p95 ${times(r.ratios.mainThread.p95)}, per reading ${times(r.ratios.mainThread.perReading)}).`,
      );
    const overStream = r.ratios.mainThreadOverStream;
    if (overStream)
      notes.push(
        `Goal, (b) over the element on a stream ≥ 20× at p95: ${verdict(overStream.p95 >= 20)} (p95 ${times(overStream.p95)}, per reading ${times(overStream.perReading)}).`,
      );
    notes.push(
      `Goal, zero long tasks after warm-up: ${verdict(a.longTasks.count === 0)} (${a.longTasks.count} over 50 ms wall, ${a.longTasksCpu.count} over 50 ms of thread time, in ${a.framesMeasured} frames).`,
    );
    for (const [key, controlKey] of [
      ['element', 'control'],
      ['elementChanging', 'control'],
      ['elementStream', 'controlStream'],
    ]) {
      const d = r.designs[key];
      if (d === undefined) continue;
      const control = r.designs[controlKey]?.kindsMsPerFrame ?? {};
      const kinds = Object.entries(d.kindsMsPerFrame ?? {})
        .filter(([, v]) => v >= 0.05)
        .sort((x, y) => y[1] - x[1])
        .map(
          ([kind, v]) =>
            `${kind} ${ms(v, 2)}${control[kind] !== undefined ? ` (control ${ms(control[kind], 2)})` : ''}`,
        );
      if (kinds.length > 0)
        notes.push(
          `Where the main-thread time of "${d.label}" goes, thread ms per frame by kind (kinds can nest): ${kinds.join(', ')}.`,
        );
    }
    const stages = a.stagesMs;
    if (stages.total)
      notes.push(
        `The element's worker, per reading (not throttled: CDP cannot throttle workers): preprocess ${pair(stages.preprocess)}, predict ${pair(stages.predict)}, total ${pair(stages.total)} ms wall; main-thread capture ${pair(stages.capture)} ms, round trip ${pair(stages.roundTrip)} ms (p50 / p95)${Number.isFinite(a.workerMsPerReading) ? `; the worker thread's CPU time per reading, from the trace: ${ms(a.workerMsPerReading, 1)} ms (${a.backend}, ${r.columns} columns)` : ''}.`,
      );
  }
  return {
    title: `1. Main-thread responsiveness: Chromium, CPU throttled ${r.throttle}× (page main thread only), ${r.fps} fps source, ${r.columns} columns, ${r.rounds} interleaved round(s) × ${r.windowFrames} frames after ${r.warmFrames} warm-up frames`,
    headers: [
      'design',
      'backend',
      'main-thread CPU ms/frame p50 / p95',
      'wall ms/frame p50 / p95',
      'CPU ms/reading',
      'readings/s',
      'long tasks > 50 ms wall (total) / by CPU',
      'click delay ms p50 / p95',
      'click → next frame ms',
      'worker CPU ms/frame (unthrottled)',
    ],
    rows,
    notes: [
      "Main-thread time is the thread (CPU) time of the page's main-thread tasks between two source frames (DevTools trace), minus the median of the source-only control of the same round; a busy or descheduled main thread delays the source's own frames, so a frame can span several vsyncs. Wall time includes time the OS gave the core to other processes.",
      ...notes,
    ],
  };
}

function latencySection(r, part1) {
  const rows = [];
  const notes = [];
  for (const [engine, backends] of Object.entries(r.engines)) {
    if (backends.missing) {
      rows.push([engine, '–', '–', '', backends.missing, '', '', '', '', '']);
      continue;
    }
    for (const [backend, result] of Object.entries(backends)) {
      if (result.error) {
        rows.push([engine, backend, '–', '', `failed: ${result.error}`, '', '', '', '', '']);
        continue;
      }
      for (const [columns, s] of Object.entries(result.byColumns)) {
        rows.push([
          engine,
          result.backend === backend ? backend : `${backend}→${result.backend}`,
          columns,
          String(s.total.n),
          pair(s.transfer),
          pair(s.preprocess),
          pair(s.predict),
          pair(s.decode),
          pair(s.total),
          pair(s.roundTrip),
        ]);
      }
    }
  }
  for (const [engine, backends] of Object.entries(r.engines))
    for (const [backend, result] of Object.entries(backends))
      if (result?.localize)
        rows.push([engine, backend, 'localizer', String(result.localize.n), '', '', '', '', pair(result.localize), '']);
  const localizer = r.engines.chromium?.wasm?.localize;
  if (localizer)
    notes.push(
      `Goal, one localizer call (all its looks and the column count, the 'localizer' rows) on wasm ≤ 8 ms median in Chromium: ${verdict(localizer.p50 <= 8)} (${ms(localizer.p50)} ms).`,
    );
  const goal = r.engines.chromium?.wasm?.byColumns?.['13']?.total;
  if (goal)
    notes.push(
      `Goal, 13 columns on wasm ≤ 5 ms median in Chromium: ${verdict(goal.p50 <= 5)} (${ms(goal.p50)} ms wall in the worker).`,
    );
  const a = part1?.designs?.element;
  if (a && Number.isFinite(a.workerMsPerReading)) {
    notes.push(
      `Less dependent on the machine's load: the worker thread's CPU time per ${part1.columns}-column reading on ${a.backend} in Chromium, from part 1's trace: ${ms(a.workerMsPerReading)} ms.`,
    );
  }
  return {
    title:
      '2. Inference latency in the worker (ms, median / p95; measured in the worker, not throttled; up to 40 frames per row, fewer where a frame takes seconds)',
    headers: [
      'engine',
      'backend',
      'columns',
      'frames',
      'transfer',
      'preprocess',
      'predict',
      'decode',
      'total',
      'round trip',
    ],
    rows,
    notes,
  };
}

function coldSection(r) {
  const rows = [];
  for (const [engine, backends] of Object.entries(r.engines)) {
    if (backends.missing) {
      rows.push([engine, '–', backends.missing, '', '']);
      continue;
    }
    for (const [backend, c] of Object.entries(backends)) {
      if (!c.readyMs) rows.push([engine, backend, `failed: ${c.error}`, '', '']);
      else
        rows.push([
          engine,
          c.backend === backend ? backend : `${backend}→${c.backend}`,
          ms(c.readyMs.p50, 0),
          ms(c.firstReadingMs.p50, 0),
          String(c.tries),
        ]);
    }
  }
  // The element as it starts by default (auto, no geometry: the localizer too) and with the geometry given.
  const autoGoal = (row) =>
    Object.entries(r.engines)
      .filter(([, backends]) => !backends.missing && backends[row]?.firstReadingMs !== undefined)
      .map(([engine, backends]) => [engine, backends[row].firstReadingMs.p50]);
  const notes = [
    ['auto', 'geometry given'],
    ['auto, found', 'no geometry (the localizer too)'],
  ].flatMap(([row, label]) => {
    const firsts = autoGoal(row);
    return firsts.length === 0
      ? []
      : [
          `Goal, first reading on auto ≤ 1 s after connecting, ${label}: ${verdict(firsts.every(([, v]) => v <= 1000))} (${firsts.map(([e, v]) => `${e} ${ms(v, 0)}`).join(', ')} ms).`,
        ];
  });
  return {
    title: `3. Cold start (median ms; ${r.note})`,
    headers: ['engine', 'backend', 'connected → cc-ready', 'connected → first cc-reading', 'tries'],
    rows,
    notes,
  };
}

function memorySection(r) {
  if (r.skipped) return { title: '4. Memory', notes: [`skipped: ${r.skipped}`] };
  return {
    title: `4. Memory: ${r.engine}, ${r.backend}, ${r.frames} frames of ${r.columns ?? '?'} column(s) through ClassifierClient.classify`,
    headers: ['measure', 'before', 'after'],
    rows: [
      ['worker TF.js tensors (numTensors)', String(r.numTensors.before), String(r.numTensors.after)],
      ['worker TF.js bytes (numBytes)', mb(r.tfBytes.before), mb(r.tfBytes.after)],
      ['worker JS heap used (after GC)', mb(r.workerHeapBytes.before), mb(r.workerHeapBytes.after)],
      ['page JS heap used (after GC)', mb(r.pageHeapBytes.before), mb(r.pageHeapBytes.after)],
    ],
    notes: [`Worker heap: ${r.workerHeapBytes.how}. ${r.note}`],
  };
}

/** Part 5's first table: per backend, what a page fetched before its first reading, piece by piece. */
function firstReadingSection(r) {
  const backends = Object.entries(r.backends ?? {}).filter(([, b]) => b.pieces !== undefined);
  const names = backends[0]?.[1].pieces.map((p) => p.name) ?? [];
  const cell = (piece) => (piece.files.length === 0 ? '—' : kb(piece.gzip));
  return {
    title: `5. Bytes fetched before the first reading (gzip level 9, ${r.engine ?? 'chromium'})`,
    headers: ['piece', ...backends.map(([name]) => name)],
    rows: [
      ...names.map((name, i) => [name, ...backends.map(([, b]) => cell(b.pieces[i]))]),
      ['**total**', ...backends.map(([, b]) => `**${kb(b.total.gzip)}**`)],
    ],
    notes: [
      `${r.note ?? ''}.`,
      ...(r.backends?.['wasm, found']?.total === undefined
        ? []
        : [
            `Goal, ≤ 800 KB before the first reading on wasm with the localizer (no geometry given): ${verdict(r.backends['wasm, found'].total.gzip <= 800 * 1024)} (${kb(r.backends['wasm, found'].total.gzip)}).`,
          ]),
      ...Object.entries(r.backends ?? {})
        .filter(([, b]) => b.error !== undefined || r.skipped !== undefined)
        .map(([name, b]) => `${name}: ${b.error ?? r.skipped}.`),
    ],
  };
}

function sizesSection(r) {
  return {
    title: '5. Sizes of the built files (gzip level 9)',
    headers: ['file', 'raw', 'gzip'],
    rows: r.rows.map((row) => [row.name + (row.files > 1 ? ` (${row.files} files)` : ''), kb(row.raw), kb(row.gzip)]),
    notes: r.rows.filter((row) => row.note).map((row) => `${row.name}: ${row.note}.`),
  };
}

/** Part 6: one fine-tune on 200 self-labelled columns per engine, and how the main thread fared meanwhile. */
function fineTuneSection(r) {
  const engines = Object.entries(r.engines ?? {});
  const done = engines.filter(([, e]) => e.seconds !== undefined);
  const count = (e, key) => (e[key] === undefined ? 'n/a' : String(e[key].count));
  return {
    title: "6. Fine-tuning in the worker (wasm): 200 self-labelled columns, the element's defaults",
    headers: [
      'engine',
      'fineTune() s (again)',
      'verdict',
      'epochs (kept)',
      'columns learnt / held out / test',
      'main-thread timer, max late',
      'long tasks (wall / thread time)',
    ],
    rows: done.map(([name, e]) => [
      name,
      `${e.seconds.toFixed(1)} (${e.again?.seconds === undefined ? 'n/a' : e.again.seconds.toFixed(1)})`,
      e.accepted ? 'accepted' : 'refused',
      `${e.epochs} (${e.bestEpoch ?? '?'})`,
      `${e.learnt} / ${e.heldOut} / ${e.testColumns}`,
      `${ms(e.timerLatenessMs.max, 0)} ms`,
      `${count(e, 'longTasks')} / ${count(e, 'longTasksCpu')}`,
    ]),
    notes: [
      `${r.note}. "Again": a second fineTune() on the same samples, which reads back the rendered columns the first kept.`,
      `Goal, ≤ 60 s on wasm (the first fine-tune): ${done.map(([name, e]) => `${name} ${verdict(e.seconds <= 60)}`).join(', ') || 'n/a'}.`,
      `Goal, zero long tasks on the main thread while fine-tuning (Chromium trace): ${
        r.engines?.chromium?.longTasks === undefined ? 'n/a' : verdict(r.engines.chromium.longTasks.count === 0)
      }.`,
      ...done.map(([name, e]) => `${name}: ${e.summary}`),
      ...engines.filter(([, e]) => e.seconds === undefined).map(([name, e]) => `${name}: ${e.error ?? e.missing}.`),
    ],
  };
}

function sections(results) {
  const list = [header(results)];
  if (results.responsiveness) list.push(responsivenessSection(results.responsiveness));
  if (results.latency) list.push(latencySection(results.latency, results.responsiveness));
  if (results.coldStart) list.push(coldSection(results.coldStart));
  if (results.memory) list.push(memorySection(results.memory));
  if (results.sizes?.beforeFirstReading) list.push(firstReadingSection(results.sizes.beforeFirstReading));
  if (results.sizes) list.push(sizesSection(results.sizes));
  if (results.fineTune) list.push(fineTuneSection(results.fineTune));
  return list;
}

function textTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c ?? '').padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The whole report as console text. */
export function printReport(results) {
  return sections(results)
    .map((s) =>
      [
        s.title,
        '='.repeat(Math.min(s.title.length, 100)),
        s.headers ? textTable(s.headers, s.rows) : '',
        ...(s.notes ?? []).map((n) => `* ${n}`),
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n\n');
}

const cell = (c) => String(c ?? '').replace(/\|/g, '\\|');

/** The whole report as Markdown. */
export async function writeMarkdown(path, results) {
  const text = sections(results)
    .map((s, i) => {
      const parts = [i === 0 ? `### ${s.title}` : `#### ${s.title}`];
      if (s.headers)
        parts.push(
          [
            `| ${s.headers.map(cell).join(' | ')} |`,
            `| ${s.headers.map(() => '---').join(' | ')} |`,
            ...s.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
          ].join('\n'),
        );
      if (s.notes?.length) parts.push(s.notes.map((n) => `- ${n}`).join('\n'));
      return parts.join('\n\n');
    })
    .join('\n\n');
  await writeFile(path, `${text}\n`);
}

/** A vega-lite chart of parts 1 and 2, rendered to SVG. */
export async function writeChart(path, results) {
  const panels = [];
  const r1 = results.responsiveness;
  if (r1?.designs) {
    const values = Object.entries(r1.designs)
      .filter(([k]) => k !== 'control')
      .flatMap(([, d]) => [
        { design: d.label, statistic: 'p50', ms: d.mainThreadMsPerFrame.p50 },
        { design: d.label, statistic: 'p95', ms: d.mainThreadMsPerFrame.p95 },
      ]);
    panels.push({
      title: `Main-thread CPU ms per frame above the control (Chromium, CPU ${r1.throttle}× throttled, 30 fps, ${r1.columns} columns)`,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'design', type: 'nominal', title: null, axis: { labelLimit: 420 } },
        yOffset: { field: 'statistic' },
        x: { field: 'ms', type: 'quantitative', title: 'ms per frame (control subtracted)' },
        color: { field: 'statistic', type: 'nominal', title: null },
      },
      width: 520,
    });
  }
  const r2 = results.latency;
  if (r2?.engines) {
    const values = [];
    for (const [engine, backends] of Object.entries(r2.engines)) {
      if (backends.missing) continue;
      for (const [backend, result] of Object.entries(backends)) {
        if (!result.byColumns) continue;
        for (const [columns, s] of Object.entries(result.byColumns))
          values.push({ engine, backend, columns: Number(columns), ms: s.total.p50 });
      }
    }
    if (values.length > 0) {
      panels.push({
        title: 'Worker time per frame (preprocess + predict + decode), median ms, log scale',
        data: { values },
        facet: { column: { field: 'engine', type: 'nominal', title: null } },
        spec: {
          width: 170,
          height: 160,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'columns', type: 'quantitative', title: 'columns', scale: { domain: [0, 22] } },
            y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'ms' },
            color: { field: 'backend', type: 'nominal' },
          },
        },
      });
    }
  }
  if (panels.length === 0) return;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `column-classifier benchmarks, ${results.date.slice(0, 10)}, ${results.machine.cores} cores`,
      anchor: 'start',
    },
    vconcat: panels,
    resolve: { scale: { color: 'independent' } },
    config: { font: 'sans-serif', view: { stroke: '#ddd' } },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  await writeFile(path, svg);
}
