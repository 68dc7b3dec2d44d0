// encodeShared/decodeShared: every array kind round-trips, in this process and in another one,
// and values without mapped arrays pass through untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { encodeShared, decodeShared, isSharedDescriptor, type SharedDescriptor } from '../../src/shared/handle.js';
import { sharedArray, dispose, segmentOf, TYPED_ARRAYS, type TypedArrayName } from '../../src/shared/index.js';
import { Peer } from './helpers.js';
import { ADDON_DIR } from '../../src/shared/native.js';

const kinds = Object.keys(TYPED_ARRAYS) as TypedArrayName[];
const sample = (kind: TypedArrayName): number | bigint => (kind.startsWith('Big') ? 1234567890123n : 100);

test('values without mapped arrays come back as the same object', () => {
  const plain = { a: [1, 2, { b: new Float64Array(3) }], c: sharedArray(Float64Array, 4) };
  assert.equal(encodeShared(plain), plain);
  assert.equal(decodeShared(plain), plain);
  assert.equal(encodeShared(5), 5);
});

test('every kind round-trips through a descriptor in this process', () => {
  for (const kind of kinds) {
    const array = sharedArray(TYPED_ARRAYS[kind], 64, { placement: 'mapped' });
    const view = new TYPED_ARRAYS[kind](array.buffer, 8 * 2, 10) as typeof array; // offset view
    view[0] = sample(kind) as never;
    const encoded = encodeShared([view, { nested: { deeper: array } }, 'x']) as unknown[];
    const d = encoded[0] as SharedDescriptor;
    assert.ok(isSharedDescriptor(d), kind);
    assert.deepEqual(d, { kind: 'weft.shm', name: segmentOf(array), type: kind, byteOffset: 16, length: 10 });
    assert.equal(JSON.parse(JSON.stringify(encoded))[0].name, d.name, 'descriptors are plain data');
    const [back, { nested }] = decodeShared<[typeof view, { nested: { deeper: typeof array } }]>(encoded);
    assert.equal(back[Symbol.toStringTag], kind);
    assert.equal(back.length, 10);
    assert.equal(back[0], sample(kind));
    assert.equal(nested.deeper.length, 64);
    dispose(array);
  }
});

test('decoding the same segment twice reuses one mapping', () => {
  const array = sharedArray(Float64Array, 8, { placement: 'mapped' });
  const encoded = encodeShared(array);
  const a = decodeShared<Float64Array>(encoded);
  const b = decodeShared<Float64Array>(encoded);
  assert.equal(a.buffer, b.buffer);
  dispose(array);
});

test('every kind round-trips through another process, with writes visible both ways', async () => {
  const peer = await Peer.start();
  try {
    for (const kind of kinds) {
      const array = sharedArray(TYPED_ARRAYS[kind], 16, { placement: 'mapped' });
      array[1] = sample(kind) as never;
      const encoded = encodeShared(array);
      assert.deepEqual(await peer.request('describe', { array: encoded }), { type: kind, length: 16, byteOffset: 0 });
      const expected = typeof array[1] === 'bigint' ? `${array[1]}n` : array[1];
      assert.equal(await peer.request('read', { array: encoded, index: 1 }), expected);
      const big = kind.startsWith('Big');
      await peer.request('write', { array: encoded, index: 2, value: big ? '-7n' : 7 });
      assert.equal(array[2], big ? (kind === 'BigInt64Array' ? -7n : 2n ** 64n - 7n) : 7);
      dispose(array);
    }
  } finally {
    await peer.close();
  }
});

test('a mapped array passed to a worker thread is still recognised there', async () => {
  const array = sharedArray(Int32Array, 4, { placement: 'mapped' });
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const addon = require('node-gyp-build')(${JSON.stringify(ADDON_DIR)});
     workerData[0] = 11;
     parentPort.postMessage(addon.segmentOf(workerData));`,
    { eval: true, workerData: array },
  );
  // Listening for 'exit' from the start: a worker's last message can be delivered while it exits, right before
  // its 'exit' event, in one turn (this test once hung on CI's Node 22 when it listened only after the message).
  const exited = once(worker, 'exit');
  const [name] = await once(worker, 'message');
  assert.equal(name, segmentOf(array));
  assert.equal(array[0], 11);
  await exited;
  dispose(array);
});
