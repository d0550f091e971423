// The shipped model's golden self-check on every backend, through the worker bundle as built for tests (the same
// TF.js subset as the shipped worker): a kernel the subset lacks, or a self-check photo a browser decodes differently
// from Node, fails here.
import { expect } from '@esm-bundle/chai';
import { ClassifierClient } from '../../src/worker-api/classifier-client.ts';
import type { BackendName } from '../../src/worker-api/classifier-worker-api.ts';
import { NO_MARGINS } from '../../src/preprocess/types.ts';
import { renderSoroban } from '../../src/render/index.ts';
import { cornerError } from '../../src/localize/window.ts';
import { rawBitmap } from './helpers.ts';

const SHIPPED_MODEL_URL = new URL('../../models/column-classifier/model.json', import.meta.url).href;
const SHIPPED_LOCALIZER_URL = new URL('../../models/localizer/model.json', import.meta.url).href;
const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgl'];

interface GoldenContract {
  readonly golden: { readonly cases: readonly { readonly input: { readonly kind: string } }[] };
}

for (const backend of BACKENDS) {
  describe(`the shipped model on ${backend}`, function () {
    let client: ClassifierClient;

    before(async function () {
      // The first frame of a new size on cpu takes WebKit seconds, more when the three engines share two cores: this
      // test is about the digits, not the default 15 s call timeout (one run in a full suite hit it).
      client = await ClassifierClient.create({
        modelUrl: SHIPPED_MODEL_URL,
        localizerUrl: SHIPPED_LOCALIZER_URL,
        backends: [backend],
        callTimeoutMs: 60_000,
      });
    });

    after(function () {
      client?.dispose();
    });

    it("passes its golden self-check, every case, within the contract's tolerance", async function () {
      const json = (await (await fetch(SHIPPED_MODEL_URL)).json()) as {
        userDefinedMetadata: { contract: GoldenContract };
      };
      const { cases } = json.userDefinedMetadata.contract.golden;
      expect(cases.map((c) => c.input.kind)).to.include('png');
      expect(client.runtime.backend).to.equal(backend);
      const check = client.runtime.selfChecks.find((c) => c.model === undefined);
      expect(check?.backend).to.equal(backend);
      expect(check?.cases).to.equal(cases.length);
      expect(check?.passed).to.equal(true);
      expect(check?.maxAbsDiff).to.be.at.most(check?.tolerance ?? 0);
    });

    it("passes the shipped (quantized) localizer's golden self-check, every case", async function () {
      const json = (await (await fetch(SHIPPED_LOCALIZER_URL)).json()) as {
        userDefinedMetadata: { contract: GoldenContract & { quantization: Record<string, { dtype: string }> } };
      };
      const { golden, quantization } = json.userDefinedMetadata.contract;
      expect(Object.values(quantization).map((q) => q.dtype)).to.include('uint16');
      const check = client.runtime.selfChecks.find((c) => c.model === 'localizer');
      expect(check?.backend).to.equal(backend);
      expect(check?.cases).to.equal(golden.cases.length);
      expect(check?.passed).to.equal(true);
      expect(check?.maxAbsDiff).to.be.at.most(check?.tolerance ?? 0);
    });

    it('finds a rendered soroban with the shipped localizer', async function () {
      const photo = renderSoroban({ seed: 410_001, columns: 5, pitch: [40, 48] });
      const canvas = new OffscreenCanvas(photo.width, photo.height);
      canvas
        .getContext('2d')!
        .putImageData(new ImageData(new Uint8ClampedArray(photo.rgba), photo.width, photo.height), 0, 0);
      const { location } = await client.classify(await rawBitmap(canvas), { locate: { columns: 5 } });
      expect(location?.found).to.equal(true);
      const error = cornerError(location?.corners ?? photo.corners, photo.corners, photo.width, photo.height);
      expect(error, `corner error ${(100 * error).toFixed(2)} % of the diagonal`).to.be.below(0.05);
    });

    it('reads a rendered soroban, every column right', async function () {
      // The first photo of reads-rendered-sorobans (read right there on wasm): here on every backend.
      const photo = renderSoroban({ seed: 900_001 });
      const canvas = new OffscreenCanvas(photo.width, photo.height);
      canvas
        .getContext('2d')!
        .putImageData(new ImageData(new Uint8ClampedArray(photo.rgba), photo.width, photo.height), 0, 0);
      const result = await client.classify(await rawBitmap(canvas), {
        columns: photo.digits.length,
        corners: photo.corners,
        margins: NO_MARGINS,
      });
      expect(result.columns.map((c) => c.digit)).to.deep.equal(photo.digits);
    });
  });
}
