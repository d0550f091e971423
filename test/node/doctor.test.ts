import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { validateContract } from '../../src/contract/validate.ts';
import { compareOutputs, notInstalledRows, rowOf } from '../../src/doctor/compare.ts';
import {
  chooseHypothesis,
  diagnoseModel,
  indistinguishable,
  structuralRange,
  suspectFindings,
  type HypothesisScore,
} from '../../src/doctor/diagnose.ts';
import { checkBinding, identifyHeads, type MeasuredOutput } from '../../src/doctor/heads.ts';
import { feedFor, hypothesesFor, RANGES, type Hypothesis } from '../../src/doctor/hypotheses.ts';
import type { ConfigResult, ImageReading } from '../../src/doctor/protocol.ts';
import { formatDoctorTable } from '../../src/doctor/table.ts';
import { goldenSorobans } from '../../src/doctor/images.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRender } from '../../src/cli/render.ts';
import { fileURLToPath } from 'node:url';
import { NO_MARGINS, WHOLE_FRAME } from '../../src/preprocess/types.ts';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { fieldGraphContract } from '../fixtures/contracts.ts';
import { writeFieldGraphModel } from '../fixtures/field-graph.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

const HEAVEN: MeasuredOutput = {
  index: 1,
  key: 'output_0',
  aliases: ['Identity:0'],
  shape: [-1, 1],
  activation: 'sigmoid',
  units: 1,
};
const EARTH: MeasuredOutput = {
  index: 0,
  key: 'output_1',
  aliases: ['Identity_1:0'],
  shape: [-1, 5],
  activation: 'softmax',
  units: 5,
};

function score(
  range: (typeof RANGES)[number],
  logLikelihoods: number[],
  accuracy = 0.9,
  correct: boolean[] = logLikelihoods.map((_, i) => i < accuracy * logLikelihoods.length),
): HypothesisScore {
  const hypothesis: Hypothesis = { range, colour: 'grey', resize: 'bilinear', prefilter: 'box' };
  const loss = -logLikelihoods.reduce((a, b) => a + b, 0) / logLikelihoods.length;
  return {
    hypothesis,
    label: `${range.name} grey bilinear+box`,
    accuracy,
    loss,
    logLikelihoods,
    correct,
    firstConvSees: undefined,
  };
}

const NODE: ImageReading[] = [
  {
    name: 'a',
    columns: [
      { heaven: 0.9, earth: [0.1, 0.6, 0.1, 0.1, 0.1], digit: 6 },
      { heaven: 0.1, earth: [0.7, 0.1, 0.1, 0.05, 0.05], digit: 0 },
    ],
  },
];

/** NODE's one image with its second column's heaven probability changed. */
function withSecondHeaven(heaven: number): ImageReading[] {
  const [first, second] = 'columns' in NODE[0]! ? NODE[0].columns : [];
  return [{ name: 'a', columns: [first!, { ...second!, heaven }] }];
}

function result(overrides: Partial<ConfigResult>): ConfigResult {
  return {
    id: 'webgl',
    backendUsed: 'webgl',
    selfCheck: { maxAbsDiff: 1e-7, tolerance: 2e-3, cases: 3, passed: true },
    outputs: NODE,
    batchMs: [3, 1, 2],
    batchColumns: [2, 2, 2],
    warnings: [],
    error: undefined,
    ...overrides,
  };
}

