import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';
import { fieldGraphContract, testModelContract } from '../fixtures/contracts.ts';
import { FIELD_DIR, writeFieldGraphModel } from '../fixtures/field-graph.ts';
import { stripesImage, writePng } from '../fixtures/images.ts';
import { buildBrightnessModel, saveModel, writeModel } from '../fixtures/test-models.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { main } from '../../src/cli/main.ts';
import { DEFAULT_MODEL } from '../../src/cli/model-args.ts';
import { cornerError } from '../../src/localize/window.ts';
import type { Quad } from '../../src/preprocess/types.ts';
import { renderSoroban } from '../../src/render/index.ts';

after(removeTempDirs);

const BIN = fileURLToPath(new URL('../../bin/column-classifier.js', import.meta.url));

/** Runs the real executable in a child process (slow: use for the few tests that check the bin itself). */
async function spawnCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs the CLI's main() in this process, capturing what it writes. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = { stdout: '', stderr: '' };
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  // The CLI writes text. The test runner's child process reports results on the same stdout as binary (serialized)
  // chunks, which may come while a command runs: those go on to the runner, not into the command's output.
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== 'string')
        return (originals[stream] as (...a: unknown[]) => boolean).call(process[stream], chunk, ...rest);
      captured[stream] += chunk;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const code = await main(args);
    return { code, ...captured };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
}

