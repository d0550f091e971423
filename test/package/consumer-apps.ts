/**
 * Apps made the way an app developer would make them, from the packed tarball:
 * `npm pack`, a fresh folder that installs only that tarball, and in it a plain
 * page, an esbuild app and a Vite app that each read a rendered soroban with
 * the default (shipped) model. Shared by the Node test (build, types, CLI) and
 * the Chromium test (the readings).
 *
 * Each app follows the README's "Use with Vite / esbuild / a plain page": the
 * plain page needs nothing, esbuild one `copyRuntimeAssets(outdir)` call, Vite
 * one `plugins: [columnClassifier()]` line.
 */
import { execFile } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The digits and geometry of the rendered photo every app reads. */
export interface PhotoLabel {
  readonly file: string;
  readonly digits: readonly number[];
  readonly corners: Readonly<Record<'topLeft' | 'topRight' | 'bottomRight' | 'bottomLeft', { x: number; y: number }>>;
}

export interface ConsumerApps {
  /** The folder with package.json and node_modules (only the tarball and what it depends on). */
  readonly root: string;
  readonly tarball: string;
  readonly photo: PhotoLabel;
  /** The plain page's folder, served as the root (it loads /node_modules/…). */
  readonly plain: string;
  readonly esbuild: string;
  readonly esbuildOut: string;
  readonly vite: string;
  readonly viteOut: string;
  remove(): Promise<void>;
}

/** Runs the installed package's CLI the way an app would (`npx column-classifier …`). */
export async function npxCli(root: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('npx', ['--no-install', 'column-classifier', ...args], { cwd: root, maxBuffer: 1 << 24 });
}

/** The photo's bead area as the `corners` attribute says it. */
export function cornersAttribute(photo: PhotoLabel): string {
  const c = photo.corners;
  return [c.topLeft, c.topRight, c.bottomRight, c.bottomLeft].map((p) => `${p.x},${p.y}`).join(' ');
}

/** The app's script: the element with the default model on the rendered photo; the result goes on `window.ccResult`. */
function appScript(importLine: string, photo: PhotoLabel): string {
  const corners = cornersAttribute(photo);
  return `${importLine}
const params = new URLSearchParams(location.search);
const element = document.createElement('column-classifier');
// No model attribute: the default, the model shipped in the package. ?model=DIR names another (tests of errors).
if (params.has('model')) element.setAttribute('model', params.get('model') + '/model.json');
element.setAttribute('source', 'photo');
element.setAttribute('backend', params.get('backend') ?? 'wasm');
element.setAttribute('columns', '${photo.digits.length}');
element.setAttribute('corners', '${corners}');
element.addEventListener('cc-reading', (event) => {
  window.ccResult = { kind: 'reading', digits: [...event.detail.digits], backend: event.detail.backend };
  element.remove();
}, { once: true });
element.addEventListener('cc-error', (event) => {
  window.ccResult = { kind: 'error', code: event.detail.error.code, name: event.detail.error.name, message: event.detail.error.message };
});
document.body.append(element);
`;
}

function page(script: string, photoUrl: string): string {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>consumer</title><link rel="icon" href="data:," /></head>
  <body>
    <img id="photo" src="${photoUrl}" alt="" />
    ${script}
  </body>
</html>
`;
}

/**
 * Packs the package (dist/ must be built: `npm run build`), installs the
 * tarball into a fresh folder under the system temp dir and builds the three apps.
 */
export async function makeConsumerApps(): Promise<ConsumerApps> {
  await access(join(REPO, 'dist', 'column-classifier.js')).catch(() => {
    throw new Error('dist/ is not built: run `npm run build` before the package tests.');
  });
  const root = await mkdtemp(join(tmpdir(), 'cc-pkg-apps-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    // --ignore-scripts: dist/ is built already (prepack would build it again).
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      cwd: REPO,
      maxBuffer: 1 << 24,
    });
    const [packed] = JSON.parse(stdout) as [{ filename: string }];
    const tarball = join(root, packed.filename);
    await writeFile(
      join(root, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: root,
      maxBuffer: 1 << 24,
    });

    // The photo comes from the installed CLI too.
    const photos = join(root, 'photos');
    await npxCli(root, 'render', '--seed', '17', '--count', '1', '--columns', '6', '--out', photos);
    const labels = JSON.parse(await readFile(join(photos, 'labels.json'), 'utf8')) as { images: PhotoLabel[] };
    const photo = labels.images[0];
    if (photo === undefined) throw new Error('render wrote no photo');

    const plain = join(root, 'plain');
    await mkdir(plain);
    await cp(join(photos, photo.file), join(plain, 'photo.png'));
    const plainScript = `<script type="module">\n${appScript("import '/node_modules/column-classifier/dist/column-classifier.js';", photo)}</script>`;
    await writeFile(join(plain, 'index.html'), page(plainScript, '/plain/photo.png'));

    const esbuildDir = join(root, 'esbuild');
    const esbuildOut = join(esbuildDir, 'out');
    await mkdir(esbuildOut, { recursive: true });
    await writeFile(join(esbuildDir, 'app.js'), appScript("import 'column-classifier';", photo));
    const esbuild = await import('esbuild');
    await esbuild.build({
      absWorkingDir: esbuildDir,
      entryPoints: ['app.js'],
      bundle: true,
      format: 'esm',
      outdir: esbuildOut,
      logLevel: 'silent',
    });
    // The one call the README asks of an esbuild app.
    const bundlers = (await import(
      join(root, 'node_modules', 'column-classifier', 'dist', 'bundlers.js')
    )) as typeof import('../../src/bundlers/index.ts');
    await bundlers.copyRuntimeAssets(esbuildOut);
    await cp(join(photos, photo.file), join(esbuildOut, 'photo.png'));
    await writeFile(
      join(esbuildOut, 'index.html'),
      page('<script type="module" src="./app.js"></script>', './photo.png'),
    );

    const vite = join(root, 'vite');
    await mkdir(join(vite, 'public'), { recursive: true });
    await writeFile(join(vite, 'main.js'), appScript("import 'column-classifier';", photo));
    await writeFile(join(vite, 'index.html'), page('<script type="module" src="/main.js"></script>', '/photo.png'));
    await cp(join(photos, photo.file), join(vite, 'public', 'photo.png'));
    // The one line the README asks of a Vite app.
    await writeFile(
      join(vite, 'vite.config.js'),
      "import { columnClassifier } from 'column-classifier/bundlers';\n\nexport default { plugins: [columnClassifier()] };\n",
    );
    const viteOut = join(vite, 'dist');
    const { build } = await import('vite');
    await build({ root: vite, logLevel: 'silent' });

    return { root, tarball, photo, plain, esbuild: esbuildDir, esbuildOut, vite, viteOut, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Every file under `dir`, relative to it, with forward slashes. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}
