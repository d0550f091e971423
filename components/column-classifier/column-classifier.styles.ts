import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    font-family: var(--cc-font-family, system-ui, sans-serif);
    color: var(--cc-color, inherit);
  }
  :host([hidden]) {
    display: none;
  }
  .preview {
    position: relative;
    width: 100%;
    line-height: 0;
    touch-action: none;
  }
  [part='frame'] {
    width: 100%;
    height: 100%;
    display: block;
    object-fit: fill;
  }
  [part='overlay'] {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    pointer-events: none;
  }
  [part='bead-area'] {
    fill: none;
    stroke: var(--cc-accent, #1a73e8);
    stroke-width: 0.4%;
    stroke-dasharray: 4 3;
    vector-effect: non-scaling-stroke;
  }
  [part='column-box'] {
    fill: none;
    stroke: var(--cc-accent, #1a73e8);
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
  }
  .unstable [part='column-box'] {
    stroke: var(--cc-unstable, #e8a317);
  }
  [part='column-digit'] {
    fill: var(--cc-accent, #1a73e8);
    stroke: white;
    stroke-width: 0.06em;
    paint-order: stroke;
    font-weight: 700;
    font-family: var(--cc-font-family, system-ui, sans-serif);
  }
  .handle {
    position: absolute;
    width: 28px;
    height: 28px;
    margin: -14px 0 0 -14px;
    border-radius: 50%;
    border: 3px solid white;
    background: var(--cc-accent, #1a73e8);
    box-shadow: 0 0 0 1px rgb(0 0 0 / 0.4);
    cursor: grab;
    padding: 0;
    touch-action: none;
  }
  .handle:focus-visible {
    outline: 3px solid var(--cc-unstable, #e8a317);
    outline-offset: 2px;
  }
  [part='readout'] {
    display: flex;
    gap: var(--cc-gap, 0.25rem);
    flex-wrap: wrap;
    margin-top: 0.5rem;
  }
  [part='digit'] {
    min-width: 1.5em;
    padding: 0.125rem 0.25rem;
    text-align: center;
    border: 1px solid var(--cc-border-color, currentColor);
    border-radius: 0.25rem;
    font-variant-numeric: tabular-nums;
  }
  [part='status'] {
    font-size: 0.875rem;
    opacity: 0.8;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
