// Reads a Chromium DevTools trace of one measurement window: main-thread busy
// time per source frame, long tasks, and worker busy time. See docs/platform.md,
// "Measuring main-thread cost in Chromium (CDP)".

/** Categories to record: top-level tasks, the timeline, User Timing marks, thread names. */
export const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'gpu',
  '__metadata',
];

const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/**
 * Kinds of main-thread work, by trace event name, to say where the time goes.
 * They can nest (a forced layout inside a rAF callback counts in both), so
 * they are a diagnosis, not a sum.
 */
const KINDS = {
  'rAF callbacks': ['FireAnimationFrame'],
  timers: ['TimerFire'],
  'worker messages': ['HandlePostMessage'],
  'input events': ['EventDispatch'],
  'style + layout': ['UpdateLayoutTree', 'Layout'],
  'paint + commit': ['PrePaint', 'Paint', 'Commit'],
  'pixel readback': ['RasterImplementation::ReadbackImagePixels'],
  'garbage collection': ['MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MARK_COMPACTOR'],
};
const LONG_TASK_MS = 50;

/**
 * Complete task events of one thread folded into top-level tasks
 * `[start, end, cpu]` (µs): nested pairs count once. `cpu` is the outermost
 * event's thread time (`tdur`): what the thread really ran, without the time
 * the OS gave its core to other processes (this machine is shared).
 */
function topLevelTasks(events) {
  const tasks = events
    .filter((e) => e.ph === 'X' && TASK_NAMES.has(e.name) && typeof e.dur === 'number')
    .map((e) => [e.ts, e.ts + e.dur, typeof e.tdur === 'number' ? e.tdur : e.dur])
    .sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const folded = [];
  for (const [start, end, cpu] of tasks) {
    const last = folded.at(-1);
    if (last !== undefined && start < last[1]) {
      // Nested inside the last task: already counted. Overlapping past its end: count the excess.
      if (end > last[1]) {
        last[2] += cpu;
        last[1] = end;
      }
    } else {
      folded.push([start, end, cpu]);
    }
  }
  return folded;
}

/** Wall µs and thread µs of `tasks` inside [from, to); a task crossing a boundary is shared by overlap. */
function busyIn(tasks, from, to) {
  let wall = 0;
  let cpu = 0;
  for (const [start, end, taskCpu] of tasks) {
    if (end <= from) continue;
    if (start >= to) break;
    const overlap = Math.min(end, to) - Math.max(start, from);
    wall += overlap;
    cpu += end > start ? (taskCpu * overlap) / (end - start) : 0;
  }
  return { wall, cpu };
}

/**
 * Cuts the trace at the page's `bench:frame` marks (count + 1 marks give count
 * frames) and measures, on the main thread that made the marks: thread (CPU)
 * ms per frame and wall ms per frame, long tasks (> 50 ms wall, as Chrome
 * counts them, and > 50 ms of thread time) starting in the window; and the
 * thread ms per frame of the page's dedicated workers (not throttled).
 */
export function analyzeWindow(traceEvents) {
  const threadNames = new Map();
  for (const e of traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  }
  const marks = traceEvents
    .filter(
      (e) => e.name === 'bench:frame' && typeof e.cat === 'string' && e.cat.includes('user_timing') && e.ph !== 'e',
    )
    .sort((a, b) => a.ts - b.ts);
  // Marks can appear twice (begin/instant variants): keep one per timestamp.
  const unique = marks.filter((m, i) => i === 0 || m.ts !== marks[i - 1].ts);
  if (unique.length < 2)
    throw new Error(
      `The trace has ${unique.length} bench:frame marks; at least 2 are needed. Was blink.user_timing recorded?`,
    );
  const { pid, tid } = unique[0];
  const main = topLevelTasks(traceEvents.filter((e) => e.pid === pid && e.tid === tid));
  const workerThreads = [...threadNames.entries()]
    .filter(([key, name]) => key.startsWith(`${pid}:`) && /DedicatedWorker/i.test(name))
    .map(([key]) => key);
  const workers = workerThreads.map((key) => topLevelTasks(traceEvents.filter((e) => `${e.pid}:${e.tid}` === key)));
  const from = unique[0].ts;
  const to = unique.at(-1).ts;
  const perFrame = [];
  const perFrameWall = [];
  const workerPerFrame = [];
  for (let i = 0; i + 1 < unique.length; i += 1) {
    const a = unique[i].ts;
    const b = unique[i + 1].ts;
    const busy = busyIn(main, a, b);
    perFrame.push(busy.cpu / 1000);
    perFrameWall.push(busy.wall / 1000);
    workerPerFrame.push(workers.reduce((sum, tasks) => sum + busyIn(tasks, a, b).cpu, 0) / 1000);
  }
  const kinds = {};
  const mainEvents = traceEvents.filter(
    (e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts >= from && e.ts < to,
  );
  for (const [kind, names] of Object.entries(KINDS)) {
    const total = mainEvents
      .filter((e) => names.includes(e.name))
      .reduce((sum, e) => sum + (typeof e.tdur === 'number' ? e.tdur : (e.dur ?? 0)), 0);
    kinds[kind] = total / 1000 / Math.max(1, unique.length - 1);
  }
  const inWindow = main.filter(([start]) => start >= from && start < to);
  const longWall = inWindow.filter(([start, end]) => end - start > LONG_TASK_MS * 1000).map(([s, e]) => (e - s) / 1000);
  const longCpu = inWindow.filter(([, , cpu]) => cpu > LONG_TASK_MS * 1000).map(([, , cpu]) => cpu / 1000);
  return {
    thread: threadNames.get(`${pid}:${tid}`) ?? 'unknown',
    windowMs: (to - from) / 1000,
    perFrame,
    perFrameWall,
    workerPerFrame,
    workerThreads: workerThreads.length,
    longTasks: { count: longWall.length, totalMs: longWall.reduce((a, b) => a + b, 0) },
    longTasksCpu: { count: longCpu.length, totalMs: longCpu.reduce((a, b) => a + b, 0) },
    /** Thread ms per frame in each kind of work (they can nest). */
    kinds,
  };
}
