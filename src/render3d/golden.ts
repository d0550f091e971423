/**
 * The 3D renderer's determinism fixture: this request must give exactly
 * these RGBA bytes in every JS engine (Node and each browser). Change the hash
 * only when the renderer's look changes on purpose.
 */
import type { Render3dOptions } from './render-soroban-3d.ts';

/** A fixed render request (small, with a hand and shadows) and the sha256 (hex) of its RGBA bytes. */
export const RENDER_3D_FIXTURE: { readonly options: Render3dOptions; readonly sha256: string } = {
  options: { seed: 2026, digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], hand: 1, elevation: [[40, 50]], maxSide: 240 },
  sha256: '6ca08ee0adc2bb30b6ad0b8329527a46f50bec8a514740ae2b55d534cbac4f74',
};
