import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocationTracker, type FoundLocation } from '../../src/localize/tracker.ts';
import type { Quad } from '../../src/preprocess/types.ts';

/** A 10-column bead area from x0 to x0 + 0.5, y 0.3..0.6 (pitch 0.05 of the width). */
function at(x0: number, options: Partial<FoundLocation> = {}): FoundLocation {
  const corners: Quad = {
    topLeft: { x: x0, y: 0.3 },
    topRight: { x: x0 + 0.5, y: 0.3 },
    bottomRight: { x: x0 + 0.5, y: 0.6 },
    bottomLeft: { x: x0, y: 0.6 },
  };
  return { found: true, corners, columns: 10, presence: 0.99, countProbability: 0.9, countConfidence: 0.8, ...options };
}

describe('LocationTracker', () => {
  it('locates the first frame, then every relocateEvery frames, and reuses the location between', () => {
    const tracker = new LocationTracker({ relocateEvery: 3 });
    assert.equal(tracker.needsLocate(640, 480), true);
    assert.equal(tracker.update(at(0.2), 640, 480).fresh, true);
    const reused: boolean[] = [];
    for (let frame = 0; frame < 3; frame++) {
      const needs = tracker.needsLocate(640, 480);
      reused.push(!needs);
      if (!needs) assert.equal(tracker.reuse()?.fresh, false);
    }
    assert.deepEqual(reused, [true, true, false]);
  });

  it('locates again when asked, when the frame size changes and after a frame where nothing was found', () => {
    const tracker = new LocationTracker({ relocateEvery: 100 });
    tracker.update(at(0.2), 640, 480);
    assert.equal(tracker.needsLocate(640, 480), false);
    assert.equal(tracker.needsLocate(640, 480, true), true);
    assert.equal(tracker.needsLocate(480, 640), true);
    tracker.update(at(0.2, { found: false, presence: 0.1 }), 640, 480);
    assert.equal(tracker.needsLocate(640, 480), true);
  });

  it('moves the corners part of the way to a nearby location, and jumps to a far one or another count', () => {
    const tracker = new LocationTracker({ smoothing: 0.5, followWithin: 0.5 });
    tracker.update(at(0.2), 640, 480);
    // 0.01 of the width is a fifth of a pitch: the same soroban, smoothed halfway.
    assert.ok(Math.abs(tracker.update(at(0.21), 640, 480).corners.topLeft.x - 0.205) < 1e-9);
    // A whole pitch away: the soroban (or the camera) moved; no smoothing.
    assert.equal(tracker.update(at(0.3), 640, 480).corners.topLeft.x, 0.3);
    assert.equal(tracker.update(at(0.305, { columns: 11 }), 640, 480).corners.topLeft.x, 0.305);
  });

  it('keeps only the fields of a location, not what else the localizer returned', () => {
    const tracker = new LocationTracker();
    const raw = { ...at(0.2), countProbabilities: new Float32Array(21) };
    assert.deepEqual(Object.keys(tracker.update(raw, 640, 480)).sort(), [
      'columns',
      'corners',
      'countConfidence',
      'countProbability',
      'found',
      'fresh',
      'presence',
    ]);
  });

  it('forgets the soroban on reset', () => {
    const tracker = new LocationTracker();
    tracker.update(at(0.2), 640, 480);
    tracker.reset();
    assert.equal(tracker.reuse(), undefined);
    assert.equal(tracker.needsLocate(640, 480), true);
  });
});
