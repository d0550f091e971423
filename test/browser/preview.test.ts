import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import { FIXTURE_MODEL_URL, expectedFrame, fixtureImage, nextEvent, type ExpectedFrame } from './helpers.ts';

/** Mean colours of the two frames differ by far more than this; colour management may move a mean by a few levels. */
const MEAN_TOLERANCE = 8;
const MAGENTA = [255, 0, 255] as const;

/** Messages to the workers the page creates from now on, queued while `held` and sent on `release()`. */
interface HeldMessages {
  held: boolean;
  readonly queued: number;
  release(): void;
  restore(): void;
}

/** A small fake around the Worker constructor: it lets a test look at the page while a frame is being read. */
function holdWorkerMessages(): HeldMessages {
  const Original = globalThis.Worker;
  const queue: Array<() => void> = [];
  const state = {
    held: false,
    get queued() {
      return queue.length;
    },
    release() {
      state.held = false;
      for (const send of queue.splice(0)) send();
    },
    restore() {
      globalThis.Worker = Original;
    },
  };
  class HeldWorker extends Original {
    override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
      const send = () =>
        Array.isArray(options) ? super.postMessage(message, options) : super.postMessage(message, options);
      if (state.held) queue.push(send);
      else send();
    }
  }
  globalThis.Worker = HeldWorker;
  return state;
}

/** Mean RGB of what a canvas shows. */
function meanColour(canvas: HTMLCanvasElement): [number, number, number] {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(canvas, 0, 0);
  const { data } = context.getImageData(0, 0, copy.width, copy.height);
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c += 1) sum[c]! += data[i + c]!;
  const pixels = data.length / 4;
  return [sum[0]! / pixels, sum[1]! / pixels, sum[2]! / pixels];
}

function expectColour(actual: readonly number[], wanted: readonly number[], what: string): void {
  const diff = Math.max(...actual.map((value, c) => Math.abs(value - wanted[c]!)));
  expect(
    diff,
    `${what}: mean colour ${actual.map((v) => v.toFixed(0)).join(',')}, expected ${wanted.join(',')}`,
  ).to.be.at.most(MEAN_TOLERANCE);
}

const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

describe('<column-classifier> preview', function () {
  let expected: ExpectedFrame;
  let image: HTMLImageElement;
  let source: HTMLCanvasElement;
  let element: ColumnClassifier | undefined;
  let held: HeldMessages | undefined;

  before(async function () {
    expected = await expectedFrame();
    image = await fixtureImage();
  });

  beforeEach(function () {
    source = document.createElement('canvas');
    source.id = 'preview-test-source';
    source.width = image.naturalWidth;
    source.height = image.naturalHeight;
    source.getContext('2d')!.drawImage(image, 0, 0);
    document.body.append(source);
  });

  afterEach(function () {
    held?.release();
    held?.restore();
    held = undefined;
    element?.remove();
    source.remove();
  });

  async function readyElement(attributes: Record<string, string>): Promise<ColumnClassifier> {
    const created = document.createElement('column-classifier');
    element = created;
    for (const [name, value] of Object.entries({
      model: FIXTURE_MODEL_URL,
      backend: 'cpu',
      columns: String(expected.geometry.columns),
      corners: formatCorners(expected.geometry.corners),
      source: source.id,
      paused: '',
      ...attributes,
    }))
      created.setAttribute(name, value);
    const ready = nextEvent(created, 'cc-ready');
    document.body.append(created);
    await ready;
    return created;
  }

  function shown(target: ColumnClassifier): { frame: HTMLCanvasElement; digits: number[] } {
    const root = target.shadowRoot!;
    const frame = root.querySelector<HTMLCanvasElement>('canvas[part="frame"]');
    expect(frame !== null, 'a preview canvas').to.equal(true);
    const digits = [...root.querySelectorAll('[part="column-digit"]')].map((node) => Number(node.textContent));
    return { frame: frame!, digits };
  }

  it('draws the digits of a frame only over that frame, also while the next frame is being read', async function () {
    held = holdWorkerMessages();
    const target = await readyElement({ preview: '' });
    const first = await target.classifyOnce();
    await target.updateComplete;
    await nextPaint();
    const imageMean = meanColour(shown(target).frame);
    expect(shown(target).digits).to.deep.equal(first.digits);

    const context = source.getContext('2d')!;
    context.fillStyle = `rgb(${MAGENTA.join(',')})`;
    context.fillRect(0, 0, source.width, source.height);
    held.held = true;
    const second = target.classifyOnce();
    const deadline = performance.now() + 10_000;
    while (held.queued === 0) {
      if (performance.now() > deadline) throw new Error('the element never sent the second frame to its worker');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The second frame is captured and on its way; its reading cannot arrive until released.
    await nextPaint();
    const during = shown(target);
    expect(during.digits).to.deep.equal(first.digits);
    expectColour(meanColour(during.frame), imageMean, 'while the second frame is read, the first is still shown');

    held.release();
    const reading = await second;
    await target.updateComplete;
    await nextPaint();
    const after = shown(target);
    expect(after.digits).to.deep.equal(reading.digits);
    expectColour(meanColour(after.frame), MAGENTA, 'with its reading, the second frame is shown');
  });

  it('shows no preview for a source element unless preview or calibrate is set, and still shows the digits', async function () {
    const target = await readyElement({});
    const reading = await target.classifyOnce();
    await target.updateComplete;
    const root = target.shadowRoot!;
    // Booleans, not elements: a failing comparison of elements makes the runner serialise one, which hung the page.
    expect(root.querySelector('[part="preview"]') === null, 'no preview box').to.equal(true);
    expect([...root.querySelectorAll('[part="digit"]')].map((node) => Number(node.textContent))).to.deep.equal(
      reading.digits,
    );
    target.toggleAttribute('calibrate', true);
    await target.updateComplete;
    expect(root.querySelector('[part="preview"] canvas[part="frame"]') !== null, 'a preview canvas').to.equal(true);
    target.toggleAttribute('calibrate', false);
    target.toggleAttribute('preview', true);
    await target.updateComplete;
    expect(root.querySelector('[part="preview"] canvas[part="frame"]') !== null, 'a preview canvas').to.equal(true);
  });
});
