/** TF.js's graph-model loader, in a module of its own: the worker bundle makes it a chunk loaded on demand. */
export { loadGraphModel } from '@tensorflow/tfjs-converter';
