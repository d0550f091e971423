/**
 * The steps of part 1 (main-thread responsiveness) that every design shares.
 * The runner calls them in order: `setup` → `start` → `frames` (warm-up; it
 * then throttles the CPU and starts tracing) → `measure` → `stop`.
 */
import {
  ClickProbe,
  SourceCanvas,
  exposeBench,
  loadFrames,
  numberParam,
  stringParam,
  type FrameSet,
  type Params,
  type SourceScene,
} from './common.ts';

/** What a design reports about one measurement window. */
export interface DesignCounters {
  /** Readings completed in the window. */
  readonly readings: number;
  /** Frames skipped because the previous one was still being read. */
  readonly skipped: number;
  readonly errors: readonly string[];
  /** Per-reading stage times measured where the work ran (worker designs: unthrottled). */
  readonly stages: Readonly<Record<string, readonly number[]>>;
}

/** One way of reading the source: the element, or a baseline on the main thread. */
export interface Design {
  /** Loads the model and warms up; resolves with facts to report (e.g. the backend in use). */
  setup(set: FrameSet, source: SourceCanvas, backend: string): Promise<Readonly<Record<string, unknown>>>;
  /** Clears the counters at the start of a window. */
  reset(): void;
  counters(): DesignCounters;
}

/** Records per-stage times of readings. */
export class StageLog {
  private stages: Record<string, number[]> = {};
  readings = 0;
  skipped = 0;
  errors: string[] = [];

  add(timings: Readonly<Record<string, number>>): void {
    this.readings += 1;
    for (const [name, value] of Object.entries(timings)) (this.stages[name] ??= []).push(value);
  }

  reset(): void {
    this.stages = {};
    this.readings = 0;
    this.skipped = 0;
    this.errors = [];
  }

  counters(): DesignCounters {
    return { readings: this.readings, skipped: this.skipped, errors: [...this.errors], stages: { ...this.stages } };
  }
}

function sceneParam(params: Params): SourceScene {
  const scene = stringParam(params, 'scene', 'still');
  if (scene !== 'still' && scene !== 'changing')
    throw new Error(`bench parameter "scene" must be still or changing, got ${scene}.`);
  return scene;
}

/** Exposes the responsiveness steps for one design. */
export function exposeResponsiveness(design: Design): void {
  let source: SourceCanvas | undefined;
  let probe: ClickProbe | undefined;
  const requireSource = (): SourceCanvas => {
    if (source === undefined) throw new Error('Call setup first.');
    return source;
  };
  exposeBench({
    async setup(params: Params) {
      const scene = sceneParam(params);
      const set = await loadFrames(numberParam(params, 'columns'), scene === 'still' ? 'still' : 'cols');
      probe = new ClickProbe();
      source = new SourceCanvas(set);
      const info = await design.setup(set, source, stringParam(params, 'backend'));
      const box = probe.button.getBoundingClientRect();
      return {
        ...info,
        frame: `${set.width}×${set.height}`,
        click: { x: box.left + box.width / 2, y: box.top + box.height / 2 },
      };
    },
    async start(params: Params) {
      requireSource().start(numberParam(params, 'fps', 30));
      return true;
    },
    async frames(params: Params) {
      await requireSource().frames(numberParam(params, 'count'), false);
      return true;
    },
    async measure(params: Params) {
      const frames = numberParam(params, 'count');
      if (probe === undefined) throw new Error('Call setup first.');
      design.reset();
      probe.begin();
      await requireSource().frames(frames, true);
      const clicks = probe.end();
      return { frames, ...design.counters(), clicks };
    },
    async stop() {
      requireSource().stop();
      return true;
    },
  });
}
