/**
 * Fully connected layer y = x W + b over a batch, with W stored input-major (`W[i * out + o]`) inside a flat
 * parameter vector.
 *
 * Input-major storage makes every kernel walk contiguous weight rows, and lets the forward pass and the weight
 * gradient touch only the rows of non-zero inputs: MNIST images are ~80% zeros and ReLU outputs ~50%, which is
 * worth more than any loop trick in JavaScript (there is no SIMD here). Accumulators are float64 locals, eight
 * outputs at a time, so each weight load feeds one multiply-add and nothing is stored until the row is done.
 */
import { gradNz, inputNz } from './sparse-scratch.js';
import type { FloatArray } from './types.js';

/** Shape of a dense layer and where its tensors live in the parameter vector. */
export interface DenseShape {
  readonly inSize: number;
  readonly outSize: number;
  /** Offset of W (`inSize * outSize` values, input-major). */
  readonly wOff: number;
  /** Offset of b (`outSize` values). */
  readonly bOff: number;
}

/** Collects the non-zeros of `x[off .. off+len)` into `inputNz`; `idx` is the weight-row offset `i * stride`. */
function gatherNonZeros(x: FloatArray, off: number, len: number, stride: number): number {
  inputNz.reserve(len);
  const val = inputNz.val;
  const idx = inputNz.idx;
  let nnz = 0;
  for (let i = 0; i < len; i++) {
    const v = x[off + i];
    if (v !== 0) {
      val[nnz] = v;
      idx[nnz] = i * stride;
      nnz++;
    }
  }
  return nnz;
}

/**
 * out[o] = bias[o] + sum_j val[j] * w[base + idx[j] + o] for o in [0, outSize): a sparse row times a dense matrix,
 * the shared inner kernel of the dense and convolution layers. Writes `out[outOff ..]`; a null `bias` means zero.
 * `out` may be `bias` (same offset) to accumulate in place.
 */
export function sparseRowTimesMatrix(
  val: Float64Array,
  idx: Int32Array,
  nnz: number,
  w: FloatArray,
  base: number,
  bias: FloatArray | null,
  bOff: number,
  outSize: number,
  out: FloatArray,
  outOff: number,
): void {
  let o = 0;
  for (; o + 8 <= outSize; o += 8) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    if (bias !== null) {
      a0 = bias[bOff + o];
      a1 = bias[bOff + o + 1];
      a2 = bias[bOff + o + 2];
      a3 = bias[bOff + o + 3];
      a4 = bias[bOff + o + 4];
      a5 = bias[bOff + o + 5];
      a6 = bias[bOff + o + 6];
      a7 = bias[bOff + o + 7];
    }
    const col = base + o;
    for (let j = 0; j < nnz; j++) {
      const v = val[j];
      const r = col + idx[j];
      a0 += v * w[r];
      a1 += v * w[r + 1];
      a2 += v * w[r + 2];
      a3 += v * w[r + 3];
      a4 += v * w[r + 4];
      a5 += v * w[r + 5];
      a6 += v * w[r + 6];
      a7 += v * w[r + 7];
    }
    out[outOff + o] = a0;
    out[outOff + o + 1] = a1;
    out[outOff + o + 2] = a2;
    out[outOff + o + 3] = a3;
    out[outOff + o + 4] = a4;
    out[outOff + o + 5] = a5;
    out[outOff + o + 6] = a6;
    out[outOff + o + 7] = a7;
  }
  for (; o < outSize; o++) {
    let a = bias === null ? 0 : bias[bOff + o];
    const col = base + o;
    for (let j = 0; j < nnz; j++) a += val[j] * w[col + idx[j]];
    out[outOff + o] = a;
  }
}

/** y[b] = x[b] W + b for the `n` rows of `x` (`n * inSize`), writing `y` (`n * outSize`). */
export function denseForward(shape: DenseShape, params: FloatArray, x: FloatArray, y: FloatArray, n: number): void {
  const { inSize, outSize, wOff, bOff } = shape;
  for (let b = 0; b < n; b++) {
    const nnz = gatherNonZeros(x, b * inSize, inSize, outSize);
    sparseRowTimesMatrix(inputNz.val, inputNz.idx, nnz, params, wOff, params, bOff, outSize, y, b * outSize);
  }
}

