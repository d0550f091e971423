/**
 * The shipped model for the compiled CLI (`dist/cli/`): the copy the build puts
 * in `dist/models/` for the element, so the package holds the model once.
 */
import { fileURLToPath } from 'node:url';

/** The shipped model's model.json, used when `--model` is not given. */
export const DEFAULT_MODEL = fileURLToPath(new URL('../models/column-classifier/model.json', import.meta.url));

/** The shipped localizer's model.json, used when `--localizer` is not given. */
export const DEFAULT_LOCALIZER = fileURLToPath(new URL('../models/localizer/model.json', import.meta.url));
