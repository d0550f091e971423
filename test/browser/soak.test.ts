/**
 * Soak: many frames with random column counts, corners and source kinds, through the element and through the
 * client. Nothing may pile up — workers, document/window listeners, ImageBitmaps, worker tensors — and every
 * frame must end in a reading or a counted, typed refusal. `npm test` runs a few hundred frames; `npm run soak`
 * runs 10 000 (the count comes from the test server, `/__soak.json`, set by SOAK_FRAMES).
 */
import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import { ColumnClassifierError } from '../../src/errors.ts';
import type { ColumnGeometry, Quad } from '../../src/preprocess/types.ts';
import { NO_MARGINS } from '../../src/preprocess/types.ts';
import { createRandom } from '../../src/render/random.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { FIXTURE_MODEL_URL, countWorkers, fixtureImage, type WorkerCount } from './helpers.ts';

interface SoakConfig {
  readonly frames: number;
}

/** A seeded generator, so a failing soak can be replayed (the renderers' own). */
function random(seed: number): () => number {
  const generator = createRandom(seed);
  return () => generator.next();
}

/** A convex quad: the whole frame with each corner moved inwards by up to a fifth. */
function randomCorners(next: () => number): Quad {
  const d = () => next() * 0.2;
  return {
    topLeft: { x: d(), y: d() },
    topRight: { x: 1 - d(), y: d() },
    bottomRight: { x: 1 - d(), y: 1 - d() },
    bottomLeft: { x: d(), y: 1 - d() },
  };
}

/** Counts what a page could leak: live workers, listeners on window and document, bitmaps made. */
class LeakCounters {
  listeners = 0;
  readonly bitmaps: ImageBitmap[] = [];
  private workerCount: WorkerCount | undefined;
  private readonly undo: (() => void)[] = [];

  get workers(): number {
    return this.workerCount?.live ?? 0;
  }

  install(): void {
    const counters = this;
    this.workerCount = countWorkers();
    this.undo.push(() => this.workerCount?.restore());

    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    const watched = (target: EventTarget) => target === window || target === document;
    EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: Parameters<typeof add>) {
      if (watched(this)) counters.listeners++;
      return add.apply(this, args);
    };
    EventTarget.prototype.removeEventListener = function (this: EventTarget, ...args: Parameters<typeof remove>) {
      if (watched(this)) counters.listeners--;
      return remove.apply(this, args);
    };
    this.undo.push(() => {
      EventTarget.prototype.addEventListener = add;
      EventTarget.prototype.removeEventListener = remove;
    });

    const create = globalThis.createImageBitmap;
    globalThis.createImageBitmap = (async (...args: Parameters<typeof create>) => {
      const bitmap = await create(...args);
      counters.bitmaps.push(bitmap);
      return bitmap;
    }) as typeof create;
    this.undo.push(() => (globalThis.createImageBitmap = create));
  }

  uninstall(): void {
    for (const undo of this.undo.splice(0).reverse()) undo();
  }

  /** Bitmaps still holding pixels (neither closed nor transferred), other than `except`. */
  liveBitmaps(except: readonly ImageBitmap[]): number {
    return this.bitmaps.filter((b) => !except.includes(b) && b.width > 0).length;
  }
}

let config: SoakConfig;
let image: HTMLImageElement;

before(async function () {
  config = (await (await fetch('/__soak.json')).json()) as SoakConfig;
  image = await fixtureImage();
});

describe(`soak`, function () {
  it('the element: random geometry and sources, every frame a reading or a typed refusal, nothing left behind', async function () {
    const frames = config.frames;
    this.timeout(60_000 + frames * 200);
    const counters = new LeakCounters();
    counters.install();
    const sources: ImageBitmap[] = [];
    let element: ColumnClassifier | undefined;
    try {
      const next = random(20_261_202);
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      canvas.getContext('2d')!.drawImage(image, 0, 0);
      const offscreen = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
      offscreen.getContext('2d')!.drawImage(image, 0, 0);
      const bitmap = await createImageBitmap(image);
      sources.push(bitmap);

      element = document.createElement('column-classifier');
      element.setAttribute('model', FIXTURE_MODEL_URL);
      element.setAttribute('backend', 'cpu');
      element.toggleAttribute('paused', true);
      const ready = new Promise((resolve) => element!.addEventListener('cc-ready', resolve, { once: true }));
      document.body.append(element);
      await ready;
      const baseline = { workers: counters.workers, listeners: counters.listeners };

      const kinds = [image, canvas, offscreen, bitmap] as const;
      let readings = 0;
      const refused = new Map<string, number>();
      for (let i = 0; i < frames; i++) {
        const columns = 1 + Math.floor(next() * 21);
        element.source = kinds[Math.floor(next() * kinds.length)]!;
        element.setAttribute('columns', String(columns));
        element.setAttribute('corners', formatCorners(randomCorners(next)));
        await element.updateComplete;
        try {
          const reading = await element.classifyOnce();
          expect(reading.digits).to.have.length(columns);
          readings++;
        } catch (error) {
          if (!(error instanceof ColumnClassifierError)) throw error;
          refused.set(error.code, (refused.get(error.code) ?? 0) + 1);
        }
      }
      expect(readings + [...refused.values()].reduce((a, b) => a + b, 0)).to.equal(frames);
      expect(Object.fromEntries(refused)).to.deep.equal({}, 'every random frame of a good source is read');
      expect(counters.workers).to.equal(baseline.workers, 'workers');
      expect(counters.listeners).to.equal(baseline.listeners, 'window/document listeners');
      const live = counters.liveBitmaps(sources);
      const atEnd = { workers: counters.workers, listeners: counters.listeners };
      expect(live).to.equal(0, 'ImageBitmaps neither closed nor transferred');
      element.remove();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(counters.workers).to.equal(0, 'no worker once the element is removed');
      console.log(
        `soak element: ${frames} frames, ${readings} read, workers ${baseline.workers} -> ${atEnd.workers} (${counters.workers} once removed), window/document listeners ${baseline.listeners} -> ${atEnd.listeners}, ImageBitmaps left open ${live}`,
      );
    } finally {
      element?.remove();
      for (const source of sources) source.close();
      counters.uninstall();
    }
  });

  it('the client: latest-wins submissions of random geometry, every frame processed or dropped, worker tensors constant', async function () {
    const frames = config.frames;
    this.timeout(60_000 + frames * 200);
    const next = random(4_242);
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] });
    try {
      const before = await client.memory();
      const outcomes: Promise<{ status: string }>[] = [];
      for (let i = 0; i < frames; i++) {
        const geometry: ColumnGeometry = {
          columns: 1 + Math.floor(next() * 21),
          corners: randomCorners(next),
          margins: NO_MARGINS,
        };
        outcomes.push(client.submit(await createImageBitmap(image), geometry));
        // Let some frames through, as a camera's pace would.
        if (i % 8 === 0) await outcomes[i];
      }
      const settled = await Promise.all(outcomes);
      const counts = settled.reduce<Record<string, number>>(
        (c, o) => ({ ...c, [o.status]: (c[o.status] ?? 0) + 1 }),
        {},
      );
      expect((counts['processed'] ?? 0) + (counts['dropped'] ?? 0)).to.equal(frames, JSON.stringify(counts));
      const after = await client.memory();
      expect(after.numTensors).to.equal(before.numTensors, 'worker tensors');
      console.log(
        `soak client: ${frames} frames, ${JSON.stringify(counts)}, tensors ${before.numTensors} -> ${after.numTensors}`,
      );
    } finally {
      client.dispose();
    }
  });
});
