// #8's end-to-end check: the element, the worker and the shipped model on whole rendered photos with their
// ground-truth corners. The seeds were fixed before the model (run 7) was trained; the model was not chosen by it.
import { expect } from '@esm-bundle/chai';
import '../../components/column-classifier.ts';
import type { ColumnClassifier } from '../../components/column-classifier.ts';
import { formatCorners } from '../../components/column-classifier/corners.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { engineName, nextEvent } from './helpers.ts';

/** Seeds of the 20 photos: fixed so a failure can be reproduced, spread so they are unlike each other. */
const SEEDS = Array.from({ length: 20 }, (_, i) => 900_001 + i * 7919);

describe('<column-classifier> with the shipped model', function () {
  it('reads 20 rendered sorobans of 1 to 21 columns, every column right', async function () {
    const canvas = document.createElement('canvas');
    canvas.id = 'rendered-source';
    document.body.append(canvas);
    const element: ColumnClassifier = document.createElement('column-classifier');
    // wasm: the same numbers as every other backend (the self-check proves it) and fast on every engine here.
    element.setAttribute('backend', 'wasm');
    element.setAttribute('source', 'rendered-source');
    element.toggleAttribute('paused', true);
    const ready = nextEvent(element, 'cc-ready');
    document.body.append(element);
    try {
      await ready;
      const misread: string[] = [];
      let columns = 0;
      for (const seed of SEEDS) {
        const photo = renderSoroban({ seed });
        canvas.width = photo.width;
        canvas.height = photo.height;
        canvas
          .getContext('2d')!
          .putImageData(new ImageData(new Uint8ClampedArray(photo.rgba), photo.width, photo.height), 0, 0);
        element.setAttribute('columns', String(photo.digits.length));
        element.setAttribute('corners', formatCorners(photo.corners));
        await element.updateComplete;
        const reading = await element.classifyOnce();
        columns += photo.digits.length;
        if (reading.digits.join('') !== photo.digits.join('')) {
          misread.push(
            `seed ${seed} (${photo.style.beadShape}/${photo.style.beadColour}): shown ${photo.digits.join('')}, read ${reading.digits.join('')}`,
          );
        }
      }
      console.log(`${engineName()}: ${columns} columns in ${SEEDS.length} photos, ${misread.length} photos misread`);
      expect(misread, misread.join('\n')).to.deep.equal([]);
    } finally {
      element.remove();
      canvas.remove();
    }
  });
});
