// Runs every test/node/**/*.test.ts with node:test. Node 20's --test does not
// expand globs itself, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// --full-fuzz: the fuzzing tests at full size with a fresh seed (`npm run fuzz`); see test/fixtures/contract-arbitraries.ts.
const fullFuzz = process.argv.includes('--full-fuzz');
const filter = process.argv.slice(2).filter((arg) => arg !== '--full-fuzz');
const files = testFiles('test/node').filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('No Node test files found under test/node.');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: fullFuzz ? { ...process.env, FUZZ: 'full' } : process.env,
});
process.exit(result.status ?? 1);
