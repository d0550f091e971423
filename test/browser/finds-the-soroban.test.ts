// Issue 22: with no `corners`, the worker finds the soroban with the shipped localizer. Checked here: the element's
// location (wasm) is what a worker on the cpu backend finds in the same frame, near the renderer's true corners; a frame with no soroban gives no digits and never a stable reading, and says so; a broken localizer URL is
// a typed error the element recovers from.
import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { ReadingDetail } from '../../components/column-classifier/events.ts';
import { cornerError } from '../../src/localize/window.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { renderSoroban3d } from '../../src/render3d/index.ts';
import { defaultLocalizerUrl, defaultModelUrl } from '../../src/worker-api/default-urls.ts';
import { engineName, nextEvent, rawBitmap } from './helpers.ts';

/** Flat photos of 3–9 columns; seeds fixed before the run-2 localizer was tried on them. */
const SEEDS = [410_001, 410_002, 410_003, 410_004];

let canvas: HTMLCanvasElement;
let element: ColumnClassifier;

function show(photo: { width: number; height: number; rgba: Uint8Array | Uint8ClampedArray }): void {
  canvas.width = photo.width;
  canvas.height = photo.height;
  canvas
    .getContext('2d')!
    .putImageData(new ImageData(new Uint8ClampedArray(photo.rgba), photo.width, photo.height), 0, 0);
}

async function readyElement(attributes: Record<string, string> = {}): Promise<void> {
  element = document.createElement('column-classifier');
  for (const [name, value] of Object.entries({ backend: 'wasm', source: canvas.id, paused: '', ...attributes }))
    element.setAttribute(name, value);
  const ready = nextEvent(element, 'cc-ready');
  document.body.append(element);
  await ready;
}

describe('<column-classifier> without corners', function () {
  beforeEach(function () {
    canvas = document.createElement('canvas');
    canvas.id = 'locate-source';
    document.body.append(canvas);
  });
  afterEach(function () {
    element?.remove();
    canvas.remove();
  });

  it('finds the soroban where a worker on another backend does, near the true corners', async function () {
    await readyElement();
    expect(element.geometry).to.equal(undefined);
    const cpu = await ClassifierClient.create({
      modelUrl: defaultModelUrl,
      localizerUrl: defaultLocalizerUrl,
      backends: ['cpu'],
    });
    try {
      for (const seed of SEEDS) {
        const photo = renderSoroban({ seed, columns: 3 + (seed % 7), pitch: [40, 48] });
        show(photo);
        const reading = await element.classifyOnce();
        const here = (await cpu.classify(await rawBitmap(canvas), { locate: {} })).location;
        const found = reading.location;
        expect(found, 'the reading says where it looked').to.not.equal(undefined);
        if (found === undefined || here === undefined) throw new Error('no location');
        expect(found.fresh).to.equal(true);
        expect(found.found).to.equal(here.found);
        expect(found.columns).to.equal(here.columns);
        // wasm against cpu: the same code on the same pixels, apart from float rounding.
        expect(cornerError(found.corners, here.corners, 1, 1)).to.be.below(2e-3);
        expect(found.found, `seed ${seed}: presence ${found.presence}`).to.equal(true);
        const error = cornerError(found.corners, photo.corners, photo.width, photo.height);
        expect(error, `seed ${seed}: corner error ${(100 * error).toFixed(1)} % of the diagonal`).to.be.below(0.05);
        expect(reading.digits).to.have.length(found.columns);
        expect(element.geometry?.columns).to.equal(found.columns);
        console.log(
          `${engineName()} seed ${seed}: ${photo.digits.length} columns shown, ${found.columns} found, corner error ${(100 * error).toFixed(2)} %`,
        );
      }
    } finally {
      cpu.dispose();
    }
  });

  it('reads no digits and never a stable one while no soroban is in view, says so, and reads once one is', async function () {
    await readyElement({ 'stable-frames': '2', columns: '5' });
    show(renderSoroban3d({ seed: 77, scene: 'empty', maxSide: 320 }));
    const readings: ReadingDetail[] = [];
    for (let i = 0; i < 3; i++) readings.push(await element.classifyOnce());
    for (const reading of readings) {
      expect(reading.location?.found).to.equal(false);
      expect(reading.digits).to.deep.equal([]);
      expect(reading.stable).to.equal(false);
    }
    await element.updateComplete;
    const status = element.shadowRoot?.querySelector('[part="status"]')?.textContent ?? '';
    const live = element.shadowRoot?.querySelector('[role="status"]')?.textContent ?? '';
    expect(status).to.match(/No soroban in view/);
    expect(live).to.match(/No soroban in view/);
    // `columns` given fixes the count: the localizer finds the corners only.
    const photo = renderSoroban({ seed: 410_010, columns: 5, pitch: [40, 48] });
    show(photo);
    const reading = await element.classifyOnce();
    expect(reading.location?.found).to.equal(true);
    expect(reading.location?.columns).to.equal(5);
    expect(reading.digits).to.have.length(5);
    // Found again: the live region no longer says nothing is in view (it announces the next stable reading).
    await element.updateComplete;
    expect(element.shadowRoot?.querySelector('[role="status"]')?.textContent ?? '').to.not.match(/No soroban in view/);
  });

  it('reports a localizer that cannot be loaded as a typed error, and works once it is fixed', async function () {
    element = document.createElement('column-classifier');
    for (const [name, value] of Object.entries({ backend: 'wasm', source: canvas.id, paused: '' }))
      element.setAttribute(name, value);
    element.setAttribute('localizer', new URL('./no-such-localizer/model.json', defaultLocalizerUrl).href);
    const failed = nextEvent(element, 'cc-error');
    document.body.append(element);
    expect((await failed).detail.error.code).to.equal('load/http');
    // A column classifier where the localizer belongs is refused by its kind.
    const wrongKind = nextEvent(element, 'cc-error');
    element.setAttribute('localizer', defaultModelUrl.href);
    expect((await wrongKind).detail.error.code).to.equal('contract/wrong-model-kind');
    const ready = nextEvent(element, 'cc-ready');
    element.setAttribute('localizer', defaultLocalizerUrl.href);
    const { runtime } = (await ready).detail;
    expect(runtime.localizer?.url).to.equal(defaultLocalizerUrl.href);
    expect(runtime.selfChecks.some((check) => check.model === 'localizer' && check.passed)).to.equal(true);
    show(renderSoroban({ seed: 410_011, columns: 6, pitch: [40, 48] }));
    expect((await element.classifyOnce()).location).to.not.equal(undefined);
  });
});
