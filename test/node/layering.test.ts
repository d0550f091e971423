import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Every .ts file under the given folders. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative imports (and re-exports) of each file, resolved to repository paths. */
function importGraph(dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) =>
      normalize(join(dirname(file), m[1] as string)),
    );
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles, each as its files in order. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (state.get(target) === 'open') found.push(stack.slice(stack.indexOf(target)));
      else if (state.get(target) === undefined) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

const graph = importGraph(['src', 'worker', 'components']);

function importsUnder(from: string, to: string): string[] {
  return [...graph].flatMap(([file, targets]) =>
    file.startsWith(from) ? targets.filter((t) => t.startsWith(to)).map((t) => `${file} → ${t}`) : [],
  );
}

describe('layering', () => {
  it('reads the imports (the scan finds the ones it must)', () => {
    assert.ok((graph.get(join('src', 'model', 'load.ts')) ?? []).includes(join('src', 'model', 'inspect.ts')));
  });

  it('keeps src/model/ from importing src/quantize/', () => {
    assert.deepEqual(importsUnder(join('src', 'model'), join('src', 'quantize')), []);
  });

  it('keeps src/quantize/ from importing models/training/', () => {
    assert.deepEqual(importsUnder(join('src', 'quantize'), join('models', 'training')), []);
  });

  it('has no import circle in src, worker or components', () => {
    assert.deepEqual(cycles(graph), []);
  });
});
