/** Shared arrays cross into tasks as ordinary arguments, with zero copies, on every backend. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedArray } from '../../src/index.js';
import { BACKENDS, makePool } from '../helpers/pool.js';

for (const backend of BACKENDS) {
  describe(`shared arrays on the ${backend} backend`, () => {
    const placement = backend === 'process' ? 'mapped' : 'memory';

    it('a task reads the shared array and writes results in place', async () => {
      await using pool = makePool(backend);
      const data = sharedArray(Float64Array, 10_000, { placement });
      for (let i = 0; i < data.length; i++) data[i] = i;
      const halves = await Promise.all([pool.call.sumSlice(data, 0, 5000), pool.call.sumSlice(data, 5000, 10_000)]);
      assert.equal(halves[0] + halves[1], (10_000 * 9_999) / 2);
      await Promise.all([pool.call.fillSlice(data, 0, 5000, 7), pool.call.fillSlice(data, 5000, 10_000, 9)]);
      assert.equal(data[0], 7);
      assert.equal(data[9999], 9, 'the worker wrote into our memory');
    });

    it('nested in objects and in map() items', async () => {
      await using pool = makePool(backend);
      const data = sharedArray(Int32Array, 100, { placement }).fill(2);
      assert.deepEqual(await pool.map('sumSpec', [{ array: data, start: 0, end: 50 }, { array: data, start: 50, end: 100 }], { chunkSize: 2 }), [100, 100]);
    });
  });
}
