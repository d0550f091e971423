/** Reads a run's output as it comes (decoded text, in order). */
export class RunOutput {
  /** Adds the next piece of output. */
  add(text: string): void;
  /** The navigation stall the output shows, or undefined when it shows none or a test failed. */
  get webDriverStall(): string | undefined;
}
/** The navigation stall `output` shows, or undefined when it shows none or a test failed. */
export function webDriverStall(output: string): string | undefined;
