/**
 * User Timing measures for each stage, named `column-classifier:<stage>`,
 * with Chrome's `detail.devtools` extension so that they show as their own
 * track in the DevTools Performance panel
 * (https://developer.chrome.com/docs/devtools/performance/extension).
 * Other engines keep them as ordinary measures.
 */

/** The track the measures of one thread go to. */
export interface StageTrack {
  readonly track: string;
  readonly color: 'primary' | 'secondary' | 'tertiary';
}

export const WORKER_TRACK: StageTrack = { track: 'worker', color: 'primary' };
export const MAIN_TRACK: StageTrack = { track: 'main thread', color: 'secondary' };

/** Records one stage from `start` to `end` (both `performance.now()` values). */
export function markStage(stage: string, start: number, end: number, track: StageTrack): void {
  const name = `column-classifier:${stage}`;
  performance.measure(name, {
    start,
    end,
    detail: {
      devtools: { dataType: 'track-entry', track: track.track, trackGroup: 'column-classifier', color: track.color },
    },
  });
  // Tracing has recorded it; clearing keeps the timeline buffer from growing by one entry per stage per frame.
  performance.clearMeasures(name);
}