describe('doctor: images', () => {
  it("adds the shipped model's whole golden sorobans, with their columns, corners and digits", async () => {
    const jobs = await goldenSorobans('models/column-classifier', '/__model/');
    assert.equal(jobs.length, 2);
    for (const job of jobs) {
      assert.match(job.url, /^\/__model\/golden\/soroban-\d+\.png$/);
      assert.equal(job.node.kind, 'model');
      assert.equal(job.geometry.columns, job.digits?.length);
      assert.ok(job.geometry.corners.topRight.x > job.geometry.corners.topLeft.x);
    }
  });

  it('has none for a model without a golden index, and refuses a malformed one by its path', async () => {
    const dir = await tempDir('cc-doctor-index-');
    assert.deepEqual(await goldenSorobans(dir, '/__model/'), []);
    mkdirSync(join(dir, 'golden'));
    writeFileSync(
      join(dir, 'golden/index.json'),
      JSON.stringify({ sorobans: [{ path: 'golden/a.png', digits: [1, 2] }] }),
    );
    await assert.rejects(
      goldenSorobans(dir, '/__model/'),
      (e: Error & { code?: string }) =>
        e.code === 'input/bad-argument' && /sorobans\[0\] needs path, digits/.test(e.message),
    );
    writeFileSync(join(dir, 'golden/index.json'), '{"sorobans": [');
    await assert.rejects(
      goldenSorobans(dir, '/__model/'),
      (e: Error & { code?: string }) => e.code === 'input/bad-argument' && /not valid JSON/.test(e.message),
    );
  });
});

describe('doctor: comparing browser rows with Node', () => {
  it('passes a backend that reproduces Node within tolerance and takes the median time per batch', () => {
    const row = rowOf('firefox', result({}), NODE, 2e-3);
    assert.equal(row.verdict, 'PASS');
    assert.deepEqual(row.headDiff, { heaven: 0, earth: 0 });
    assert.equal(row.msPerBatch, 2);
    assert.equal(`${row.decisionsAgree}/${row.decisions}`, '2/2');
  });

  it('fails a backend whose head values drift beyond tolerance, naming the head', () => {
    const drifted = withSecondHeaven(0.105);
    const row = rowOf('webkit', result({ outputs: drifted }), NODE, 2e-3);
    assert.equal(row.verdict, 'FAIL');
    assert.match(
      row.note ?? '',
      /heaven differs from Node by 5\.00e-3 > 0\.002; the worker's golden self-check passed \(1\.0e-7 ≤ 0\.002\), so users get this backend/,
    );
  });

  it('reports a backend refused by the self-check as FAIL with its per-head golden differences', () => {
    const refused = result({
      id: 'webgl-f16',
      backendUsed: 'cpu',
      warnings: [
        {
          code: 'backend/golden-mismatch',
          message: 'differs by up to 2.45e-2',
          details: { backend: 'webgl', maxAbsDiff: 0.0245, byHead: { heaven: 0.0245, earth: 0.01 } },
        },
      ],
    });
    const row = rowOf('chromium', refused, NODE, 2e-3);
    assert.equal(row.verdict, 'FAIL');
    assert.equal(row.selfCheck, 0.0245);
    assert.match(row.note ?? '', /heaven 2\.45e-2, earth 1\.00e-2.*fell back to cpu/);
  });

  it('marks a backend the engine lacks as N/A, not FAIL', () => {
    const missing = result({
      id: 'wasm',
      backendUsed: 'cpu',
      outputs: [],
      warnings: [
        {
          code: 'backend/fallback',
          message: 'The "wasm" backend failed to initialize',
          details: { backend: 'wasm', next: 'cpu' },
        },
      ],
    });
    assert.equal(rowOf('webkit', missing, NODE, 2e-3).verdict, 'N/A');
  });

  it('reports an engine that is not installed as such, not as a failure', () => {
    const rows = notInstalledRows(
      'webkit',
      ['cpu', 'wasm', 'webgl', 'webgl-f16'],
      'webkit is not installed on this machine',
    );
    assert.deepEqual(
      rows.map((r) => r.verdict),
      ['NOT INSTALLED', 'NOT INSTALLED', 'NOT INSTALLED', 'NOT INSTALLED'],
    );
    assert.match(formatDoctorTable(rows, 2e-3), /webkit\s+webgl-f16\s+—.*NOT INSTALLED/);
  });

  it("compares a localizer's corners, presence and count, and its found and count decisions", () => {
    const corners = {
      topLeft: { x: 0.1, y: 0.1 },
      topRight: { x: 0.9, y: 0.1 },
      bottomRight: { x: 0.9, y: 0.6 },
      bottomLeft: { x: 0.1, y: 0.6 },
    };
    const location = { found: true, corners, columns: 5, presence: 0.98, countProbability: 0.4, countConfidence: 0.7 };
    const located: ImageReading[] = [{ name: 'flat', location }];
    const moved: ImageReading[] = [
      { name: 'flat', location: { ...location, corners: { ...corners, bottomLeft: { x: 0.1, y: 0.605 } } } },
    ];
    const passing = rowOf('chromium', result({ outputs: located }), located, 2e-3, 'found, count');
    assert.equal(passing.verdict, 'PASS');
    assert.deepEqual(passing.headDiff, { corners: 0, presence: 0, countProbability: 0, countConfidence: 0 });
    const drift = rowOf('chromium', result({ outputs: moved }), located, 2e-3, 'found, count');
    assert.match(drift.note ?? '', /corners differs from Node by 5\.00e-3 > 0\.002/);
    const otherCount: ImageReading[] = [{ name: 'flat', location: { ...location, columns: 6 } }];
    const counted = rowOf('chromium', result({ outputs: otherCount }), located, 2e-3, 'found, count');
    assert.match(counted.note ?? '', /1 of 2 decisions \(found, count\) differ from Node/);
    assert.match(formatDoctorTable([counted], 2e-3, 'found, count', 'ms/locate'), /found, count = Node\s+ms\/locate/);
  });

  it('counts a missing image as an infinite difference', () => {
    assert.equal(compareOutputs([], NODE).headDiff['heaven'], Number.POSITIVE_INFINITY);
  });

  it('prints one line per engine × backend with the tolerance in the header', () => {
    const text = formatDoctorTable([rowOf('chromium', result({}), NODE, 2e-3)], 2e-3);
    assert.match(text, /result \(tol 0\.002\)/);
    assert.match(text, /chromium\s+webgl\s+1\.0e-7\s+0\.0e\+0\s+0\.0e\+0\s+2\/2\s+2\.0 \(2\)\s+PASS/);
  });
});

