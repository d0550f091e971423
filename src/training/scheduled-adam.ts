/** Adam whose learning rate can be changed between steps (TF.js keeps it protected): training and fine-tuning. */
import * as tf from '@tensorflow/tfjs';

export class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
  get rate(): number {
    return this.learningRate;
  }
}
