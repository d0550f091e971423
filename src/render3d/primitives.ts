/**
 * Ray intersections with the analytic primitives a 3D soroban scene is made
 * of. Only +, −, ×, ÷ and sqrt (exact in IEEE 754), so every JS engine finds
 * the same hits and the renderer gives the same bytes in Node and in a browser.
 *
 * World axes: x along the soroban's columns (left → right), y along its rods
 * (earth deck → heaven deck), z up from the table (the table is z = 0).
 */

/** A ray: origin and direction (the direction need not be unit length; t is in its units). */
export interface Ray {
  ox: number;
  oy: number;
  oz: number;
  dx: number;
  dy: number;
  dz: number;
}

/** The nearest hit found so far; primitives only overwrite it with a nearer one. */
export interface Hit {
  t: number;
  /** Unit outward normal at the hit. */
  nx: number;
  ny: number;
  nz: number;
  /** Index of the primitive's material. */
  material: number;
  /** What was hit (the scene's own numbering: e.g. the column of a bead, or an occluder). */
  object: number;
}

/** Below this, a hit is the surface the ray starts on (shadow rays). */
export const T_MIN = 1e-4;

/** Sets `hit` if t is nearer and positive; returns whether it did. */
function take(hit: Hit, t: number, nx: number, ny: number, nz: number, material: number, object: number): boolean {
  if (!(t > T_MIN) || t >= hit.t) return false;
  hit.t = t;
  hit.nx = nx;
  hit.ny = ny;
  hit.nz = nz;
  hit.material = material;
  hit.object = object;
  return true;
}

/** An axis-aligned box [x0, x1] × [y0, y1] × [z0, z1]. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly x1: number;
  readonly y1: number;
  readonly z1: number;
}

/** Slab test of one axis: narrows [near, far] (held in `span`) and records the entering axis; false on a miss. */
function slab(o: number, d: number, lo: number, hi: number, axis: number, span: Float64Array): boolean {
  if (d === 0) return o >= lo && o <= hi;
  const tLo = (lo - o) / d;
  const tHi = (hi - o) / d;
  const t0 = tLo < tHi ? tLo : tHi;
  const t1 = tLo < tHi ? tHi : tLo;
  if (t0 > (span[0] as number)) {
    span[0] = t0;
    span[2] = axis;
    span[3] = tLo < tHi ? -1 : 1;
  }
  if (t1 < (span[1] as number)) span[1] = t1;
  return (span[0] as number) <= (span[1] as number);
}

const scratch = new Float64Array(4);

/** Ray through a box: sets scratch to [near, far, entering axis, normal sign]; false when it misses. */
function boxSlabs(r: Ray, b: Box): boolean {
  scratch[0] = -Infinity;
  scratch[1] = Infinity;
  scratch[2] = 0;
  scratch[3] = 0;
  return (
    slab(r.ox, r.dx, b.x0, b.x1, 0, scratch) &&
    slab(r.oy, r.dy, b.y0, b.y1, 1, scratch) &&
    slab(r.oz, r.dz, b.z0, b.z1, 2, scratch) &&
    (scratch[1] as number) > T_MIN
  );
}

/** The entry and exit t of the ray through a box, written into `span` ([near, far]); false when it misses. */
export function boxSpan(r: Ray, b: Box, span: Float64Array): boolean {
  if (!boxSlabs(r, b)) return false;
  span[0] = scratch[0] as number;
  span[1] = scratch[1] as number;
  return true;
}

/** Ray against an axis-aligned box; the normal is that of the face entered. */
export function hitBox(r: Ray, b: Box, hit: Hit, material: number, object: number): boolean {
  if (!boxSlabs(r, b)) return false;
  const axis = scratch[2] as number;
  const sign = scratch[3] as number;
  return take(
    hit,
    scratch[0] as number,
    axis === 0 ? sign : 0,
    axis === 1 ? sign : 0,
    axis === 2 ? sign : 0,
    material,
    object,
  );
}

/** Ray against a cylinder of radius `radius` around the line x = cx, z = cz (parallel to y), for y in [y0, y1]; no caps. */
export function hitRod(
  r: Ray,
  cx: number,
  cz: number,
  radius: number,
  y0: number,
  y1: number,
  hit: Hit,
  material: number,
  object: number,
): boolean {
  const X = r.ox - cx;
  const Z = r.oz - cz;
  const a = r.dx * r.dx + r.dz * r.dz;
  if (a === 0) return false;
  const b = X * r.dx + Z * r.dz;
  const c = X * X + Z * Z - radius * radius;
  const disc = b * b - a * c;
  if (disc < 0) return false;
  const t = (-b - Math.sqrt(disc)) / a;
  const y = r.oy + t * r.dy;
  if (y < y0 || y > y1) return false;
  const px = X + t * r.dx;
  const pz = Z + t * r.dz;
  return take(hit, t, px / radius, 0, pz / radius, material, object);
}

