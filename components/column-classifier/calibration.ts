import { html, svg, type TemplateResult } from 'lit';
import type { Point, Quad } from '../../src/preprocess/types.ts';

/** The corners in the order handles are drawn and tabbed through. */
export const CORNER_KEYS = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const;
export type CornerKey = (typeof CORNER_KEYS)[number];

const LABELS: Record<CornerKey, string> = {
  topLeft: 'top-left',
  topRight: 'top-right',
  bottomRight: 'bottom-right',
  bottomLeft: 'bottom-left',
};

/** Keyboard steps, as fractions of the frame. */
export const KEY_STEP = 0.005;
export const KEY_STEP_LARGE = 0.05;

const clamp = (n: number) => Math.min(1, Math.max(0, n));

/** The quad with one corner moved, clamped to the frame. */
export function moveCorner(quad: Quad, key: CornerKey, to: Point): Quad {
  return { ...quad, [key]: { x: clamp(to.x), y: clamp(to.y) } };
}

/** Where an arrow key moves a corner, or undefined for other keys. */
export function keyboardMove(point: Point, event: Pick<KeyboardEvent, 'key' | 'shiftKey'>): Point | undefined {
  const step = event.shiftKey ? KEY_STEP_LARGE : KEY_STEP;
  switch (event.key) {
    case 'ArrowLeft':
      return { x: point.x - step, y: point.y };
    case 'ArrowRight':
      return { x: point.x + step, y: point.y };
    case 'ArrowUp':
      return { x: point.x, y: point.y - step };
    case 'ArrowDown':
      return { x: point.x, y: point.y + step };
    default:
      return undefined;
  }
}

/** The accessible name of a handle, with its position. */
export function handleLabel(key: CornerKey, point: Point): string {
  return `${LABELS[key]} corner at ${Math.round(point.x * 100)} %, ${Math.round(point.y * 100)} %; arrow keys move it, Shift for larger steps`;
}

/** The handles, as focusable HTML buttons positioned over the preview in percent. */
export function renderHandles(
  quad: Quad,
  onKey: (key: CornerKey, event: KeyboardEvent) => void,
  onPointerDown: (key: CornerKey, event: PointerEvent) => void,
): TemplateResult {
  return html`${CORNER_KEYS.map((key) => {
    const point = quad[key];
    return html`<button
      type="button"
      part="handle"
      class="handle"
      data-corner=${key}
      style="left: ${point.x * 100}%; top: ${point.y * 100}%"
      aria-label=${handleLabel(key, point)}
      @keydown=${(event: KeyboardEvent) => onKey(key, event)}
      @pointerdown=${(event: PointerEvent) => onPointerDown(key, event)}
    ></button>`;
  })}`;
}

/** The outline of a quad in an SVG whose viewBox is the frame in pixels. */
export function quadOutline(quad: Quad, width: number, height: number, part: string): TemplateResult {
  const points = CORNER_KEYS.map((key) => `${quad[key].x * width},${quad[key].y * height}`).join(' ');
  return svg`<polygon part=${part} points=${points}></polygon>`;
}
