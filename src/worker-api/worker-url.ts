/**
 * The worker's URL when served from the sources (dev server, tests). The build
 * swaps this module for `worker-url.bundle.ts`.
 */
export const defaultWorkerUrl = new URL('../../worker/classifier.worker.ts', import.meta.url);
