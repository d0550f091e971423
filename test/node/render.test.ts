import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderSoroban, createRandom, BEAD_SHAPES, RENDER_FIXTURE } from '../../src/render/index.ts';
import { detExp, detLog, detSin, detCos, detPow } from '../../src/render/random.ts';

const sha256 = (bytes: Uint8ClampedArray): string => createHash('sha256').update(bytes).digest('hex');

describe('renderSoroban', () => {
  it('renders the same bytes for the same seed (hash checked against the committed one)', () => {
    const a = renderSoroban(RENDER_FIXTURE.options);
    const b = renderSoroban(RENDER_FIXTURE.options);
    assert.equal(sha256(a.rgba), sha256(b.rgba));
    assert.equal(sha256(a.rgba), RENDER_FIXTURE.sha256);
  });

  it('renders different images for different seeds', () => {
    const hashes = new Set([1, 2, 3, 4].map((seed) => sha256(renderSoroban({ seed, columns: 3 }).rgba)));
    assert.equal(hashes.size, 4);
  });

  it('returns ground truth that agrees with the request and the image size', () => {
    for (let seed = 10; seed < 16; seed++) {
      const r = renderSoroban({ seed });
      assert.equal(r.rgba.length, r.width * r.height * 4);
      assert.ok(r.digits.length >= 1 && r.digits.length <= 21);
      for (const d of r.digits) assert.ok(Number.isInteger(d) && d >= 0 && d <= 9);
      for (const p of [r.corners.topLeft, r.corners.topRight, r.corners.bottomRight, r.corners.bottomLeft]) {
        assert.ok(p.x > 0 && p.x < 1 && p.y > 0 && p.y < 1, `corner ${JSON.stringify(p)} is inside the photo`);
      }
      // Corners are in order: the top edge is above the bottom edge, left is left of right.
      assert.ok(r.corners.topLeft.x < r.corners.topRight.x && r.corners.bottomLeft.x < r.corners.bottomRight.x);
      assert.ok(r.corners.topLeft.y < r.corners.bottomLeft.y && r.corners.topRight.y < r.corners.bottomRight.y);
      for (let i = 3; i < r.rgba.length; i += 4) if (r.rgba[i] !== 255) assert.fail('alpha must be opaque');
    }
    const asked = renderSoroban({ seed: 3, digits: [9, 0, 5] });
    assert.deepEqual(asked.digits, [9, 0, 5]);
  });

  it('keeps to the allowed styles, so a style can be held out', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = renderSoroban({ seed, columns: 1, beadShapes: ['lens'], beadColours: ['green'] });
      assert.equal(r.style.beadShape, 'lens');
      assert.equal(r.style.beadColour, 'green');
    }
    const shapes = new Set(
      Array.from({ length: 40 }, (_, seed) => renderSoroban({ seed, columns: 1, pitch: [18, 20] }).style.beadShape),
    );
    assert.equal(shapes.size, BEAD_SHAPES.length, 'every shape shows up without a filter');
  });

  it('draws the bead area where the corners say: the centre of the bead area differs from the border outside it', () => {
    // The bead area is bounded by the frame's bars: sampling along the inside of the top edge and just above it must differ on average.
    let differs = 0;
    for (let seed = 30; seed < 40; seed++) {
      const r = renderSoroban({ seed, columns: 5 });
      const at = (x: number, y: number): number => {
        const i = (Math.floor(y * r.height) * r.width + Math.floor(x * r.width)) * 4;
        return (r.rgba[i] ?? 0) + (r.rgba[i + 1] ?? 0) + (r.rgba[i + 2] ?? 0);
      };
      const { topLeft: tl, bottomRight: br } = r.corners;
      const cx = (tl.x + br.x) / 2;
      const frameAbove = at(cx, tl.y - 0.2 * (br.y - tl.y) * 0.1);
      const centreTop = at(cx, tl.y + 0.03 * (br.y - tl.y));
      if (Math.abs(frameAbove - centreTop) > 10) differs++;
    }
    assert.ok(differs >= 5, `frame and bead area differ in only ${differs} of 10 photos`);
  });

  it('rejects digits out of range', () => {
    assert.throws(() => renderSoroban({ seed: 1, digits: [10] }), RangeError);
    assert.throws(() => renderSoroban({ seed: 1, columns: 22 }), RangeError);
  });
});

describe('deterministic maths and random source', () => {
  /** The deterministic functions replace Math's; they must agree with it to near double precision. */
  const EPSILON = 1e-12;
  it('agrees with Math on exp, log, sin, cos, pow', () => {
    for (const x of [-5, -1.3, -0.2, 0, 0.4, 1, 2.7, 6.2, 20]) {
      assert.ok(Math.abs(detExp(x) - Math.exp(x)) <= EPSILON * Math.exp(x), `exp ${x}`);
      assert.ok(Math.abs(detSin(x) - Math.sin(x)) < EPSILON, `sin ${x}`);
      assert.ok(Math.abs(detCos(x) - Math.cos(x)) < EPSILON, `cos ${x}`);
    }
    for (const x of [1e-6, 0.1, 0.5, 1, 3.3, 255, 1e6])
      assert.ok(Math.abs(detLog(x) - Math.log(x)) < EPSILON * 20, `log ${x}`);
    assert.ok(Math.abs(detPow(0.5, 2.2) - Math.pow(0.5, 2.2)) < EPSILON);
  });

  it('draws the same sequence from the same seed, a uniform one', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 10000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 50),
      Array.from({ length: 50 }, () => b.next()),
    );
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01);
    const r = createRandom(7);
    const normals = Array.from({ length: 20000 }, () => r.normal());
    const m = normals.reduce((s, x) => s + x, 0) / normals.length;
    const v = normals.reduce((s, x) => s + (x - m) ** 2, 0) / normals.length;
    assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05, `normal mean ${m} var ${v}`);
  });
});
