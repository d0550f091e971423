import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

interface ManifestDeclaration {
  readonly tagName?: string;
  readonly attributes?: ReadonlyArray<{ name: string; description?: string }>;
  readonly members?: ReadonlyArray<{ kind: string; name: string; description?: string; privacy?: string }>;
  readonly events?: ReadonlyArray<{ name: string; description?: string; type?: { text: string } }>;
  readonly cssParts?: ReadonlyArray<{ name: string; description?: string }>;
  readonly cssProperties?: ReadonlyArray<{ name: string; description?: string }>;
}

interface Manifest {
  readonly modules: ReadonlyArray<{
    path: string;
    declarations?: ManifestDeclaration[];
    exports?: ReadonlyArray<{ kind: string; name: string; declaration: { module?: string } }>;
  }>;
}

function elementDeclaration(manifest: Manifest): ManifestDeclaration {
  const declaration = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .find((d) => d.tagName === 'column-classifier');
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
    assert.deepEqual(attributes, [
      'allow-paths-outside-folder',
      'backend',
      'calibrate',
      'camera',
      'columns',
      'corners',
      'localizer',
      'max-fps',
      'max-model-bytes',
      'max-samples',
      'min-confidence',
      'model',
      'paused',
      'preview',
      'sample-set',
      'source',
      'stable-frames',
    ]);
    for (const attribute of element.attributes ?? [])
      assert.ok(attribute.description, `attribute ${attribute.name} has a description`);
    const events = (element.events ?? []).map((e) => e.name).sort();
    assert.deepEqual(events, [
      'cc-backend',
      'cc-corners-change',
      'cc-error',
      'cc-progress',
      'cc-reading',
      'cc-ready',
      'cc-sample',
      'cc-warning',
    ]);
    assert.ok((element.cssParts ?? []).length >= 5);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    assert.equal(pkg.customElements, 'custom-elements.json');
  });

  it('types every event of the manifest as CustomEvent<Detail> and describes every public member, part and CSS property', () => {
    const element = elementDeclaration(JSON.parse(readFileSync('custom-elements.json', 'utf8')));
    for (const event of element.events ?? []) {
      assert.match(
        event.type?.text ?? '',
        /^CustomEvent<[A-Z]\w*Detail>$/,
        `event ${event.name} has a CustomEvent<Detail> type`,
      );
      assert.ok(event.description, `event ${event.name} has a description`);
    }
    const members = (element.members ?? []).filter((m) => m.privacy === undefined || m.privacy === 'public');
    assert.ok(members.some((m) => m.kind === 'method' && m.name === 'classifyOnce'));
    for (const member of members) assert.ok(member.description, `${member.kind} ${member.name} has a description`);
    for (const part of [...(element.cssParts ?? []), ...(element.cssProperties ?? [])])
      assert.ok(part.description, `${part.name} has a description`);
  });

  it('points every module of the manifest at a file the package ships, not at the TypeScript sources', () => {
    const manifest: Manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const shipped = String(pkg.exports['.'].default).replace(/^\.\//, '');
    assert.ok(
      (pkg.files as string[]).includes('custom-elements.json'),
      'package.json files ships custom-elements.json',
    );
    const paths = manifest.modules.flatMap((m) => [
      m.path,
      ...(m.exports ?? []).map((e) => e.declaration.module ?? m.path),
    ]);
    assert.ok(paths.length > 0);
    for (const path of paths) assert.equal(path, shipped, `manifest path ${path}`);
  });

  it("writes no new URL('<literal>', import.meta.url) into the bundles, the form app bundlers rewrite into assets of their own", async () => {
    // Vite turned the model URL into assets/model-<hash>.json without its shard, and in dev dropped
    // the trailing slash of the worker's wasm directory. The bundles resolve every asset from a variable.
    const bundleUrls: esbuild.Plugin = {
      name: 'bundle-urls',
      setup(build) {
        build.onResolve({ filter: /\/(default-urls|asset-urls)\.ts$/ }, (args) => ({
          path: join(args.resolveDir, args.path.replace(/\.ts$/, '.bundle.ts')),
        }));
      },
    };
    for (const entry of ['components/column-classifier.ts', 'worker/classifier.worker.ts']) {
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        minify: true,
        write: false,
        logLevel: 'silent',
        plugins: [bundleUrls],
      });
      const code = result.outputFiles[0]?.text ?? '';
      assert.ok(code.includes('import.meta.url'), `${entry} still locates its assets from import.meta.url`);
      assert.deepEqual(code.match(/new URL\(\s*(["'`])[^"'`]*\1\s*,\s*import\.meta\.url\s*\)/g) ?? [], [], entry);
    }
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
