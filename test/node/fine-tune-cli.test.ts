import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFineTune } from '../../src/cli/fine-tune.ts';
import { main } from '../../src/cli/main.ts';
import { loadClassifierModel } from '../../src/model/load.ts';
import { fileModelSource } from '../../src/model/node-file-source.ts';
import { measureGolden } from '../../src/runtime/golden-check.ts';
import { nodeImageDecoder } from '../../src/reference/image.ts';
import { removeTempDirs, tempDir } from '../fixtures/temp-dirs.ts';

after(removeTempDirs);

/** Small sizes: the point is the pipeline (read, fine-tune, gate, write, reload), not the accuracy. */
const SMALL = ['--epochs', '1', '--replay', '32', '--test-crops', '64', '--gate-crops', '64'];

/**
 * Renders `count` 3D photos of 7-column sorobans seen from low (35–45°, which the shipped model reads worst: a
 * fine-tune has something to learn) into a fresh folder in the render format.
 */
async function labelledFolder(count: number): Promise<string> {
  const dir = await tempDir('cc-fine-tune-data-');
  const code = await main([
    'render',
    '--3d',
    '--seed',
    '77',
    '--count',
    String(count),
    '--columns',
    '7',
    '--elevation',
    '35-45',
    '--out',
    dir,
  ]);
  assert.equal(code, 0);
  return dir;
}

describe('column-classifier fine-tune', () => {
  it('writes a gated, sealed model that loads and passes its golden cases, and REPORT.md with both gates', async () => {
    const data = await labelledFolder(4);
    const out = await tempDir('cc-fine-tune-out-');
    const code = await main(['fine-tune', '--data', data, '--out', out, ...SMALL]);
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    assert.equal(code, 0, report);
    assert.match(report, /## Verdict: accepted/);
    assert.match(report, /held-out user columns \(7\)/);
    assert.match(report, /## Quantization/);
    const source = await fileModelSource(out);
    const model = await loadClassifierModel(source);
    try {
      assert.match(model.contract.provenance?.trainedBy ?? '', /fine-tune/);
      assert.match(model.contract.provenance?.dataset ?? '', /21 labelled columns/);
      assert.ok(model.contract.quantization !== undefined);
      const golden = await measureGolden(model, source, nodeImageDecoder);
      assert.equal(golden?.passed, true, JSON.stringify(golden));
    } finally {
      model.dispose();
    }
  });

  it('refuses, writing REPORT.md and no model, a fine-tune whose epochs all read the held-out columns worse', async () => {
    const data = await labelledFolder(4);
    const out = await tempDir('cc-fine-tune-refused-');
    // A learning rate a hundred times the default wrecks what the model knew: the weights before stay the best.
    const code = await main(['fine-tune', '--data', data, '--out', out, ...SMALL, '--learning-rate', '0.05']);
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    assert.equal(code, 1, report);
    assert.match(report, /## Verdict: REFUSED/);
    assert.match(report, /kept epoch 0 \(the weights before\)/);
    assert.match(report, /no epoch read the held-out columns better than the model before/);
    assert.equal(existsSync(join(out, 'model.json')), false);
  });

  it('says what is wrong with a folder without labels.json', async () => {
    const empty = await tempDir('cc-fine-tune-empty-');
    const out = await tempDir('cc-fine-tune-none-');
    await assert.rejects(runFineTune(['--data', empty, '--out', out, ...SMALL]), {
      code: 'input/bad-argument',
      message: /labels\.json/,
    });
  });
});
