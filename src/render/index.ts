/**
 * The synthetic soroban renderer: pure TypeScript, deterministic from a seed,
 * the same bytes in Node and in a browser (no DOM, no canvas).
 */
export {
  renderSoroban,
  MAX_COLUMNS,
  type RenderOptions,
  type RenderStyle,
  type RenderedSoroban,
} from './render-soroban.ts';
export * from './styles.ts';
export { createRandom, type Random } from './random.ts';
export type { CameraEffects } from './camera.ts';
export { RENDER_FIXTURE } from './golden.ts';
