/** Messages between the training process and its render threads. */
import type { PreprocessSpec } from '../../../src/preprocess/types.ts';
import type { Dataset, DatasetSpec } from '../dataset.ts';
import type { LocalizerSamples, LocalizerSpec } from '../localizer/samples.ts';

/** What a thread renders: column crops for the classifier, or windows of whole photos for the localizer. */
export type RenderWork =
  | { readonly kind: 'crops'; readonly spec: DatasetSpec; readonly preprocess: PreprocessSpec }
  | { readonly kind: 'localizer'; readonly spec: LocalizerSpec; readonly side: number };

/** What each kind of work gives back. */
export interface RenderResult {
  readonly crops: Dataset;
  readonly localizer: LocalizerSamples;
}

/** One job for a thread. */
export interface RenderJob {
  readonly id: number;
  readonly work: RenderWork;
}

/** What a render thread posts back. */
export type RenderReply =
  | { readonly kind: 'progress'; readonly id: number; readonly done: number; readonly total: number }
  | { readonly kind: 'done'; readonly id: number; readonly data: Dataset | LocalizerSamples; readonly seconds: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly stack?: string };
