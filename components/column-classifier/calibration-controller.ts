import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { Quad } from '../../src/preprocess/types.ts';
import { keyboardMove, moveCorner, renderHandles, type CornerKey } from './calibration.ts';

/** What calibration needs from its host. */
export interface CalibrationOptions {
  /** The bead area the handles sit on, normalized to the frame. */
  readonly quad: () => Quad;
  /** The box the handles are positioned in (pointer positions are fractions of it). */
  readonly box: () => HTMLElement | null;
  /** A handle moved: the new bead area. */
  readonly onMove: (quad: Quad) => void;
}

/**
 * The corner handles: rendering them, moving a corner by keyboard or by
 * dragging, and letting go of a drag when the host disconnects.
 */
export class CalibrationController implements ReactiveController {
  private readonly options: CalibrationOptions;
  private endDrag: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, options: CalibrationOptions) {
    this.options = options;
    host.addController(this);
  }

  /** The four handles, for the host's render. */
  render(): TemplateResult {
    return renderHandles(this.options.quad(), this.onKey, this.onPointerDown);
  }

  hostDisconnected(): void {
    this.endDrag?.();
  }

  private readonly onKey = (key: CornerKey, event: KeyboardEvent): void => {
    const quad = this.options.quad();
    const to = keyboardMove(quad[key], event);
    if (to === undefined) return;
    event.preventDefault();
    this.options.onMove(moveCorner(quad, key, to));
  };

  private readonly onPointerDown = (key: CornerKey, event: PointerEvent): void => {
    const handle = event.currentTarget;
    if (!(handle instanceof HTMLElement)) return;
    event.preventDefault();
    this.endDrag?.();
    handle.setPointerCapture(event.pointerId);
    const pointerId = event.pointerId;
    const move = (moveEvent: PointerEvent) => {
      const box = this.options.box()?.getBoundingClientRect();
      if (moveEvent.pointerId !== pointerId || box === undefined || box.width === 0) return;
      const to = { x: (moveEvent.clientX - box.left) / box.width, y: (moveEvent.clientY - box.top) / box.height };
      this.options.onMove(moveCorner(this.options.quad(), key, to));
    };
    const end = () => {
      this.endDrag = undefined;
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    this.endDrag = end;
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
}
