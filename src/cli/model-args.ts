/** Opening the model a CLI command names (path, directory or URL, optional sidecar). */
import { readFile } from 'node:fs/promises';
import { parseSidecar } from '../model/contract-location.ts';
import type { SidecarOption } from '../model/inspect.ts';
import { fileModelSource } from '../model/node-file-source.ts';
import { fetchModelSource, type ModelSource } from '../model/source.ts';
import { LoadError } from '../errors.ts';

export { DEFAULT_LOCALIZER, DEFAULT_MODEL } from './default-model.ts';

/** A model source for a path, directory or http(s) URL. */
export async function openModelSource(model: string): Promise<ModelSource> {
  return /^https?:\/\//.test(model) ? fetchModelSource(model) : fileModelSource(model);
}

/** The sidecar option for `--sidecar PATH` (or `none`), default `auto` (model.contract.json beside the model). */
export async function sidecarOption(sidecar: string | undefined): Promise<SidecarOption> {
  if (sidecar === undefined) return 'auto';
  if (sidecar === 'none') return 'none';
  let text: string;
  try {
    text = /^https?:\/\//.test(sidecar) ? await (await fetch(sidecar)).text() : await readFile(sidecar, 'utf8');
  } catch (error) {
    throw new LoadError('load/http', `Could not read the sidecar contract ${sidecar}: ${String(error)}.`, {
      cause: error,
    });
  }
  return { json: parseSidecar(text, sidecar), description: sidecar };
}
