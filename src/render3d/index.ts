/**
 * The 3D soroban renderer: ray cast over analytic primitives in pure
 * TypeScript, deterministic from a seed, the same bytes in Node and in a
 * browser (no DOM, no canvas, no WebGL).
 */
export {
  LIGHTINGS,
  renderSoroban3d,
  SceneKind,
  UNREADABLE_FRACTION,
  type Lighting,
  type Render3dOptions,
  type Render3dStyle,
  type Rendered3dSoroban,
} from './render-soroban-3d.ts';
export { BEAD_PROFILES, BeadProfileName } from './profiles.ts';
export { RENDER_3D_FIXTURE } from './golden.ts';
