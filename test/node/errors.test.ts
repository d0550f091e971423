import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import {
  ColumnClassifierError,
  ContractError,
  ERROR_CLASSES,
  ERROR_CODES,
  errorFromCode,
  InputError,
  isErrorCode,
  LoadError,
  StateError,
  WARNING_ONLY_CODES,
} from '../../src/errors.ts';

const FAMILIES = ['contract', 'load', 'backend', 'inference', 'input', 'state', 'disposed', 'worker', 'golden'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('errors', () => {
  it('builds the subclass that matches the code family', () => {
    const error = errorFromCode('input/zero-size-frame', 'The frame is 0 × 0.');
    assert.ok(error instanceof InputError);
    assert.ok(error instanceof ColumnClassifierError);
    assert.equal(error.code, 'input/zero-size-frame');
    assert.equal(error.family, 'input');
    assert.equal(error.name, 'InputError');
  });

  it('types contract codes by family', () => {
    const error = errorFromCode('contract/double-normalization', 'twice');
    assert.ok(error instanceof ContractError);
    assert.ok(!(error instanceof LoadError));
  });

  it('has a state family for calls that come too early, apart from bad arguments', () => {
    const error = errorFromCode('state/not-started', 'call start() first');
    assert.ok(error instanceof StateError);
    assert.ok(!(error instanceof InputError));
  });

  it('lists every code the sources name in one closed list', () => {
    const pattern = new RegExp(`['\`"]((?:${FAMILIES.join('|')})/[a-z0-9-]+)['\`"]`, 'g');
    const named = new Set<string>();
    for (const file of ['src', 'worker', 'components'].flatMap(sourceFiles)) {
      for (const match of readFileSync(file, 'utf8').matchAll(pattern)) named.add(match[1] as string);
    }
    const listed = new Set<string>([...ERROR_CODES, ...WARNING_ONLY_CODES]);
    assert.ok(named.size > 50, `found only ${named.size} codes: the scan is broken`);
    assert.deepEqual([...named].filter((code) => !listed.has(code)).sort(), []);
    assert.equal(isErrorCode('contract/made-up'), false);
    assert.equal(isErrorCode('contract/no-integrity'), true);
  });

  it('keeps every class name through minification', async () => {
    const built = await esbuild.build({
      entryPoints: ['src/errors.ts'],
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const text = built.outputFiles[0]?.text ?? '';
    const minified = (await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`)) as Record<
      string,
      unknown
    >;
    const classes = Object.keys(ERROR_CLASSES);
    for (const name of classes) {
      const ErrorClass = minified[name] as new (code: string, message: string) => Error;
      assert.notEqual(ErrorClass.name, name, `esbuild kept the name of ${name}, so this test proves nothing`);
      assert.equal(new ErrorClass('input/bad-argument', 'm').name, name);
    }
  });
});
