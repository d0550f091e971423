/**
 * The demo page's script: renders an animated synthetic soroban into a canvas
 * for the element to read, and shows what the element reports next to the
 * truth. By default the element is told nothing about where the soroban is:
 * its localizer finds the bead area and the column count. It talks to the
 * element only through its attributes and events.
 */
// Types only: the element itself comes from column-classifier.js, which the page loads beside this script.
import type { ColumnClassifier } from '../components/column-classifier/column-classifier.component.ts';
import { formatCorners } from '../components/column-classifier/corners.ts';
import { renderSoroban } from '../src/render/index.ts';
import { renderSoroban3d } from '../src/render3d/index.ts';
import type { RuntimeInfo } from '../src/worker-api/classifier-worker-api.ts';

const COLUMNS = 7;
const CHANGE_EVERY_MS = 4000;

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The demo page has no <${type.name}> #${id}.`);
  return element;
}

const canvas = byId('demo-source', HTMLCanvasElement);
const classifier = byId('classifier', HTMLElement) as ColumnClassifier;
const backendSelect = byId('backend', HTMLSelectElement);
const lookSelect = byId('look', HTMLSelectElement);
const handBox = byId('hand', HTMLInputElement);
const geometrySelect = byId('geometry', HTMLSelectElement);
const cameraButton = byId('camera', HTMLButtonElement);
const found = byId('found', HTMLElement);
const truth = byId('truth', HTMLElement);
const read = byId('read', HTMLElement);
const backendUsed = byId('backend-used', HTMLElement);
const timings = byId('timings', HTMLElement);
const log = byId('log', HTMLElement);
const correctDigits = byId('correct-digits', HTMLInputElement);
const labelCorrect = byId('label-correct', HTMLButtonElement);
const labelShown = byId('label-shown', HTMLButtonElement);
const exportSamples = byId('export-samples', HTMLButtonElement);
const clearSamples = byId('clear-samples', HTMLButtonElement);
const samples = byId('samples', HTMLElement);
const fineTuneButton = byId('fine-tune', HTMLButtonElement);
const resetModelButton = byId('reset-model', HTMLButtonElement);
const maybeContext = canvas.getContext('2d');
if (maybeContext === null) throw new Error('2D canvas is not available.');
const context: CanvasRenderingContext2D = maybeContext;

let shown: number[] = [];
let shownCorners = '';
/** When the picture shown now was drawn, and when the frame behind the last stable reading was captured. */
let drawnAt = 0;
let stableCapturedAt = -Infinity;
let seed = 1;

/** Draws a new soroban with random digits and points the element at its bead area. */
function showNext(): void {
  // With the camera on, the rendered pictures are not read: drawing one (a 3D one costs this thread a few hundred ms)
  // would only overwrite "(your camera)" with digits nobody reads.
  if (classifier.hasAttribute('camera')) return;
  seed += 1;
  const digits = Array.from({ length: COLUMNS }, (_, i) => (seed * 7 + i * 3 + ((seed * i) % 5)) % 10);
  // The 3D renderer ray casts on this page's main thread (a few hundred ms per picture): kept small.
  const photo =
    lookSelect.value === '3d'
      ? (() => {
          const p = renderSoroban3d({
            seed,
            digits,
            pitch: [50, 70],
            fill: [0.6, 0.9],
            maxSide: 720,
            hand: handBox.checked ? 1 : 0,
          });
          if (p.corners === null) throw new Error('The 3D renderer drew no soroban.');
          return { ...p, corners: p.corners };
        })()
      : renderSoroban({ seed, digits, pitch: [60, 80] });
  canvas.width = photo.width;
  canvas.height = photo.height;
  context.putImageData(new ImageData(new Uint8ClampedArray(photo.rgba), photo.width, photo.height), 0, 0);
  shown = photo.digits;
  shownCorners = formatCorners(photo.corners);
  drawnAt = performance.now();
  truth.textContent = shown.join(' ');
  tellGeometry();
}

/** Found by the localizer (the element is told nothing), or the renderer's true corners and count given. */
function tellGeometry(): void {
  if (geometrySelect.value === 'given' && !classifier.hasAttribute('camera')) {
    classifier.setAttribute('columns', String(shown.length));
    classifier.setAttribute('corners', shownCorners);
  } else {
    classifier.removeAttribute('columns');
    classifier.removeAttribute('corners');
  }
}
showNext();
setInterval(showNext, CHANGE_EVERY_MS);

