import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { ErrorDetail, WarningDetail } from '../../components/column-classifier/events.ts';
import { InputError } from '../../src/errors.ts';
import {
  FIXTURE_MODEL_URL,
  countWorkers,
  expectedFrame,
  fixtureElement,
  fixtureImage,
  insertAndSettle,
  nextEvent,
  paintedCanvas,
  rejection,
  type ExpectedFrame,
} from './helpers.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';

let element: ColumnClassifier | undefined;

afterEach(function () {
  element?.remove();
  element = undefined;
});

function create(attributes: Record<string, string>): ColumnClassifier {
  const created = document.createElement('column-classifier');
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  element = created;
  return created;
}

function collect<K extends 'cc-error' | 'cc-warning'>(
  target: HTMLElement,
  name: K,
): HTMLElementEventMap[K]['detail'][] {
  const details: HTMLElementEventMap[K]['detail'][] = [];
  target.addEventListener(name, (event) => details.push((event as HTMLElementEventMap[K]).detail));
  return details;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** getUserMedia replaced by the stream of a canvas showing the fixture frame; it throws `refusal` while one is set. */
async function fakeCamera(): Promise<{ refusal: DOMException | undefined; readonly asked: number; restore(): void }> {
  const { canvas, stop } = paintedCanvas(await fixtureImage());
  const mediaDevices = navigator.mediaDevices;
  const original = mediaDevices.getUserMedia;
  let asked = 0;
  const camera = {
    refusal: undefined as DOMException | undefined,
    get asked() {
      return asked;
    },
    restore() {
      mediaDevices.getUserMedia = original;
      stop();
    },
  };
  mediaDevices.getUserMedia = async () => {
    asked += 1;
    if (camera.refusal !== undefined) throw camera.refusal;
    return canvas.captureStream(30);
  };
  return camera;
}

/** An element reading the camera at 20 fps, with the fixture frame's geometry. */
function cameraElement(camera: string, expected: ExpectedFrame): ColumnClassifier {
  return create({
    model: FIXTURE_MODEL_URL,
    backend: 'cpu',
    camera,
    'max-fps': '20',
    columns: String(expected.geometry.columns),
    corners: formatCorners(expected.geometry.corners),
  });
}

/** An element on the fixture frame with backend="gpu" (which it does not know), connected, and its cc-error events. */
async function connectWithUnknownBackend(
  attributes: Record<string, string>,
  image: HTMLImageElement,
  expected: ExpectedFrame,
): Promise<{ created: ColumnClassifier; errors: ErrorDetail[] }> {
  const created = create({
    model: FIXTURE_MODEL_URL,
    backend: 'gpu',
    columns: String(expected.geometry.columns),
    corners: formatCorners(expected.geometry.corners),
    ...attributes,
  });
  created.source = image;
  const errors: ErrorDetail[] = collect(created, 'cc-error');
  document.body.append(created);
  await created.updateComplete;
  return { created, errors };
}

describe('<column-classifier> errors and warnings', function () {
  it('reports a persistent error once, however many capture ticks meet it, and again once its cause changed', async function () {
    const created = create({ model: FIXTURE_MODEL_URL, backend: 'cpu', source: 'no-such-element', 'max-fps': '20' });
    const errors: ErrorDetail[] = collect(created, 'cc-error');
    document.body.append(created);
    await nextEvent(created, 'cc-ready');
    // About 20 capture ticks, every one of which meets the missing source.
    await wait(1000);
    expect(errors.map((e) => e.error.code)).to.deep.equal(['input/unsupported-source']);
    created.setAttribute('source', 'still-no-such-element');
    await wait(500);
    expect(errors.map((e) => e.error.code)).to.deep.equal(['input/unsupported-source', 'input/unsupported-source']);
    expect(errors[1]!.error.message).to.match(/still-no-such-element/);
  });

  it('reports a model that cannot be loaded once, not on every capture tick', async function () {
    const image = await fixtureImage();
    const created = create({
      model: new URL('../fixtures/no-such-model/model.json', import.meta.url).href,
      backend: 'cpu',
      'max-fps': '20',
    });
    created.source = image;
    const errors: ErrorDetail[] = collect(created, 'cc-error');
    document.body.append(created);
    await nextEvent(created, 'cc-error');
    await wait(1000);
    expect(errors.map((e) => e.error.code)).to.deep.equal(['load/http']);
  });

  it('refuses every out-of-range or malformed reading attribute with one typed error, reads nothing, and reads again once it is fixed', async function () {
    const image = await fixtureImage();
    const expected = await expectedFrame();
    const good = {
      columns: String(expected.geometry.columns),
      corners: formatCorners(expected.geometry.corners),
      'min-confidence': '0.5',
      'stable-frames': '3',
      'max-fps': '20',
    };
    const created = create({ model: FIXTURE_MODEL_URL, backend: 'cpu', ...good });
    created.source = image;
    const errors: ErrorDetail[] = collect(created, 'cc-error');
    let readings = 0;
    created.addEventListener('cc-reading', () => readings++);
    const ready = nextEvent(created, 'cc-ready');
    document.body.append(created);
    await ready;
    const { topLeft, topRight, bottomRight, bottomLeft } = expected.geometry.corners;
    const crossed = formatCorners({ topLeft, topRight, bottomRight: bottomLeft, bottomLeft: bottomRight });
    const cases: [keyof typeof good, string, string][] = [
      ['min-confidence', '2', 'input/bad-argument'],
      ['min-confidence', '-1', 'input/bad-argument'],
      ['stable-frames', 'abc', 'input/bad-argument'],
      ['stable-frames', '0', 'input/bad-argument'],
      ['columns', '1000', 'input/bad-geometry'],
      ['columns', '2.5', 'input/bad-geometry'],
      ['corners', crossed, 'input/bad-geometry'],
      ['max-fps', '-3', 'input/bad-argument'],
    ];
    for (const [name, bad, code] of cases) {
      const seen = errors.length;
      created.setAttribute(name, bad);
      await created.updateComplete;
      await wait(300);
      const quiet = readings;
      await wait(300);
      expect(readings).to.equal(quiet, `no frame is read while ${name}="${bad}"`);
      expect(errors.length).to.equal(seen + 1, `one cc-error for ${name}="${bad}"`);
      const { error } = errors[seen]!;
      expect(error).to.be.instanceOf(InputError);
      expect(error.code).to.equal(code, `${name}="${bad}"`);
      // The text the page wrote, not the NaN a number attribute turns "abc" into.
      if (name !== 'corners') expect(error.message).to.contain(`${name}="${bad}"`);
      const rejected = await rejection(created.classifyOnce());
      expect(rejected).to.equal(error, 'classifyOnce() rejects with the same error');
      created.setAttribute(name, good[name]);
      await created.updateComplete;
      const before = readings;
      await wait(600);
      expect(readings).to.be.greaterThan(before, `reads again once ${name} is fixed`);
    }
    expect(errors).to.have.length(cases.length);
  });

  it('drops a frame that was being read when a reading attribute turned invalid: its call rejects with that error, no cc-reading', async function () {
    const expected = await expectedFrame();
    const created = fixtureElement(expected, await fixtureImage());
    element = created;
    expect(await insertAndSettle(created)).to.equal(undefined);
    let readings = 0;
    created.addEventListener('cc-reading', () => readings++);
    const inFlight = created.classifyOnce();
    created.setAttribute('stable-frames', '0');
    await created.updateComplete;
    const error = await rejection(inFlight);
    expect(error, String(error)).to.be.instanceOf(InputError);
    expect((error as InputError).message).to.contain('stable-frames="0"');
    expect(readings).to.equal(0);
    created.setAttribute('stable-frames', '3');
    await created.updateComplete;
    expect((await created.classifyOnce()).digits).to.deep.equal(expected.columns.map((c) => c.digit));
  });

  describe('sources it cannot read', function () {
    /**
     * The fixture frame from another origin (the other name of this host), without CORS. The test server lets
     * another origin embed it (`?corp=cross-origin`), as the page is cross-origin isolated.
     */
    async function crossOriginImage(): Promise<HTMLImageElement> {
      const url = new URL('../fixtures/browser-model/frame.png?corp=cross-origin', import.meta.url);
      url.hostname = url.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      const image = new Image();
      image.src = url.href;
      await image.decode();
      return image;
    }

    async function readyOn(source: unknown): Promise<ColumnClassifier> {
      const expected = await expectedFrame();
      const created = create({
        model: FIXTURE_MODEL_URL,
        backend: 'cpu',
        paused: '',
        columns: String(expected.geometry.columns),
      });
      const ready = nextEvent(created, 'cc-ready');
      document.body.append(created);
      await ready;
      (created as { source: unknown }).source = source;
      await created.updateComplete;
      return created;
    }

    async function expectInputError(created: ColumnClassifier, code: string, message: RegExp): Promise<void> {
      const error = await rejection(created.classifyOnce());
      expect(error, String(error)).to.be.instanceOf(InputError);
      expect((error as InputError).code).to.equal(code, (error as Error).message);
      expect((error as Error).message).to.match(message);
    }

    it('a cross-origin image without CORS is input/tainted-source, saying what to do; a clean one then reads', async function () {
      const created = await readyOn(await crossOriginImage());
      await expectInputError(created, 'input/tainted-source', /crossorigin="anonymous"/);
      created.source = await fixtureImage();
      expect((await created.classifyOnce()).digits).to.have.length((await expectedFrame()).geometry.columns);
    });

    it('a canvas tainted by a cross-origin image is input/tainted-source', async function () {
      const image = await crossOriginImage();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      canvas.getContext('2d')!.drawImage(image, 0, 0);
      const created = await readyOn(canvas);
      await expectInputError(created, 'input/tainted-source', /Access-Control-Allow-Origin/);
    });

    it('a canvas with no pixels is input/zero-size-frame', async function () {
      const canvas = document.createElement('canvas');
      canvas.width = 0;
      canvas.height = 0;
      const created = await readyOn(canvas);
      await expectInputError(created, 'input/zero-size-frame', /0 × 0 pixels/);
    });

    it('a closed ImageBitmap is input/detached-frame', async function () {
      const bitmap = await createImageBitmap(await fixtureImage());
      bitmap.close();
      const created = await readyOn(bitmap);
      await expectInputError(created, 'input/detached-frame', /closed or transferred/);
    });

    it('an object of another kind is input/unsupported-source, naming what it got', async function () {
      const created = await readyOn({ width: 10, height: 10 });
      await expectInputError(created, 'input/unsupported-source', /a plain object/);
      (created as { source: unknown }).source = document.createElement('div');
      await expectInputError(created, 'input/unsupported-source', /<div>/);
    });
  });

  // Refused (the user said no) and absent (no camera on the device) reach the page as different DOMExceptions.
  for (const [refusal, what] of [
    ['NotAllowedError', 'refused'],
    ['NotFoundError', 'absent'],
  ] as const) {
    it(`reports a camera that is ${what} once as input/camera-unavailable (not "no source" on every tick), and reads once there is one`, async function () {
      const expected = await expectedFrame();
      const camera = await fakeCamera();
      camera.refusal = new DOMException(`Camera ${what}`, refusal);
      try {
        const created = cameraElement('environment', expected);
        const errors: ErrorDetail[] = collect(created, 'cc-error');
        const ready = nextEvent(created, 'cc-ready');
        document.body.append(created);
        await ready;
        await wait(800);
        expect(errors.map((e) => e.error.code)).to.deep.equal(['input/camera-unavailable']);
        expect(errors[0]!.error.message).to.contain(refusal);
        camera.refusal = undefined;
        const reading = nextEvent(created, 'cc-reading');
        created.setAttribute('camera', 'user');
        expect((await reading).detail.digits).to.have.length(expected.geometry.columns);
      } finally {
        camera.restore();
      }
    });
  }

  it('refuses a camera value that names no camera without opening one, and opens the camera once it is fixed', async function () {
    const expected = await expectedFrame();
    const camera = await fakeCamera();
    try {
      const created = cameraElement('sideways', expected);
      const errors: ErrorDetail[] = collect(created, 'cc-error');
      const ready = nextEvent(created, 'cc-ready');
      document.body.append(created);
      await ready;
      await wait(300);
      expect(errors.map((e) => e.error.code)).to.deep.equal(['input/bad-argument']);
      expect(errors[0]!.error.message).to.match(/camera="sideways"/);
      expect(camera.asked).to.equal(0, 'no camera opened for camera="sideways"');

      const reading = nextEvent(created, 'cc-reading');
      created.setAttribute('camera', 'user');
      expect((await reading).detail.digits).to.have.length(expected.geometry.columns);
      expect(camera.asked).to.equal(1);
    } finally {
      camera.restore();
    }
  });

  it('refuses a backend it does not know with one typed error and no worker, and starts once it is fixed', async function () {
    const image = await fixtureImage();
    const expected = await expectedFrame();
    const workers = countWorkers();
    try {
      const { created, errors } = await connectWithUnknownBackend({ paused: '' }, image, expected);
      await wait(300);
      expect(errors.map((e) => e.error.code)).to.deep.equal(['input/bad-argument']);
      expect(errors[0]!.error).to.be.instanceOf(InputError);
      expect(errors[0]!.error.message).to.match(/backend="gpu"/);
      expect(workers.created).to.equal(0, 'no worker for a backend that cannot be used');
      expect(await rejection(created.classifyOnce())).to.equal(errors[0]!.error);

      const ready = nextEvent(created, 'cc-ready');
      created.setAttribute('backend', 'cpu');
      await ready;
      const reading = await created.classifyOnce();
      expect(reading.digits).to.deep.equal(expected.columns.map((c) => c.digit));
      expect(errors).to.have.length(1);
    } finally {
      workers.restore();
    }
  });

  it('reports a backend it does not know once while the capture loop meets it on every tick', async function () {
    // The refusal is reported as the element connects; its first update must not count as a changed input that may
    // have fixed it (a second, identical cc-error came from the loop's first tick 20 ms later).
    const { errors } = await connectWithUnknownBackend(
      { 'max-fps': '30' },
      await fixtureImage(),
      await expectedFrame(),
    );
    await wait(500);
    expect(errors.map((e) => `${e.error.code}: ${e.error.message}`)).to.have.length(1);
    expect(errors[0]!.error.code).to.equal('input/bad-argument');
  });

  it('forwards a warning the loader found as one cc-warning', async function () {
    const created = create({
      model: new URL('../fixtures/browser-model-no-integrity/model.json', import.meta.url).href,
      backend: 'cpu',
      paused: '',
    });
    const warnings: WarningDetail[] = collect(created, 'cc-warning');
    const ready = nextEvent(created, 'cc-ready');
    document.body.append(created);
    await ready;
    expect(warnings.map((w) => w.code)).to.deep.equal(['contract/no-integrity']);
    expect(warnings[0]!.message).to.match(/integrity/);
  });
});