describe('doctor --diagnose: heads', () => {
  it('finds heaven and earth by units and activation, whatever their order', () => {
    const found = identifyHeads([EARTH, HEAVEN]);
    assert.equal(found.heaven?.key, 'output_0');
    assert.equal(found.earth?.key, 'output_1');
  });

  it('says a 7-class softmax model has no soroban heads', () => {
    const found = identifyHeads([
      { index: 0, key: 'Identity:0', aliases: [], shape: [-1, 7], activation: 'softmax', units: 7 },
    ]);
    assert.equal(found.heaven, undefined);
    assert.match(found.notes.join(' '), /no output has 1 unit\(s\) per column ending in sigmoid/);
  });

  it('recognizes a contract whose heads are swapped', () => {
    const contract = fieldGraphContract();
    contract.heads[0]!.output = 'output_1';
    contract.heads[1]!.output = 'output_0';
    const { swapped, checks } = checkBinding(contract as never, [EARTH, HEAVEN], identifyHeads([EARTH, HEAVEN]));
    assert.equal(swapped, true);
    assert.deepEqual(
      checks.map((c) => c.correct),
      [false, false],
    );
    const findings = suspectFindings(
      contract as never,
      undefined,
      undefined,
      { checks, swapped },
      { scale: 1 / 127.5, offset: -1 },
      [],
    );
    assert.match(findings[0] ?? '', /^Heads swapped: the contract binds heaven to "output_1" \(5 units, softmax\)/);
  });
});

