import { expect } from '@esm-bundle/chai';
import { unzipSync } from 'fflate';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { SampleDetail } from '../../components/column-classifier/events.ts';
import { openDatabase, storedModelKey } from '../../src/fine-tune/database.ts';
import { putStoredModel, type StoredModel } from '../../src/fine-tune/model-store.ts';
import { sha256Hex } from '../../src/model/integrity.ts';
import type { RuntimeWarning } from '../../src/worker-api/classifier-worker-api.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import {
  FIXTURE_MODEL_URL,
  engineName,
  expectedFrame,
  fixtureElement,
  fixtureImage,
  insertAndSettle,
  maxReadingDiff,
  nextEvent,
  rawBitmap,
  rejection,
  type ExpectedFrame,
} from './helpers.ts';

/** Crops are stored as bytes (the fixture model reads 0–255): each pixel moves by at most half a level. */
const STORED_CROP_TOLERANCE = 0.02;

/**
 * A fine-tune at a tiny size for the fixture model (16 × 8 columns, not a real classifier: the rendered test columns
 * say little about it, so any drop there is allowed).
 */
const TINY = { learningRate: 0.1, replayColumns: 16, testColumns: 16, maxTestDrop: 100 } as const;

/** The labels.json and PNGs of an exported sample set. */
interface Exported {
  readonly labels: { images: { file: string; width: number; height: number; digits: number[] }[] };
  readonly files: Record<string, Uint8Array>;
}

async function exported(element: ColumnClassifier): Promise<Exported> {
  const zip = await element.exportSamples();
  expect(zip.type).to.equal('application/zip');
  const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
  const labels = JSON.parse(new TextDecoder().decode(files['labels.json'])) as Exported['labels'];
  return { labels, files };
}

