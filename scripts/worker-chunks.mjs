// The files a built worker loads, found by following its imports: the bench's sizes part and the package test both
// need them (their names carry content hashes).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The worker bundle's file name in a built folder. */
export const WORKER_FILE = 'column-classifier.worker.js';

/**
 * The chunks the worker in `dir` imports, as paths relative to `dir`: `eager`, those it (or they) import statically,
 * which load with it; `lazy`, those it imports dynamically (and what they import that the worker does not), which
 * load only when that code runs.
 */
export async function workerChunks(dir) {
  const eager = [];
  const lazy = [];
  // Statically imported files first: a chunk that the worker and a lazy chunk both import is eager.
  const pending = [{ file: WORKER_FILE, eager: true }];
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const code = await readFile(join(dir, next.file), 'utf8');
    const base = next.file.includes('/') ? next.file.slice(0, next.file.lastIndexOf('/') + 1) : '';
    for (const [, how, path] of code.matchAll(/(import\(|from)\s*"\.\/([\w./-]+\.js)"/g)) {
      const file = `${base}${path}`;
      const isEager = next.eager && how === 'from';
      if (eager.includes(file) || (!isEager && lazy.includes(file))) continue;
      if (isEager) {
        const wasLazy = lazy.indexOf(file);
        if (wasLazy >= 0) lazy.splice(wasLazy, 1);
        eager.push(file);
        pending.unshift({ file, eager: true });
      } else {
        lazy.push(file);
        pending.push({ file, eager: false });
      }
    }
  }
  return { eager, lazy };
}
