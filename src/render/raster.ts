/**
 * A tiny software rasterizer: a float RGBA layer (premultiplied alpha, colour
 * 0..255) and shapes filled by signed distance with analytic anti-aliasing
 * (coverage = clamp(½ − d / softness)), so edges are smooth without
 * supersampling. No DOM, no canvas: the same bytes in Node and in a browser.
 */

/** An RGB colour, channels 0..255. */
export type Rgb = readonly [number, number, number];

/** A float RGBA layer with premultiplied alpha. */
export interface Layer {
  readonly width: number;
  readonly height: number;
  /** r, g, b, a per pixel: r, g, b premultiplied, 0..255; a 0..1. */
  readonly data: Float32Array;
}

/** A signed distance in pixels at (x, y): negative inside, positive outside. */
export type Sdf = (x: number, y: number) => number;

/** A new transparent layer. */
export function createLayer(width: number, height: number): Layer {
  return { width, height, data: new Float32Array(width * height * 4) };
}

/** Axis-aligned pixel bounds [x0, x1) × [y0, y1). */
export interface Bounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/**
 * Paints a shape over the layer ("over" compositing).
 * @param sdf the shape's signed distance, in layer pixels
 * @param bounds where the shape can be (grown by the softness)
 * @param colour colour at a pixel centre inside the shape
 * @param alpha opacity of the shape
 * @param softness edge width in pixels (1 = anti-aliased edge; more = soft shadow)
 */
export function paint(
  layer: Layer,
  sdf: Sdf,
  bounds: Bounds,
  colour: (x: number, y: number, d: number) => Rgb,
  alpha = 1,
  softness = 1,
): void {
  const grow = Math.ceil(softness) + 1;
  const x0 = Math.max(0, Math.floor(bounds.x0) - grow);
  const y0 = Math.max(0, Math.floor(bounds.y0) - grow);
  const x1 = Math.min(layer.width, Math.ceil(bounds.x1) + grow);
  const y1 = Math.min(layer.height, Math.ceil(bounds.y1) + grow);
  const data = layer.data;
  for (let y = y0; y < y1; y++) {
    const cy = y + 0.5;
    for (let x = x0; x < x1; x++) {
      const cx = x + 0.5;
      const d = sdf(cx, cy);
      let coverage = 0.5 - d / softness;
      if (coverage <= 0) continue;
      if (coverage > 1) coverage = 1;
      const a = coverage * alpha;
      const [r, g, b] = colour(cx, cy, d);
      const i = (y * layer.width + x) * 4;
      const keep = 1 - a;
      data[i] = (data[i] ?? 0) * keep + r * a;
      data[i + 1] = (data[i + 1] ?? 0) * keep + g * a;
      data[i + 2] = (data[i + 2] ?? 0) * keep + b * a;
      data[i + 3] = (data[i + 3] ?? 0) * keep + a;
    }
  }
}

// --- signed distance functions (centre cx, cy; half sizes a, b) -------------

/** Rounded rectangle with corner radius r. */
export function roundedBox(cx: number, cy: number, a: number, b: number, r: number): Sdf {
  const rr = Math.min(r, a, b);
  return (x, y) => {
    const qx = Math.abs(x - cx) - a + rr;
    const qy = Math.abs(y - cy) - b + rr;
    const ox = Math.max(qx, 0);
    const oy = Math.max(qy, 0);
    return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - rr;
  };
}

/** Ellipse (distance approximated by the value over the gradient length: exact to a pixel near the edge). */
export function ellipse(cx: number, cy: number, a: number, b: number): Sdf {
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const f = (dx * dx) / (a * a) + (dy * dy) / (b * b) - 1;
    const gx = dx / (a * a);
    const gy = dy / (b * b);
    const g = 2 * Math.sqrt(gx * gx + gy * gy);
    return g > 1e-9 ? f / g : -Math.min(a, b);
  };
}

/**
 * Convex polygon symmetric about both axes, given by its corners in the first
 * quadrant (relative to the centre), ordered from the x axis to the y axis.
 * Distance = max over edges of the distance to the edge's line (exact on the
 * edges, slightly inside at the corners: enough for anti-aliasing).
 */
export function symmetricPolygon(cx: number, cy: number, quadrant: readonly (readonly [number, number])[]): Sdf {
  const normals: [number, number, number][] = [];
  const points = quadrant;
  for (let i = 0; i + 1 < points.length; i++) {
    const p = points[i];
    const q = points[i + 1];
    if (p === undefined || q === undefined) continue;
    const ex = q[0] - p[0];
    const ey = q[1] - p[1];
    const len = Math.sqrt(ex * ex + ey * ey);
    // Outward normal of an edge walked counter-clockwise in y-down coordinates mirrored to y-up.
    const nx = ey / len;
    const ny = -ex / len;
    const sign = nx * p[0] + ny * p[1] >= 0 ? 1 : -1;
    normals.push([sign * nx, sign * ny, sign * (nx * p[0] + ny * p[1])]);
  }
  return (x, y) => {
    const ax = Math.abs(x - cx);
    const ay = Math.abs(y - cy);
    let d = -Infinity;
    for (const [nx, ny, c] of normals) {
      const v = nx * ax + ny * ay - c;
      if (v > d) d = v;
    }
    return d;
  };
}

/** A lens (vesica): the intersection of two circles through (±a, 0) whose tops are at ±b (needs a > b). */
export function lens(cx: number, cy: number, a: number, b: number): Sdf {
  const c = (a * a - b * b) / (2 * b);
  const radius = b + c;
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const d1 = Math.sqrt(dx * dx + (dy + c) * (dy + c)) - radius;
    const d2 = Math.sqrt(dx * dx + (dy - c) * (dy - c)) - radius;
    return Math.max(d1, d2);
  };
}

/** Axis-aligned rectangle [x0, x1] × [y0, y1]. */
export function rect(x0: number, y0: number, x1: number, y1: number): Sdf {
  return roundedBox((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, 0);
}

/** Shifts a shape by (dx, dy) and grows it by `grow` pixels. */
export function offset(sdf: Sdf, dx: number, dy: number, grow = 0): Sdf {
  return (x, y) => sdf(x - dx, y - dy) - grow;
}

/** Multiplies a colour by a factor, per channel. */
export function shade(c: Rgb, k: number): Rgb {
  return [c[0] * k, c[1] * k, c[2] * k];
}

/** Linear mix of two colours (t = 0 → a, t = 1 → b). */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** HSL (h in degrees, s and l in [0, 1]) to RGB 0..255, with exact arithmetic only. */
export function hsl(h: number, s: number, l: number): Rgb {
  const hh = (((h % 360) + 360) % 360) / 60;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs((hh % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] =
    hh < 1 ? [c, x, 0] : hh < 2 ? [x, c, 0] : hh < 3 ? [0, c, x] : hh < 4 ? [0, x, c] : hh < 5 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}
