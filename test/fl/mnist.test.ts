import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IdxFormatError } from '../../src/fl/data/idx.js';
import { FlArgumentError } from '../../src/fl/errors.js';
import { loadMnist, MNIST_PIXELS } from '../../src/fl/data/mnist.js';

describe('MNIST loader', () => {
  it('loads the 60,000 training images with the known first labels', () => {
    const train = loadMnist('train');
    assert.equal(train.count, 60000);
    assert.equal(train.images.length, 60000 * MNIST_PIXELS);
    assert.deepEqual(Array.from(train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 784 * 100; i++) {
      min = Math.min(min, train.images[i]);
      max = Math.max(max, train.images[i]);
    }
    assert.equal(min, 0);
    assert.equal(max, 1);
  });

  it('loads the 10,000 test images with the known first labels', () => {
    const test = loadMnist('test');
    assert.equal(test.count, 10000);
    assert.deepEqual(Array.from(test.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
    const counts = new Array(10).fill(0);
    for (const y of test.labels) counts[y]++;
    assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('loads a prefix into caller-provided buffers (e.g. shared memory)', () => {
    const images = new Float32Array(new SharedArrayBuffer(4 * 784 * 3));
    const labels = new Uint8Array(new SharedArrayBuffer(3));
    const part = loadMnist('train', { limit: 3, images, labels });
    assert.equal(part.count, 3);
    assert.equal(part.images, images);
    assert.deepEqual(Array.from(labels), [5, 0, 4]);
    const full = loadMnist('train', { limit: 3 });
    assert.deepEqual(Array.from(images), Array.from(full.images));
    // Pixel (row 7, col 10) of the first image is byte 254 in the IDX file (a bright stroke).
    assert.ok(images[7 * 28 + 10] > 0);
    assert.throws(() => loadMnist('train', { limit: 3, images: new Float32Array(10) }), FlArgumentError);
  });

  it('names the missing folder in its error', () => {
    assert.throws(
      () => loadMnist('test', { dir: '/nonexistent/mnist' }),
      (err: unknown) => err instanceof IdxFormatError && err.reason === 'ENOENT' && /t10k-images-idx3-ubyte/.test(err.message),
    );
  });
});
