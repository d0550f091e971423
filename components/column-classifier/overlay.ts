import { html, nothing, svg, type TemplateResult } from 'lit';
import { columnBoxes, insetQuad } from '../../src/preprocess/columns.ts';
import type { ColumnGeometry, Quad } from '../../src/preprocess/types.ts';
import { quadOutline } from './calibration.ts';
import type { ReadingDetail } from './events.ts';

/**
 * The SVG over the preview: the bead area, each column's box and the digit read in it.
 *
 * @param geometry - where the columns are; undefined (attributes that cannot be read) draws nothing
 * @param reading - the last reading, whose digits are drawn
 * @param size - the frame in pixels (the SVG's viewBox)
 */
export function renderOverlay(
  geometry: ColumnGeometry | undefined,
  reading: ReadingDetail | undefined,
  size: { width: number; height: number },
): TemplateResult | typeof nothing {
  if (geometry === undefined) return nothing;
  let boxes: Quad[];
  try {
    boxes = columnBoxes(geometry);
  } catch {
    return nothing;
  }
  const { width, height } = size;
  const stableClass = reading?.stable ? 'stable' : 'unstable';
  return html`<svg
    part="overlay"
    class=${stableClass}
    viewBox="0 0 ${width} ${height}"
    preserveAspectRatio="none"
    aria-hidden="true"
  >
    ${quadOutline(insetQuad(geometry), width, height, 'bead-area')}
    ${boxes.map((box, i) => {
      const digit = reading?.digits[i];
      const cx = ((box.topLeft.x + box.topRight.x + box.bottomRight.x + box.bottomLeft.x) / 4) * width;
      const top = Math.min(box.topLeft.y, box.topRight.y) * height;
      const pitch = Math.abs(box.topRight.x - box.topLeft.x) * width;
      return svg`${quadOutline(box, width, height, 'column-box')}
        ${digit === undefined ? nothing : svg`<text part="column-digit" x=${cx} y=${Math.max(pitch * 0.8, top - pitch * 0.15)} font-size=${pitch * 0.8} text-anchor="middle">${digit}</text>`}`;
    })}
  </svg>`;
}
