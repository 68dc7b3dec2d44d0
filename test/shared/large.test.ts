// The size target: a 100,000,000-element Float64Array (800 MB), mapped, filled by a
// child process and summed here, without copying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedArray, dispose } from '../../src/shared/index.js';
import { encodeShared } from '../../src/shared/handle.js';
import { Peer } from './helpers.js';

test('an 800 MB mapped Float64Array is filled in a child and summed in the parent', async () => {
  const n = 100_000_000;
  const xs = sharedArray(Float64Array, n, { placement: 'mapped' });
  assert.equal(xs.byteLength, 800_000_000);
  const peer = await Peer.start();
  try {
    await peer.request('fillIota', { array: encodeShared(xs), from: 0, to: n });
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[i];
    assert.equal(sum, (n * (n - 1)) / 2);
    assert.equal(xs[n - 1], n - 1);
  } finally {
    await peer.close();
    dispose(xs);
  }
});
