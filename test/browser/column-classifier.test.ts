import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { InputError } from '../../src/errors.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import { FIXTURE_MODEL_URL, expectedFrame, fixtureImage, maxReadingDiff, nextEvent, rejection, type ExpectedFrame } from './helpers.ts';

describe('<column-classifier>', function () {
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
    const shown = [...(element.shadowRoot?.querySelectorAll('[part="digit"]') ?? [])].map((node) => Number(node.textContent));
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
});
