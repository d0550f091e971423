import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    font-family: var(--cc-font-family, system-ui, sans-serif);
    color: var(--cc-color, inherit);
  }
  :host([hidden]) {
    display: none;
  }
  [part='readout'] {
    display: flex;
    gap: var(--cc-gap, 0.25rem);
    flex-wrap: wrap;
  }
  [part='digit'] {
    min-width: 2.5em;
    padding: 0.125rem 0.25rem;
    text-align: center;
    border: 1px solid var(--cc-border-color, currentColor);
    border-radius: 0.25rem;
    font-variant-numeric: tabular-nums;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  [part='status'] {
    font-size: 0.875em;
    opacity: 0.8;
  }
`;
