/**
 * zod's English issue messages ("Too small: expected number to be >=1"), passed to each parse. zod/mini, which the
 * worker bundles for its size, loads no locale by itself; setting one with `z.config` would change every other user
 * of the same zod, so the messages go with our own parses only.
 */
import { en } from 'zod/locales';
import type * as z from 'zod/mini';

/** Parse options that give issues zod's English messages (a schema's own message still wins). */
export const ENGLISH_MESSAGES: z.core.ParseContext<z.core.$ZodIssue> = { error: en().localeError };
