/**
 * Defines `<column-classifier>`. Import this module once:
 *
 * ```html
 * <script type="module" src="column-classifier.js"></script>
 * <canvas id="abacus"></canvas>
 * <column-classifier source="abacus" columns="13"></column-classifier>
 * ```
 */
import { ColumnClassifier } from './column-classifier/column-classifier.component.ts';

export { ColumnClassifier } from './column-classifier/column-classifier.component.ts';
export type { BackendPreference, FineTuneOptions } from './column-classifier/column-classifier.component.ts';
export type * from './column-classifier/events.ts';
export * from '../src/errors.ts';
export { ClassifierClient } from '../src/worker-api/classifier-client.ts';
export type {
  ClassifierClientOptions,
  ClientFrameResult,
  TrackWatch,
  TrackWatchSettings,
} from '../src/worker-api/classifier-client.ts';
export type { TrackWatchListener, WatchedFrameResult } from '../src/worker-api/track-watch.ts';
export type { SerializedError } from '../src/worker-api/error-transfer.ts';
export type * from '../src/worker-api/classifier-worker-api.ts';
export type * from '../src/worker-api/fine-tune-worker-api.ts';
export type {
  ModelContract,
  HeadContract,
  GoldenCase,
  ClassifierDecode,
  LocateDecode,
} from '../src/contract/schema.ts';
export type { ColumnReading } from '../src/model/decode.ts';
export type { ColumnGeometry, Margins, Point, Quad } from '../src/preprocess/types.ts';

if (!customElements.get('column-classifier')) customElements.define('column-classifier', ColumnClassifier);

declare global {
  interface HTMLElementTagNameMap {
    'column-classifier': ColumnClassifier;
  }
}
