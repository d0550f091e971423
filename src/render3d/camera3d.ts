/**
 * A pinhole camera looking down at the table: placed by elevation above the
 * table, azimuth around the soroban, roll, field of view and distance.
 */
import { detCos, detSin } from '../render/random.ts';
import type { Ray } from './primitives.ts';

const DEG = Math.PI / 180;

/** Where the camera is and how it is turned. */
export interface CameraPose {
  /** Degrees above the table plane (90 = straight down). */
  readonly elevationDeg: number;
  /** Degrees around the vertical, 0 = seen from the earth-deck side (where the user sits). */
  readonly azimuthDeg: number;
  /** Degrees of roll about the viewing axis. */
  readonly rollDeg: number;
  /** Horizontal field of view in degrees. */
  readonly fovDeg: number;
  /** Distance from the point looked at, in column pitches. */
  readonly distance: number;
  /** The point looked at (world units). */
  readonly target: { readonly x: number; readonly y: number; readonly z: number };
}

/** A camera ready to cast rays and project points for a width × height image. */
export interface Camera3d {
  readonly width: number;
  readonly height: number;
  readonly eye: readonly [number, number, number];
  /** Unit forward, right and up (image up) vectors. */
  readonly forward: readonly [number, number, number];
  readonly right: readonly [number, number, number];
  readonly up: readonly [number, number, number];
  /** Focal length in pixels. */
  readonly focal: number;
}

/** Builds the camera of a pose for an image size. */
export function makeCamera(pose: CameraPose, width: number, height: number): Camera3d {
  const el = pose.elevationDeg * DEG;
  const az = pose.azimuthDeg * DEG;
  // Horizontal direction from the target towards the camera: the user's side is −y.
  const hx = detSin(az);
  const hy = -detCos(az);
  const ce = detCos(el);
  const se = detSin(el);
  const back: [number, number, number] = [ce * hx, ce * hy, se];
  const eye: [number, number, number] = [
    pose.target.x + pose.distance * back[0],
    pose.target.y + pose.distance * back[1],
    pose.target.z + pose.distance * back[2],
  ];
  const forward: [number, number, number] = [-back[0], -back[1], -back[2]];
  // Image up before roll: in the vertical plane of the view, pointing away from the user.
  const up0: [number, number, number] = [-se * hx, -se * hy, ce];
  const right0: [number, number, number] = [
    forward[1] * up0[2] - forward[2] * up0[1],
    forward[2] * up0[0] - forward[0] * up0[2],
    forward[0] * up0[1] - forward[1] * up0[0],
  ];
  const roll = pose.rollDeg * DEG;
  const cr = detCos(roll);
  const sr = detSin(roll);
  const right: [number, number, number] = [
    cr * right0[0] + sr * up0[0],
    cr * right0[1] + sr * up0[1],
    cr * right0[2] + sr * up0[2],
  ];
  const up: [number, number, number] = [
    cr * up0[0] - sr * right0[0],
    cr * up0[1] - sr * right0[1],
    cr * up0[2] - sr * right0[2],
  ];
  const half = (pose.fovDeg * DEG) / 2;
  const focal = width / 2 / (detSin(half) / detCos(half));
  return { width, height, eye, forward, right, up, focal };
}

/** Sets `ray` to the ray through image point (px, py) (pixel centres at +0.5). */
export function cameraRay(camera: Camera3d, px: number, py: number, ray: Ray): void {
  const u = (px - camera.width / 2) / camera.focal;
  const v = (camera.height / 2 - py) / camera.focal;
  const { forward: f, right: r, up } = camera;
  ray.ox = camera.eye[0];
  ray.oy = camera.eye[1];
  ray.oz = camera.eye[2];
  ray.dx = f[0] + u * r[0] + v * up[0];
  ray.dy = f[1] + u * r[1] + v * up[1];
  ray.dz = f[2] + u * r[2] + v * up[2];
}

/** The image point (pixels) of a world point, and its depth along the view (≤ 0: behind the camera). */
export function project(camera: Camera3d, x: number, y: number, z: number): { x: number; y: number; depth: number } {
  const dx = x - camera.eye[0];
  const dy = y - camera.eye[1];
  const dz = z - camera.eye[2];
  const { forward: f, right: r, up } = camera;
  const depth = dx * f[0] + dy * f[1] + dz * f[2];
  const u = (dx * r[0] + dy * r[1] + dz * r[2]) / depth;
  const v = (dx * up[0] + dy * up[1] + dz * up[2]) / depth;
  return { x: camera.width / 2 + u * camera.focal, y: camera.height / 2 - v * camera.focal, depth };
}
