/** Messages between the training process and its render threads. */
import type { PreprocessSpec } from '../../../src/preprocess/types.ts';
import type { Dataset, DatasetSpec } from '../dataset.ts';

/** Render `spec` with `preprocess` (what `makeDataset` takes). */
export interface RenderJob {
  readonly id: number;
  readonly spec: DatasetSpec;
  readonly preprocess: PreprocessSpec;
}

/** What a render thread posts back. */
export type RenderReply =
  | { readonly kind: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly id: number; readonly data: Dataset; readonly seconds: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly stack?: string };
