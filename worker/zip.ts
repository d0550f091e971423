/**
 * The zip writer of `exportSamples`, a module of its own so that the worker imports it (and the bundle fetches it)
 * only when a page exports; importing fflate itself would bring all of fflate.
 */
export { zipSync } from 'fflate';
