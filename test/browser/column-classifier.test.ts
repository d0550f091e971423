import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { InputError } from '../../src/errors.ts';
import { STRIP_COLOURS, nextEvent, stripCanvas } from './helpers.ts';

describe('<column-classifier> walking skeleton', function () {
  let canvas: HTMLCanvasElement;
  let element: ColumnClassifier;

  beforeEach(function () {
    canvas = stripCanvas();
    canvas.id = 'skeleton-source';
    document.body.append(canvas);
  });

  afterEach(function () {
    element?.remove();
    canvas.remove();
  });

  it('fires cc-ready, then a composed cc-reading with the strip means of its source', async function () {
    element = document.createElement('column-classifier');
    element.setAttribute('backend', 'wasm');
    element.setAttribute('source', 'skeleton-source');
    element.setAttribute('columns', String(STRIP_COLOURS.length));
    element.toggleAttribute('paused', true);
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
    returned.stripMeans.forEach((mean, index) => expect(mean).to.be.closeTo(STRIP_COLOURS[index]!.grey, 1e-3));
    expect(returned.timings.roundTrip).to.be.at.least(returned.timings.total);
  });

  it('reads frames on its own while not paused', async function () {
    element = document.createElement('column-classifier');
    element.backend = 'cpu';
    element.source = canvas;
    element.columns = 2;
    const readings: number[][] = [];
    element.addEventListener('cc-reading', (event) => readings.push(event.detail.stripMeans));
    document.body.append(element);
    await new Promise<void>((resolve) => {
      const check = () => (readings.length >= 3 ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(readings[0]).to.have.length(2);
    await element.updateComplete;
    const shown = element.shadowRoot?.querySelectorAll('[part="column"]') ?? [];
    expect(shown.length).to.equal(2);
  });

  it('rejects classifyOnce with an InputError when the source id does not exist', async function () {
    element = document.createElement('column-classifier');
    element.backend = 'cpu';
    element.source = 'no-such-element';
    element.paused = true;
    document.body.append(element);
    let caught: unknown;
    try {
      await element.classifyOnce();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(InputError);
    expect((caught as InputError).code).to.equal('input/unsupported-source');
  });
});
