import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnClassifierError, errorFromCode, InputError, LoadError, ContractError } from '../../src/errors.ts';

describe('errors', () => {
  it('builds the subclass that matches the code family', () => {
    const error = errorFromCode('input/zero-size-frame', 'The frame is 0 × 0.');
    assert.ok(error instanceof InputError);
    assert.ok(error instanceof ColumnClassifierError);
    assert.equal(error.code, 'input/zero-size-frame');
    assert.equal(error.family, 'input');
    assert.equal(error.name, 'InputError');
  });

  it('keeps contract codes open-ended but typed by family', () => {
    const error = errorFromCode('contract/double-normalization', 'twice');
    assert.ok(error instanceof ContractError);
    assert.ok(!(error instanceof LoadError));
  });
});
