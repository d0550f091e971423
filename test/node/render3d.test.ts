import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BEAD_PROFILES, RENDER_3D_FIXTURE, renderSoroban3d, UNREADABLE_FRACTION } from '../../src/render3d/index.ts';
import { hitBead, hitBox, type Hit, type Ray } from '../../src/render3d/primitives.ts';
import { beadProfile } from '../../src/render3d/profiles.ts';
import { createRandom } from '../../src/render/random.ts';

const sha256 = (bytes: Uint8ClampedArray): string => createHash('sha256').update(bytes).digest('hex');
const noHit = (): Hit => ({ t: Infinity, nx: 0, ny: 0, nz: 0, material: -1, object: -1 });
const corners = (q: {
  topLeft: { x: number; y: number };
  topRight: { x: number; y: number };
  bottomRight: { x: number; y: number };
  bottomLeft: { x: number; y: number };
}) => [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft];

describe('renderSoroban3d', () => {
  it('renders the same bytes for the same seed (hash checked against the committed one)', () => {
    const a = renderSoroban3d(RENDER_3D_FIXTURE.options);
    assert.equal(sha256(a.rgba), RENDER_3D_FIXTURE.sha256);
    assert.equal(
      sha256(renderSoroban3d({ seed: 5, columns: 2, maxSide: 120 }).rgba),
      sha256(renderSoroban3d({ seed: 5, columns: 2, maxSide: 120 }).rgba),
    );
    assert.notEqual(
      sha256(renderSoroban3d({ seed: 5, columns: 2, maxSide: 120 }).rgba),
      sha256(renderSoroban3d({ seed: 6, columns: 2, maxSide: 120 }).rgba),
    );
  });

  it('labels a whole soroban: the asked digits, its bead area inside the picture with heaven at the top, every column readable', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const photo = renderSoroban3d({ seed, digits: [9, 0, 5, 4], maxSide: 200 });
      assert.deepEqual(photo.digits, [9, 0, 5, 4]);
      assert.ok(photo.corners !== null);
      for (const p of corners(photo.corners))
        assert.ok(p.x > 0 && p.x < 1 && p.y > 0 && p.y < 1, `corner ${JSON.stringify(p)} inside (seed ${seed})`);
      // Roll ±8° and azimuth ±20° keep the heaven end up and the first column left.
      assert.ok(
        photo.corners.topLeft.y < photo.corners.bottomLeft.y && photo.corners.topRight.y < photo.corners.bottomRight.y,
      );
      assert.ok(
        photo.corners.topLeft.x < photo.corners.topRight.x && photo.corners.bottomLeft.x < photo.corners.bottomRight.x,
      );
      assert.ok(photo.present);
      assert.equal(photo.visibility.length, 4);
      assert.ok(photo.visibility.every((v) => v.readable && v.hidden === 0 && v.outside === 0));
      assert.ok(photo.style.elevationDeg >= 35 && photo.style.elevationDeg <= 90);
      assert.equal(photo.rgba.length, photo.width * photo.height * 4);
    }
  });

  it('keeps to the elevation ranges and bead profiles it is given', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const photo = renderSoroban3d({
        seed,
        columns: 1,
        elevation: [
          [35, 40],
          [80, 85],
        ],
        profiles: ['cylinder', 'lens'],
        maxSide: 96,
      });
      const e = photo.style.elevationDeg;
      assert.ok((e >= 35 && e <= 40) || (e >= 80 && e <= 85), `elevation ${e}`);
      assert.ok(photo.style.profile === 'cylinder' || photo.style.profile === 'lens');
    }
  });

  it('lights a scene by a low raking sun when asked: darker overall, and said in its style', () => {
    const mean = (rgba: Uint8ClampedArray) =>
      rgba.reduce((sum, v, i) => (i % 4 === 3 ? sum : sum + v), 0) / rgba.length;
    let darker = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const options = { seed, columns: 3, maxSide: 96 };
      const varied = renderSoroban3d(options);
      const raking = renderSoroban3d({ ...options, lighting: 'raking' });
      assert.equal(varied.style.lighting, 'varied');
      assert.equal(raking.style.lighting, 'raking');
      assert.deepEqual(raking.digits, varied.digits, 'the same soroban');
      if (mean(raking.rgba) < mean(varied.rgba)) darker++;
    }
    assert.ok(darker >= 5, `darker in ${darker} of 6`);
  });

  it('marks the columns a hand hides as unreadable, and a soroban mostly under a hand as absent', () => {
    const photo = renderSoroban3d(RENDER_3D_FIXTURE.options);
    assert.ok(photo.style.hand);
    const hidden = photo.visibility.filter((v) => !v.readable);
    assert.ok(hidden.length > 0 && hidden.length < 10, `${hidden.length} hidden columns`);
    for (const v of photo.visibility) assert.equal(v.readable, v.hidden + v.outside < UNREADABLE_FRACTION);
    assert.equal(photo.present, hidden.length <= 10 / 3);
  });

  it('cuts a soroban off at the picture edge when asked, and draws an empty table with no labels', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const cut = renderSoroban3d({ seed, columns: 9, scene: 'cut-off', maxSide: 160 });
      assert.equal(cut.present, false);
      const outside = cut.visibility.reduce((s, v) => s + v.outside, 0) / 9;
      assert.ok(outside >= 0.15 && outside <= 0.7, `outside fraction ${outside}`);
      assert.ok(cut.visibility.some((v) => !v.readable) && cut.visibility.some((v) => v.readable));
      const empty = renderSoroban3d({ seed, scene: 'empty', maxSide: 120 });
      assert.equal(empty.corners, null);
      assert.deepEqual(empty.digits, []);
      assert.equal(empty.present, false);
    }
  });

  it('refuses a column count or digit out of range', () => {
    assert.throws(() => renderSoroban3d({ seed: 1, columns: 0 }), RangeError);
    assert.throws(() => renderSoroban3d({ seed: 1, digits: [10] }), RangeError);
    assert.throws(() => renderSoroban3d({ seed: 1, profiles: [] }), RangeError);
  });
});

