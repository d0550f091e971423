import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { photoSeed, runRender } from '../../src/cli/render.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { renderSoroban3d } from '../../src/render3d/index.ts';
import { InputError } from '../../src/errors.ts';

describe('column-classifier render', () => {
  it('writes PNGs and labels.json whose digits and pixels match the renderer', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cc-render-'));
    try {
      const code = await runRender(['--seed', '9', '--count', '3', '--out', out, '--columns', '4']);
      assert.equal(code, 0);
      const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as {
        images: { file: string; seed: number; digits: number[]; corners: { topLeft: { x: number } } }[];
      };
      assert.equal(labels.images.length, 3);
      assert.equal(readdirSync(out).filter((f) => f.endsWith('.png')).length, 3);
      labels.images.forEach((image, i) => {
        assert.equal(image.seed, photoSeed(9, i));
        assert.equal(image.digits.length, 4);
        const again = renderSoroban({ seed: image.seed, columns: 4 });
        assert.deepEqual(image.digits, again.digits);
        const png = PNG.sync.read(readFileSync(join(out, image.file)));
        assert.equal(png.width, again.width);
        assert.ok(Buffer.from(again.rgba.buffer).equals(png.data), `${image.file} holds the rendered pixels`);
        assert.equal(image.corners.topLeft.x, again.corners.topLeft.x);
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses a missing --out and a bad --columns with input errors', async () => {
    await assert.rejects(
      runRender(['--seed', '1']),
      (e: unknown) => e instanceof InputError && e.code === 'input/bad-argument',
    );
    await assert.rejects(
      runRender(['--seed', '1', '--out', '/tmp/x', '--columns', '30']),
      (e: unknown) => e instanceof InputError && /--columns/.test(e.message),
    );
    await assert.rejects(
      runRender(['--seed', '1', '--out', '/tmp/x', '--colour', 'red']),
      (e: unknown) => e instanceof InputError && /unknown option/.test(e.message),
    );
  });

  it('writes 3D photos with --3d whose labels (digits, corners, visibility, elevation) match the 3D renderer', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cc-render-3d-'));
    try {
      const code = await runRender([
        '--3d',
        '--seed',
        '4',
        '--count',
        '2',
        '--out',
        out,
        '--columns',
        '3',
        '--elevation',
        '35-50',
        '--hand',
        '1',
      ]);
      assert.equal(code, 0);
      const labels = JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as {
        generator: string;
        images: {
          file: string;
          seed: number;
          digits: number[];
          corners: { topLeft: { x: number } };
          visibility: { readable: boolean }[];
          present: boolean;
          style: { elevationDeg: number; hand: boolean };
        }[];
      };
      assert.match(labels.generator, /--3d/);
      labels.images.forEach((image, i) => {
        const again = renderSoroban3d({ seed: photoSeed(4, i), columns: 3, elevation: [[35, 50]], hand: 1 });
        assert.deepEqual(image.digits, again.digits);
        assert.equal(image.corners.topLeft.x, again.corners?.topLeft.x);
        assert.deepEqual(
          image.visibility.map((v) => v.readable),
          again.visibility.map((v) => v.readable),
        );
        assert.ok(image.style.elevationDeg >= 35 && image.style.elevationDeg <= 50);
        assert.equal(image.style.hand, true);
        const png = PNG.sync.read(readFileSync(join(out, image.file)));
        assert.ok(Buffer.from(again.rgba.buffer).equals(png.data), `${image.file} holds the rendered pixels`);
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses 3D options without --3d and malformed 3D options, naming the option', async () => {
    const bad = (args: string[], pattern: RegExp) =>
      assert.rejects(
        runRender(['--seed', '1', '--out', '/tmp/x', ...args]),
        (e: unknown) => e instanceof InputError && e.code === 'input/bad-argument' && pattern.test(e.message),
      );
    await bad(['--hand', '0.5'], /add --3d/);
    await bad(['--3d', '--elevation', '20-50'], /--elevation/);
    await bad(['--3d', '--elevation', 'low'], /--elevation/);
    await bad(['--3d', '--hand', '2'], /--hand/);
    await bad(['--3d', '--scene', 'moon'], /--scene must be one of whole, cut-off, empty/);
    await bad(['--3d', '--lighting', 'neon'], /--lighting must be one of varied, raking/);
    await bad(['--lighting', 'raking'], /add --3d/);
  });
});
