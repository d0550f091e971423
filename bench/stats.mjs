// Order statistics for the bench: medians and percentiles, never single times.

/** The q-quantile (0..1) of `values` by linear interpolation; NaN for none. */
export function quantile(values, q) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const median = (values) => quantile(values, 0.5);
export const p95 = (values) => quantile(values, 0.95);

/** `{ n, p50, p95 }` of a list. */
export function summary(values) {
  return { n: values.length, p50: median(values), p95: p95(values) };
}

/** a / b, NaN when b is not positive. */
export function ratio(a, b) {
  return b > 0 ? a / b : Number.NaN;
}
