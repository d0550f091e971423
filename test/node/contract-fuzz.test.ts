import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateContract } from '../../src/contract/validate.ts';
import { ContractError } from '../../src/errors.ts';
import { brokenContract, fuzzRuns, jsonPaths, replaceAt, validContract } from '../fixtures/contract-arbitraries.ts';

/** The slowest a validation may take: a hang or a blow-up fails the property (wall clock, generous for a loaded machine). */
const MAX_MS = 5000;

/** Tries, acceptances and rejections by code, printed at the end for the notes. */
class Tally {
  tried = 0;
  accepted = 0;
  readonly rejected = new Map<string, number>();

  validate(json: unknown): { error: ContractError | undefined } {
    this.tried++;
    const started = performance.now();
    try {
      validateContract(json, 'the fuzzed contract');
      this.accepted++;
      return { error: undefined };
    } catch (error) {
      // Anything but a ContractError (a TypeError from a getter, a RangeError from recursion) fails here.
      assert.ok(error instanceof ContractError, `threw ${String(error)}`);
      this.rejected.set(error.code, (this.rejected.get(error.code) ?? 0) + 1);
      return { error };
    } finally {
      const ms = performance.now() - started;
      assert.ok(ms < MAX_MS, `validation took ${ms.toFixed(0)} ms`);
    }
  }

  toString(): string {
    const codes = [...this.rejected].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
    return `${this.tried} tried, ${this.accepted} accepted, ${this.tried - this.accepted} rejected: ${codes.join(', ')}`;
  }
}

describe('contract fuzzing', () => {
  it('accepts every valid contract drawn from the whole schema', (t) => {
    const tally = new Tally();
    fc.assert(
      fc.property(validContract, (contract) => {
        const { error } = tally.validate(contract);
        assert.equal(error, undefined, error?.message);
      }),
      fuzzRuns(100, 20_000),
    );
    t.diagnostic(tally.toString());
  });

  it('rejects every contract broken in one field with a ContractError whose message names the field', (t) => {
    const tally = new Tally();
    const byKind = new Map<string, number>();
    fc.assert(
      fc.property(brokenContract, ({ contract, path, kind }) => {
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        const { error } = tally.validate(contract);
        assert.ok(error !== undefined, `${kind} at ${path} was accepted`);
        assert.ok(error.message.includes(`\`${path}\``), `${kind}: "${error.message}" does not name \`${path}\``);
      }),
      fuzzRuns(200, 40_000),
    );
    t.diagnostic(`${tally}; mutations: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  });

  it('answers any value put anywhere in a contract with acceptance or a ContractError naming a field', (t) => {
    const tally = new Tally();
    const anywhere = validContract.chain((valid) =>
      fc
        .tuple(fc.constantFrom(...jsonPaths(valid)), fc.oneof(fc.jsonValue(), fc.anything()))
        .map(([path, value]) => replaceAt(valid, path, value)),
    );
    fc.assert(
      fc.property(anywhere, (json) => {
        const { error } = tally.validate(json);
        if (error !== undefined) assert.match(error.message, /field `[^`]+`|must be a JSON object/);
      }),
      fuzzRuns(200, 40_000),
    );
    t.diagnostic(tally.toString());
  });
});
