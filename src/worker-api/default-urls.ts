/**
 * Where the worker and the shipped model are when served from the sources
 * (dev server, tests). The build swaps this module for `default-urls.bundle.ts`.
 */
export const defaultWorkerUrl = new URL('../../worker/classifier.worker.ts', import.meta.url);
export const defaultFineTuneWorkerUrl = new URL('../../worker/fine-tune.worker.ts', import.meta.url);
export const defaultModelUrl = new URL('../../models/column-classifier/model.json', import.meta.url);
export const defaultLocalizerUrl = new URL('../../models/localizer/model.json', import.meta.url);
