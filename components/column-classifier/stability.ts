/**
 * Decides when a reading is stable: the same digits for `frames` frames in a
 * row, with every column's confidence at least `minConfidence`. A frame below
 * the confidence bar breaks the run.
 */
export class StabilityTracker {
  private last: string | undefined;
  private run = 0;

  constructor(
    private frames: number,
    private minConfidence: number,
  ) {}

  /** Changes the rule; the current run starts over. */
  configure(frames: number, minConfidence: number): void {
    this.frames = frames;
    this.minConfidence = minConfidence;
    this.reset();
  }

  /** Adds one frame's digits and per-column confidences; returns whether the reading is now stable. */
  push(digits: readonly number[], confidences: readonly number[]): boolean {
    const confident = confidences.every((c) => c >= this.minConfidence);
    const key = digits.join(',');
    if (!confident) {
      this.reset();
      return false;
    }
    this.run = key === this.last ? this.run + 1 : 1;
    this.last = key;
    return this.run >= Math.max(1, this.frames);
  }

  /** Forgets the run (e.g. when the source or model changes). */
  reset(): void {
    this.last = undefined;
    this.run = 0;
  }
}