describe('<column-classifier> self-labelled samples', function () {
  this.timeout(60_000);
  let expected: ExpectedFrame;
  let canvas: HTMLCanvasElement;
  const elements: ColumnClassifier[] = [];
  // Each engine's run shares the origin's IndexedDB with reruns: a set of its own, emptied before each test.
  const set = `samples-test-${engineName()}`;

  before(async function () {
    expected = await expectedFrame();
    const image = await fixtureImage();
    canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    canvas.getContext('2d')!.drawImage(image, 0, 0);
  });

  async function readyElement(attributes: Record<string, string> = {}, source: CanvasImageSource = canvas) {
    // One reading is stable at once (the fixture model is not confident): each test reads one frame before labelling it.
    const element = fixtureElement(expected, source as HTMLCanvasElement, {
      'sample-set': set,
      'stable-frames': '1',
      'min-confidence': '0',
      ...attributes,
    });
    elements.push(element);
    expect(await insertAndSettle(element)).to.equal(undefined);
    return element;
  }

  beforeEach(async function () {
    const element = await readyElement();
    await element.clearSamples();
    await element.resetModel();
    element.remove();
  });

  afterEach(function () {
    for (const element of elements.splice(0)) element.remove();
  });

  it("stores the last frame's columns with their digits, and exports them so that they read the same again", async function () {
    const element = await readyElement();
    const reading = await element.classifyOnce();
    const columns = expected.geometry.columns;
    const sampled = nextEvent(element, 'cc-sample');
    const first = await element.label(reading.digits);
    expect((await sampled).detail).to.deep.equal(first);
    expect(first).to.deep.include({ set, columns, total: columns, dropped: 0 });
    const second: SampleDetail = await element.label(reading.digits);
    expect(second.total).to.equal(2 * columns);

    const { labels, files } = await exported(element);
    expect(labels.images.map((image) => image.digits)).to.deep.equal([reading.digits, reading.digits]);
    const strip = labels.images[0]!;
    expect([strip.width, strip.height]).to.deep.equal([8 * columns, 16]);

    // The strip, read as a frame whose bead area is the whole picture, gives back the columns the model read.
    const png = files[strip.file]!;
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(png)], { type: 'image/png' }));
    expect([bitmap.width, bitmap.height]).to.deep.equal([8 * columns, 16]);
    const again = await readyElement({ corners: '0,0,1,0,1,1,0,1', columns: String(columns) }, bitmap);
    const reread = await again.classifyOnce();
    expect(reread.digits).to.deep.equal(reading.digits);
    expect(maxReadingDiff(reread.columns, reading.columns)).to.be.at.most(STORED_CROP_TOLERANCE);
  });

  it('labels the frame of the reading it is given, not a frame read after it', async function () {
    const client = await ClassifierClient.create({ modelUrl: FIXTURE_MODEL_URL, backends: ['cpu'] });
    try {
      // Frame B: the fixture mirrored, so its columns differ from frame A's.
      const mirrored = document.createElement('canvas');
      mirrored.width = canvas.width;
      mirrored.height = canvas.height;
      const context = mirrored.getContext('2d')!;
      context.scale(-1, 1);
      context.drawImage(canvas, -canvas.width, 0);
      const { geometry } = expected;
      const digits = Array.from({ length: geometry.columns }, () => 3);
      const strip = async (name: string) => {
        const archive = await client.exportSamples({ set: `${set}-${name}`, maxColumns: 1000 });
        const files = unzipSync(archive.zip);
        await client.clearSamples({ set: `${set}-${name}`, maxColumns: 1000 });
        return files['sample-0001.png'];
      };
      const a = await client.classify(await rawBitmap(canvas), geometry);
      const b = await client.classify(await rawBitmap(mirrored), geometry);
      expect(b.frame).to.be.greaterThan(a.frame);
      await client.label(digits, { set: `${set}-a`, maxColumns: 1000, frame: a.frame });
      await client.label(digits, { set: `${set}-b`, maxColumns: 1000, frame: b.frame });
      // The same frame A again, labelled as the last frame read.
      await client.classify(await rawBitmap(canvas), geometry);
      await client.label(digits, { set: `${set}-last`, maxColumns: 1000 });
      const [labelledA, labelledB, last] = [await strip('a'), await strip('b'), await strip('last')];
      expect(labelledA).to.deep.equal(last);
      expect(labelledB).to.not.deep.equal(last);
      // A frame no longer kept is refused, typed.
      for (let i = 0; i < 3; i++) await client.classify(await rawBitmap(canvas), geometry);
      const gone = await rejection(client.label(digits, { set: `${set}-a`, maxColumns: 1000, frame: a.frame }));
      expect(gone).to.include({ code: 'state/not-started' });
      expect(String((gone as Error).message)).to.match(/is not kept/);
    } finally {
      client.dispose();
    }
  });

  it('skips a stored fine-tuned model made from another version of the model, or one that does not load, with a warning, and reads with the model at its URL', async function () {
    // The fixture model itself, stored as this set's fine-tuned model of itself: a sealed model the loader accepts.
    const text = await (await fetch(FIXTURE_MODEL_URL)).text();
    const shard = new Uint8Array(await (await fetch(new URL('weights.bin', FIXTURE_MODEL_URL))).arrayBuffer());
    const stored: StoredModel = {
      key: storedModelKey(set, FIXTURE_MODEL_URL),
      set,
      baseUrl: FIXTURE_MODEL_URL,
      baseModelJsonSha256: await sha256Hex(new TextEncoder().encode(text)),
      createdAt: new Date().toISOString(),
      modelJson: text,
      files: { 'weights.bin': shard },
      summary: 'stored by the test',
    };
    const start = async (model: StoredModel) => {
      await putStoredModel(model);
      const element = fixtureElement(expected, canvas, { 'sample-set': set });
      elements.push(element);
      const warnings: RuntimeWarning[] = [];
      element.addEventListener('cc-warning', (event) => warnings.push(event.detail));
      const ready = nextEvent(element, 'cc-ready');
      document.body.append(element);
      const { runtime } = (await ready).detail;
      const reading = await element.classifyOnce();
      element.remove();
      return {
        fineTuned: runtime.model.fineTuned,
        skipped: warnings.filter((w) => w.code === 'fine-tuned/skipped'),
        reading,
      };
    };
    const same = await start(stored);
    expect(same.fineTuned?.set).to.equal(set);
    expect(same.skipped).to.have.length(0);
    // The site replaced its model at the same URL since the fine-tune.
    const older = await start({ ...stored, baseModelJsonSha256: '0'.repeat(64) });
    expect(older.fineTuned).to.equal(undefined);
    expect(older.skipped.map((w) => w.message).join()).to.match(/another version/);
    expect(older.reading.digits).to.deep.equal(same.reading.digits);
    // Its weights damaged in storage: it does not load, and the model at its URL is read with instead.
    const damaged = await start({ ...stored, files: { 'weights.bin': shard.slice(0, 8) } });
    expect(damaged.fineTuned).to.equal(undefined);
    expect(damaged.skipped.map((w) => w.message).join()).to.match(/failed \(load\//);
    expect(damaged.reading.digits).to.deep.equal(same.reading.digits);
  });

  it('refuses a label before a stable reading, and one that is not a digit per column', async function () {
    const element = await readyElement({ 'stable-frames': '2' });
    const early = await rejection(element.label([1, 2, 3]));
    expect(early).to.include({ code: 'state/not-started' });
    // One reading of two needed: not stable yet.
    await element.classifyOnce();
    const unstable = await rejection(element.label(Array.from({ length: expected.geometry.columns }, () => 0)));
    expect(unstable).to.include({ code: 'state/not-started' });
    expect(String((unstable as Error).message)).to.match(/not stable/);
    await element.classifyOnce();
    const short = await rejection(element.label([1, 2]));
    expect(short).to.include({ code: 'input/bad-argument' });
    expect(String((short as Error).message)).to.match(/one digit 0–9 per column/);
    const digits = Array.from({ length: expected.geometry.columns }, () => 10);
    expect(await rejection(element.label(digits))).to.include({ code: 'input/bad-argument' });
    // Nothing was stored by the refused calls; a right label still works.
    expect((await exported(element)).labels.images).to.have.length(0);
    const fixed = await element.label(Array.from({ length: expected.geometry.columns }, () => 0));
    expect(fixed.total).to.equal(expected.geometry.columns);
  });

  it('keeps at most max-samples columns, dropping the oldest sample first', async function () {
    const columns = expected.geometry.columns;
    const element = await readyElement({ 'max-samples': String(columns) });
    await element.classifyOnce();
    const zeros = Array.from({ length: columns }, () => 0);
    const ones = Array.from({ length: columns }, () => 1);
    await element.label(zeros);
    const second = await element.label(ones);
    expect(second).to.deep.include({ total: columns, dropped: columns });
    expect((await exported(element)).labels.images.map((image) => image.digits)).to.deep.equal([ones]);
    element.setAttribute('max-samples', '0');
    expect(await rejection(element.label(ones))).to.include({ code: 'input/bad-argument' });
  });

  it('keeps samples across workers (IndexedDB), per sample set', async function () {
    const element = await readyElement();
    await element.classifyOnce();
    const digits = Array.from({ length: expected.geometry.columns }, (_, i) => i % 10);
    await element.label(digits);
    element.remove();
    const later = await readyElement();
    expect((await exported(later)).labels.images.map((image) => image.digits)).to.deep.equal([digits]);
    const other = await readyElement({ 'sample-set': `${set}-other` });
    expect((await exported(other)).labels.images).to.have.length(0);
  });

  it('fine-tunes on the samples in a worker, uses the accepted model from then on (and after a reload), and resets', async function () {
    this.timeout(240_000);
    const element = await readyElement();
    const reading = await element.classifyOnce();
    // Labels the model does not read now: a fine-tune has something to learn.
    const labels = reading.digits.map((d) => (d + 5) % 10);
    for (let i = 0; i < 4; i++) await element.label(labels);
    const stages = new Set<string>();
    element.addEventListener('cc-progress', (event) => stages.add(event.detail.stage));
    const rendered: number[] = [];
    element.addEventListener('cc-progress', (event) => {
      if (event.detail.stage === 'render') rendered.push(event.detail.done);
    });
    // The first fine-tune renders its columns; the second finds them kept.
    const db = await openDatabase();
    await db.clear('columns');
    db.close();
    const reloaded = nextEvent(element, 'cc-ready');
    // The fixture model is tiny and a tiny set is three steps an epoch: a high rate and a dozen epochs move it.
    const outcome = await element.fineTune({ ...TINY, epochs: 12, patience: 12 });
    expect(outcome.accepted, outcome.summary).to.equal(true);
    expect(outcome.bestEpoch).to.be.greaterThan(0);
    expect(outcome.epochs).to.have.length(12);
    expect(outcome.heldOut.after).to.be.greaterThan(outcome.heldOut.before);
    expect([...stages]).to.include.members(['load', 'render', 'fine-tune', 'gate', 'store']);
    // The quantization gate chose each weight's encoding before the model was stored.
    const { bytesBefore, bytesAfter } = outcome.quantization ?? { bytesBefore: 0, bytesAfter: Infinity };
    expect(bytesBefore).to.be.greaterThan(0);
    expect(bytesAfter).to.be.at.most(bytesBefore);
    // The accepted model is loaded at once, self-checked, and reads the labelled frame closer to its labels.
    const runtime = (await reloaded).detail.runtime;
    expect(runtime.model.fineTuned?.set).to.equal(set);
    expect(runtime.selfChecks.every((check) => check.passed)).to.equal(true);
    const after = await element.classifyOnce();
    const closer = (digits: readonly number[]) => digits.filter((d, i) => d === labels[i]).length;
    expect(
      closer(after.digits),
      `${after.digits.join('')} against ${labels.join('')}: ${JSON.stringify(outcome)}`,
    ).to.be.greaterThan(closer(reading.digits));
    // Samples labelled while the fine-tuned model reads are columns of the same preprocessing: a second fine-tune
    // learns from them.
    await element.clearSamples();
    for (let i = 0; i < 3; i++) await element.label(labels);
    expect(Math.max(...rendered)).to.be.greaterThan(0);
    rendered.length = 0;
    const again = nextEvent(element, 'cc-ready');
    const second = await element.fineTune({ ...TINY, epochs: 2 });
    expect(rendered.length > 0 && rendered.every((done) => done === 0), rendered.join()).to.equal(true);
    expect(second.learnt + second.heldOut.columns).to.equal(3 * labels.length);
    if (second.accepted) await again;
    // A new worker (as after a page reload) finds it in use.
    element.remove();
    const later = fixtureElement(expected, canvas, { 'sample-set': set });
    elements.push(later);
    const laterReady = nextEvent(later, 'cc-ready');
    document.body.append(later);
    expect((await laterReady).detail.runtime.model.fineTuned?.set).to.equal(set);
    // resetModel() goes back to the model at its URL.
    const reset = nextEvent(later, 'cc-ready');
    await later.resetModel();
    expect((await reset).detail.runtime.model.fineTuned).to.equal(undefined);
  });

  it('stops a fine-tune on abort, storing nothing', async function () {
    this.timeout(240_000);
    const element = await readyElement();
    const reading = await element.classifyOnce();
    for (let i = 0; i < 3; i++) await element.label(reading.digits);
    const abort = new AbortController();
    element.addEventListener('cc-progress', (event) => {
      if (event.detail.stage === 'fine-tune') abort.abort();
    });
    const stopped = await rejection(
      element.fineTune({ epochs: 3, replayColumns: 16, testColumns: 16, signal: abort.signal }),
    );
    expect(stopped).to.include({ code: 'disposed/aborted' });
    element.remove();
    const later = fixtureElement(expected, canvas, { 'sample-set': set });
    elements.push(later);
    const laterReady = nextEvent(later, 'cc-ready');
    document.body.append(later);
    expect((await laterReady).detail.runtime.model.fineTuned).to.equal(undefined);
  });
});
