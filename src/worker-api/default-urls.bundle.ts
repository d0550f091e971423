/** In the built bundle the worker and the shipped model sit beside the element bundle. */
export const defaultWorkerUrl = new URL('./column-classifier.worker.js', import.meta.url);
export const defaultModelUrl = new URL('./models/column-classifier/model.json', import.meta.url);
