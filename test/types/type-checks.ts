// Compile-only checks of the declarations the package ships (dist/types/), read
// the way an app reads them: through the package's own name and its exports map.
// `npm run test:types` compiles this file after `npm run build`; each
// `@ts-expect-error` line must fail to compile, or tsc reports the directive unused.
import {
  BackendError,
  ClassifierClient,
  ColumnClassifier,
  ColumnClassifierError,
  ContractError,
  LoadError,
  type BackendDetail,
  type BackendName,
  type ClassifierDecode,
  type LocateDecode,
  type ColumnReading,
  type ErrorCode,
  type ErrorDetail,
  type FineTuneOutcome,
  type SampleDetail,
  type ModelContract,
  type ReadingDetail,
  type RuntimeInfo,
} from 'column-classifier';

declare function expectType<T>(value: T): void;

// The tag name maps to the class, so querySelector and createElement are typed.
const found = document.querySelector('column-classifier');
if (found !== null) {
  expectType<ColumnClassifier>(found);
  expectType<string>(found.model);
  // null: not given (the localizer finds the count without corners; 13 with them).
  expectType<number | null>(found.columns);
  expectType<string>(found.localizer);
  expectType<Promise<ReadingDetail>>(found.classifyOnce());
  // @ts-expect-error columns is a number
  found.columns = '13';
}
const created = document.createElement('column-classifier');
expectType<ColumnClassifier>(created);
expectType<HTMLElement>(created);

// Events are typed on the element…
created.addEventListener('cc-backend', (event) => {
  expectType<BackendDetail>(event.detail);
  expectType<BackendName>(event.detail.runtime.backend);
  // Once measured, no backend is left pending.
  expectType<'chosen' | 'slower' | 'refused' | 'skipped' | 'pending'>(event.detail.runtime.trials[0]!.outcome);
});
created.addEventListener('cc-reading', (event) => {
  expectType<CustomEvent<ReadingDetail>>(event);
  expectType<readonly number[]>(event.detail.digits);
  expectType<number>(event.detail.value);
  expectType<boolean>(event.detail.stable);
  expectType<BackendName>(event.detail.backend);
  // Where the localizer found the soroban, when no corners were given.
  const location = event.detail.location;
  if (location !== undefined) {
    expectType<boolean>(location.found);
    expectType<number>(location.columns);
    expectType<number>(location.corners.topLeft.x);
  }
  const first: ColumnReading | undefined = event.detail.columns[0];
  if (first !== undefined) expectType<number>(first.digit);
  // @ts-expect-error the digits of a reading are read-only
  event.detail.digits.push(1);
  // @ts-expect-error a reading has no such field
  void event.detail.text;
});
created.addEventListener('cc-ready', (event) => expectType<RuntimeInfo>(event.detail.runtime));

// …and on document and window, where they arrive because they bubble and are composed.
document.addEventListener('cc-error', (event) => {
  expectType<CustomEvent<ErrorDetail>>(event);
  expectType<ErrorCode>(event.detail.error.code);
  if (event.detail.error instanceof LoadError) expectType<ColumnClassifierError>(event.detail.error);
});
window.addEventListener('cc-warning', (event) => expectType<string>(event.detail.message));
document.addEventListener('cc-corners-change', (event) => expectType<string>(event.detail.attribute));
document.addEventListener('cc-sample', (event) => expectType<SampleDetail>(event.detail));
// Fine-tuning: typed options and outcome.
async function teach(element: ColumnClassifier): Promise<void> {
  await element.label([1, 2, 3]);
  expectType<Blob>(await element.exportSamples());
  const outcome = await element.fineTune({ epochs: 2, signal: new AbortController().signal });
  expectType<FineTuneOutcome>(outcome);
  // @ts-expect-error the model to start from is the element's own, not an option
  await element.fineTune({ modelUrl: 'x' });
}
void teach;
// @ts-expect-error the detail of cc-progress is not a reading
document.addEventListener('cc-progress', (event) => expectType<ReadingDetail>(event.detail));

// Errors: a class per family, each with a code from the closed union.
const error = new ContractError('contract/missing', 'no contract');
expectType<ColumnClassifierError>(error);
expectType<Error>(new BackendError('backend/unavailable', 'none'));
// @ts-expect-error codes outside the union do not compile
new LoadError('load/teapot', 'no');

// The client: options and results are typed.
async function useClient(): Promise<void> {
  const client = await ClassifierClient.create({
    modelUrl: '/models/column-classifier/model.json',
    backends: ['wasm'],
  });
  expectType<RuntimeInfo>(client.runtime);
  // @ts-expect-error an unknown backend name
  await ClassifierClient.create({ modelUrl: 'model.json', backends: ['webgpu'] });
  client.dispose();
}
void useClient;

// The contract is a plain object type (the declarations import no zod).
declare const contract: ModelContract;
expectType<1 | 3>(contract.input.channels);
// decode is a column classifier's or a localizer's: its rule tells them apart, and a field of one kind needs it.
// @ts-expect-error heaven is a column classifier's field
expectType<string>(contract.decode.heaven);
if (contract.decode.rule === 'digit = 5 * heaven + earth') expectType<ClassifierDecode>(contract.decode);
else expectType<LocateDecode>(contract.decode);
const decode = contract.decode;
if (decode.rule === 'digit = 5 * heaven + earth') expectType<string>(decode.heaven);
else expectType<string>(decode.corners);
// @ts-expect-error the activation of a head is sigmoid, softmax or linear
const activation: ModelContract['heads'][number]['activation'] = 'relu';
void activation;