/**
 * Backward pass. Adds dL/dW and dL/db into `grad` (at the same offsets as the parameters) and, when `dx` is given,
 * writes dL/dx. With `dxMask` (the layer input itself, when it is a ReLU output), dx is computed only where the
 * input is positive and set to 0 elsewhere: exactly what the preceding ReLU's backward pass would keep, so this
 * fuses that ReLU and skips about half the work.
 */
export function denseBackward(
  shape: DenseShape,
  params: FloatArray,
  x: FloatArray,
  dy: FloatArray,
  grad: FloatArray,
  n: number,
  dx: FloatArray | null,
  dxMask = false,
): void {
  const { inSize, outSize, wOff, bOff } = shape;
  for (let b = 0; b < n; b++) {
    const dyOff = b * outSize;
    for (let o = 0; o < outSize; o++) grad[bOff + o] += dy[dyOff + o];
  }

  // dW[i, :] += sum_b x[b, i] * dy[b, :]. Walking inputs in the outer loop keeps the eight accumulators of the
  // sparse kernel in registers across the batch (no read-modify-write per multiply), and inputs that are zero in
  // every example of the batch cost one strided scan.
  inputNz.reserve(n);
  const xv = inputNz.val;
  const xi = inputNz.idx;
  for (let i = 0; i < inSize; i++) {
    let nnz = 0;
    for (let b = 0; b < n; b++) {
      const v = x[b * inSize + i];
      if (v !== 0) {
        xv[nnz] = v;
        xi[nnz] = b * outSize;
        nnz++;
      }
    }
    if (nnz === 0) continue;
    const row = wOff + i * outSize;
    sparseRowTimesMatrix(xv, xi, nnz, dy, 0, grad, row, outSize, grad, row);
  }

  if (dx === null) return;
  // dx[b, :] = dy[b, :] W^T. With W^T materialised (outSize x inSize, cheap next to the multiply) this is the same
  // sparse-row kernel again, over the non-zeros of dy[b] (about half, after the next layer's ReLU mask).
  const wt = transposedWeights(params, wOff, inSize, outSize);
  gradNz.reserve(outSize);
  const gv = gradNz.val;
  const gi = gradNz.idx;
  for (let b = 0; b < n; b++) {
    const dyOff = b * outSize;
    const xOff = b * inSize;
    let m = 0;
    for (let o = 0; o < outSize; o++) {
      const g = dy[dyOff + o];
      if (g !== 0) {
        gv[m] = g;
        gi[m] = o * inSize;
        m++;
      }
    }
    sparseRowTimesMatrix(gv, gi, m, wt, 0, null, 0, inSize, dx, xOff);
    if (dxMask) for (let i = 0; i < inSize; i++) if (!(x[xOff + i] > 0)) dx[xOff + i] = 0;
  }
}

let wtF32 = new Float32Array(0);
let wtF64 = new Float64Array(0);

/**
 * W^T (outSize x inSize) of the input-major weight matrix at `wOff`, in a reused per-thread buffer of the
 * parameters' own type (so the kernels stay monomorphic). Valid until the next call.
 */
export function transposedWeights(params: FloatArray, wOff: number, inSize: number, outSize: number): FloatArray {
  const size = inSize * outSize;
  let wt: FloatArray;
  if (params instanceof Float32Array) {
    if (wtF32.length < size) wtF32 = new Float32Array(size);
    wt = wtF32;
  } else {
    if (wtF64.length < size) wtF64 = new Float64Array(size);
    wt = wtF64;
  }
  for (let i = 0; i < inSize; i++) {
    const row = wOff + i * outSize;
    for (let o = 0; o < outSize; o++) wt[o * inSize + i] = params[row + o];
  }
  return wt;
}