describe('doctor --diagnose: input range', () => {
  it('calls a contract that feeds what the first convolution should see a double normalization', () => {
    const contract = fieldGraphContract();
    contract.input.inputRange = { min: -1, max: 1 };
    const best = { ...score(RANGES[2], [-0.1, -0.1]), firstConvSees: { min: -1, max: 1 } };
    const identified = identifyHeads([EARTH, HEAVEN]);
    const findings = suspectFindings(
      contract as never,
      0.3,
      best,
      checkBinding(contract as never, [EARTH, HEAVEN], identified),
      { scale: 1 / 127.5, offset: -1 },
      [],
    );
    assert.match(
      findings[0] ?? '',
      /^Double normalization: the contract feeds \[-1, 1\].*sees \[-1\.008, -0\.9922\]\. Feed \[0,255\]/,
    );
    assert.match(findings.join('\n'), /reads 30\.0 %.*90\.0 %/);
  });

  it('does not call one range better when the paired loss difference is within noise', () => {
    // 12 columns: "close" loses on 7 and wins on 5 (noise); "far" loses on all 12 (z = 3.5).
    const best = score(
      RANGES[0],
      Array.from({ length: 12 }, (_, i) => -0.1 - 0.01 * i),
    );
    const close = score(
      RANGES[1],
      Array.from({ length: 12 }, (_, i) => -0.1 - 0.01 * i + (i < 5 ? 0.005 : -0.005)),
    );
    const far = score(
      RANGES[2],
      Array.from({ length: 12 }, (_, i) => -0.5 - 0.01 * i),
    );
    assert.deepEqual(
      indistinguishable(best, [best, close, far]).map((s) => s.hypothesis.range.name),
      ['[-1,1]'],
    );
  });

  it("believes the range the model's own rescaling implies over a lower loss that reads no more columns right", () => {
    // Rescaling x ↦ 2x − 1 maps [0,1] onto [-1,1]. Fed [-1,1] the model is surer where it is right (lower loss), on the same columns.
    const map = { scale: 2, offset: -1 };
    assert.equal(structuralRange(map)?.name, '[0,1]');
    assert.equal(structuralRange({ scale: 1 / 127.5, offset: -1 })?.name, '[0,255]');
    assert.equal(structuralRange({ scale: 1, offset: 0 }), undefined, 'a model that does not rescale says nothing');
    const right = Array.from({ length: 20 }, () => true);
    const wide = score(
      RANGES[1],
      Array.from({ length: 20 }, () => -0.001),
      1,
      right,
    );
    const trained = score(
      RANGES[0],
      Array.from({ length: 20 }, () => -0.002),
      1,
      right,
    );
    const chosen = chooseHypothesis([wide, trained], map);
    assert.equal(chosen.best?.hypothesis.range.name, '[0,1]');
    assert.match(chosen.note ?? '', /Chosen by structure, not by loss/);
  });

  it('keeps the measured range when it reads significantly more columns right than the structural one', () => {
    const map = { scale: 2, offset: -1 };
    const wide = score(
      RANGES[1],
      Array.from({ length: 20 }, () => -0.01),
      1,
      Array.from({ length: 20 }, () => true),
    );
    const trained = score(
      RANGES[0],
      Array.from({ length: 20 }, () => -0.5),
      0.4,
      Array.from({ length: 20 }, (_, i) => i < 8),
    );
    const chosen = chooseHypothesis([wide, trained], map);
    assert.equal(chosen.best?.hypothesis.range.name, '[-1,1]');
    assert.match(chosen.note ?? '', /trust the measurement/);
  });

  it('tries colour orders only for three-channel inputs', () => {
    assert.equal(hypothesesFor(1).length, 3 * 4);
    assert.equal(hypothesesFor(3).length, 3 * 3 * 4);
  });

  it('feeds BGR as the reversed channels of RGB, through the shared crop and resize', async () => {
    await useNodeBackend('cpu');
    const frame = tf.tensor3d(
      [10, 100, 200, 255, 20, 110, 210, 255, 30, 120, 220, 255, 40, 130, 230, 255],
      [2, 2, 4],
      'int32',
    );
    const geometry = { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS };
    const h: Hypothesis = { range: RANGES[2], colour: 'rgb', resize: 'nearest', prefilter: 'none' };
    const rgb = feedFor(frame, geometry, h, { height: 2, width: 2, channels: 3 });
    const bgr = feedFor(frame, geometry, { ...h, colour: 'bgr' }, { height: 2, width: 2, channels: 3 });
    const first = Array.from(await rgb.data()).slice(0, 3);
    assert.deepEqual(
      first.map((v) => Math.round(v)),
      [10, 100, 200],
    );
    assert.deepEqual(
      Array.from(await bgr.data())
        .slice(0, 3)
        .map((v) => Math.round(v)),
      [200, 100, 10],
    );
    tf.dispose([frame, rgb, bgr]);
  });
});

