/**
 * Types of the shared preprocessing module: the one code path that turns a
 * whole frame into a batch of model inputs, in Node (training, reference
 * pipeline, CLIs) and in the worker alike.
 */

/** A point in normalized frame coordinates: x in [0, 1] left→right, y in [0, 1] top→bottom. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Four corners of a quadrilateral in normalized frame coordinates, named so their order can't be confused. */
export interface Quad {
  readonly topLeft: Point;
  readonly topRight: Point;
  readonly bottomRight: Point;
  readonly bottomLeft: Point;
}

/**
 * Insets applied to the corners' quadrilateral before it is cut into columns,
 * as fractions of the quad's own width (horizontal, each side) and height
 * (vertical, each side), measured in the quad's perspective-corrected space.
 */
export interface Margins {
  readonly horizontal: number;
  readonly vertical: number;
}

/** Where the columns are in a frame: `columns` equal columns across the (inset) quad. */
export interface ColumnGeometry {
  readonly columns: number;
  readonly corners: Quad;
  readonly margins: Margins;
}

/**
 * Most columns a geometry may ask for. The longest sorobans made have 31–41 rods; a count far beyond that is a
 * mistake, and each column costs a model input (1 000 columns took 5.7 s to warm up and read noise).
 */
export const MAX_GEOMETRY_COLUMNS = 64;

/** The whole frame. */
export const WHOLE_FRAME: Quad = {
  topLeft: { x: 0, y: 0 },
  topRight: { x: 1, y: 0 },
  bottomRight: { x: 1, y: 1 },
  bottomLeft: { x: 0, y: 1 },
};

/** No inset: the corners are the bead area itself (e.g. corners from the renderer's ground truth). */
export const NO_MARGINS: Margins = { horizontal: 0, vertical: 0 };

/**
 * The field app's insets when the corners are the whole frame: the soroban's
 * top and bottom bars are thick relative to its height (6 %), its side bars
 * thin relative to its width (2 %).
 */
export const FIELD_MARGINS: Margins = { horizontal: 0.02, vertical: 0.06 };

/** Colour → grey formulas (weights applied to R, G, B in [0, 255]). */
export const GreyFormula = {
  /** ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B (what the field app and OpenCV use). */
  bt601: 'bt601',
  /** ITU-R BT.709 luma: 0.2126 R + 0.7152 G + 0.0722 B. */
  bt709: 'bt709',
  /** Plain mean of R, G, B. */
  mean: 'mean',
} as const;
export type GreyFormula = (typeof GreyFormula)[keyof typeof GreyFormula];

/** Resize methods, as TF.js implements them. */
export const ResizeMethod = {
  bilinear: 'bilinear',
  nearest: 'nearest',
} as const;
export type ResizeMethod = (typeof ResizeMethod)[keyof typeof ResizeMethod];

/** Everything the preprocessing needs to know about the model's input; the model contract carries it. */
export interface PreprocessSpec {
  /** Model input height in pixels (the field's models: 128). */
  readonly height: number;
  /** Model input width in pixels (the field's models: 64). */
  readonly width: number;
  /** Model input channels: 1 = grey; 3 = grey repeated into three channels. */
  readonly channels: 1 | 3;
  readonly grey: GreyFormula;
  readonly resize: ResizeMethod;
  /**
   * The value range the model's input tensor expects: a pixel value p in
   * [0, 255] is fed as min + (max − min) · p / 255. For a model with a
   * `Rescaling(1/255)` inside, this is { min: 0, max: 255 }.
   */
  readonly inputRange: { readonly min: number; readonly max: number };
  /** Anti-alias pre-filter before sampling (see {@link Prefilter}); absent means {@link DEFAULT_PREFILTER} (`box`). */
  readonly prefilter?: Prefilter;
}

/**
 * Anti-alias pre-filter applied to the grey frame before sampling.
 * - `box`: average-pool the grey frame by the integer downscale factor
 *   f = max(1, floor(min(column width in px / spec.width, column height in px / spec.height)))
 *   (non-overlapping f × f blocks), then sample the pooled image. Without it a
 *   strong downscale samples only 4 source pixels per output pixel and aliases.
 * - `none`: sample the grey frame directly.
 */
export const Prefilter = {
  box: 'box',
  none: 'none',
} as const;
export type Prefilter = (typeof Prefilter)[keyof typeof Prefilter];

/** The pre-filter used when {@link PreprocessSpec.prefilter} is absent. */
export const DEFAULT_PREFILTER: Prefilter = 'box';
