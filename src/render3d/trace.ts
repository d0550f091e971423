/**
 * Casting rays into a 3D scene and shading what they hit: diffuse and
 * Blinn–Phong light from directional lights, with hard shadows cast by every
 * object onto every other (beads onto the table, a hand onto the beads, rails
 * onto the decks).
 */
import { detSin } from '../render/random.ts';
import {
  boxSpan,
  hitBead,
  hitBox,
  hitCapsule,
  hitEllipsoid,
  hitRod,
  hitUpright,
  type Box,
  type Hit,
  type Ray,
} from './primitives.ts';
import { OBJECT, type Material, type Scene3d, type SorobanGeometry } from './scene3d.ts';

/** A fresh "nothing hit yet" record. */
export function noHit(): Hit {
  return { t: Infinity, nx: 0, ny: 0, nz: 1, material: 0, object: OBJECT.table };
}

function resetHit(hit: Hit, tMax: number): void {
  hit.t = tMax;
  hit.object = OBJECT.table;
}

const span = new Float64Array(2);

function hitSoroban(s: SorobanGeometry, ray: Ray, hit: Hit): void {
  if (!boxSpan(ray, s.bounds, span) || (span[0] as number) >= hit.t) return;
  const near = span[0] as number;
  const far = span[1] as number;
  for (let i = 0; i < s.rails.length; i++) {
    const rail = s.rails[i] as Box;
    hitBox(
      ray,
      rail,
      hit,
      rail.x1 - rail.x0 > rail.y1 - rail.y0 ? s.materials.frame : s.materials.frameSide,
      OBJECT.frame,
    );
  }
  hitBox(ray, s.bar, hit, s.materials.bar, OBJECT.bar);
  if (s.board !== null) hitBox(ray, s.board, hit, s.materials.board, OBJECT.board);
  // Columns the ray passes while within bead reach of the rod plane.
  const R = s.profile.maxRadius;
  const zLo = s.rodZ - R;
  const zHi = s.rodZ + R;
  let t0 = near;
  let t1 = Math.min(far, hit.t);
  if (ray.dz !== 0) {
    const ta = (zLo - ray.oz) / ray.dz;
    const tb = (zHi - ray.oz) / ray.dz;
    t0 = Math.max(t0, Math.min(ta, tb));
    t1 = Math.min(t1, Math.max(ta, tb));
  } else if (ray.oz < zLo || ray.oz > zHi) return;
  if (t0 > t1) return;
  const xa = ray.ox + t0 * ray.dx;
  const xb = ray.ox + t1 * ray.dx;
  const first = s.rodX[0] ?? 0;
  const lo = Math.max(0, Math.floor(Math.min(xa, xb) - R - first + 0.5));
  const hi = Math.min(s.columns - 1, Math.floor(Math.max(xa, xb) + R - first + 0.5));
  const { beadArea } = s;
  const h = s.profile.halfHeight;
  const ya = ray.oy + t0 * ray.dy;
  const yb = ray.oy + t1 * ray.dy;
  const yMin = Math.min(ya, yb) - h;
  const yMax = Math.max(ya, yb) + h;
  for (let c = lo; c <= hi; c++) {
    const x = s.rodX[c] as number;
    hitRod(ray, x, s.rodZ, s.rodRadius, beadArea.y0 - 0.01, beadArea.y1 + 0.01, hit, s.materials.rod, c);
    for (let b = 0; b < 5; b++) {
      const y = s.beadY[c * 5 + b] as number;
      if (y < yMin || y > yMax) continue;
      hitBead(ray, x, y, s.rodZ, s.profile, hit, s.beadMaterial[c * 5 + b] as number, c);
    }
  }
}

/** The nearest hit of `ray` in the scene, within (T_MIN, tMax); the table (z = 0) is hit last. */
export function intersect(scene: Scene3d, ray: Ray, hit: Hit, tMax = Infinity): boolean {
  resetHit(hit, tMax);
  if (scene.soroban !== null) hitSoroban(scene.soroban, ray, hit);
  for (const item of scene.clutter) {
    if (item.kind === 'box') hitBox(ray, item.box, hit, item.material, OBJECT.clutter);
    else if (item.kind === 'upright')
      hitUpright(ray, item.x, item.y, 0, item.radius, item.height, hit, item.material, OBJECT.clutter);
    else
      hitEllipsoid(
        ray,
        item.c[0],
        item.c[1],
        item.c[2],
        item.s[0],
        item.s[1],
        item.s[2],
        hit,
        item.material,
        OBJECT.clutter,
      );
  }
  for (const o of scene.occluders) {
    if (o.kind === 'capsule')
      hitCapsule(ray, o.p[0], o.p[1], o.p[2], o.q[0], o.q[1], o.q[2], o.radius, hit, o.material, OBJECT.occluder);
    else hitEllipsoid(ray, o.c[0], o.c[1], o.c[2], o.s[0], o.s[1], o.s[2], hit, o.material, OBJECT.occluder);
  }
  if (ray.dz < 0) {
    const t = -ray.oz / ray.dz;
    if (t > 0 && t < hit.t) {
      hit.t = t;
      hit.nx = 0;
      hit.ny = 0;
      hit.nz = 1;
      hit.material = scene.table;
      hit.object = OBJECT.table;
    }
  }
  return hit.t < tMax;
}

