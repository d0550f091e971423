/**
 * Part 1, design (b): the same model and the same preprocessing as the
 * element, on the page's main thread. The worker's service class runs here
 * directly (it needs no Worker), fed at most one frame at a time from the
 * 30 fps source — what an app gets by putting the product's code on the main thread.
 */
import { ClassifierService } from '../../worker/classifier-service.ts';
import type { BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { geometryOf, readout } from './common.ts';
import { StageLog, exposeResponsiveness, type Design } from './responsiveness.ts';

function mainThreadDesign(): Design {
  const log = new StageLog();
  const service = new ClassifierService();
  let busy = false;
  return {
    async setup(set, source, backend) {
      const runtime = await service.start({
        modelUrl: new URL('/models/column-classifier/model.json', location.href).href,
        backends: [backend as BackendName],
        wasmPaths: new URL('/', location.href).href,
        warmUpColumns: set.columns,
      });
      const output = readout();
      const geometry = geometryOf(set);
      source.onFrame(() => {
        if (busy) {
          log.skipped += 1;
          return;
        }
        busy = true;
        const sent = performance.now();
        createImageBitmap(source.canvas, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' })
          .then((bitmap) => service.classify(bitmap, { geometry, sentAt: performance.timeOrigin + performance.now() }))
          .then((result) => {
            output.textContent = result.columns.map((c) => c.digit).join(' ');
            log.add({ ...result.timings, roundTrip: performance.now() - sent });
          })
          .catch((error: unknown) => log.errors.push(String(error)))
          .finally(() => {
            busy = false;
          });
      });
      return { backend: runtime.backend };
    },
    reset: () => log.reset(),
    counters: () => log.counters(),
  };
}

exposeResponsiveness(mainThreadDesign());
