/** The commit a training run's code was at. */
import { execFileSync } from 'node:child_process';

/**
 * HEAD's hash, with `-dirty` when tracked files differ from it (the run's code is then not that commit's), or
 * 'unknown' outside a git checkout (a run from a tarball still trains).
 */
export function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return changed === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}
