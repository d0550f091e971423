/** In the built bundle the worker sits beside the element bundle. */
export const defaultWorkerUrl = new URL('./column-classifier.worker.js', import.meta.url);
