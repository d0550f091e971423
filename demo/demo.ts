/**
 * The demo page's script: draws a changing canvas for the element to read and
 * shows what the element reports. It talks to the element only through its
 * public attributes and events.
 */
const canvas = document.getElementById('demo-source');
const classifier = document.getElementById('classifier');
const backendSelect = document.getElementById('backend');
const log = document.getElementById('log');
if (!(canvas instanceof HTMLCanvasElement) || classifier === null || !(backendSelect instanceof HTMLSelectElement) || log === null) {
  throw new Error('The demo page is missing one of its elements.');
}
const maybeContext = canvas.getContext('2d');
if (maybeContext === null) throw new Error('2D canvas is not available.');
const context: CanvasRenderingContext2D = maybeContext;
const { width, height } = canvas;

const COLUMNS = 13;
let tick = 0;

/** Paints 13 columns whose greys change each second, so the readings can be checked by eye. */
function paint(): void {
  for (let column = 0; column < COLUMNS; column += 1) {
    const grey = Math.round((((column * 7 + tick * 3) % COLUMNS) / (COLUMNS - 1)) * 255);
    context.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
    const left = Math.round((column * width) / COLUMNS);
    const right = Math.round(((column + 1) * width) / COLUMNS);
    context.fillRect(left, 0, right - left, height);
  }
  tick += 1;
}
paint();
setInterval(paint, 1000);

backendSelect.addEventListener('change', () => classifier.setAttribute('backend', backendSelect.value));
classifier.addEventListener('cc-ready', (event) => {
  log.textContent = `ready on ${event.detail.runtime.backend} (TF.js ${event.detail.runtime.tfjsVersion})\n`;
});
classifier.addEventListener('cc-reading', (event) => {
  const { timings, backend } = event.detail;
  log.textContent = `backend ${backend}\ncapture ${timings.capture.toFixed(2)} ms · worker ${timings.total.toFixed(2)} ms · round trip ${timings.roundTrip.toFixed(2)} ms\n`;
});
classifier.addEventListener('cc-warning', (event) => {
  log.textContent += `warning ${event.detail.code}: ${event.detail.message}\n`;
});
classifier.addEventListener('cc-error', (event) => {
  log.textContent += `error ${event.detail.error.code}: ${event.detail.error.message}\n`;
});

export {};
