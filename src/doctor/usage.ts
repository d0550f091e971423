/** One-line usage of the doctor command, kept apart so the dispatcher can print it without loading TF.js. */

/** Usage of the doctor command. */
export const DOCTOR_USAGE = `doctor [--model URL|PATH] [--images DIR] [--engines chromium,firefox,webkit] [--json]   golden images through Node and the worker in each engine × backend (a localizer's model.json: where each finds the soroban)
  doctor --diagnose MODEL --images DIR [--sidecar PATH] [--out PATH] [--json]   find the input range, colour order, resize and heads a model wants; write a sidecar contract`;