/** The texture's brightness factor at a point. */
function textureFactor(m: Material, x: number, y: number, z: number, scene: Scene3d): number {
  switch (m.texture) {
    case 'none':
      return 1;
    case 'grain-x':
      return 1 + m.grain * detSin(7 * y + 11 * z + 1.5 * detSin(0.4 * x + m.phase) + m.phase);
    case 'grain-y':
      return 1 + m.grain * detSin(7 * x + 11 * z + 1.5 * detSin(0.4 * y + m.phase) + m.phase);
    case 'table-wood':
      return 1 + m.grain * detSin(2.3 * y + 2.5 * detSin(0.15 * x + m.phase) + m.phase);
    case 'cloth': {
      const k = Math.floor(x / 1.3 + m.phase) + Math.floor(y / 1.3);
      return k % 2 === 0 ? 1 + m.grain : 1 - m.grain;
    }
    case 'paper':
      return 1 + 0.3 * m.grain * detSin(31 * x + 17 * y + m.phase);
    case 'bar': {
      const dots = scene.soroban?.dots;
      if (dots === null || dots === undefined) return 1;
      const bar = scene.soroban?.bar;
      if (bar === undefined || z < bar.z1 - 1e-6) return 1;
      const cy = (bar.y0 + bar.y1) / 2;
      for (const dx of dots.x) {
        const ex = x - dx;
        const ey = y - cy;
        if (ex * ex + ey * ey < dots.radius * dots.radius) return -1 - dots.material;
      }
      return 1;
    }
  }
}

const shadowRay: Ray = { ox: 0, oy: 0, oz: 0, dx: 0, dy: 0, dz: 0 };
const shadowHit = noHit();

/** Whether the point is lit by a directional light (nothing between it and the light). */
function lit(scene: Scene3d, x: number, y: number, z: number, lx: number, ly: number, lz: number): boolean {
  shadowRay.ox = x;
  shadowRay.oy = y;
  shadowRay.oz = z;
  shadowRay.dx = lx;
  shadowRay.dy = ly;
  shadowRay.dz = lz;
  intersect(scene, shadowRay, shadowHit, 1e6);
  return shadowHit.t >= 1e6 || shadowHit.material === scene.table;
}

/**
 * The colour (0..255 floats, written into `out` at `offset`) seen along `ray`, and the object it
 * hit (see {@link OBJECT}; a column index for beads and rods).
 */
export function shadeRay(scene: Scene3d, ray: Ray, hit: Hit, out: Float32Array, offset: number): number {
  if (!intersect(scene, ray, hit)) {
    out[offset] = out[offset + 1] = out[offset + 2] = 0;
    return OBJECT.table;
  }
  const x = ray.ox + hit.t * ray.dx;
  const y = ray.oy + hit.t * ray.dy;
  const z = ray.oz + hit.t * ray.dz;
  let nx = hit.nx;
  let ny = hit.ny;
  let nz = hit.nz;
  if (nx * ray.dx + ny * ray.dy + nz * ray.dz > 0) {
    nx = -nx;
    ny = -ny;
    nz = -nz;
  }
  let m = scene.materials[hit.material] as Material;
  let k = textureFactor(m, x, y, z, scene);
  if (k < 0) {
    m = scene.materials[-1 - k] as Material;
    k = 1;
  }
  const dLen = Math.sqrt(ray.dx * ray.dx + ray.dy * ray.dy + ray.dz * ray.dz);
  const vx = -ray.dx / dLen;
  const vy = -ray.dy / dLen;
  const vz = -ray.dz / dLen;
  const sx = x + nx * 2e-3;
  const sy = y + ny * 2e-3;
  const sz = z + nz * 2e-3;
  let diffuse = scene.ambient;
  let specular = 0;
  for (const light of scene.lights) {
    const ndl = nx * light.x + ny * light.y + nz * light.z;
    if (ndl <= 0) continue;
    if (!lit(scene, sx, sy, sz, light.x, light.y, light.z)) continue;
    diffuse += light.strength * ndl;
    if (m.specular > 0) {
      let hx = light.x + vx;
      let hy = light.y + vy;
      let hz = light.z + vz;
      const hl = Math.sqrt(hx * hx + hy * hy + hz * hz) || 1;
      hx /= hl;
      hy /= hl;
      hz /= hl;
      let s = Math.max(0, nx * hx + ny * hy + nz * hz);
      for (let i = 0; i < m.shininessLog2; i++) s *= s;
      specular += light.strength * m.specular * s;
    }
  }
  const c = m.colour;
  out[offset] = c[0] * k * diffuse + 255 * specular;
  out[offset + 1] = c[1] * k * diffuse + 255 * specular;
  out[offset + 2] = c[2] * k * diffuse + 255 * specular;
  return hit.object;
}
