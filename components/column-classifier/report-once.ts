/**
 * Remembers the last thing reported, so a persistent fault met on every
 * capture tick (about ten a second) is reported once, not ten times a second.
 */
export class ReportOnce {
  private last: string | undefined;

  /** Whether `key` differs from the last key reported (and, if so, remembers it). */
  first(key: string): boolean {
    if (key === this.last) return false;
    this.last = key;
    return true;
  }

  /** Forgets the last key: its cause may have changed, so it may be reported again. */
  reset(): void {
    this.last = undefined;
  }
}
