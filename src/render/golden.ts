/**
 * The renderer's determinism fixture: this request must give exactly these
 * RGBA bytes in every JS engine (Node and each browser). The Node test checks
 * it; a browser test can import the same constant. Change the hash only when
 * the renderer's look changes on purpose.
 */
import type { RenderOptions } from './render-soroban.ts';

/** A fixed render request and the sha256 (hex) of its RGBA bytes. */
export const RENDER_FIXTURE: { readonly options: RenderOptions; readonly sha256: string } = {
  options: { seed: 2024, digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  sha256: '7bd4d777661281daeaa1f066afbe7962209e83751f34eaeac3b3ef1c5eef39d3',
};
