/**
 * Loading and running a column-classifier model, for the worker and the Node
 * reference alike (no Node APIs here; `node-file-source.ts` is the Node-only
 * source and is not re-exported).
 *
 * ```ts
 * const source = fetchModelSource(new URL('model.json', base).href);
 * const model = await loadClassifierModel(source, { onProgress, signal });   // verifies everything or throws
 * const golden = await measureGolden(model, source, decode);       // src/runtime/golden-check.ts
 * const { columns } = await readColumns(model, frame, geometry);  // preprocess → predict → decode
 * model.dispose();
 * ```
 */
export { loadClassifierModel, type LoadOptions } from './load.ts';
export { ClassifierModel, type TfModel } from './classifier-model.ts';
export { fetchModelSource, type ModelSource, type ByteProgress, type FetchSourceOptions } from './source.ts';
export {
  inspectModel,
  type ModelInspection,
  type InspectOptions,
  type LoadProgress,
  type SidecarOption,
} from './inspect.ts';
export { readColumns, type ColumnsRead, type FrameMarks, type FramePixels } from './read-columns.ts';
export { predictHeads, readHeads, type HeadValues } from './read-heads.ts';
export { decodeColumns, type ColumnReading } from './decode.ts';
export {
  base64ToFloat32,
  float32ToBase64,
  goldenGeometry,
  goldenHeadValues,
  goldenInput,
  goldenOutputs,
  type ImageDecoder,
} from './golden.ts';
export { SIDECAR_NAME, parseSidecar } from './contract-location.ts';
export type { BoundHead } from './bind-heads.ts';
export type { Problem, Severity } from './problems.ts';
export type { AffineMap, InputPathReport, ModelOutput, TopologyReport } from './topology.ts';