backendSelect.addEventListener('change', () => classifier.setAttribute('backend', backendSelect.value));
lookSelect.addEventListener('change', showNext);
handBox.addEventListener('change', showNext);
geometrySelect.addEventListener('change', tellGeometry);
cameraButton.addEventListener('click', () => {
  // A camera user knows neither the corners nor the count: the localizer finds both.
  classifier.removeAttribute('source');
  classifier.setAttribute('camera', 'environment');
  tellGeometry();
  truth.textContent = '(your camera)';
  shown = [];
});
classifier.addEventListener('cc-progress', (event) => {
  const detail = event.detail;
  if (
    detail.stage === 'load' ||
    detail.stage === 'render' ||
    detail.stage === 'fine-tune' ||
    detail.stage === 'gate' ||
    detail.stage === 'store'
  ) {
    samples.textContent = `Fine-tuning: ${detail.stage}${detail.stage === 'fine-tune' ? ` epoch ${detail.epoch}/${detail.epochs}, step ${detail.step}/${detail.steps}, loss ${detail.loss.toFixed(3)}` : detail.stage === 'render' ? ` ${detail.done}/${detail.total} columns` : detail.stage === 'gate' ? ` (quantization) ${detail.done}/${detail.total} encodings tried` : ''}`;
    return;
  }
  const { stage, loaded, total } = detail;
  backendUsed.textContent = `loading: ${stage}${loaded === undefined ? '' : ` ${loaded}/${total ?? '?'} bytes`}`;
});
/** The backend in use and why: at cc-ready, and again once `auto` measured the others (cc-backend). */
function showRuntime(runtime: RuntimeInfo): void {
  const check = runtime.selfChecks.find((c) => c.backend === runtime.backend);
  backendUsed.textContent = `${runtime.choice} (TF.js ${runtime.tfjsVersion}, self-check max diff ${check?.maxAbsDiff.toExponential(1) ?? 'n/a'})`;
}
classifier.addEventListener('cc-backend', (event) => showRuntime(event.detail.runtime));
classifier.addEventListener('cc-ready', (event) => {
  const { runtime } = event.detail;
  showRuntime(runtime);
});
classifier.addEventListener('cc-reading', (event) => {
  if (event.detail.stable) stableCapturedAt = event.detail.capturedAt;
  const reading = event.detail;
  read.textContent = `${reading.digits.join(' ')}  (confidence ${reading.confidence.toFixed(2)}${reading.stable ? ', stable' : ''})`;
  read.className = reading.digits.join(',') === shown.join(',') ? 'correct' : 'wrong';
  const location = reading.location;
  found.textContent =
    location === undefined
      ? 'given: corners and column count set on the element'
      : location.found
        ? `${location.columns} columns (count sure at ${location.countConfidence.toFixed(2)}), presence ${location.presence.toFixed(2)}${location.fresh ? ` (localizer ${location.ms.toFixed(0)} ms)` : ''}`
        : `no whole soroban in view (presence ${location.presence.toFixed(2)})`;
  const t = reading.timings;
  timings.textContent = `capture ${t.capture.toFixed(1)} · transfer ${t.transfer.toFixed(1)} · preprocess ${t.preprocess.toFixed(1)} · predict ${t.predict.toFixed(1)} · decode ${t.decode.toFixed(2)} · round trip ${t.roundTrip.toFixed(1)} ms`;
});
classifier.addEventListener('cc-warning', (event) => {
  log.textContent += `warning ${event.detail.code}: ${event.detail.message}\n`;
});
classifier.addEventListener('cc-error', (event) => {
  log.textContent += `error ${event.detail.error.code}: ${event.detail.error.message}\n`;
});

/**
 * Self-labelled samples: the page knows what the soroban shows (here, what it drew; in a trainer app, the answer a
 * student got right) and says so, and the element keeps the last frame's columns with those digits.
 */
async function keep(digits: readonly number[]): Promise<void> {
  try {
    await classifier.label(digits);
  } catch (error) {
    samples.textContent = `Not kept: ${error instanceof Error ? error.message : String(error)}`;
  }
}
labelCorrect.addEventListener('click', () => {
  const digits = correctDigits.value
    .replace(/[^0-9]/g, '')
    .split('')
    .map(Number);
  void keep(digits);
});
labelShown.addEventListener('click', () => {
  // The digits drawn label the frame behind the stable reading only if that frame shows this picture.
  if (stableCapturedAt < drawnAt) {
    samples.textContent = 'Not kept: the picture changed after the last stable reading; wait for the next one.';
    return;
  }
  void keep(shown);
});
classifier.addEventListener('cc-sample', (event) => {
  const { columns, total, dropped, set } = event.detail;
  samples.textContent = `Kept ${columns} columns; ${total} in the set "${set}"${dropped > 0 ? ` (${dropped} older dropped)` : ''}.`;
});
exportSamples.addEventListener('click', () => {
  void classifier.exportSamples().then((zip) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(zip);
    link.download = 'column-classifier-samples.zip';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });
});
clearSamples.addEventListener('click', () => {
  void classifier.clearSamples().then(() => (samples.textContent = 'No samples kept.'));
});
fineTuneButton.addEventListener('click', () => {
  fineTuneButton.disabled = true;
  void classifier
    .fineTune()
    .then(
      (outcome) =>
        (samples.textContent = `Fine-tune ${outcome.accepted ? 'accepted and in use' : 'refused'}: ${outcome.summary}${outcome.failures.length > 0 ? ` (${outcome.failures.join('; ')})` : ''}`),
      (error: unknown) =>
        (samples.textContent = `Fine-tune failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    .finally(() => (fineTuneButton.disabled = false));
});
resetModelButton.addEventListener('click', () => {
  void classifier.resetModel().then(() => (samples.textContent = 'Back to the shipped model.'));
});
