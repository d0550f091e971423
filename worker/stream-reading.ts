/**
 * What the worker needs only once a page hands it a video stream (a camera or a `MediaStream` source, in
 * Chromium): imported on demand, so that a page reading a canvas or an image does not fetch it.
 */
export { StreamFrameReader } from './stream-frame-reader.ts';
export { StreamWatch } from './stream-watch.ts';
