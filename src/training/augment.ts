/**
 * Label-preserving variation of a training crop (tone curve, contrast, mirror, inversion, noise, blur): shared by
 * the training in Node and fine-tuning in the worker, so both see the same variety.
 */
import type { Random } from '../render/index.ts';

/**
 * What the augmentation of a training crop varies. Everything is label-preserving: a soroban column is the
 * same digit mirrored left to right, under another tone curve, in more noise or softer focus. It aims at
 * cameras and renderers unlike ours (run 7 met its test target without it).
 */
export const AUGMENTATION = {
  /** Contrast factor range about the crop's mean, and brightness offset range. */
  contrast: [0.7, 1.3],
  brightness: 0.08,
  /** Tone curve x ↦ x^γ with ln γ uniform in ±this. */
  logGamma: 0.5,
  /** Chance of a left–right mirror. */
  mirror: 0.5,
  /** Chance of an inverted crop (x ↦ 1 − x): light beads on dark are the same reading as dark on light. */
  invert: 0.15,
  /** Chance of Gaussian noise, and its largest σ. */
  noise: 0.4,
  noiseSigma: 0.04,
  /** Chance of a 3 × 3 box blur. */
  blur: 0.2,
} as const;

/**
 * Box blur in place: the mean over ±`rx` pixels sideways and ±`ry` up and down, of what lies inside the
 * crop, as two passes (a mean over a rectangle is a mean of row means).
 */
export function boxBlur(x: Float32Array, height: number, width: number, rx: number, ry: number): void {
  const rows = new Float32Array(x.length);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let c = 0; c < width; c++) {
      let sum = x[o + c] ?? 0;
      let n = 1;
      for (let d = 1; d <= rx; d++) {
        if (c - d >= 0) {
          sum += x[o + c - d] ?? 0;
          n++;
        }
        if (c + d < width) {
          sum += x[o + c + d] ?? 0;
          n++;
        }
      }
      rows[o + c] = sum / n;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < width; c++) {
      const i = y * width + c;
      let sum = rows[i] ?? 0;
      let n = 1;
      for (let d = 1; d <= ry; d++) {
        if (y - d >= 0) {
          sum += rows[i - d * width] ?? 0;
          n++;
        }
        if (y + d < height) {
          sum += rows[i + d * width] ?? 0;
          n++;
        }
      }
      x[i] = sum / n;
    }
  }
}

/**
 * Varies one crop in place as {@link AUGMENTATION} says. `mirror: false` keeps left and right (a picture whose
 * labels are positions, such as the localizer's corners, mirrors its labels with it).
 */
export function augmentCrop(
  x: Float32Array,
  height: number,
  width: number,
  random: Random,
  { mirror = true }: { readonly mirror?: boolean } = {},
): void {
  const a = AUGMENTATION;
  const per = height * width;
  if (mirror && random.chance(a.mirror)) {
    for (let y = 0; y < height; y++) x.subarray(y * width, (y + 1) * width).reverse();
  }
  if (random.chance(a.blur)) boxBlur(x, height, width, 1, 1);
  const gamma = Math.exp(random.range(-a.logGamma, a.logGamma));
  const invert = random.chance(a.invert);
  const contrast = random.range(a.contrast[0], a.contrast[1]);
  const brightness = random.range(-a.brightness, a.brightness);
  const sigma = random.chance(a.noise) ? random.range(0, a.noiseSigma) : 0;
  // The tone curve through a table (Math.pow per pixel was most of the augmentation's time).
  const steps = 1024;
  const curve = new Float32Array(steps + 1);
  for (let i = 0; i <= steps; i++) curve[i] = Math.pow(i / steps, gamma);
  let mean = 0;
  for (let j = 0; j < per; j++) {
    const t = Math.min(1, Math.max(0, x[j] ?? 0)) * steps;
    const i = Math.min(steps - 1, Math.floor(t));
    const v = (curve[i] ?? 0) + ((curve[i + 1] ?? 0) - (curve[i] ?? 0)) * (t - i);
    x[j] = invert ? 1 - v : v;
    mean += x[j] ?? 0;
  }
  mean /= per;
  for (let j = 0; j < per; j++) {
    const noise = sigma > 0 ? sigma * random.roughNormal() : 0;
    x[j] = Math.min(1, Math.max(0, ((x[j] ?? 0) - mean) * contrast + mean + brightness + noise));
  }
}
