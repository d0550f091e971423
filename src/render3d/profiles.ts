/**
 * Bead profiles: the half-outline (radius against height above the equator)
 * that a lathe turns into a bead. Several families, because real sorobans
 * differ most in their beads.
 */
import type { Random } from '../render/random.ts';
import type { BeadProfile } from './primitives.ts';

/** Bead profile families of the 3D renderer. */
export const BeadProfileName = {
  /** The classic soroban bead: two cones meeting at a sharp equator, with small flat ends. */
  bicone: 'bicone',
  /** Cones without flat ends: a sharp double cone. */
  diamond: 'diamond',
  /** A spheroid (a rounded bead). */
  rounded: 'rounded',
  /** A low disc with rounded edges. */
  flattened: 'flattened',
  /** A short cylinder with chamfered edges (children's and school abacuses). */
  cylinder: 'cylinder',
  /** Two spherical caps meeting at a sharp equator. */
  lens: 'lens',
} as const;
export type BeadProfileName = (typeof BeadProfileName)[keyof typeof BeadProfileName];
export const BEAD_PROFILES: readonly BeadProfileName[] = Object.values(BeadProfileName);

function fromPoints(points: readonly (readonly [number, number])[], slopes: readonly number[]): BeadProfile {
  return {
    a: points.map((p) => p[0]),
    radius: points.map((p) => p[1]),
    slope: slopes,
    maxRadius: Math.max(...points.map((p) => p[1])),
    halfHeight: points[points.length - 1]?.[0] ?? 0,
  };
}

/** Slopes of a polyline taken per segment (a faceted, turned-wood look). */
function segmentSlopes(points: readonly (readonly [number, number])[]): {
  points: (readonly [number, number])[];
  slopes: number[];
} {
  // Each vertex is doubled so that both segment ends carry that segment's own slope.
  const out: (readonly [number, number])[] = [];
  const slopes: number[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const p = points[k] as readonly [number, number];
    const q = points[k + 1] as readonly [number, number];
    const s = (q[1] - p[1]) / (q[0] - p[0]);
    out.push(p, [q[0] - 1e-9, q[1]]);
    slopes.push(s, s);
  }
  return { points: out, slopes };
}

/**
 * The profile of a bead of a family, `radius` wide and `halfHeight` tall above its equator, with
 * the family's free proportions drawn from `random`.
 */
export function beadProfile(name: BeadProfileName, radius: number, halfHeight: number, random: Random): BeadProfile {
  const h = halfHeight;
  const R = radius;
  switch (name) {
    case 'bicone': {
      const flat = random.range(0.22, 0.45) * R;
      const { points, slopes } = segmentSlopes([
        [0, R],
        [h, flat],
      ]);
      return fromPoints(points, slopes);
    }
    case 'diamond': {
      const { points, slopes } = segmentSlopes([
        [0, R],
        [h, 0.08 * R],
      ]);
      return fromPoints(points, slopes);
    }
    case 'rounded': {
      // A spheroid: R(a) = R √(1 − (a/h)²), cut a little before the pole (the rod hole).
      const steps = 6;
      const points: [number, number][] = [];
      const slopes: number[] = [];
      for (let i = 0; i <= steps; i++) {
        const a = (h * 0.97 * i) / steps;
        const u = a / h;
        const rr = R * Math.sqrt(1 - u * u);
        points.push([a, rr]);
        slopes.push((-R * u) / (h * Math.sqrt(Math.max(1e-6, 1 - u * u))));
      }
      return fromPoints(
        points,
        slopes.map((s) => Math.max(-12, s)),
      );
    }
    case 'flattened': {
      const edge = random.range(0.35, 0.6) * h;
      const points: [number, number][] = [
        [0, R],
        [h - edge, R * 0.985],
        [h - edge * 0.4, R - edge * 0.6],
        [h, R - edge * 1.2],
      ];
      return fromPoints(points, [0, -0.3, -1.2, -3]);
    }
    case 'cylinder': {
      const chamfer = random.range(0.08, 0.2) * h;
      const { points, slopes } = segmentSlopes([
        [0, R],
        [h - chamfer, R],
        [h, R - chamfer],
      ]);
      return fromPoints(points, slopes);
    }
    case 'lens': {
      // Circular arcs: the circle through (0, R) and (h, 0) centred on the equator plane's axis line.
      const centre = (R * R - h * h) / (2 * R); // distance of the arc centre from the axis, negative side
      const rc = R - centre;
      const steps = 6;
      const points: [number, number][] = [];
      const slopes: number[] = [];
      for (let i = 0; i <= steps; i++) {
        const a = (h * 0.95 * i) / steps;
        const root = Math.sqrt(Math.max(1e-9, rc * rc - a * a));
        points.push([a, root + centre]);
        slopes.push(-a / root);
      }
      return fromPoints(points, slopes);
    }
  }
}