describe('3D primitives', () => {
  it('hits a bead of every profile at its equator where a ray along x meets radius R', () => {
    for (const name of BEAD_PROFILES) {
      const profile = beadProfile(name, 0.45, 0.2, createRandom(1));
      const hit = noHit();
      const ray: Ray = { ox: -5, oy: 0, oz: 0, dx: 1, dy: 0, dz: 0 };
      assert.ok(hitBead(ray, 0, 0, 0, profile, hit, 3, 7), name);
      assert.ok(Math.abs(hit.t - (5 - 0.45)) < 1e-6, `${name}: t ${hit.t}`);
      // The normal faces the ray, is unit length, and has no z part (the ray lies in the plane z = 0).
      assert.ok(
        hit.nx < -0.4 && Math.abs(hit.nz) < 1e-9,
        `${name}: normal ${hit.nx}, ${hit.ny}, ${hit.nz} faces the ray`,
      );
      assert.ok(Math.abs(hit.nx * hit.nx + hit.ny * hit.ny + hit.nz * hit.nz - 1) < 1e-9);
      assert.equal(hit.material, 3);
      assert.equal(hit.object, 7);
      // From above, a ray down the axis meets the flat end (or the tip) at the half height.
      const down = noHit();
      assert.ok(
        hitBead({ ox: 0.01, oy: 5, oz: 0, dx: 0, dy: -1, dz: 0 }, 0, 0, 0, profile, down, 0, 0),
        `${name} from the axis`,
      );
      assert.ok(Math.abs(down.t - (5 - profile.halfHeight)) < 0.05, `${name}: axis t ${down.t}`);
      // A ray that passes beside the bead misses it.
      assert.equal(hitBead({ ox: -5, oy: 0, oz: 0.5, dx: 1, dy: 0, dz: 0 }, 0, 0, 0, profile, noHit(), 0, 0), false);
    }
  });

  it('keeps the nearest hit: a farther box does not replace a nearer one', () => {
    const hit = noHit();
    const ray: Ray = { ox: 0, oy: 0, oz: 10, dx: 0, dy: 0, dz: -1 };
    assert.ok(hitBox(ray, { x0: -1, y0: -1, z0: 0, x1: 1, y1: 1, z1: 2 }, hit, 1, 1));
    assert.equal(hit.t, 8);
    assert.deepEqual([hit.nx, hit.ny, hit.nz], [0, 0, 1]);
    assert.equal(hitBox(ray, { x0: -1, y0: -1, z0: -5, x1: 1, y1: 1, z1: -4 }, hit, 2, 2), false);
    assert.equal(hit.material, 1);
  });
});
