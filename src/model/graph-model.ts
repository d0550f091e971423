/**
 * TF.js's graph-model runtime (tfjs-converter), imported only when a model.json says `graph-model`: the worker
 * bundle puts it in a chunk that a page fetches only for such a model (the shipped models are layers models).
 */
import * as tf from '@tensorflow/tfjs';

/** Builds a graph model from `handler`, importing the converter first. */
export async function loadGraphModel(handler: tf.io.IOHandler): Promise<tf.GraphModel> {
  const converter = await import('./tfjs-converter.ts');
  return converter.loadGraphModel(handler);
}

/**
 * Whether `model` is a graph model. Not `instanceof tf.GraphModel`, which would need the converter wherever a model
 * is checked: a model here is a layers model (tfjs-layers is always loaded) or a graph model.
 */
export function isGraphModel(model: tf.LayersModel | tf.GraphModel): model is tf.GraphModel {
  return !(model instanceof tf.LayersModel);
}
