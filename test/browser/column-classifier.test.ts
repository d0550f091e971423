import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { DisposedError, InputError } from '../../src/errors.ts';
import type { ReadingDetail, WarningDetail } from '../../components/column-classifier/events.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import {
  FIXTURE_MODEL_URL,
  expectedFrame,
  fixtureImage,
  maxReadingDiff,
  nextEvent,
  rawBitmap,
  rejection,
  type ExpectedFrame,
} from './helpers.ts';

let expected: ExpectedFrame;
let image: HTMLImageElement;
let element: ColumnClassifier;

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
  image.id = 'element-test-source';
  document.body.append(image);
});

after(function () {
  image.remove();
});

afterEach(function () {
  element?.remove();
});

describe('<column-classifier>', function () {
  function create(attributes: Record<string, string>): ColumnClassifier {
    element = document.createElement('column-classifier');
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  }

  it('fires cc-ready, then a composed cc-reading with the digits the Node reference reads', async function () {
    create({
      model: FIXTURE_MODEL_URL,
      backend: 'wasm',
      source: 'element-test-source',
      columns: String(expected.geometry.columns),
      corners: formatCorners(expected.geometry.corners),
      paused: '',
    });
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    expect((await ready).detail.runtime.backend).to.equal('wasm');

    // Listen on the document: the event must bubble out of the element.
    const reading = new Promise<Event>((resolve) => document.addEventListener('cc-reading', resolve, { once: true }));
    const returned = await element.classifyOnce();
    const event = await reading;
    expect(event).to.be.instanceOf(CustomEvent);
    expect(event.composed).to.equal(true);
    expect(event.bubbles).to.equal(true);
    expect((event as CustomEvent).detail).to.equal(returned);
    expect(returned.backend).to.equal('wasm');
    expect(returned.digits).to.deep.equal(expected.columns.map((c) => c.digit));
    expect(returned.value).to.equal(Number(returned.digits.join('')));
    // formatCorners rounds to 4 decimals: allow for the tiny shift of the sampling points.
    expect(maxReadingDiff(returned.columns, expected.columns)).to.be.at.most(5e-3);
    await element.updateComplete;
    const shown = [...(element.shadowRoot?.querySelectorAll('[part="digit"]') ?? [])].map((node) =>
      Number(node.textContent),
    );
    expect(shown).to.deep.equal(returned.digits);
  });

  it('reads frames on its own while not paused, and becomes stable', async function () {
    create({ model: FIXTURE_MODEL_URL, backend: 'cpu', columns: '3', 'stable-frames': '2', 'min-confidence': '0' });
    element.source = image;
    const readings: boolean[] = [];
    element.addEventListener('cc-reading', (event) => readings.push(event.detail.stable));
    document.body.append(element);
    await new Promise<void>((resolve) => {
      const check = () => (readings.length >= 3 ? resolve() : setTimeout(check, 20));
      check();
    });
    // The same picture every frame: unstable on the first, stable from the second.
    expect(readings.slice(0, 3)).to.deep.equal([false, true, true]);
  });

  it('rejects classifyOnce with an InputError when the source id does not exist', async function () {
    create({ model: FIXTURE_MODEL_URL, backend: 'cpu', source: 'no-such-element', paused: '' });
    document.body.append(element);
    const error = await rejection(element.classifyOnce());
    expect(error).to.be.instanceOf(InputError);
    expect((error as InputError).code).to.equal('input/unsupported-source');
  });

  it('fires cc-error with a typed error when the model cannot be loaded', async function () {
    create({ model: new URL('../fixtures/browser-model-corrupt/model.json', import.meta.url).href, backend: 'cpu' });
    const failed = nextEvent(element, 'cc-error');
    document.body.append(element);
    const { error } = (await failed).detail;
    expect(error.code).to.equal('load/bad-json');
  });

  it('on backend="auto" (the default) is ready on the first backend that passes, then reports in cc-backend the time of every backend it measured, and uses the fastest', async function () {
    element = document.createElement('column-classifier');
    element.setAttribute('model', FIXTURE_MODEL_URL);
    element.setAttribute('source', 'auto-source');
    element.setAttribute('corners', '0,0,1,0,1,1,0,1');
    element.setAttribute('columns', '1');
    element.toggleAttribute('paused', true);
    const source = document.createElement('canvas');
    source.id = 'auto-source';
    source.width = 32;
    source.height = 64;
    source.getContext('2d')!.fillRect(0, 0, 32, 64);
    document.body.append(source);
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    const started = (await ready).detail.runtime;
    expect(
      started.trials.some((t) => t.outcome === 'pending'),
      started.choice,
    ).to.equal(true);
    const settled = nextEvent(element, 'cc-backend');
    await element.classifyOnce();
    await element.classifyOnce();
    const { runtime } = (await settled).detail;
    source.remove();
    expect(runtime.trials.some((t) => t.outcome === 'pending')).to.equal(false);
    // A backend is timed on its whole warm-up batch, or ruled out by one column that alone took longer than the best.
    const measured = runtime.trials.filter((t) => t.warmUpMs !== undefined || t.columnMs !== undefined);
    expect(measured.length, runtime.choice).to.be.at.least(2);
    const fastest = Math.min(...measured.map((t) => t.warmUpMs ?? t.columnMs!));
    const chosen = runtime.trials.find((t) => t.outcome === 'chosen');
    expect(chosen?.backend).to.equal(runtime.backend);
    expect(chosen?.warmUpMs).to.equal(fastest);
  });

  it('fires composed cc-progress events through loading, with bytes while fetching, before cc-ready', async function () {
    create({ model: FIXTURE_MODEL_URL, backend: 'cpu', paused: '' });
    const progress: { stage: string; loaded?: number; composed: boolean }[] = [];
    let readyAfter = -1;
    document.body.addEventListener('cc-progress', (event) =>
      progress.push({ ...event.detail, composed: event.composed }),
    );
    const ready = nextEvent(element, 'cc-ready').then(() => (readyAfter = progress.length));
    document.body.append(element);
    await ready;
    const stages = progress.map((p) => p.stage);
    expect(stages).to.include.members(['fetch', 'self-check', 'warm-up']);
    expect(stages[stages.length - 1]).to.equal('ready');
    expect(progress.every((p) => p.composed)).to.equal(true);
    expect(progress.some((p) => p.stage === 'fetch' && (p.loaded ?? 0) > 0)).to.equal(true);
    expect(readyAfter).to.equal(progress.length, 'no progress after cc-ready');
  });

  it('fires cc-warning once, and still becomes ready, for a model whose contract has no golden inputs', async function () {
    create({
      model: new URL('../fixtures/browser-model-no-golden/model.json', import.meta.url).href,
      backend: 'cpu',
      paused: '',
    });
    const warnings: WarningDetail[] = [];
    element.addEventListener('cc-warning', (event) => warnings.push(event.detail));
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    await ready;
    expect(warnings.map((w) => w.code)).to.deep.equal(['golden/missing']);
    expect(warnings[0]!.message).to.match(/no golden inputs/);
  });
});

