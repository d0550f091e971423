import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

interface ManifestDeclaration {
  readonly tagName?: string;
  readonly attributes?: ReadonlyArray<{ name: string; description?: string }>;
  readonly events?: ReadonlyArray<{ name: string; description?: string }>;
  readonly cssParts?: ReadonlyArray<{ name: string }>;
}

function elementDeclaration(manifest: { modules: ReadonlyArray<{ declarations?: ManifestDeclaration[] }> }): ManifestDeclaration {
  const declaration = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'column-classifier');
  assert.ok(declaration, 'the manifest declares <column-classifier>');
  return declaration;
}

describe('packaging', () => {
  it('keeps the committed Custom Elements Manifest up to date with the JSDoc', () => {
    // The analyzer resolves its outdir against the working directory.
    const dir = '.cem-check';
    try {
      execFileSync('npx', ['custom-elements-manifest', 'analyze', '--config', 'custom-elements-manifest.config.mjs'], {
        stdio: 'pipe',
        env: { ...process.env, CEM_OUTDIR: dir },
      });
      const fresh = readFileSync(join(dir, 'custom-elements.json'), 'utf8');
      const committed = readFileSync('custom-elements.json', 'utf8');
      assert.equal(committed, fresh, 'custom-elements.json is stale: run `npm run manifest`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every attribute and every event of the element', () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    const element = elementDeclaration(manifest);
    const attributes = (element.attributes ?? []).map((a) => a.name).sort();
    assert.deepEqual(attributes, ['backend', 'calibrate', 'camera', 'columns', 'corners', 'max-fps', 'min-confidence', 'model', 'paused', 'source', 'stable-frames']);
    for (const attribute of element.attributes ?? []) assert.ok(attribute.description, `attribute ${attribute.name} has a description`);
    const events = (element.events ?? []).map((e) => e.name).sort();
    assert.deepEqual(events, ['cc-corners-change', 'cc-error', 'cc-progress', 'cc-reading', 'cc-ready', 'cc-warning']);
    assert.ok((element.cssParts ?? []).length >= 5);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    assert.equal(pkg.customElements, 'custom-elements.json');
  });

  it('keeps TF.js out of the main-thread bundle (all tensor work is in the worker)', async () => {
    const result = await esbuild.build({
      entryPoints: ['components/column-classifier.ts'],
      bundle: true,
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const tfjs = inputs.filter((path) => path.includes('@tensorflow'));
    assert.deepEqual(tfjs, [], 'the element bundle must not import TF.js');
    assert.ok(inputs.some((path) => path.includes('comlink')));
  });
});