/**
 * A bead: a solid of revolution about an axis parallel to y, symmetric about its equator. Its profile
 * is a polyline from the equator (a = 0) to the top (a = h): `a[k]`, `radius[k]`, and the profile's
 * slope dR/da at each vertex (interpolated along a segment, so a rounded bead shades smoothly
 * although its silhouette is a polyline). The ends are flat discs.
 */
export interface BeadProfile {
  readonly a: readonly number[];
  readonly radius: readonly number[];
  readonly slope: readonly number[];
  /** Largest radius (for the bounding cylinder). */
  readonly maxRadius: number;
  /** Half height. */
  readonly halfHeight: number;
}

/** Ray against a bead centred at (cx, cy, cz) with axis along y. */
export function hitBead(
  r: Ray,
  cx: number,
  cy: number,
  cz: number,
  p: BeadProfile,
  hit: Hit,
  material: number,
  object: number,
): boolean {
  const X = r.ox - cx;
  const Y = r.oy - cy;
  const Z = r.oz - cz;
  const radial2 = r.dx * r.dx + r.dz * r.dz;
  const radial1 = X * r.dx + Z * r.dz;
  const radial0 = X * X + Z * Z;
  let found = false;
  const last = p.a.length - 1;
  for (let sign = -1; sign <= 1; sign += 2) {
    for (let k = 0; k < last; k++) {
      const a0 = p.a[k] as number;
      const a1 = p.a[k + 1] as number;
      const r0 = p.radius[k] as number;
      const s = ((p.radius[k + 1] as number) - r0) / (a1 - a0);
      // radius along the ray: c0 + c1 t, with a(t) = sign · (Y + t dy)
      const c0 = r0 + s * (sign * Y - a0);
      const c1 = s * sign * r.dy;
      const A = radial2 - c1 * c1;
      const B = radial1 - c0 * c1;
      const C = radial0 - c0 * c0;
      let roots: number[];
      if (A > -1e-12 && A < 1e-12) {
        if (B === 0) continue;
        roots = [-C / (2 * B)];
      } else {
        const disc = B * B - A * C;
        if (disc < 0) continue;
        const q = Math.sqrt(disc);
        roots = [(-B - q) / A, (-B + q) / A];
      }
      for (const t of roots) {
        if (!(t > T_MIN) || t >= hit.t) continue;
        const along = sign * (Y + t * r.dy);
        if (along < a0 || along > a1 || c0 + c1 * t < 0) continue;
        const f = (along - a0) / (a1 - a0);
        const slope = (p.slope[k] as number) * (1 - f) + (p.slope[k + 1] as number) * f;
        const px = X + t * r.dx;
        const pz = Z + t * r.dz;
        const rho = Math.sqrt(px * px + pz * pz) || 1;
        // Outward normal of rho − R(a) = 0: (radial unit, −R'(a) along the axis).
        const ny = -slope * sign;
        const len = Math.sqrt(1 + ny * ny);
        if (take(hit, t, px / rho / len, ny / len, pz / rho / len, material, object)) found = true;
      }
    }
    // The flat end disc.
    if (r.dy !== 0) {
      const top = p.radius[last] as number;
      const t = (sign * p.halfHeight - Y) / r.dy;
      if (t > T_MIN && t < hit.t) {
        const px = X + t * r.dx;
        const pz = Z + t * r.dz;
        if (px * px + pz * pz <= top * top && take(hit, t, 0, sign, 0, material, object)) found = true;
      }
    }
  }
  return found;
}

