/**
 * The array-sum case's SIMD loop and the bandwidth probe's C loop give the same sums as a plain loop over any
 * range (tails that are not whole vector steps included), and the C loop rejects bad arguments by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simdSum, simdUnavailable, wasmFloat64Array } from '../../src/bench/cases/array-sum-simd.js';
import { readNative, sumUnrolled } from '../../src/bench/probe/bandwidth-task.js';
import { tryNative } from '../../src/shared/native.js';

function plainSum(array: Float64Array, lo: number, hi: number): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += array[i];
  return sum;
}

// Ranges with every remainder modulo 8 elements (one 64-byte vector step), empty and one-element ranges included.
const RANGES: [number, number][] = [[0, 0], [0, 1], [3, 4], [0, 7], [1, 9], [5, 20], [0, 1000], [13, 1000], [999, 1000], [17, 530]];

describe('array-sum kernels', () => {
  it('the SIMD loop sums exactly what the plain loop sums, on any range', { skip: simdUnavailable() }, () => {
    const { memory, array } = wasmFloat64Array(1000);
    for (let i = 0; i < array.length; i++) array[i] = i;
    for (const [lo, hi] of RANGES) assert.equal(simdSum(memory, lo, hi), plainSum(array, lo, hi), `[${lo}, ${hi})`);
  });

  it('the SIMD loop reads the memory it is handed, not a copy: a write after allocation is seen', { skip: simdUnavailable() }, () => {
    const { memory, array } = wasmFloat64Array(64);
    array[10] = 2.5;
    assert.equal(simdSum(memory, 0, 64), 2.5);
    assert.equal(memory.buffer.byteLength % 65_536, 0);
    assert.ok(memory.buffer instanceof SharedArrayBuffer);
  });

  it('the C and unrolled JavaScript probe loops sum exactly what the plain loop sums', { skip: tryNative() ? undefined : 'the native addon does not load' }, () => {
    const array = new Float64Array(new SharedArrayBuffer(1000 * 8));
    for (let i = 0; i < array.length; i++) array[i] = i * 3;
    for (const [lo, hi] of RANGES) {
      assert.equal(readNative(array, lo, hi), plainSum(array, lo, hi), `C [${lo}, ${hi})`);
      assert.equal(sumUnrolled(array, lo, hi), plainSum(array, lo, hi), `JS [${lo}, ${hi})`);
    }
  });

  it('the C loop names a bad view or range', { skip: tryNative() ? undefined : 'the native addon does not load' }, () => {
    const addon = tryNative()!;
    const array = new Float64Array(10);
    assert.throws(() => addon.readFloat64(new Float32Array(4) as unknown as Float64Array, 0, 1), { name: 'TypeError', message: /must be a Float64Array/ });
    assert.throws(() => addon.readFloat64(array, 0, 11), { name: 'RangeError', message: /0 <= lo <= hi <= 10, got lo 0, hi 11/ });
    assert.throws(() => addon.readFloat64(array, 5, 4), { name: 'RangeError', message: /got lo 5, hi 4/ });
    assert.throws(() => addon.readFloat64(array, 1.5, 4), { name: 'RangeError', message: /got lo 1.5/ });
    assert.throws(() => addon.readFloat64(array, -1, 4), { name: 'RangeError' });
    assert.throws(() => addon.readFloat64(array, 'x' as unknown as number, 4), { name: 'TypeError', message: /lo/ });
  });
});