describe('the column-classifier CLI', () => {
  let modelDir: string;
  before(async () => {
    await useNodeBackend('cpu');
    modelDir = (
      await writeModel(
        await saveModel(buildBrightnessModel()),
        testModelContract() as unknown as Record<string, unknown>,
      )
    ).dir;
  });

  it('inspect shows the uint8 weights of the field layers fixture and refuses it for lack of a contract', async () => {
    const { code, stdout } = await cli('inspect', join(FIELD_DIR, 'layers-uint8'));
    assert.equal(code, 1);
    assert.equal(stdout.match(/ float32 stored uint8 dequantized as q · /g)?.length, 26);
    assert.match(stdout, /26 weights: 26 stored uint8 \(2,192,650 bytes\)/);
    assert.match(stdout, /ERROR \[contract\/missing\]/);
    assert.match(stdout, /#0 dense_1: \[null,10\] softmax/);
  });

  it('inspect refuses the field graph model with a sidecar that normalizes to [-1, 1] (double normalization)', async () => {
    const dir = await tempDir('cc-cli-');
    const contract = fieldGraphContract();
    contract.input.inputRange = { min: -1, max: 1 };
    contract.modelInternals.normalization = { kind: 'none' };
    await writeFieldGraphModel(dir, { sidecar: contract });
    const { code, stdout } = await cli('inspect', dir);
    assert.equal(code, 1);
    assert.match(stdout, /ERROR \[contract\/double-normalization\]/);
    assert.match(stdout, /composed map: x ↦ x · 0\.00784314 − 1/);
    assert.match(stdout, /the first convolution will see \[-1\.00784, -0\.992157\]/);
    assert.match(stdout, /#0 output_1: \[-1,5\] softmax {2}→ head "earth"/);
  });

  it('inspect accepts the field graph model with a correct sidecar', async () => {
    const dir = await tempDir('cc-cli-');
    await writeFieldGraphModel(dir, { sidecar: fieldGraphContract() });
    const { code, stdout } = await cli('inspect', dir);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /#1 output_0: \[-1,1\] sigmoid {2}→ head "heaven"/);
    assert.match(stdout, /Verdict: the model and its contract agree/);
  });

  it('classify reads the digits of a picture with pixel corners, as JSON', async () => {
    const image = join(modelDir, 'soroban.png');
    await writePng(
      image,
      100,
      40,
      stripesImage(
        100,
        40,
        { x0: 10, x1: 90, y0: 5, y1: 35 },
        [
          [0, 0, 0],
          [64, 64, 64],
          [191, 191, 191],
          [255, 255, 255],
        ],
        [255, 0, 0],
      ),
    );
    const { code, stdout, stderr } = await spawnCli(
      'classify',
      image,
      '--columns',
      '4',
      '--corners',
      '10,5,90,5,90,35,10,35',
      '--model',
      modelDir,
      '--json',
      '--backend',
      'cpu',
    );
    assert.equal(code, 0, stderr);
    const [reading] = JSON.parse(stdout) as { digits: number[]; columns: { heaven: number }[] }[];
    assert.deepEqual(reading?.digits, [0, 1, 8, 9]);
  });

  it('classify --crop reads each image as one column', async () => {
    const paths = [];
    for (const g of [0, 140, 255]) {
      const path = join(modelDir, `column-${g}.png`);
      await writePng(path, 8, 16, stripesImage(8, 16, { x0: 0, x1: 8, y0: 0, y1: 16 }, [[g, g, g]], [0, 0, 0]));
      paths.push(path);
    }
    const { code, stdout, stderr } = await cli('classify', '--crop', ...paths, '--model', join(modelDir, 'model.json'));
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      stdout
        .split('\n')
        .filter((l) => l.endsWith('.png: 0') || /\.png: \d$/.test(l))
        .map((l) => Number(l.at(-1))),
      [0, 7, 9],
    );
  });

  it('exits non-zero with the error code and message when the model is refused', async () => {
    const contract = testModelContract();
    contract.input.inputRange = { min: 0, max: 1 };
    contract.modelInternals.normalization = { kind: 'none' };
    const { dir } = await writeModel(
      await saveModel(buildBrightnessModel()),
      contract as unknown as Record<string, unknown>,
    );
    const { code, stderr } = await spawnCli('classify', '--crop', join(modelDir, 'column-0.png'), '--model', dir);
    assert.equal(code, 1);
    assert.match(stderr, /ContractError \[contract\/double-normalization\]/);
  });

  it('exits 2 on an unknown command and prints the schema on demand', async () => {
    assert.equal((await cli('frobnicate')).code, 2);
    const { code, stdout } = await cli('schema');
    assert.equal(code, 0);
    assert.equal(stdout, await readFile(new URL('../../models/contract.schema.json', import.meta.url), 'utf8'));
  });

  it('classify --labels scores rendered-style images against their digits', async () => {
    const dir = await tempDir('cc-labels-');
    const images = [];
    for (const [i, greys] of [
      [0, 64, 191],
      [255, 140, 0],
    ].entries()) {
      const file = `photo-${i}.png`;
      await writePng(
        join(dir, file),
        60,
        40,
        stripesImage(
          60,
          40,
          { x0: 6, x1: 54, y0: 4, y1: 36 },
          greys.map((g) => [g, g, g] as const),
          [90, 30, 10],
        ),
      );
      const corners = {
        topLeft: { x: 0.1, y: 0.1 },
        topRight: { x: 0.9, y: 0.1 },
        bottomRight: { x: 0.9, y: 0.9 },
        bottomLeft: { x: 0.1, y: 0.9 },
      };
      images.push({ file, digits: i === 0 ? [0, 1, 8] : [9, 7, 1], corners });
    }
    await writeFile(join(dir, 'labels.json'), JSON.stringify({ images }));
    const { code, stdout, stderr } = await cli(
      'classify',
      '--labels',
      join(dir, 'labels.json'),
      '--model',
      modelDir,
      '--backend',
      'cpu',
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /photo-0\.png: read 0 1 8 {2}expected 0 1 8 {2}3\/3/);
    assert.match(stdout, /photo-1\.png: read 9 7 0 {2}expected 9 7 1 {2}2\/3/);
    assert.match(stdout, /columns right: 5\/6 \(83\.3 %\); images all right: 1\/2/);
  });

  it('golden computes cases for column PNGs beside the model, seal embeds them, golden --check passes on cpu and wasm', async () => {
    const { dir } = await writeModel(
      await saveModel(buildBrightnessModel()),
      testModelContract() as unknown as Record<string, unknown>,
    );
    await writePng(
      join(dir, 'g140.png'),
      8,
      16,
      stripesImage(8, 16, { x0: 0, x1: 8, y0: 0, y1: 16 }, [[140, 140, 140]], [0, 0, 0]),
    );
    const computed = await cli('golden', '--model', dir, '--backend', 'cpu', join(dir, 'g140.png'));
    assert.equal(computed.code, 0, computed.stderr);
    const golden = JSON.parse(computed.stdout) as {
      tolerance: number;
      cases: { input: { path: string }; expected: { heaven: number[]; earth: number[] } }[];
    };
    assert.equal(golden.cases[0]?.input.path, 'g140.png');
    assert.ok(
      Math.abs((golden.cases[0]?.expected.heaven[0] ?? 0) - 1 / (1 + Math.exp(-((20 * 140) / 255 - 10)))) < 1e-5,
    );
    await writeFile(join(dir, 'contract.json'), JSON.stringify({ ...testModelContract(), golden }));
    const sealed = await cli('seal', dir, '--contract', join(dir, 'contract.json'));
    assert.equal(sealed.code, 0, sealed.stderr);
    const checked = await cli('golden', '--check', '--model', dir, '--backend', 'cpu,wasm');
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^cpu\t1 case\(s\)\tmax \|diff\| heaven .*\tok$/m);
    assert.match(checked.stdout, /^wasm\t1 case\(s\).*\tok$/m);
    const inspected = await cli('inspect', dir, '--golden', '--backend', 'cpu');
    assert.equal(inspected.code, 0, inspected.stdout);
    assert.match(
      inspected.stdout,
      /8\. Golden cases on the cpu backend\n {2}1 case\(s\); max \|computed − expected\| per head: heaven .* → ok/,
    );
    assert.match(inspected.stdout, /weights\.bin: \d+ bytes, sha256 [0-9a-f]{64} — sha256 matches the contract/);
  });

  it(
    'classify reads rendered sorobans with the shipped model',
    { skip: !existsSync(DEFAULT_MODEL) && 'models/column-classifier is not trained yet' },
    async () => {
      const out = await tempDir('cc-render-');
      const rendered = await cli('render', '--seed', '4242', '--count', '4', '--out', out);
      assert.equal(rendered.code, 0, rendered.stderr);
      const { code, stdout, stderr } = await cli('classify', '--labels', join(out, 'labels.json'), '--json');
      assert.equal(code, 0, stderr);
      const { summary } = JSON.parse(stdout) as { summary: { columnAccuracy: number; images: number } };
      assert.equal(summary.images, 4);
      // The shipped model's test digit accuracy is ~98 %; a broken pipeline (range, grey, geometry, head order) reads ~10–20 %.
      assert.ok(summary.columnAccuracy >= 0.9, `column accuracy ${summary.columnAccuracy}`);
    },
  );
});