/** Ray against a capsule (a segment p–q swept by a sphere of radius `radius`). */
export function hitCapsule(
  r: Ray,
  px: number,
  py: number,
  pz: number,
  qx: number,
  qy: number,
  qz: number,
  radius: number,
  hit: Hit,
  material: number,
  object: number,
): boolean {
  // After Inigo Quilez's capsule intersection (iquilezles.org/articles/intersectors).
  const bax = qx - px;
  const bay = qy - py;
  const baz = qz - pz;
  const oax = r.ox - px;
  const oay = r.oy - py;
  const oaz = r.oz - pz;
  const dd = r.dx * r.dx + r.dy * r.dy + r.dz * r.dz;
  const baba = bax * bax + bay * bay + baz * baz;
  const bard = bax * r.dx + bay * r.dy + baz * r.dz;
  const baoa = bax * oax + bay * oay + baz * oaz;
  const rdoa = r.dx * oax + r.dy * oay + r.dz * oaz;
  const oaoa = oax * oax + oay * oay + oaz * oaz;
  const a = baba * dd - bard * bard;
  const b = baba * rdoa - baoa * bard;
  const c = baba * oaoa - baoa * baoa - radius * radius * baba;
  let t = Infinity;
  if (a !== 0) {
    const h = b * b - a * c;
    if (h >= 0) {
      const tt = (-b - Math.sqrt(h)) / a;
      const y = baoa + tt * bard;
      if (y > 0 && y < baba) t = tt;
    }
  }
  if (t === Infinity) {
    // The end spheres.
    const tp = sphereT(r, px, py, pz, radius, dd);
    const tq = sphereT(r, qx, qy, qz, radius, dd);
    t = tp < tq ? tp : tq;
  }
  if (!(t > T_MIN) || t >= hit.t) return false;
  const hx = r.ox + t * r.dx;
  const hy = r.oy + t * r.dy;
  const hz = r.oz + t * r.dz;
  let k = ((hx - px) * bax + (hy - py) * bay + (hz - pz) * baz) / baba;
  k = k < 0 ? 0 : k > 1 ? 1 : k;
  const nx = (hx - (px + k * bax)) / radius;
  const ny = (hy - (py + k * bay)) / radius;
  const nz = (hz - (pz + k * baz)) / radius;
  return take(hit, t, nx, ny, nz, material, object);
}

function sphereT(r: Ray, cx: number, cy: number, cz: number, radius: number, dd: number): number {
  const ocx = r.ox - cx;
  const ocy = r.oy - cy;
  const ocz = r.oz - cz;
  const b = ocx * r.dx + ocy * r.dy + ocz * r.dz;
  const c = ocx * ocx + ocy * ocy + ocz * ocz - radius * radius;
  const h = b * b - dd * c;
  if (h < 0) return Infinity;
  const t = (-b - Math.sqrt(h)) / dd;
  return t > T_MIN ? t : Infinity;
}

/** Ray against an axis-aligned ellipsoid with semi-axes (sx, sy, sz) centred at (cx, cy, cz). */
export function hitEllipsoid(
  r: Ray,
  cx: number,
  cy: number,
  cz: number,
  sx: number,
  sy: number,
  sz: number,
  hit: Hit,
  material: number,
  object: number,
): boolean {
  // In the ellipsoid's unit-sphere space t is unchanged.
  const ox = (r.ox - cx) / sx;
  const oy = (r.oy - cy) / sy;
  const oz = (r.oz - cz) / sz;
  const dx = r.dx / sx;
  const dy = r.dy / sy;
  const dz = r.dz / sz;
  const a = dx * dx + dy * dy + dz * dz;
  const b = ox * dx + oy * dy + oz * dz;
  const c = ox * ox + oy * oy + oz * oz - 1;
  const h = b * b - a * c;
  if (h < 0) return false;
  const t = (-b - Math.sqrt(h)) / a;
  if (!(t > T_MIN) || t >= hit.t) return false;
  const ux = (ox + t * dx) / sx;
  const uy = (oy + t * dy) / sy;
  const uz = (oz + t * dz) / sz;
  const len = Math.sqrt(ux * ux + uy * uy + uz * uz) || 1;
  return take(hit, t, ux / len, uy / len, uz / len, material, object);
}

/** Ray against an upright cylinder (axis along z) standing on z = z0, height `height`, with a top cap. */
export function hitUpright(
  r: Ray,
  cx: number,
  cy: number,
  z0: number,
  radius: number,
  height: number,
  hit: Hit,
  material: number,
  object: number,
): boolean {
  const X = r.ox - cx;
  const Y = r.oy - cy;
  const a = r.dx * r.dx + r.dy * r.dy;
  let found = false;
  if (a > 0) {
    const b = X * r.dx + Y * r.dy;
    const c = X * X + Y * Y - radius * radius;
    const disc = b * b - a * c;
    if (disc >= 0) {
      const t = (-b - Math.sqrt(disc)) / a;
      const z = r.oz + t * r.dz;
      if (
        z >= z0 &&
        z <= z0 + height &&
        take(hit, t, (X + t * r.dx) / radius, (Y + t * r.dy) / radius, 0, material, object)
      )
        found = true;
    }
  }
  if (r.dz !== 0) {
    const t = (z0 + height - r.oz) / r.dz;
    const px = X + t * r.dx;
    const py = Y + t * r.dy;
    if (px * px + py * py <= radius * radius && take(hit, t, 0, 0, 1, material, object)) found = true;
  }
  return found;
}