describe('<column-classifier> attributes, events and lifecycle', function () {
  /** An element on the fixture model, reading the fixture image, ready. */
  async function readyElement(attributes: Record<string, string> = {}): Promise<ColumnClassifier> {
    element = document.createElement('column-classifier');
    element.setAttribute('model', FIXTURE_MODEL_URL);
    element.setAttribute('backend', 'cpu');
    element.setAttribute('columns', String(expected.geometry.columns));
    element.setAttribute('corners', formatCorners(expected.geometry.corners));
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    element.source = image;
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    await ready;
    return element;
  }

  function collect(target: HTMLElement, name: 'cc-reading'): ReadingDetail[] {
    const readings: ReadingDetail[] = [];
    target.addEventListener(name, (event) => readings.push(event.detail));
    return readings;
  }

  async function until(condition: () => boolean, timeoutMs = 20000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('maps columns and corners to its geometry, and refuses malformed corners with an InputError', async function () {
    await readyElement({ paused: '' });
    expect(element.geometry?.columns).to.equal(expected.geometry.columns);
    expect(element.geometry?.margins).to.deep.equal({ horizontal: 0, vertical: 0 });
    // Without corners the localizer finds the geometry: none until a frame was read.
    element.removeAttribute('corners');
    expect(element.geometry).to.equal(undefined);
    element.setAttribute('corners', '0,0 1,0 1');
    const error = await rejection(element.classifyOnce());
    expect(error).to.be.instanceOf(InputError);
    expect((error as InputError).code).to.equal('input/bad-geometry');
  });

  it('captures nothing while paused; start() and stop() toggle it', async function () {
    await readyElement({ paused: '' });
    const readings = collect(element, 'cc-reading');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(readings).to.have.length(0);
    element.start();
    await element.updateComplete;
    expect(element.hasAttribute('paused')).to.equal(false);
    await until(() => readings.length >= 2);
    element.stop();
    await element.updateComplete;
    expect(element.hasAttribute('paused')).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = readings.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(readings.length).to.equal(settled);
  });

  it('captures no faster than max-fps', async function () {
    await readyElement({ 'max-fps': '2' });
    const readings = collect(element, 'cc-reading');
    await until(() => readings.length >= 4);
    const gaps = readings.slice(1).map((r, i) => r.capturedAt - readings[i]!.capturedAt);
    // 2 per second: captures at least 500 ms apart, less timer jitter.
    // Unthrottled, captures follow each other as soon as a reading is back (tens of ms here).
    for (const gap of gaps) expect(gap).to.be.at.least(400);
  });

  it('refuses a max-fps that is not a positive number with a typed cc-error, capturing nothing', async function () {
    element = document.createElement('column-classifier');
    element.setAttribute('model', FIXTURE_MODEL_URL);
    element.setAttribute('backend', 'cpu');
    element.setAttribute('max-fps', '0');
    element.source = image;
    const failed = nextEvent(element, 'cc-error');
    const readings = collect(element, 'cc-reading');
    let errors = 0;
    element.addEventListener('cc-error', () => errors++);
    document.body.append(element);
    const { error } = (await failed).detail;
    expect(error).to.be.instanceOf(InputError);
    expect(error.code).to.equal('input/bad-argument');
    expect(error.message).to.match(/max-fps="0"/);
    await nextEvent(element, 'cc-ready');
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[part="status"]')!.textContent).to.match(
      /not capturing: max-fps="0"/,
      'the status line still says why nothing is read',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readings.length).to.equal(0);
    expect(errors).to.equal(1, 'one event per bad value');
  });

  it('never calls a reading stable below min-confidence', async function () {
    await readyElement({ 'min-confidence': '1', 'stable-frames': '1' });
    const readings = collect(element, 'cc-reading');
    await until(() => readings.length >= 3);
    expect(readings.every((r) => !r.stable || r.confidence >= 1)).to.equal(true);
  });

  it('announces a stable reading once in a polite live region, and not again while it stays the same', async function () {
    await readyElement({ 'stable-frames': '2', 'min-confidence': '0' });
    const region = element.shadowRoot?.querySelector('[role="status"]');
    expect(region?.getAttribute('aria-live')).to.equal('polite');
    const readings = collect(element, 'cc-reading');
    await until(() => readings.some((r) => r.stable));
    await element.updateComplete;
    expect(region?.textContent).to.contain(readings.find((r) => r.stable)!.digits.join(' '));
    let mutations = 0;
    const observer = new MutationObserver((records) => (mutations += records.length));
    observer.observe(region!, { childList: true, characterData: true, subtree: true });
    const seen = readings.length;
    await until(() => readings.length >= seen + 3);
    observer.disconnect();
    expect(mutations).to.equal(0);
  });

  it('draws a box and the digit over every column', async function () {
    await readyElement({ paused: '', preview: '' });
    const reading = await element.classifyOnce();
    await element.updateComplete;
    const boxes = element.shadowRoot?.querySelectorAll('[part="column-box"]') ?? [];
    const digits = [...(element.shadowRoot?.querySelectorAll('[part="column-digit"]') ?? [])].map((n) =>
      Number(n.textContent),
    );
    expect(boxes.length).to.equal(expected.geometry.columns);
    expect(digits).to.deep.equal(reading.digits);
  });

  it('moves a corner by keyboard in calibration mode and fires cc-corners-change', async function () {
    await readyElement({ paused: '', calibrate: '' });
    await element.updateComplete;
    const handles = element.shadowRoot?.querySelectorAll<HTMLButtonElement>('[part="handle"]') ?? [];
    expect(handles.length).to.equal(4);
    const topLeft = [...handles].find((h) => h.dataset['corner'] === 'topLeft')!;
    expect(topLeft.getAttribute('aria-label')).to.match(/top-left corner/);
    const before = element.geometry!.corners.topLeft;
    const changed = nextEvent(element, 'cc-corners-change');
    topLeft.focus();
    topLeft.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', shiftKey: true, bubbles: true }));
    const { detail } = await changed;
    expect(detail.corners.topLeft.x).to.be.closeTo(before.x + 0.05, 1e-3);
    expect(detail.corners.topLeft.y).to.be.closeTo(before.y, 1e-3);
    expect(element.getAttribute('corners')).to.equal(detail.attribute);
  });

  it('reads ImageBitmap and OffscreenCanvas sources', async function () {
    await readyElement({ paused: '' });
    element.source = await rawBitmap(image);
    const fromBitmap = await element.classifyOnce();
    const offscreen = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
    offscreen.getContext('2d')!.drawImage(image, 0, 0);
    element.source = offscreen;
    const fromOffscreen = await element.classifyOnce();
    expect(fromBitmap.digits).to.deep.equal(expected.columns.map((c) => c.digit));
    expect(fromOffscreen.frameWidth).to.equal(image.naturalWidth);
  });

  it('reads a camera (a canvas stream standing in for getUserMedia), stops it on disconnect and reopens it when added again', async function () {
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d')!;
    const paint = setInterval(() => context.drawImage(image, 0, 0), 30);
    context.drawImage(image, 0, 0);
    const streams: MediaStream[] = [];
    const mediaDevices = navigator.mediaDevices;
    const original = mediaDevices.getUserMedia;
    let asked: MediaStreamConstraints | undefined;
    mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      asked = constraints;
      streams.push(canvas.captureStream(30));
      return streams[streams.length - 1]!;
    };
    try {
      element = document.createElement('column-classifier');
      element.setAttribute('model', FIXTURE_MODEL_URL);
      element.setAttribute('backend', 'cpu');
      element.setAttribute('columns', String(expected.geometry.columns));
      element.setAttribute('corners', formatCorners(expected.geometry.corners));
      element.setAttribute('camera', 'environment');
      const reading = nextEvent(element, 'cc-reading');
      document.body.append(element);
      const { detail } = await reading;
      expect(asked?.video).to.deep.equal({ facingMode: { ideal: 'environment' } });
      expect(detail.digits).to.have.length(expected.geometry.columns);
      expect(element.shadowRoot?.querySelector('video[part="frame"]')).to.not.equal(null);
      element.remove();
      expect(streams).to.have.length(1);
      expect(streams[0]!.getVideoTracks().every((track) => track.readyState === 'ended')).to.equal(true);
      const again = nextEvent(element, 'cc-reading');
      document.body.append(element);
      expect((await again).detail.digits).to.have.length(expected.geometry.columns);
      expect(streams).to.have.length(2);
      element.remove();
      expect(streams[1]!.getVideoTracks().every((track) => track.readyState === 'ended')).to.equal(true);
    } finally {
      mediaDevices.getUserMedia = original;
      clearInterval(paint);
    }
  });

  it('can be removed mid-load without an error, and works when added again', async function () {
    element = document.createElement('column-classifier');
    element.setAttribute('model', FIXTURE_MODEL_URL);
    element.setAttribute('backend', 'cpu');
    element.toggleAttribute('paused', true);
    element.source = image;
    const errors: unknown[] = [];
    element.addEventListener('cc-error', (event) => errors.push(event.detail.error));
    document.body.append(element);
    element.remove();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(errors).to.deep.equal([]);
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    await ready;
    element.setAttribute('columns', String(expected.geometry.columns));
    element.setAttribute('corners', formatCorners(expected.geometry.corners));
    const reading = await element.classifyOnce();
    expect(reading.digits).to.deep.equal(expected.columns.map((c) => c.digit));
    expect(errors).to.deep.equal([]);
  });

  it('never reports a reading from the old model after the model changes mid-frame', async function () {
    await readyElement({ paused: '' });
    const readings = collect(element, 'cc-reading');
    const inFlight = element.classifyOnce();
    element.setAttribute('model', `${FIXTURE_MODEL_URL}?changed`);
    const outcome = await inFlight.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(outcome).to.be.instanceOf(DisposedError);
    expect((outcome as DisposedError).code).to.equal('disposed/superseded');
    expect(readings).to.have.length(0);
    await nextEvent(element, 'cc-ready');
    await element.classifyOnce();
    expect(readings).to.have.length(1);
  });
});
