import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { ErrorDetail, ProgressDetail } from '../../components/column-classifier/events.ts';
import {
  FIXTURE_MODEL_URL,
  countWorkers,
  expectedFrame,
  fixtureElement,
  fixtureImage,
  nextEvent,
  type ExpectedFrame,
  type WorkerCount,
} from './helpers.ts';

const NO_GOLDEN_MODEL_URL = new URL('../fixtures/browser-model-no-golden/model.json', import.meta.url).href;
const MISSING_MODEL_URL = new URL('../fixtures/no-such-model/model.json', import.meta.url).href;

let expected: ExpectedFrame;
let image: HTMLImageElement;
let element: ColumnClassifier | undefined;
let workers: WorkerCount | undefined;

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
});

afterEach(function () {
  element?.remove();
  // Optional call: the same file runs against builds without dispose(), to show these faults there.
  element?.dispose?.();
  element = undefined;
  workers?.restore();
  workers = undefined;
});

function create(attributes: Record<string, string>): ColumnClassifier {
  const created = document.createElement('column-classifier');
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  element = created;
  return created;
}

/** An element on the fixture model and frame, paused (frames are read by classifyOnce only). */
function fixtureElementOnImage(attributes: Record<string, string> = {}): ColumnClassifier {
  element = fixtureElement(expected, image, attributes);
  return element;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('<column-classifier> lifecycle', function () {
  for (const bad of ['0', 'abc']) {
    it(`reads frames once a columns="${bad}" it was created with is fixed`, async function () {
      const created = fixtureElementOnImage({ columns: bad });
      const settled = Promise.race([nextEvent(created, 'cc-ready'), nextEvent(created, 'cc-error')]);
      document.body.append(created);
      await settled;
      created.setAttribute('columns', String(expected.geometry.columns));
      await created.updateComplete;
      const reading = await created.classifyOnce();
      expect(reading.digits).to.deep.equal(expected.columns.map((c) => c.digit));
    });
  }

  it('tries a model that answered 404 again when the same model is set again', async function () {
    const created = create({ model: MISSING_MODEL_URL, backend: 'cpu', paused: '' });
    const errors: ErrorDetail[] = [];
    const stages: ProgressDetail[] = [];
    created.addEventListener('cc-error', (event) => errors.push(event.detail));
    created.addEventListener('cc-progress', (event) => stages.push(event.detail));
    const failed = nextEvent(created, 'cc-error');
    document.body.append(created);
    await failed;
    const startsBefore = stages.filter((s) => s.stage === 'backend').length;
    const failedAgain = nextEvent(created, 'cc-error');
    created.setAttribute('model', MISSING_MODEL_URL);
    await Promise.race([failedAgain, wait(10_000)]);
    expect(errors.map((e) => e.error.code)).to.deep.equal(['load/http', 'load/http']);
    expect(stages.filter((s) => s.stage === 'backend').length).to.be.greaterThan(startsBefore, 'a new start');
  });

  it('leaves no worker once classifyOnce() on an element never inserted has settled', async function () {
    workers = countWorkers();
    const created = fixtureElementOnImage();
    const reading = await created.classifyOnce();
    expect(reading.digits).to.deep.equal(expected.columns.map((c) => c.digit));
    expect(workers.created).to.equal(1);
    await wait(100);
    expect(workers.live).to.equal(0);
  });

  it('leaves no worker after dispose() on an element never inserted, even with a call pending', async function () {
    workers = countWorkers();
    const created = fixtureElementOnImage();
    const pending = created.classifyOnce().then(
      () => 'read',
      (error: unknown) => error,
    );
    await wait(50);
    expect(workers.live).to.equal(1);
    created.dispose();
    await pending;
    await wait(100);
    expect(workers.live).to.equal(0);
  });

  it('never runs more than two workers while its model changes every 100 ms', async function () {
    workers = countWorkers();
    const created = create({ model: FIXTURE_MODEL_URL, backend: 'cpu', paused: '' });
    document.body.append(created);
    for (let i = 1; i <= 17; i += 1) {
      await wait(100);
      created.setAttribute('model', i % 2 === 1 ? NO_GOLDEN_MODEL_URL : FIXTURE_MODEL_URL);
    }
    await nextEvent(created, 'cc-ready');
    expect(workers.created).to.equal(18);
    expect(workers.peak).to.be.at.most(2);
    expect(workers.live).to.equal(1);
  });
});