describe('column-classifier locate', () => {
  let localizerDir: string;
  let photoPath: string;
  before(async () => {
    await useNodeBackend('wasm');
    const { buildLocalizer } = await import('../../models/training/localizer/model.ts');
    const { saveModel: saveTrainedModel } = await import('../../models/training/io.ts');
    const { attachLocalizerContract } = await import('../../models/training/localizer/attach-contract.ts');
    localizerDir = await tempDir('cc-localizer-');
    // An untrained localizer: what it finds is noise, but every step of the path (contract, heads, two looks,
    // periodicity, printing) runs as with a trained one.
    await saveTrainedModel(buildLocalizer({ filters: [2, 2, 2, 2], dense: 4, heatmapFilters: 2 }), localizerDir);
    await attachLocalizerContract(localizerDir);
    const photo = renderSoroban({ seed: 5, columns: 4, pitch: [12, 14] });
    photoPath = join(await tempDir('cc-locate-photo-'), 'photo.png');
    await writePng(photoPath, photo.width, photo.height, new Uint8Array(photo.rgba.buffer));
  });

  it('prints corners, count and presence for an image, and the same as JSON', async () => {
    const text = await cli('locate', photoPath, '--localizer', localizerDir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /columns \d+ \(model.s probability [\d.]+, with periodicity [\d.]+\)/);
    assert.match(text.stdout, /--corners [-\d.,]+ --columns \d+/);
    const json = await cli('locate', photoPath, '--localizer', localizerDir, '--json');
    const [found] = JSON.parse(json.stdout) as {
      columns: number;
      presence: number;
      found: boolean;
      corners: unknown;
    }[];
    assert.ok(found !== undefined && Number.isInteger(found.columns) && found.columns >= 1 && found.columns <= 21);
    assert.equal(found.found, found.presence >= 0.5);
  });

  it('refuses a column classifier given as the localizer, saying where it belongs', async () => {
    const wrong = await cli('locate', photoPath, '--localizer', DEFAULT_MODEL);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /\[contract\/wrong-model-kind\]/);
    assert.match(wrong.stderr, /is a column-classifier/);
  });

  it('finds the soroban with the shipped localizer when --localizer is not given', async () => {
    const photo = renderSoroban({ seed: 5, columns: 4, pitch: [30, 34] });
    const path = join(await tempDir('cc-locate-shipped-'), 'photo.png');
    await writePng(path, photo.width, photo.height, new Uint8Array(photo.rgba.buffer));
    const json = await cli('locate', path, '--json');
    assert.equal(json.code, 0, json.stderr);
    const [found] = JSON.parse(json.stdout) as { found: boolean; corners: Quad }[];
    assert.equal(found?.found, true);
    // Mean corner distance as a share of the diagonal: an untrained or misread localizer is far off (> 10 %).
    const error = cornerError(found.corners, photo.corners, photo.width, photo.height);
    assert.ok(error < 0.05, `corner error ${(100 * error).toFixed(1)} % of the diagonal`);
  });

  it('classify without --corners reads where the localizer finds the soroban; --columns fixes the count', async () => {
    const text = await cli('classify', photoPath, '--localizer', localizerDir, '--columns', '4', '--json');
    assert.equal(text.code, 0, text.stderr);
    const [reading] = JSON.parse(text.stdout) as { digits: number[]; location: { found: boolean; columns: number } }[];
    assert.ok(reading?.location !== undefined, 'the reading says where the soroban was found');
    assert.equal(reading.location.columns, 4);
    assert.equal(reading.digits.length, reading.location.found ? 4 : 0);
    const both = await cli('classify', photoPath, '--localizer', localizerDir, '--corners', '0,0,1,0,1,1,0,1');
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--localizer finds the corners; drop it/);
  });
});
