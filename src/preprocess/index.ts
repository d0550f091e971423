/**
 * The shared preprocessing module: frame → grey → per-column crop and resize →
 * model input range, with TF.js ops only, so Node (training, reference
 * pipeline, CLIs) and the browser worker run the same code.
 */
export * from './types.ts';
export { preprocessColumns, downscaleFactor } from './preprocess-columns.ts';
export { GreyCachedFrame, type PreprocessFrame } from './frame-grey.ts';
export { columnBoxes, insetQuad, samplePoints, checkGeometry, isConvexQuad } from './columns.ts';
export {
  homographyFromUnitSquare,
  applyHomography,
  invertHomography,
  composeHomographies,
  subQuad,
  type Homography,
} from './homography.ts';
export { GREY_WEIGHTS, greyOf } from './grey.ts';
