/**
 * Module-level buffers for the kernels' compacted lists of non-zero values. Kernels skip zeros (most MNIST pixels,
 * about half of every ReLU output, three quarters of every max-pool gradient) by first gathering the non-zeros of
 * a row into these lists. One set per thread (each worker loads its own copy of this module); kernels are
 * synchronous, so sharing them between calls is safe.
 */

/** Compacted non-zeros: `val[j]` is the value, `idx[j]` an offset computed by the kernel, `src[j]` its source. */
export class SparseList {
  val = new Float64Array(1024);
  idx = new Int32Array(1024);
  src = new Int32Array(1024);

  /** Makes room for `n` entries (grows once, never shrinks). */
  reserve(n: number): void {
    if (n <= this.val.length) return;
    const size = Math.max(n, this.val.length * 2);
    this.val = new Float64Array(size);
    this.idx = new Int32Array(size);
    this.src = new Int32Array(size);
  }
}

/** List for a layer's input row. */
export const inputNz = new SparseList();
/** List for a layer's output-gradient row. */
export const gradNz = new SparseList();
/** List for a column of output gradients (one channel over the pixels of an image). */
export const outNz = new SparseList();
