/**
 * TF.js's WebGL backend, loaded only when a page tries it: the worker bundle splits it (and, in the bundle, its
 * kernels) into a chunk of its own, so that a page reading on wasm never downloads it. Importing it registers the
 * backend under 'webgl'.
 */
export { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
