import type { ClientFrameResult } from '../../src/worker-api/classifier-client.ts';
import type { ReadingDetail } from './events.ts';

/**
 * The element's reading of one frame: the worker's columns with their digits, value and
 * smallest confidence, and the main thread's timings.
 *
 * @param stable - whether the stability tracker counts these digits as stable
 * @param captureStart - `performance.now()` when the capture began
 * @param captureEnd - `performance.now()` when the bitmap was ready
 * @param frameReadBy - where the frame's pixels were taken
 */
export function toReading(
  result: ClientFrameResult,
  stable: boolean,
  captureStart: number,
  captureEnd: number,
  frameReadBy: ReadingDetail['frameReadBy'],
): ReadingDetail {
  const digits = result.columns.map((c) => c.digit);
  return {
    digits,
    value: digits.reduce((value, digit) => value * 10 + digit, 0),
    columns: result.columns,
    // No column read (no soroban found): nothing to be confident about.
    confidence: result.columns.length === 0 ? 0 : Math.min(...result.columns.map((c) => c.confidence)),
    stable,
    backend: result.backend,
    frameReadBy,
    capturedAt: captureStart,
    frameWidth: result.frameWidth,
    frameHeight: result.frameHeight,
    timings: { ...result.timings, capture: captureEnd - captureStart, roundTrip: result.roundTrip },
    ...(result.location === undefined ? {} : { location: result.location }),
  };
}
