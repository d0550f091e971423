/**
 * What ships, read as a consumer gets it: the minified bundles in dist/ (built by `npm run build`
 * before the browser tests).
 */
import { expect } from '@esm-bundle/chai';
import { ERROR_CLASSES } from '../../src/errors.ts';

/** The built element module; imported by URL so that the test runner does not bundle the sources instead. */
const BUNDLE_URL = '/dist/column-classifier.js';
const WORKER_URL = '/dist/column-classifier.worker.js';

interface BuiltErrors {
  readonly [name: string]: unknown;
}

describe('the built bundles', function () {
  it('name every error class by its own name, minified or not', async function () {
    const built = (await import(/* @vite-ignore */ BUNDLE_URL)) as BuiltErrors;
    const classes = Object.keys(ERROR_CLASSES);
    for (const name of classes) {
      const ErrorClass = built[name] as new (code: string, message: string) => Error;
      expect(ErrorClass, name).to.be.a('function');
      expect(new ErrorClass('input/bad-argument', 'm').name).to.equal(name);
    }
  });

  it("gives the element's cc-error the class name of its error", async function () {
    await import(/* @vite-ignore */ BUNDLE_URL);
    const element = document.createElement('column-classifier');
    element.setAttribute('model', '/test/fixtures/no-such-model/model.json');
    element.setAttribute('backend', 'cpu');
    const failed = new Promise<CustomEvent<{ error: Error }>>((resolve) =>
      element.addEventListener('cc-error', (event) => resolve(event as CustomEvent<{ error: Error }>), { once: true }),
    );
    document.body.append(element);
    try {
      const { error } = (await failed).detail;
      expect(error.name).to.equal('LoadError');
    } finally {
      element.remove();
    }
  });

  it('carry no test hooks: no simulateFault, nor the faults it simulated, in the element or the worker', async function () {
    for (const url of [BUNDLE_URL, WORKER_URL]) {
      const text = await (await fetch(url)).text();
      expect(text.length, url).to.be.greaterThan(1000);
      for (const hook of ['simulateFault', 'stallNextCall', 'Simulated uncaught error']) {
        expect(text.includes(hook), `${url} contains "${hook}"`).to.equal(false);
      }
    }
  });
});
