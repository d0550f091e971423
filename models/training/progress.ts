/**
 * A one-line progress bar for training: epoch, step, loss, per-head
 * accuracy, images/s and ETA. On a terminal it redraws in place; in a log
 * file (nohup) it prints a line every `everySteps` steps instead.
 */

/** Numbers shown on the bar. */
export interface ProgressState {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly heavenAccuracy: number;
  readonly earthAccuracy: number;
  readonly imagesPerSecond: number;
  /** Seconds left (estimated). */
  readonly eta: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The bar as text, e.g. `epoch 3/12 [#####.....] 120/313 loss 0.142 heaven 99.1% earth 97.3% 182 img/s ETA 12:40`. */
export function formatProgress(p: ProgressState, width = 20): string {
  const filled = Math.round((p.step / Math.max(1, p.steps)) * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  return (
    `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ` +
    `heaven ${(100 * p.heavenAccuracy).toFixed(1)}% earth ${(100 * p.earthAccuracy).toFixed(1)}% ` +
    `${p.imagesPerSecond.toFixed(0)} img/s ETA ${clock(p.eta)}`
  );
}

/** Writes progress to a stream: in place on a TTY, as periodic lines otherwise. */
export class ProgressBar {
  private lastLine = -Infinity;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everySteps = 50,
  ) {}

  update(p: ProgressState): void {
    const text = formatProgress(p);
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}\u001b[K`);
      if (p.step === p.steps) this.stream.write('\n');
    } else if (p.step - this.lastLine >= this.everySteps || p.step === p.steps || p.step < this.lastLine) {
      this.stream.write(`${text}\n`);
      this.lastLine = p.step;
    }
  }

  /** Prints a whole line (not part of the bar). */
  log(line: string): void {
    this.stream.write(`${this.stream.isTTY ? '\r\u001b[K' : ''}${line}\n`);
  }
}
