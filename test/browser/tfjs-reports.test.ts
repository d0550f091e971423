// What TF.js users reported going wrong in the browser, tried through the element on every backend:
// - fromPixels(ImageBitmap) in a WebKit worker gave zeros (tensorflow/tfjs#5977): an ImageBitmap source is read with
//   the Node reference's numbers;
// - WebGL failed to start in a WebKit worker (tensorflow/tfjs#7803): backend="webgl" either reads with the Node
//   reference's numbers or is refused with a typed BackendError, never a raw error or other numbers;
// - WebGL and CPU fromPixels disagreed on an <img> displayed at another size than its own (tensorflow/tfjs#1488): the
//   element reads the image's own pixels (frameWidth is its natural width) with the same numbers on every backend.
import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { BackendError } from '../../src/errors.ts';
import type { FrameSource } from '../../components/column-classifier/capture.ts';
import {
  FRAME_TOLERANCE,
  expectedFrame,
  fixtureElement,
  fixtureImage,
  insertAndSettle,
  maxReadingDiff,
  rawBitmap,
  type ExpectedFrame,
} from './helpers.ts';

let expected: ExpectedFrame;
let image: HTMLImageElement;
let element: ColumnClassifier | undefined;
const shown: HTMLElement[] = [];

before(async function () {
  expected = await expectedFrame();
  image = await fixtureImage();
});

afterEach(function () {
  element?.remove();
  element = undefined;
  for (const node of shown.splice(0)) node.remove();
});

/** The element on `backend`, paused, reading `source`; resolves once it is ready, or with its error. */
async function elementOn(backend: string, source: FrameSource): Promise<{ created: ColumnClassifier; error?: Error }> {
  const created = fixtureElement(expected, source, { backend });
  element = created;
  const error = await insertAndSettle(created);
  return error === undefined ? { created } : { created, error };
}

/** The fixture frame in an <img> shown at a third of its size (its width and height attributes). */
async function shrunkImage(): Promise<HTMLImageElement> {
  const shrunk = new Image(Math.round(image.naturalWidth / 3), Math.round(image.naturalHeight / 3));
  shrunk.src = image.src;
  await shrunk.decode();
  document.body.append(shrunk);
  shown.push(shrunk);
  return shrunk;
}

describe('TF.js reports, tried through the element', function () {
  for (const backend of ['cpu', 'wasm', 'webgl']) {
    it(`reads an ImageBitmap source on ${backend} with the Node reference's numbers, or refuses ${backend} with a BackendError`, async function () {
      const bitmap = await rawBitmap(image);
      const { created, error } = await elementOn(backend, bitmap);
      if (error !== undefined) {
        // Only WebGL may be missing in a worker; the refusal must be typed.
        expect(backend).to.equal('webgl');
        expect(error).to.be.instanceOf(BackendError);
        return;
      }
      const reading = await created.classifyOnce();
      expect(reading.backend).to.equal(backend);
      expect(reading.frameWidth).to.equal(image.naturalWidth);
      expect(maxReadingDiff(reading.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
    });

    it(`reads an <img> displayed at a third of its size from its own pixels on ${backend}`, async function () {
      const shrunk = await shrunkImage();
      expect(shrunk.width).to.be.below(shrunk.naturalWidth);
      const { created, error } = await elementOn(backend, shrunk);
      if (error !== undefined) {
        expect(backend).to.equal('webgl');
        expect(error).to.be.instanceOf(BackendError);
        return;
      }
      const reading = await created.classifyOnce();
      expect([reading.frameWidth, reading.frameHeight]).to.deep.equal([image.naturalWidth, image.naturalHeight]);
      expect(maxReadingDiff(reading.columns, expected.columns)).to.be.at.most(FRAME_TOLERANCE);
    });
  }
});
