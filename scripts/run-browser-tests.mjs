// Runs web-test-runner as a child and guarantees that nothing it started outlives it.
//
// Browsers are started by puppeteer and WebKitWebDriver in process groups of their own, so
// killing one group is not enough, and an interrupted runner can exit before it closes them.
// Every process the run starts inherits CC_TEST_RUN (puppeteer, WebKitWebDriver and Xvfb
// pass the environment on); when the runner ends, however it ends, the processes that still
// carry this run's marker in /proc/<pid>/environ are killed and counted.
//
// It also says how the runner ended: a runner killed by a signal (the out-of-memory killer,
// a crash) is reported by name instead of as a bare "exit 1".
//
// Without ENGINES, the engines run one after another, each in a runner of its own (ENGINES set
// to it), not all three at once: on a 2-core machine three browsers and their workers starve
// each other, and WebKit's WebDriver then misses its command timeouts (a navigation that never
// answered, "invalid session id") although every test passes with the engine alone. Every
// engine runs even when one fails; the exit code is the first failure's.
//
// An engine whose run stopped because its WebDriver left a navigation unanswered, with no test
// failed (browser-run-outcome.mjs says which output that is), runs once more, and says so:
// WebKit's driver now and then does that even when it runs alone.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RunOutput } from './browser-run-outcome.mjs';

const bin = fileURLToPath(new URL('../node_modules/@web/test-runner/dist/bin.js', import.meta.url));
const ENGINES = ['chromium', 'firefox', 'webkit'];

/** Pids of live processes whose environment holds `marker`. */
function markedProcesses(marker) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (environ.split('\0').includes(marker)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function killAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function commandName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** Kills the processes that still carry `marker`; resolves to their names. */
async function sweep(marker) {
  // Children that end on their own when the runner's pipes close (esbuild's service) get a moment.
  const graceUntil = Date.now() + 2000;
  while (Date.now() < graceUntil && markedProcesses(marker).length > 0) await new Promise((r) => setTimeout(r, 100));
  const left = markedProcesses(marker);
  if (left.length === 0) return [];
  const names = left.map((pid) => `${commandName(pid)} (${pid})`);
  killAll(left, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && markedProcesses(marker).length > 0) await new Promise((r) => setTimeout(r, 100));
  killAll(markedProcesses(marker), 'SIGKILL');
  return names;
}

// A reader that stops reading (`npm test | head`) must not kill this process before it has swept
// the browsers the run started.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });

let interrupted;
let runner;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted !== undefined) {
      // A second signal: stop waiting for a graceful end.
      runner?.kill('SIGKILL');
      return;
    }
    interrupted = signal;
    // SIGINT is web-test-runner's own way to stop: it closes its browsers and exits.
    runner?.kill('SIGINT');
    setTimeout(() => runner?.kill('SIGKILL'), 20000).unref();
  });
}

/**
 * Runs web-test-runner once with `env`, then sweeps what it left; resolves to its exit code and
 * what its output showed (passed through to this process's stdout and stderr as it comes).
 */
function runOnce(env) {
  const marker = `CC_TEST_RUN=${randomUUID()}`;
  const output = new RunOutput();
  return new Promise((resolve) => {
    runner = spawn(process.execPath, [bin, ...process.argv.slice(2)], {
      stdio: ['inherit', 'pipe', 'pipe'],
      env: { ...env, CC_TEST_RUN: marker.slice('CC_TEST_RUN='.length) },
    });
    // Decoded as text by the streams, so a character split between two chunks arrives whole.
    runner.stdout.setEncoding('utf8');
    runner.stderr.setEncoding('utf8');
    runner.stdout.on('data', (text) => {
      process.stdout.write(text);
      output.add(text);
    });
    runner.stderr.on('data', (text) => {
      process.stderr.write(text);
      output.add(text);
    });
    const closed = new Promise((resolveClosed) => runner.on('close', resolveClosed));
    runner.on('exit', async (code, signal) => {
      const swept = await sweep(marker);
      // The last output may still be in the pipes (and processes it started held them open until swept).
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (swept.length > 0)
        console.error(
          `run-browser-tests: killed ${swept.length} process(es) the test run left behind: ${swept.join(', ')}.`,
        );
      if (signal !== null && interrupted === undefined) {
        console.error(
          `run-browser-tests: web-test-runner was killed by ${signal} (not by this script): out of memory or a crash; see dmesg.`,
        );
      }
      resolve({ code: code ?? 1, output });
    });
  });
}

const runs =
  process.env.ENGINES === undefined ? ENGINES.map((engine) => ({ ...process.env, ENGINES: engine })) : [process.env];
let failed = 0;
for (const env of runs) {
  if (runs.length > 1) console.log(`\nrun-browser-tests: ${env.ENGINES}`);
  const first = await runOnce(env);
  let code = first.code;
  if (interrupted !== undefined) process.exit(128 + (constants.signals[interrupted] ?? 2));
  const stall = code === 0 ? undefined : first.output.webDriverStall;
  if (stall !== undefined) {
    console.error(
      `run-browser-tests: ${env.ENGINES ?? 'the run'} stopped with no test failed because its WebDriver left a navigation unanswered (${stall}); running it once more.`,
    );
    ({ code } = await runOnce(env));
    if (interrupted !== undefined) process.exit(128 + (constants.signals[interrupted] ?? 2));
  }
  if (code !== 0 && failed === 0) failed = code;
  if (code !== 0 && runs.length > 1) console.error(`run-browser-tests: ${env.ENGINES} failed (exit ${code}).`);
}
process.exit(failed);
