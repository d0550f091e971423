import type * as tf from '@tensorflow/tfjs';

/** Which layers a warm start filled from the earlier model, and which kept their fresh initial weights. */
export interface WarmStart {
  readonly from: string;
  readonly copied: readonly string[];
  readonly fresh: readonly string[];
}

/**
 * Copies the weights of every layer of `source` into the layer of `target` with the same name and the same weight
 * shapes (a head the earlier model lacks keeps its initial weights). Training then starts from what the earlier
 * model learnt rather than from noise, so the budget goes to what is new in the data.
 *
 * @throws {Error} when no layer matches (the two models share nothing: a warm start would be a silent cold start)
 */
export function copyMatchingWeights(source: tf.LayersModel, target: tf.LayersModel, from: string): WarmStart {
  const copied: string[] = [];
  const fresh: string[] = [];
  for (const layer of target.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const earlier = source.layers.find((l) => l.name === layer.name);
    const values = earlier?.getWeights() ?? [];
    const sameShapes =
      values.length === weights.length && values.every((v, i) => v.shape.join() === weights[i]?.shape.join());
    if (sameShapes) {
      layer.setWeights(values);
      copied.push(layer.name);
    } else fresh.push(layer.name);
  }
  if (copied.length === 0)
    throw new Error(`--init ${from}: no layer of that model matches this architecture by name and shape.`);
  return { from, copied, fresh };
}
