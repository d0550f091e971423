/**
 * The camera: lays the flat soroban on a table, photographs it through a
 * homography (rotation, perspective tilt, scale), then applies what a phone
 * camera does: lighting gradient, colour cast, exposure, glare, blur, sensor
 * noise and JPEG-like blockiness. Every effect is optional and drawn from the
 * seed; the chosen values are reported.
 */
import {
  applyHomography,
  homographyFromUnitSquare,
  invertHomography,
  composeHomographies,
  type Homography,
} from '../preprocess/homography.ts';
import type { Quad } from '../preprocess/types.ts';
import { detExp, detPow, detSin, detCos, type Random } from './random.ts';
import { createLayer, ellipse, paint, rect, type Layer, type Rgb } from './raster.ts';
import type { Background } from './styles.ts';

/** The camera effects chosen for one image (reported with the image). */
export interface CameraEffects {
  readonly rotationDeg: number;
  readonly tiltX: number;
  readonly tiltY: number;
  readonly lighting: number;
  readonly colourCast: number;
  readonly gamma: number;
  readonly glare: number;
  readonly blur: number;
  readonly noise: number;
  readonly jpeg: number;
  readonly tableShadow: number;
}

/** Draws a random table background of a family, base colour `base`, into an RGB float buffer (0..255). */
export function drawBackground(
  random: Random,
  family: Background,
  base: Rgb,
  width: number,
  height: number,
): Float32Array {
  const layer = createLayer(width, height);
  const phase = random.range(0, 100);
  const freq = random.range(0.05, 0.4);
  const check = random.range(6, 30);
  // The table fills the whole layer: written directly (painting a full-frame shape costs an SDF per pixel).
  for (let y = 0; y < height; y++) {
    const rowWood = family === 'wood' ? detSin(0.01 * y + phase) : 0;
    for (let x = 0; x < width; x++) {
      let k = 1;
      if (family === 'wood') k = 1 + 0.12 * detSin(freq * x + 4 * rowWood);
      else if (family === 'cloth') k = (Math.floor(x / check) + Math.floor(y / check)) % 2 === 0 ? 1.08 : 0.92;
      const i = (y * width + x) * 4;
      layer.data[i] = base[0] * k;
      layer.data[i + 1] = base[1] * k;
      layer.data[i + 2] = base[2] * k;
      layer.data[i + 3] = 1;
    }
  }
  if (family === 'cluttered' || random.chance(0.2)) {
    const things = random.int(2, 7);
    for (let i = 0; i < things; i++) {
      const c: Rgb = [random.range(0, 255), random.range(0, 255), random.range(0, 255)];
      const cx = random.range(0, width);
      const cy = random.range(0, height);
      const a = random.range(0.03, 0.25) * width;
      const b = random.range(0.03, 0.25) * height;
      const sdf = random.chance(0.5) ? rect(cx - a, cy - b, cx + a, cy + b) : ellipse(cx, cy, a, b);
      paint(layer, sdf, { x0: cx - a, y0: cy - b, x1: cx + a, y1: cy + b }, () => c, random.range(0.6, 1));
    }
  }
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < layer.data.length; i += 4, j += 3) {
    rgb[j] = layer.data[i] ?? 0;
    rgb[j + 1] = layer.data[i + 1] ?? 0;
    rgb[j + 2] = layer.data[i + 2] ?? 0;
  }
  return rgb;
}

/** Where the scene's corners land in the photo (pixels), for a random pose. */
export function randomPose(
  random: Random,
  sceneWidthOut: number,
  sceneHeightOut: number,
  imageWidth: number,
  imageHeight: number,
): { quad: Quad; rotationDeg: number; tiltX: number; tiltY: number } {
  const rotationDeg = Math.max(-7, Math.min(7, random.normal() * 2.5));
  const tiltX = random.range(-0.1, 0.1); // left/right edge length ratio − 1
  const tiltY = random.range(-0.14, 0.1); // top/bottom (a phone looking down from the user's side)
  const hw = sceneWidthOut / 2;
  const hh = sceneHeightOut / 2;
  const cx = imageWidth / 2 + random.range(-0.5, 0.5) * Math.max(0, imageWidth - sceneWidthOut * 1.05);
  const cy = imageHeight / 2 + random.range(-0.5, 0.5) * Math.max(0, imageHeight - sceneHeightOut * 1.05);
  const t = (rotationDeg * Math.PI) / 180;
  const cos = detCos(t);
  const sin = detSin(t);
  const corner = (sx: number, sy: number): { x: number; y: number } => {
    // Keystone: the top edge shrinks by tiltY, the right edge by tiltX; plus a little corner jitter.
    const kx = 1 + (sy < 0 ? tiltY : -tiltY) / 2;
    const ky = 1 + (sx > 0 ? tiltX : -tiltX) / 2;
    const x = sx * hw * kx + random.range(-0.01, 0.01) * hw;
    const y = sy * hh * ky + random.range(-0.01, 0.01) * hh;
    return { x: cx + x * cos - y * sin, y: cy + x * sin + y * cos };
  };
  return {
    quad: { topLeft: corner(-1, -1), topRight: corner(1, -1), bottomRight: corner(1, 1), bottomLeft: corner(-1, 1) },
    rotationDeg,
    tiltX,
    tiltY,
  };
}

