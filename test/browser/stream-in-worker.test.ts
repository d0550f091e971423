/**
 * A `MediaStream` source read by the worker itself where the browser allows it (a `MediaStreamTrackProcessor` on
 * the window whose stream is transferred: Chromium), so that no frame is captured on the main thread; elsewhere
 * captured on the main thread as before. Each reading says which path ran.
 */
import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import type { ReadingDetail } from '../../components/column-classifier/events.ts';
import { InputError } from '../../src/errors.ts';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import {
  expectedFrame,
  fixtureElement,
  fixtureImage,
  insertAndSettle,
  nextEvent,
  paintedCanvas,
  rejection,
  type ExpectedFrame,
} from './helpers.ts';

let expected: ExpectedFrame;
let image: HTMLImageElement;

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
});

/** A canvas showing the fixture frame, repainted as a camera would send frames, and its stream; stop() ends both. */
function paintedStream(): { canvas: HTMLCanvasElement; stream: MediaStream; stop: () => void } {
  const { canvas, stop } = paintedCanvas(image);
  const stream = canvas.captureStream(30);
  return {
    canvas,
    stream,
    stop: () => {
      stop();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/** Counts the page's createImageBitmap calls: a frame captured on the main thread makes one. */
function countBitmaps(): { readonly calls: () => number; readonly restore: () => void } {
  const original = globalThis.createImageBitmap;
  let calls = 0;
  globalThis.createImageBitmap = ((...args: Parameters<typeof original>) => {
    calls += 1;
    return original(...args);
  }) as typeof original;
  return { calls: () => calls, restore: () => (globalThis.createImageBitmap = original) };
}

/**
 * One reading; while a `<video>` captured on the main thread has no frame yet (`input/zero-size-frame`), tries again,
 * as the element's own loop does.
 */
async function readWhenPlaying(element: ColumnClassifier): Promise<ReadingDetail> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await element.classifyOnce();
    } catch (error) {
      const notYet = error instanceof InputError && error.code === 'input/zero-size-frame';
      if (!notYet || attempt >= 50 || ClassifierClient.readsTracksInWorker()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Counts messages this thread posts to workers and on message ports (a Comlink call posts one). */
function countPosts(): { readonly calls: () => number; readonly restore: () => void } {
  const toWorker = Worker.prototype.postMessage;
  const onPort = MessagePort.prototype.postMessage;
  let calls = 0;
  Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
    calls += 1;
    return Reflect.apply(toWorker, this, args) as void;
  } as Worker['postMessage'];
  MessagePort.prototype.postMessage = function (this: MessagePort, ...args: unknown[]) {
    calls += 1;
    return Reflect.apply(onPort, this, args) as void;
  } as MessagePort['postMessage'];
  return {
    calls: () => calls,
    restore: () => {
      Worker.prototype.postMessage = toWorker;
      MessagePort.prototype.postMessage = onPort;
    },
  };
}

describe('a MediaStream source', function () {
  let element: ColumnClassifier | undefined;
  let painted: ReturnType<typeof paintedStream> | undefined;

  afterEach(function () {
    element?.remove();
    element = undefined;
    painted?.stop();
    painted = undefined;
  });

  it('is read in the worker where the browser can hand it a track (no frame captured on the main thread), on the main thread elsewhere, with the same digits', async function () {
    painted = paintedStream();
    element = fixtureElement(expected, painted.stream);
    expect(await insertAndSettle(element)).to.equal(undefined);
    const bitmaps = countBitmaps();
    let readings;
    try {
      readings = [await readWhenPlaying(element), await element.classifyOnce(), await element.classifyOnce()];
    } finally {
      bitmaps.restore();
    }
    const inWorker = ClassifierClient.readsTracksInWorker();
    for (const reading of readings) {
      expect(reading.frameReadBy).to.equal(inWorker ? 'worker' : 'main-thread');
      expect(reading.digits).to.deep.equal(expected.columns.map((c) => c.digit));
      expect([reading.frameWidth, reading.frameHeight]).to.deep.equal([image.naturalWidth, image.naturalHeight]);
    }
    if (inWorker) expect(bitmaps.calls()).to.equal(0, 'createImageBitmap calls on the main thread');
    else expect(bitmaps.calls()).to.be.at.least(readings.length);
  });

  it("is read on the worker's own clock where the worker reads it: after the first reading, the main thread posts nothing per frame; paused, it reads nothing", async function () {
    painted = paintedStream();
    element = fixtureElement(expected, painted.stream, { 'max-fps': '20' });
    expect(await insertAndSettle(element)).to.equal(undefined);
    const inWorker = ClassifierClient.readsTracksInWorker();
    const readings: ReadingDetail[] = [];
    let postsAtFirst = 0;
    let postsAtSixth = 0;
    const posts = countPosts();
    const bitmaps = countBitmaps();
    let sixth: () => void = () => undefined;
    element.addEventListener('cc-reading', (event) => {
      if (readings.length === 0) postsAtFirst = posts.calls();
      readings.push(event.detail);
      if (readings.length === 6) {
        postsAtSixth = posts.calls();
        sixth();
      }
    });
    try {
      const enough = new Promise<void>((resolve) => (sixth = resolve));
      element.start();
      await enough;
    } finally {
      posts.restore();
      bitmaps.restore();
    }
    const digits = expected.columns.map((c) => c.digit);
    for (const reading of readings.slice(0, 6)) {
      expect(reading.frameReadBy).to.equal(inWorker ? 'worker' : 'main-thread');
      expect(reading.digits).to.deep.equal(digits);
    }
    const during = postsAtSixth - postsAtFirst;
    if (inWorker) {
      // Five frames read after the first with no request, no transfer: the worker's loop reads them.
      expect(during).to.equal(0, 'messages posted by the main thread between the first and the sixth reading');
      expect(bitmaps.calls()).to.equal(0, 'createImageBitmap calls on the main thread');
    } else {
      // Captured here: every frame is a bitmap and a message.
      expect(during).to.be.at.least(5);
      expect(bitmaps.calls()).to.be.at.least(6);
    }

    // Paused, the loop (the worker's, where it reads) stops: at most the frame being read still arrives. (That the
    // worker's own loop stops, not only the page's listening, is test/node/stream-watch.test.ts's.)
    element.stop();
    await element.updateComplete;
    const atPause = readings.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(readings.length - atPause).to.be.at.most(1, 'readings while paused');
    const resumed = nextEvent(element, 'cc-reading');
    element.start();
    expect((await resumed).detail.digits).to.deep.equal(digits);
  });

  it('moves to another source and back: a canvas is captured on the main thread, a new stream read as before', async function () {
    painted = paintedStream();
    element = fixtureElement(expected, painted.stream);
    expect(await insertAndSettle(element)).to.equal(undefined);
    const digits = expected.columns.map((c) => c.digit);
    expect((await readWhenPlaying(element)).digits).to.deep.equal(digits);

    element.source = painted.canvas;
    await element.updateComplete;
    const fromCanvas = await element.classifyOnce();
    expect(fromCanvas.frameReadBy).to.equal('main-thread');
    expect(fromCanvas.digits).to.deep.equal(digits);

    const second = paintedStream();
    try {
      element.source = second.stream;
      await element.updateComplete;
      const fromStream = await readWhenPlaying(element);
      expect(fromStream.frameReadBy).to.equal(ClassifierClient.readsTracksInWorker() ? 'worker' : 'main-thread');
      expect(fromStream.digits).to.deep.equal(digits);
    } finally {
      second.stop();
    }
  });

  it('read in the worker, whose track has ended, is refused as a frame with no pixels, and reading resumes with a live stream', async function () {
    // Where frames are captured on the main thread, an ended track leaves its <video> showing the last frame.
    if (!ClassifierClient.readsTracksInWorker()) this.skip();
    painted = paintedStream();
    element = fixtureElement(expected, painted.stream);
    expect(await insertAndSettle(element)).to.equal(undefined);
    await element.classifyOnce();
    for (const track of painted.stream.getTracks()) track.stop();
    const error = await rejection(element.classifyOnce());
    expect(error, String(error)).to.be.instanceOf(InputError);
    expect((error as InputError).code).to.equal('input/zero-size-frame');

    const live = paintedStream();
    try {
      element.source = live.stream;
      await element.updateComplete;
      expect((await element.classifyOnce()).digits).to.deep.equal(expected.columns.map((c) => c.digit));
    } finally {
      live.stop();
    }
  });
});
