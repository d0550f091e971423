import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameAt, type FrameSet } from '../../bench/pages/common.ts';
import { WHOLE_FRAME } from '../../src/preprocess/types.ts';

/** A frame set whose frames are stand-ins numbered by their place in the set. */
function setOf(frames: number, hold: number, variants: number): FrameSet {
  return {
    columns: 1,
    width: 1,
    height: 1,
    corners: WHOLE_FRAME,
    digits: Array.from({ length: frames }, () => [0]),
    frames: Array.from({ length: frames }, (_, i) => ({ index: i }) as unknown as ImageData),
    hold,
    variants,
  };
}

const placeOf = (set: FrameSet, tick: number) => (frameAt(set, tick) as unknown as { index: number }).index;

describe('the bench source schedule', () => {
  it('shows a new frame every tick when each number is held for one frame', () => {
    const set = setOf(4, 1, 1);
    assert.deepEqual(
      Array.from({ length: 9 }, (_, t) => placeOf(set, t)),
      [0, 1, 2, 3, 0, 1, 2, 3, 0],
    );
  });

  it('holds each number for `hold` ticks, stepping through its noisy copies, then moves to the next number', () => {
    // Three numbers × four noisy copies, each number held for six ticks.
    const set = setOf(12, 6, 4);
    const places = Array.from({ length: 20 }, (_, t) => placeOf(set, t));
    assert.deepEqual(places, [0, 1, 2, 3, 0, 1, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 2, 3]);
    // No two ticks in a row show the same pixels.
    for (let t = 1; t < places.length; t += 1) assert.notEqual(places[t], places[t - 1]);
  });
});
