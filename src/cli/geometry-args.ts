/** Parsing `--corners` and `--margins` into a column geometry. */
import { InputError } from '../errors.ts';
import {
  FIELD_MARGINS,
  NO_MARGINS,
  WHOLE_FRAME,
  type ColumnGeometry,
  type Margins,
  type Quad,
} from '../preprocess/types.ts';

function numbers(text: string, count: number, option: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length !== count || values.some((v) => !Number.isFinite(v))) {
    throw new InputError('input/bad-geometry', `${option} needs ${count} comma-separated numbers, got "${text}".`);
  }
  return values;
}

/**
 * The geometry for an image of `width` × `height` from CLI options.
 *
 * @param columns - `--columns N`
 * @param corners - `--corners x,y,x,y,x,y,x,y`: top-left, top-right, bottom-right, bottom-left;
 *   fractions of the image when all are ≤ 1, pixels otherwise
 * @param margins - `--margins H,V` (fractions); default: the field's insets for the whole frame, none with corners
 */
export function geometryFromArgs(
  columns: number,
  corners: string | undefined,
  margins: string | undefined,
  width: number,
  height: number,
): ColumnGeometry {
  if (!Number.isInteger(columns) || columns < 1)
    throw new InputError('input/bad-geometry', `--columns must be a whole number ≥ 1, got ${columns}.`);
  let quad: Quad = WHOLE_FRAME;
  if (corners !== undefined) {
    const v = numbers(corners, 8, '--corners');
    const pixels = v.some((n) => n > 1);
    const p = (i: number): { x: number; y: number } => ({
      x: (v[i] as number) / (pixels ? width : 1),
      y: (v[i + 1] as number) / (pixels ? height : 1),
    });
    quad = { topLeft: p(0), topRight: p(2), bottomRight: p(4), bottomLeft: p(6) };
  }
  let inset: Margins = corners === undefined ? FIELD_MARGINS : NO_MARGINS;
  if (margins !== undefined) {
    const [horizontal, vertical] = numbers(margins, 2, '--margins') as [number, number];
    inset = { horizontal, vertical };
  }
  return { columns, corners: quad, margins: inset };
}
