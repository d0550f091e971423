// Builds what the packaging tests load: a consumer app that bundles the built
// element with esbuild (into .test-pages/consumer/), with the worker and the
// .wasm files copied beside it as the README tells consumers to do.
// Run after `npm run build`.
import * as esbuild from 'esbuild';
import { copyFile, cp, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const out = '.test-pages/consumer';
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await esbuild.build({
  entryPoints: ['test/pages/consumer-app.ts'],
  bundle: true,
  format: 'esm',
  outfile: join(out, 'app.js'),
  // The package's own name resolves through its exports map to dist/.
  alias: { 'column-classifier': './dist/column-classifier.js' },
  logLevel: 'warning',
});
for (const file of await readdir('dist')) {
  if (file === 'column-classifier.worker.js' || file.endsWith('.wasm'))
    await copyFile(join('dist', file), join(out, file));
}
await cp(join('dist', 'column-classifier-chunks'), join(out, 'column-classifier-chunks'), { recursive: true });
await copyFile('test/pages/consumer.html', join(out, 'index.html'));
console.log(`test pages written to ${out}`);
