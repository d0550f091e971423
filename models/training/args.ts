/** Command-line options of the training scripts: `--name value` pairs among positional arguments. */

/** The word after `name` in `args`, or undefined when `name` is absent. */
export function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The positive number `written` (the value of `name`), or an error that says so; undefined when nothing was written. */
export function positiveNumber(written: string | undefined, name: string): number | undefined {
  if (written === undefined) return undefined;
  const value = Number(written);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number, got ${written}.`);
  return value;
}
