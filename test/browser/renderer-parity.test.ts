import { expect } from '@esm-bundle/chai';
import { RENDER_FIXTURE, renderSoroban } from '../../src/render/index.ts';
import { RENDER_3D_FIXTURE, renderSoroban3d } from '../../src/render3d/index.ts';
import { engineName } from './helpers.ts';

async function sha256Hex(bytes: Uint8ClampedArray): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('renderer', function () {
  it('renders the same bytes in this browser as in Node (the committed fixture hash)', async function () {
    const photo = renderSoroban(RENDER_FIXTURE.options);
    expect(await sha256Hex(photo.rgba), `render fixture in ${engineName()}`).to.equal(RENDER_FIXTURE.sha256);
  });

  it('ray casts the same 3D photo bytes in this browser as in Node (the committed fixture hash)', async function () {
    const photo = renderSoroban3d(RENDER_3D_FIXTURE.options);
    expect(await sha256Hex(photo.rgba), `3D render fixture in ${engineName()}`).to.equal(RENDER_3D_FIXTURE.sha256);
  });
});
