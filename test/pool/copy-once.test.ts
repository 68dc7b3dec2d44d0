/**
 * Large typed arrays sent to thread workers without a transfer list are copied once and the copy transferred
 * (src/pool/copy-once.ts): what the worker sees must be exactly what a structured clone gives, on every backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS, makePool } from '../helpers/pool.js';

const BIG = 100_000; // 800 KB of doubles: above the copy-once threshold

function filled(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i + 0.5;
  return a;
}

for (const backend of BACKENDS) {
  describe(`large array arguments on the ${backend} backend`, () => {
    it('arrive with the same values and shape; the caller keeps its array intact', async () => {
      await using pool = makePool(backend, { workers: 1 });
      const a = filled(BIG);
      const b = filled(10); // below the threshold: serialised as before
      const seen = await pool.call.describeArrays(a, b, backend !== 'inline');
      assert.deepEqual(seen.a, { type: 'Float64Array', length: BIG, byteOffset: 0, bufferBytes: BIG * 8, shared: false, first: 0.5, last: BIG - 0.5 });
      assert.equal(seen.b.length, 10);
      assert.equal(seen.same, false);
      if (backend !== 'inline') {
        assert.equal(a.byteLength, BIG * 8, 'not detached');
        assert.equal(a[0], 0.5, "the worker's writes went to its own copy");
      }
    });

    it('keep identity when the same array is passed twice, as a structured clone does', async () => {
      await using pool = makePool(backend, { workers: 1 });
      const a = filled(BIG);
      const seen = await pool.call.describeArrays(a, a);
      assert.equal(seen.same, true);
    });

    it('keep the whole buffer behind a view that starts inside it, as a structured clone does', async () => {
      await using pool = makePool(backend, { workers: 1 });
      const whole = filled(BIG);
      const view = whole.subarray(10, BIG - 10);
      const seen = await pool.call.describeArrays(view, view);
      // Node's serialiser for child processes sends only the view's bytes; a thread's structured clone sends the whole buffer.
      const [byteOffset, bufferBytes] = backend === 'process' ? [0, (BIG - 20) * 8] : [80, BIG * 8];
      assert.deepEqual(seen.a, { type: 'Float64Array', length: BIG - 20, byteOffset, bufferBytes, shared: false, first: 10.5, last: BIG - 10.5 });
    });

    it('leave Buffers and arrays in the call\'s own transfer list alone', async () => {
      await using pool = makePool(backend, { workers: 1 });
      const buf = Buffer.alloc(BIG * 8, 7);
      const seen = await pool.call.describeArrays(buf, buf);
      assert.equal(seen.a.first, 7);
      assert.equal(seen.a.length, BIG * 8);
      const moved = filled(BIG);
      const other = filled(BIG);
      const r = await pool.submit('describeArrays', [moved, other], { transfer: [moved.buffer as ArrayBuffer] });
      assert.equal(r.a.last, BIG - 0.5);
      if (backend === 'thread') assert.equal(moved.byteLength, 0, 'transferred as asked');
      assert.equal(other.byteLength, BIG * 8);
    });
  });
}
