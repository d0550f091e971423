/**
 * The doctor page's script when the CLI runs from the sources: `page-script.ts`
 * compiled on the fly. The compiled CLI swaps this module for
 * `page-script-source.bundle.ts`, which reads the copy its build compiled.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The JavaScript of `page-script.ts`. */
export async function pageScript(): Promise<string> {
  // esbuild is how the project builds; transform (not bundle): the page imports types only.
  const esbuild = await import('esbuild');
  const source = await readFile(fileURLToPath(new URL('./page-script.ts', import.meta.url)), 'utf8');
  return (await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
}
