/**
 * Decoding head outputs into soroban digits: digit = 5 · heaven + earth.
 * Plain numbers in, plain numbers out, so the worker and the Node reference
 * share it and its results cross the worker boundary as they are.
 */
import { EARTH_CLASSES, type ClassifierDecode } from '../contract/schema.ts';
import { InferenceError } from '../errors.ts';

/** The reading of one column. */
export interface ColumnReading {
  /** The digit shown, 0–9. */
  readonly digit: number;
  /** Probability that the heaven bead is down (counts 5). */
  readonly heaven: number;
  /** Whether the heaven bead was read as down (heaven ≥ decode.heavenThreshold). */
  readonly heavenDown: boolean;
  /** Probability of 0, 1, 2, 3, 4 earth beads up. */
  readonly earth: readonly number[];
  /** The earth bead count read (the most probable). */
  readonly earthCount: number;
  /** Probability that the crop shows one whole, visible column (the contract's readable head; 1 when the model has none). */
  readonly readable: number;
  /**
   * Probability of the reading: P(heaven decision) · P(earth count) · P(readable); where the localizer found the
   * soroban, also · the location's `countConfidence` (a wrong count misplaces every column).
   */
  readonly confidence: number;
}

/**
 * Decodes a batch of head outputs.
 *
 * @param values - flattened output values by head name, batch-major (`heaven`: [columns], `earth`: [columns × 5], `readable`: [columns] when the contract names it)
 * @param decode - the contract's decode section (which heads, threshold)
 * @param columns - the batch size
 * @throws {InferenceError} `inference/bad-output` when a head is missing or has the wrong length
 */
export function decodeColumns(
  values: Readonly<Record<string, ArrayLike<number>>>,
  decode: ClassifierDecode,
  columns: number,
): ColumnReading[] {
  const heaven = values[decode.heaven];
  const earth = values[decode.earth];
  if (heaven === undefined || heaven.length !== columns) {
    throw new InferenceError(
      'inference/bad-output',
      `Head "${decode.heaven}" gave ${heaven?.length ?? 'no'} values for ${columns} columns; expected one probability per column.`,
    );
  }
  if (earth === undefined || earth.length !== columns * EARTH_CLASSES) {
    throw new InferenceError(
      'inference/bad-output',
      `Head "${decode.earth}" gave ${earth?.length ?? 'no'} values for ${columns} columns; expected ${EARTH_CLASSES} per column.`,
    );
  }
  const readable = decode.readable === undefined ? undefined : values[decode.readable];
  if (decode.readable !== undefined && (readable === undefined || readable.length !== columns)) {
    throw new InferenceError(
      'inference/bad-output',
      `Head "${decode.readable}" gave ${readable?.length ?? 'no'} values for ${columns} columns; expected one probability per column.`,
    );
  }
  const readings: ColumnReading[] = [];
  for (let c = 0; c < columns; c++) {
    const seen = readable === undefined ? 1 : (readable[c] as number);
    const p = heaven[c] as number;
    const distribution = Array.from({ length: EARTH_CLASSES }, (_, k) => earth[c * EARTH_CLASSES + k] as number);
    let earthCount = 0;
    for (let k = 1; k < EARTH_CLASSES; k++)
      if ((distribution[k] as number) > (distribution[earthCount] as number)) earthCount = k;
    const heavenDown = p >= decode.heavenThreshold;
    readings.push({
      digit: 5 * (heavenDown ? 1 : 0) + earthCount,
      heaven: p,
      heavenDown,
      earth: distribution,
      earthCount,
      readable: seen,
      confidence: (heavenDown ? p : 1 - p) * (distribution[earthCount] as number) * seen,
    });
  }
  return readings;
}