/** The homography scene pixels → photo pixels for a scene of the given size placed on `quad`. */
export function sceneToPhoto(sceneWidth: number, sceneHeight: number, quad: Quad): Homography {
  const toUnit: Homography = [1 / sceneWidth, 0, 0, 0, 1 / sceneHeight, 0, 0, 0, 1];
  return composeHomographies(homographyFromUnitSquare(quad), toUnit);
}

function sampleLayer(layer: Layer, x: number, y: number, out: Float32Array): void {
  // Bilinear, premultiplied; transparent outside.
  const px = x - 0.5;
  const py = y - 0.5;
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  const fx = px - x0;
  const fy = py - y0;
  out.fill(0);
  for (let dy = 0; dy <= 1; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= layer.height) continue;
    const wy = dy === 0 ? 1 - fy : fy;
    for (let dx = 0; dx <= 1; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= layer.width) continue;
      const w = wy * (dx === 0 ? 1 - fx : fx);
      const i = (yy * layer.width + xx) * 4;
      out[0] = (out[0] ?? 0) + w * (layer.data[i] ?? 0);
      out[1] = (out[1] ?? 0) + w * (layer.data[i + 1] ?? 0);
      out[2] = (out[2] ?? 0) + w * (layer.data[i + 2] ?? 0);
      out[3] = (out[3] ?? 0) + w * (layer.data[i + 3] ?? 0);
    }
  }
}

/** Composites the scene over the background through `toPhoto`, with a soft table shadow. */
export function photograph(
  scene: Layer,
  background: Float32Array,
  width: number,
  height: number,
  toPhoto: Homography,
  shadow: { strength: number; dx: number; dy: number },
): Float32Array {
  const inverse = invertHomography(toPhoto);
  const out = new Float32Array(width * height * 3);
  const px = new Float32Array(4);
  const soft = Math.max(2, 0.02 * scene.width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = applyHomography(inverse, x + 0.5, y + 0.5);
      sampleLayer(scene, s.x, s.y, px);
      const j = (y * width + x) * 3;
      let k = 1;
      if (shadow.strength > 0 && (px[3] ?? 0) < 1) {
        const t = applyHomography(inverse, x + 0.5 - shadow.dx, y + 0.5 - shadow.dy);
        const inside = Math.min(t.x, scene.width - t.x, t.y, scene.height - t.y);
        if (inside > -soft) k = 1 - shadow.strength * Math.min(1, (inside + soft) / (2 * soft));
      }
      const keep = 1 - (px[3] ?? 0);
      out[j] = (px[0] ?? 0) + (background[j] ?? 0) * k * keep;
      out[j + 1] = (px[1] ?? 0) + (background[j + 1] ?? 0) * k * keep;
      out[j + 2] = (px[2] ?? 0) + (background[j + 2] ?? 0) * k * keep;
    }
  }
  return out;
}

/** Separable box blur of radius r (pixels), applied `passes` times (3 passes ≈ Gaussian). */
export function boxBlur(rgb: Float32Array, width: number, height: number, r: number, passes = 3): void {
  if (r < 1) return;
  const tmp = new Float32Array(Math.max(width, height));
  for (let pass = 0; pass < passes; pass++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) blurLine(rgb, y * width * 3 + c, 3, width, r, tmp);
      for (let x = 0; x < width; x++) blurLine(rgb, x * 3 + c, width * 3, height, r, tmp);
    }
  }
}

function blurLine(data: Float32Array, start: number, stride: number, n: number, r: number, tmp: Float32Array): void {
  for (let i = 0; i < n; i++) tmp[i] = data[start + i * stride] ?? 0;
  const at = (i: number): number => tmp[i < 0 ? 0 : i >= n ? n - 1 : i] ?? 0;
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += at(i);
  const norm = 1 / (2 * r + 1);
  for (let i = 0; i < n; i++) {
    data[start + i * stride] = sum * norm;
    sum += at(i + r + 1) - at(i - r);
  }
}