describe('doctor --diagnose on the field graph model (generated weights)', () => {
  let dir: string;
  let images: string;
  before(async () => {
    dir = await tempDir('cc-doctor-field-');
    images = await tempDir('cc-doctor-images-');
    const contract = fieldGraphContract();
    // The field's real mistake: a [0, 1] pipeline in front of a model that divides by 127.5 itself.
    contract.input.inputRange = { min: 0, max: 1 };
    await writeFieldGraphModel(dir, { sidecar: contract });
    await runRender(['--seed', '3', '--count', '1', '--columns', '4', '--out', images]);
  });

  it('reads the structure, refuses to guess a range from untrained weights, and names the double normalization', async () => {
    const d = await diagnoseModel({ model: dir, imagesDir: images, out: `${dir}/written.json` });
    assert.equal(d.format, 'graph-model');
    assert.deepEqual(
      d.normalization.map && [Number(d.normalization.map.scale.toPrecision(6)), d.normalization.map.offset],
      [0.00784314, -1],
    );
    assert.equal(d.normalization.channelRepeat, 3);
    assert.equal(d.heads.heaven?.key, 'output_0');
    assert.equal(d.heads.earth?.key, 'output_1');
    assert.equal(d.outputs[0]?.key, 'output_1', 'the model lists earth first');
    assert.equal(d.scores.length, 12);
    assert.match(
      d.conclusions.join('\n'),
      /No hypothesis reads clearly better than always answering the most common digit/,
    );
    assert.equal(d.written, undefined, 'no contract is written on a guess');
    assert.match(d.suspect?.findings.join('\n') ?? '', /\[contract\/double-normalization\]/);
    assert.equal(d.verdict, 'problems');
    validateContract(fieldGraphContract(), 'the fixture contract');
  });

  it('reads a real third-party model (@vladmandic/human emotion) as foreign: no rescaling inside, a 7-class head, nothing written', async () => {
    // Its own source feeds it grey (0.2989 R + 0.587 G + 0.114 B) in [-1, 1]: src/gear/emotion.ts computes (x − 0.5) · 2
    // on a face crop that src/face/facemeshutil.ts divided by 255; nothing in the model file says so.
    const model = fileURLToPath(new URL('../../node_modules/@vladmandic/human/models/emotion.json', import.meta.url));
    const d = await diagnoseModel({ model, imagesDir: images, out: `${dir}/emotion.json` });
    assert.equal(d.format, 'graph-model');
    assert.deepEqual(d.input, { name: 'input_1', shape: [-1, 64, 64, 1], dtype: 'float32' });
    assert.deepEqual(d.normalization.map, { scale: 1, offset: 0 });
    assert.deepEqual(
      d.outputs.map((o) => [o.units, o.activation]),
      [[7, 'softmax']],
    );
    assert.equal(d.quantization.audit.length, 0);
    assert.match(d.conclusions.join('\n'), /Not a soroban column classifier.*Nothing in the file says which/s);
    assert.equal(d.written, undefined);
  });
});
