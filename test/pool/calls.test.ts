import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS, makePool } from '../helpers/pool.js';

for (const backend of BACKENDS) {
  describe(`calls on the ${backend} backend`, () => {
    it('runs typed calls, submit, run and with()', async () => {
      await using pool = makePool(backend);
      assert.equal(await pool.call.add(2, 3), 5);
      assert.equal(await pool.call.addLater(4, 5, 1), 9);
      assert.equal(await pool.submit('square', [7]), 49);
      assert.equal(await pool.run('add', 1, 1), 2);
      assert.equal(await pool.with({ timeout: 5000 }).call.square(3), 9);
      assert.equal(await pool.call.factorial(20), 2432902008176640000n);
    });

    it('returns every result of a burst to the right caller', async () => {
      await using pool = makePool(backend);
      const results = await Promise.all(Array.from({ length: 5000 }, (_, i) => pool.call.add(i, i)));
      results.forEach((value, i) => assert.equal(value, 2 * i));
    });

    it('maps in input order, with and without chunks', async () => {
      await using pool = makePool(backend);
      const items = Array.from({ length: 101 }, (_, i) => i);
      const expected = items.map((x) => x * x);
      assert.deepEqual(await pool.map('square', items), expected);
      assert.deepEqual(await pool.map('square', items, { chunkSize: 7 }), expected);
      assert.deepEqual(await pool.map('square', new Set([1, 2, 3]), { chunkSize: 2 }), [1, 4, 9]);
      assert.deepEqual(await pool.map('square', []), []);
    });

    it('maps async tasks in chunks', async () => {
      await using pool = makePool(backend);
      assert.deepEqual(await pool.map('sleep', [3, 1, 2], { chunkSize: 2 }), [3, 1, 2]);
    });

    it('yields results as they complete with asCompleted', async () => {
      await using pool = makePool(backend);
      await pool.ready();
      const seen: { index: number; value: number }[] = [];
      for await (const result of pool.asCompleted('sleep', [300, 1, 30])) seen.push(result);
      assert.deepEqual(seen.map((r) => r.index).sort(), [0, 1, 2]);
      assert.deepEqual(seen.find((r) => r.index === 0)?.value, 300);
      if (backend !== 'inline') assert.equal(seen[seen.length - 1].index, 0, 'the slowest comes last');
    });

    it('asCompleted throws the first failure and aborts the rest when stopped early', async () => {
      await using pool = makePool(backend);
      const iterate = async (): Promise<void> => {
        for await (const { value } of pool.asCompleted('fail', ['first'])) void value;
      };
      await assert.rejects(iterate(), /first/);
      let count = 0;
      for await (const _ of pool.asCompleted('sleep', [1, 200, 200, 200])) {
        count++;
        break;
      }
      assert.equal(count, 1);
      await pool.close();
      assert.equal(pool.stats().cancelled, 3);
    });

    it('passes typed arrays and returns them', async () => {
      await using pool = makePool(backend);
      const array = new Float64Array(1000).fill(0.5);
      assert.equal(await pool.call.sumArray(array), 500);
      const made = await pool.call.makeArray(10);
      assert.ok(made instanceof Float64Array);
      assert.equal(made.length, 10);
    });
  });
}

describe('transfer lists (thread backend)', () => {
  it('moves an argument buffer instead of copying it', async () => {
    await using pool = makePool('thread');
    const array = new Float64Array(1 << 20).fill(1);
    const result = await pool.submit('sumArray', [array], { transfer: [array.buffer] });
    assert.equal(result, 1 << 20);
    assert.equal(array.buffer.byteLength, 0, 'the buffer was moved, leaving it detached here');
  });

  it('copies when no transfer list is given', async () => {
    await using pool = makePool('thread');
    const array = new Float64Array(16).fill(2);
    assert.equal(await pool.call.sumArray(array), 32);
    assert.equal(array.length, 16);
  });

  it('shares a SharedArrayBuffer without copying', async () => {
    await using pool = makePool('thread');
    const shared = new Float64Array(new SharedArrayBuffer(8 * 100)).fill(3);
    assert.equal(await pool.call.sumArray(shared), 300);
  });
});

describe('one signal shared by many calls', () => {
  it('map with a signal over many items adds one listener and aborts them all', async () => {
    await using pool = makePool('thread', { workers: 1 });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const controller = new AbortController();
    const running = pool.map('sleep', Array.from({ length: 50 }, () => 20), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 60);
    await assert.rejects(running, /enough/);
    assert.deepEqual(await pool.map('square', Array.from({ length: 50 }, (_, i) => i), { signal: new AbortController().signal }).then((r) => r.length), 50);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    assert.deepEqual(warnings, [], 'no MaxListenersExceededWarning');
    assert.ok(pool.stats().cancelled > 0);
  });
});
