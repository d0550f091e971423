import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { ErrorDetail, WarningDetail } from '../../components/column-classifier/events.ts';
import { FIXTURE_MODEL_URL, fixtureImage, nextEvent } from './helpers.ts';

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