/** Draws the camera effects and applies them in place; returns what was chosen. */
export function applyCamera(
  random: Random,
  rgb: Float32Array,
  width: number,
  height: number,
  pose: { rotationDeg: number; tiltX: number; tiltY: number },
  tableShadow: number,
  pitch: number,
): CameraEffects {
  const lighting = random.chance(0.8) ? random.range(0.1, 0.7) : 0;
  const angle = random.range(0, 2 * Math.PI);
  const lx = detCos(angle);
  const ly = detSin(angle);
  const colourCast = random.chance(0.7) ? random.range(-0.15, 0.15) : 0;
  const exposure = random.range(0.7, 1.25);
  const gamma = random.chance(0.6) ? random.range(0.75, 1.35) : 1;
  const glare = random.chance(0.35) ? random.range(40, 170) : 0;
  // Blur and noise in proportion to the column size: a small soroban in the photo is already soft.
  const blur = random.chance(0.5) && pitch >= 24 ? random.int(1, Math.max(1, Math.round(pitch / 30))) : 0;
  const noise = random.chance(0.8) ? random.range(1, pitch >= 30 ? 10 : 6) : 0;
  const jpeg = random.chance(0.25) ? random.range(0.3, 0.8) : 0;
  const vignette = random.range(0, 0.35);

  // Lighting: a linear gradient across the image and a vignette, times exposure; colour cast per channel.
  const cast: Rgb = [1 + colourCast, 1, 1 - colourCast];
  const diag = Math.sqrt(width * width + height * height) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const nx = (x - width / 2) / diag;
      const ny = (y - height / 2) / diag;
      const k = exposure * (1 + lighting * (nx * lx + ny * ly)) * (1 - vignette * (nx * nx + ny * ny));
      const j = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[j + c] = (rgb[j + c] ?? 0) * k * (cast[c] ?? 1);
    }
  }
  if (glare > 0) {
    const spots = random.int(1, 2);
    for (let s = 0; s < spots; s++) {
      const gx = random.range(0, width);
      const gy = random.range(0, height);
      const sx = random.range(0.03, 0.2) * width;
      const sy = random.range(0.03, 0.2) * height;
      const amount = glare * random.range(0.5, 1);
      const x0 = Math.max(0, Math.floor(gx - 3 * sx));
      const x1 = Math.min(width, Math.ceil(gx + 3 * sx));
      const y0 = Math.max(0, Math.floor(gy - 3 * sy));
      const y1 = Math.min(height, Math.ceil(gy + 3 * sy));
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const dx = (x - gx) / sx;
          const dy = (y - gy) / sy;
          const g = amount * detExp(-(dx * dx + dy * dy) / 2);
          const j = (y * width + x) * 3;
          for (let c = 0; c < 3; c++) rgb[j + c] = (rgb[j + c] ?? 0) + g;
        }
      }
    }
  }
  if (gamma !== 1) {
    // A 1024-entry table with linear interpolation: the curve is smooth, and detPow per value is slow.
    const lut = new Float64Array(1025);
    for (let i = 0; i <= 1024; i++) lut[i] = 255 * detPow(i / 1024, gamma);
    for (let i = 0; i < rgb.length; i++) {
      const t = (Math.max(0, Math.min(255, rgb[i] ?? 0)) / 255) * 1024;
      const k = Math.min(1023, Math.floor(t));
      const f = t - k;
      rgb[i] = (lut[k] ?? 0) * (1 - f) + (lut[k + 1] ?? 0) * f;
    }
  }
  if (blur > 0) boxBlur(rgb, width, height, blur);
  if (noise > 0) {
    for (let i = 0; i < rgb.length; i += 3) {
      const luma = random.roughNormal() * noise;
      for (let c = 0; c < 3; c++) rgb[i + c] = (rgb[i + c] ?? 0) + luma + random.roughNormal() * noise * 0.3;
    }
  }
  if (jpeg > 0) {
    // 8 × 8 blocks lose detail towards their mean, and values snap to steps, as a low JPEG quality does.
    const step = 2 + jpeg * 10;
    for (let by = 0; by < height; by += 8) {
      for (let bx = 0; bx < width; bx += 8) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          let n = 0;
          for (let y = by; y < Math.min(height, by + 8); y++)
            for (let x = bx; x < Math.min(width, bx + 8); x++, n++) sum += rgb[(y * width + x) * 3 + c] ?? 0;
          const mean = sum / n;
          for (let y = by; y < Math.min(height, by + 8); y++) {
            for (let x = bx; x < Math.min(width, bx + 8); x++) {
              const j = (y * width + x) * 3 + c;
              const v = mean + ((rgb[j] ?? 0) - mean) * (1 - 0.5 * jpeg);
              rgb[j] = Math.round(v / step) * step;
            }
          }
        }
      }
    }
  }
  return {
    rotationDeg: pose.rotationDeg,
    tiltX: pose.tiltX,
    tiltY: pose.tiltY,
    lighting,
    colourCast,
    gamma,
    glare,
    blur,
    noise,
    jpeg,
    tableShadow,
  };
}
