/**
 * Windows: the axis-aligned part of a frame the localizer looks at, and how its points map to the
 * frame's. The localizer reads a window stretched to its square input, so a point's coordinates
 * normalized to the window are what it predicts, whatever the window's aspect ratio.
 */
import { quadSize } from '../preprocess/columns.ts';
import type { Point, Quad } from '../preprocess/types.ts';

/** An axis-aligned window of the frame, in normalized frame coordinates. */
export interface Window {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The whole frame. */
export const WHOLE_WINDOW: Window = { x: 0, y: 0, width: 1, height: 1 };

/** The window as the quad `preprocessColumns` cuts (one column, no margins). */
export function windowQuad(w: Window): Quad {
  return {
    topLeft: { x: w.x, y: w.y },
    topRight: { x: w.x + w.width, y: w.y },
    bottomRight: { x: w.x + w.width, y: w.y + w.height },
    bottomLeft: { x: w.x, y: w.y + w.height },
  };
}

/** A frame point in the window's coordinates (0..1 inside it). */
export function toWindow(w: Window, p: Point): Point {
  return { x: (p.x - w.x) / w.width, y: (p.y - w.y) / w.height };
}

/** A window point in the frame's coordinates. */
export function fromWindow(w: Window, p: Point): Point {
  return { x: w.x + p.x * w.width, y: w.y + p.y * w.height };
}

/** Every corner of `q` through `map`. */
export function mapQuad(q: Quad, map: (p: Point) => Point): Quad {
  return {
    topLeft: map(q.topLeft),
    topRight: map(q.topRight),
    bottomRight: map(q.bottomRight),
    bottomLeft: map(q.bottomLeft),
  };
}

/** The smallest window holding every corner of `q`. */
export function boundingWindow(q: Quad): Window {
  const xs = [q.topLeft.x, q.topRight.x, q.bottomRight.x, q.bottomLeft.x];
  const ys = [q.topLeft.y, q.topRight.y, q.bottomRight.y, q.bottomLeft.y];
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/**
 * `w` grown by `margin` of its own width on the left and right and of its height above and below,
 * then cut to the frame: the window the second, closer look reads.
 */
export function grownWindow(
  w: Window,
  margin: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number },
): Window {
  const x0 = Math.max(0, w.x - margin.left * w.width);
  const y0 = Math.max(0, w.y - margin.top * w.height);
  const x1 = Math.min(1, w.x + w.width * (1 + margin.right));
  const y1 = Math.min(1, w.y + w.height * (1 + margin.bottom));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The corners of a quad in the corners head's order. */
export const CORNER_KEYS = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const;

/** Corner `k` (0..3, the corners head's order) of `q`. */
export function cornerPoint(q: Quad, k: number): Point {
  return q[CORNER_KEYS[k] ?? 'topLeft'];
}

/**
 * Side of the third look's square window as a multiple of the bead area's height (its left and right edges' mean
 * length in pixels): the bead area's height is about the same number of pitches whatever the column count, so the
 * window shows a corner at the same scale on a 1-column soroban and on a 21-column one.
 */
export const CORNER_WINDOW_SCALE = 1.25;

/**
 * The third look's window about corner `k` of `q` (normalized to a `width` × `height` frame): a square in pixels,
 * {@link CORNER_WINDOW_SCALE} × `scale` times the bead area's height, centred on the corner. It may reach past
 * the frame's edges (what lies outside reads as the edge pixels, in training as in use).
 */
export function cornerWindow(q: Quad, k: number, width: number, height: number, scale = 1): Window {
  const side = Math.max(8, CORNER_WINDOW_SCALE * scale * quadSize(q, width, height).height);
  const centre = cornerPoint(q, k);
  return {
    x: centre.x - side / width / 2,
    y: centre.y - side / height / 2,
    width: side / width,
    height: side / height,
  };
}

/** The corners of a quad as 8 numbers in the order a localizer's corners head gives them: topLeft, topRight, bottomRight, bottomLeft, (x, y) each. */
export function quadValues(q: Quad): number[] {
  return [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft].flatMap((p) => [p.x, p.y]);
}

/** The quad of 8 numbers in the corners head's order, from `at`. */
export function valuesQuad(v: ArrayLike<number>, at = 0): Quad {
  const p = (i: number) => ({ x: v[at + 2 * i] ?? 0, y: v[at + 2 * i + 1] ?? 0 });
  return { topLeft: p(0), topRight: p(1), bottomRight: p(2), bottomLeft: p(3) };
}

/** Mean distance between the corners of two quads (normalized to a width × height frame), in pixels over the frame's diagonal. */
export function cornerError(a: Quad, b: Quad, width: number, height: number): number {
  const sum = CORNER_KEYS.reduce((s, k) => s + Math.hypot((a[k].x - b[k].x) * width, (a[k].y - b[k].y) * height), 0);
  return sum / 4 / Math.hypot(width, height);
}
