/**
 * TF.js's cpu backend, loaded only when a page tries it: the worker bundle splits it (and, in the bundle, its
 * kernels) into a chunk of its own, so that a page reading on wasm never downloads it. Importing it registers the
 * backend under 'cpu'.
 */
export { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
