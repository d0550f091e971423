/**
 * The shipped model when the CLI runs from the sources. The compiled CLI swaps
 * this module for `default-model.bundle.ts`.
 */
import { fileURLToPath } from 'node:url';

/** The shipped model's model.json, used when `--model` is not given. */
export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/column-classifier/model.json', import.meta.url));

/** The shipped localizer's model.json, used when `--localizer` is not given. */
export const DEFAULT_LOCALIZER = fileURLToPath(new URL('../../models/localizer/model.json', import.meta.url));
