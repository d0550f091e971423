#!/usr/bin/env node
// The published package runs the compiled CLI (dist/cli/, built by
// scripts/build-cli.mjs) and needs nothing but its runtime dependencies. A
// checkout of the repository, where src/ exists, runs the TypeScript sources
// through tsx instead, so changes need no build.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
