import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ContractError } from '../../src/errors.ts';
import { validateContract } from '../../src/contract/validate.ts';
import { contractJsonSchemaText } from '../../src/contract/json-schema.ts';
import { describeContractField } from '../../src/contract/field-descriptions.ts';
import { fieldGraphContract, testLocalizerContract, testModelContract, type Mutable } from '../fixtures/contracts.ts';
import { classifierDecode, locateDecode, modelKind } from '../../src/contract/model-kind.ts';
import type { ModelContract } from '../../src/contract/schema.ts';

function rejects(contract: unknown, code: string, pathInMessage: string): ContractError {
  let caught: unknown;
  try {
    validateContract(contract, 'test contract');
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ContractError, `expected a ContractError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.message.includes(pathInMessage), `message should name ${pathInMessage}: ${caught.message}`);
  return caught;
}

function broken(edit: (c: Mutable<ModelContract>) => void): Mutable<ModelContract> {
  const contract = testModelContract();
  edit(contract);
  return contract;
}

const goldenInput = Buffer.from(new Float32Array(16 * 8).buffer).toString('base64');

describe('contract schema', () => {
  it('accepts the test model contract and the field graph contract', () => {
    assert.equal(validateContract(testModelContract()).input.height, 16);
    assert.equal(validateContract(fieldGraphContract()).heads[1]?.output, 'output_1');
  });

  it('accepts a contract with golden cases, integrity, quantization and provenance', () => {
    const contract = broken((c) => {
      c.golden = {
        tolerance: 1e-4,
        cases: [
          {
            input: { kind: 'float32-base64', data: goldenInput },
            expected: { heaven: [0.5], earth: [0.2, 0.2, 0.2, 0.2, 0.2] },
          },
        ],
      };
      c.integrity = { algorithm: 'sha256', shards: { 'group1-shard1of1.bin': 'a'.repeat(64) } };
      c.quantization = {
        'conv/kernel': { dtype: 'uint8', agreement: { metric: 'max-abs-output-diff', value: 0.001 } },
      };
      c.provenance = { trainedBy: 'models/training', trainedAt: '2026-11-25T10:00:00Z' };
    });
    assert.equal(validateContract(contract).golden?.cases.length, 1);
  });

  it('accepts a whole-photo golden case with one value per column and unit, and refuses one sized for a single column', () => {
    const corners = {
      topLeft: { x: 0.1, y: 0.1 },
      topRight: { x: 0.9, y: 0.1 },
      bottomRight: { x: 0.9, y: 0.9 },
      bottomLeft: { x: 0.1, y: 0.9 },
    };
    const photoCase = (columns: number) =>
      broken((c) => {
        c.golden = {
          tolerance: 1e-4,
          cases: [
            {
              input: { kind: 'png', path: 'golden/photo.png', photo: { columns: 3, corners } },
              expected: { heaven: Array(columns).fill(0.5), earth: Array(columns * 5).fill(0.2) },
            },
          ],
        };
      });
    assert.equal(validateContract(photoCase(3)).golden?.cases[0]?.input.kind, 'png');
    const error = rejects(photoCase(1), 'contract/golden-output-size', 'golden.cases[0].expected.heaven');
    assert.match(error.message, /× 3 columns/);
  });

  it('rejects a contract that is not an object', () =>
    void rejects(42, 'contract/not-an-object', '(the contract itself)'));
  it('rejects a missing field and names its path', () => {
    const error = rejects(
      broken((c) => {
        delete (c.input as { inputRange?: unknown; grey?: unknown }).grey;
      }),
      'contract/missing-field',
      'input.grey',
    );
    assert.match(error.message, /Colour to grey formula/);
  });
  it('rejects a field of the wrong type', () =>
    void rejects(
      broken((c) => {
        (c.input as { height: unknown }).height = '16';
      }),
      'contract/wrong-type',
      'input.height',
    ));
  it('rejects a value outside an enumeration', () =>
    void rejects(
      broken((c) => {
        (c.heads[0] as { activation: string }).activation = 'relu';
      }),
      'contract/invalid-value',
      'heads[0].activation',
    ));
  it('rejects an unsupported schema version', () =>
    void rejects(
      broken((c) => {
        (c as { schemaVersion: number }).schemaVersion = 2;
      }),
      'contract/unsupported-version',
      'schemaVersion',
    ));
  it('rejects a negative golden tolerance', () =>
    void rejects(
      broken((c) => {
        c.golden = {
          tolerance: -0.1,
          cases: [
            { input: { kind: 'float32-base64', data: goldenInput }, expected: { heaven: [0], earth: [0, 0, 0, 0, 1] } },
          ],
        };
      }),
      'contract/out-of-range',
      'golden.tolerance',
    ));
  it('rejects an unknown field (a typo)', () => {
    const error = rejects(
      broken((c) => {
        (c.input as Record<string, unknown>)['inputRnage'] = { min: 0, max: 1 };
      }),
      'contract/unknown-field',
      'input.inputRnage',
    );
    assert.match(error.message, /inputRnage/);
  });
  it('rejects a malformed shard hash', () =>
    void rejects(
      broken((c) => {
        c.integrity = { algorithm: 'sha256', shards: { 'a.bin': 'XYZ' } };
      }),
      'contract/bad-format',
      'integrity.shards.a.bin',
    ));
  it('rejects two heads with the same name', () =>
    void rejects(
      broken((c) => {
        c.heads.push({ ...c.heads[0]!, output: 'other' });
      }),
      'contract/duplicate-head',
      'heads[2].name',
    ));
  it('rejects two heads bound to the same output', () =>
    void rejects(
      broken((c) => {
        c.heads[1]!.output = 'heaven';
      }),
      'contract/duplicate-head-output',
      'heads[1].output',
    ));
  it('rejects an input shape that contradicts the channels', () =>
    void rejects(
      broken((c) => {
        c.input.shape = [null, 16, 8, 3];
      }),
      'contract/input-shape-mismatch',
      'input.shape',
    ));
  it('rejects an input larger than a column needs, before anything allocates it', () =>
    void rejects(
      broken((c) => {
        c.input.height = 4096;
        c.input.width = 4096;
        c.input.shape = [null, 4096, 4096, c.input.channels];
      }),
      'contract/out-of-range',
      'input.height',
    ));
  it('rejects an empty input range', () =>
    void rejects(
      broken((c) => {
        c.input.inputRange = { min: 1, max: 1 };
      }),
      'contract/empty-input-range',
      'input.inputRange',
    ));
  it("accepts a localizer's contract and tells its kind from a column classifier's", () => {
    const localizer = validateContract(testLocalizerContract());
    assert.equal(modelKind(localizer), 'localizer');
    assert.equal(locateDecode(localizer).count, 'count');
    assert.equal(modelKind(validateContract(testModelContract())), 'column-classifier');
  });

  it('refuses a model of the other kind with a typed error that says where it belongs', () => {
    const localizer = validateContract(testLocalizerContract());
    assert.throws(
      () => classifierDecode(localizer, 'models/localizer/model.json'),
      (error: unknown) =>
        error instanceof ContractError &&
        error.code === 'contract/wrong-model-kind' &&
        /models\/localizer\/model.json is a localizer/.test(error.message) &&
        /localizer model/.test(error.message),
    );
    assert.throws(
      () => locateDecode(validateContract(testModelContract())),
      (error: unknown) => error instanceof ContractError && error.code === 'contract/wrong-model-kind',
    );
  });

  it('rejects a localizer whose heads are not what its decode says (corners must be linear × 8, count softmax)', () => {
    const localizer = (edit: (c: Mutable<ModelContract>) => void) => {
      const c = testLocalizerContract();
      edit(c);
      return c;
    };
    rejects(
      localizer((c) => {
        Object.assign(c.heads[0] ?? {}, { activation: 'sigmoid' });
      }),
      'contract/decode-head-mismatch',
      'decode.corners',
    );
    rejects(
      localizer((c) => {
        Object.assign(c.heads[0] ?? {}, { shape: [null, 4] });
      }),
      'contract/decode-head-mismatch',
      'decode.corners',
    );
    rejects(
      localizer((c) => {
        Object.assign(c.heads[2] ?? {}, { activation: 'sigmoid', shape: [null, 1] });
      }),
      'contract/decode-head-mismatch',
      'decode.count',
    );
    rejects(
      localizer((c) => {
        Object.assign(c.decode, { presence: 'present' });
      }),
      'contract/decode-unknown-head',
      'decode.presence',
    );
  });

  it('rejects a decode rule naming a head that does not exist', () =>
    void rejects(
      broken((c) => {
        Object.assign(c.decode, { earth: 'ground' });
      }),
      'contract/decode-unknown-head',
      'decode.earth',
    ));
  it('rejects a readable head that is missing or not a single sigmoid', () => {
    rejects(
      broken((c) => {
        Object.assign(c.decode, { readable: 'seen' });
      }),
      'contract/decode-unknown-head',
      'decode.readable',
    );
    rejects(
      broken((c) => {
        c.heads.push({ name: 'seen', output: 'seen', shape: [null, 2], activation: 'softmax', meaning: '' });
        Object.assign(c.decode, { readable: 'seen' });
      }),
      'contract/decode-head-mismatch',
      'decode.readable',
    );
  });
  it('rejects a heaven head that is not a single sigmoid', () =>
    void rejects(
      broken((c) => {
        c.heads[0]!.shape = [null, 2];
      }),
      'contract/decode-head-mismatch',
      'decode.heaven',
    ));
  it('rejects a softmax over one unit', () =>
    void rejects(
      broken((c) => {
        c.heads.push({ name: 'extra', output: 'extra', shape: [null, 1], activation: 'softmax', meaning: '' });
      }),
      'contract/softmax-single-unit',
      'heads[2].shape',
    ));
  it('rejects golden values for an unknown head', () =>
    void rejects(
      broken((c) => {
        c.golden = {
          tolerance: 0,
          cases: [
            { input: { kind: 'png', path: 'a.png' }, expected: { heaven: [0], earth: [0, 0, 0, 0, 1], sky: [1] } },
          ],
        };
      }),
      'contract/golden-unknown-head',
      'golden.cases[0].expected.sky',
    ));
  it('rejects a golden case missing a head', () =>
    void rejects(
      broken((c) => {
        c.golden = { tolerance: 0, cases: [{ input: { kind: 'png', path: 'a.png' }, expected: { heaven: [0] } }] };
      }),
      'contract/golden-missing-head',
      'golden.cases[0].expected',
    ));
  it('rejects golden values of the wrong length', () =>
    void rejects(
      broken((c) => {
        c.golden = {
          tolerance: 0,
          cases: [{ input: { kind: 'png', path: 'a.png' }, expected: { heaven: [0], earth: [1] } }],
        };
      }),
      'contract/golden-output-size',
      'golden.cases[0].expected.earth',
    ));
  it('rejects a golden input of the wrong size', () =>
    void rejects(
      broken((c) => {
        c.golden = {
          tolerance: 0,
          cases: [
            { input: { kind: 'float32-base64', data: 'AAAAAA==' }, expected: { heaven: [0], earth: [0, 0, 0, 0, 1] } },
          ],
        };
      }),
      'contract/golden-input-size',
      'golden.cases[0].input.data',
    ));

  it('lists every problem in details', () => {
    const error = rejects(
      broken((c) => {
        Object.assign(c.decode, { earth: 'ground' });
        c.input.inputRange = { min: 2, max: 1 };
      }),
      'contract/empty-input-range',
      'input.inputRange',
    );
    assert.equal((error.details?.['issues'] as unknown[]).length, 2);
  });

  it('matches the committed models/contract.schema.json (regenerate with `column-classifier schema --write`)', async () => {
    const committed = await readFile(new URL('../../models/contract.schema.json', import.meta.url), 'utf8');
    assert.equal(committed, contractJsonSchemaText());
  });

  it('describes every field as the JSON Schema does (error messages say what a field is for)', () => {
    type Node = {
      description?: string;
      properties?: Record<string, Node>;
      items?: Node;
      additionalProperties?: Node | boolean;
      oneOf?: Node[];
      anyOf?: Node[];
    };
    // Every path the JSON Schema has, with the description it gives there (the first among a union's options).
    const expected = new Map<string, string | undefined>();
    const walk = (node: Node, path: (string | number)[], sameField: Node[]) => {
      const key = JSON.stringify(path);
      const described = [...sameField, node].find((n) => n.description !== undefined)?.description;
      if (!expected.has(key) || expected.get(key) === undefined) expected.set(key, described);
      for (const option of [...(node.oneOf ?? []), ...(node.anyOf ?? [])]) walk(option, path, [...sameField, node]);
      if (node.items !== undefined) walk(node.items, [...path, 0], []);
      for (const [name, field] of Object.entries(node.properties ?? {})) walk(field, [...path, name], []);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, [...path, 'anyName'], []);
    };
    walk(JSON.parse(contractJsonSchemaText()) as Node, [], []);
    const described = [...expected.values()].filter((d) => d !== undefined);
    assert.ok(described.length >= 70, `only ${described.length} described fields found`);
    for (const [key, description] of expected) {
      assert.equal(describeContractField(JSON.parse(key) as (string | number)[]), description, key);
    }
    assert.equal(describeContractField(['input', 'noSuchField']), undefined);
  });
});
