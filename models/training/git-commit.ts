/** The commit a training run's code was at. */
import { execFileSync } from 'node:child_process';

/** HEAD's hash, or 'unknown' outside a git checkout (a run from a tarball still trains). */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
