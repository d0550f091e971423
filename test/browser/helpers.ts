/** Small helpers shared by browser tests. */

/** RGB colours of test strips and their BT.601 grey values. */
export const STRIP_COLOURS: ReadonlyArray<{ rgb: readonly [number, number, number]; grey: number }> = [
  { rgb: [255, 0, 0], grey: 0.299 * 255 },
  { rgb: [0, 255, 0], grey: 0.587 * 255 },
  { rgb: [0, 0, 255], grey: 0.114 * 255 },
  { rgb: [40, 80, 120], grey: 0.299 * 40 + 0.587 * 80 + 0.114 * 120 },
];

/** A canvas of equal vertical strips, one per colour. */
export function stripCanvas(stripWidth = 16, height = 32): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = stripWidth * STRIP_COLOURS.length;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('2D canvas is not available');
  STRIP_COLOURS.forEach(({ rgb }, index) => {
    context.fillStyle = `rgb(${rgb.join(',')})`;
    context.fillRect(index * stripWidth, 0, stripWidth, height);
  });
  return canvas;
}

/** Raw bitmap of a canvas, captured the way the element does it. */
export function rawBitmap(source: HTMLCanvasElement): Promise<ImageBitmap> {
  return createImageBitmap(source, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
}

/** Resolves with the first event of that name on `target`. */
export function nextEvent<K extends keyof HTMLElementEventMap>(target: HTMLElement, name: K): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

/** The engine under test, for messages. */
export function engineName(): string {
  const agent = navigator.userAgent;
  if (agent.includes('Firefox/')) return 'firefox';
  if (agent.includes('Chrome/')) return 'chromium';
  return 'webkit';
}
