/** The doctor page's script in the compiled CLI: `scripts/build-cli.mjs` writes it beside the CLI. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The JavaScript of `page-script.ts`. */
export async function pageScript(): Promise<string> {
  return readFile(fileURLToPath(new URL('./doctor-page.js', import.meta.url)), 'utf8');
}
