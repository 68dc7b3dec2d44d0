/**
 * Dense layer y = x W + b on the wasm kernels, over buffers in a {@link WasmArena}. Same layout and semantics as
 * `models/dense.ts` (W input-major, skip zero inputs), float32 sums instead of float64.
 */
import type { Ptr, WasmArena } from './arena.js';

/** Where a dense layer's tensors live in an arena: W (`inSize * outSize`, input-major), b, and their gradients. */
export interface WasmDenseLayer {
  readonly inSize: number;
  readonly outSize: number;
  readonly w: Ptr;
  readonly b: Ptr;
  readonly gw: Ptr;
  readonly gb: Ptr;
}

/** Scratch lists for `gather`: `val` (f32) and `idx` (i32), each with room for the longest row plus one. */
export interface SparseScratch {
  readonly val: Ptr;
  readonly idx: Ptr;
}

/** y[b] = x[b] W + b over the non-zeros of each of the `n` rows of x. */
export function wasmDenseForward(a: WasmArena, l: WasmDenseLayer, x: Ptr, y: Ptr, n: number, s: SparseScratch): void {
  const { inSize, outSize } = l;
  const k = a.k;
  for (let b = 0; b < n; b++) {
    const nnz = k.gather(x + 4 * b * inSize, 4, inSize, l.w, 4 * outSize, s.val, s.idx, 0);
    k.spmv(s.val, s.idx, nnz, 0, l.b, y + 4 * b * outSize, outSize);
  }
}

/**
 * Adds dL/dW and dL/db into the layer's gradient buffers and, when `dx` is not 0, writes dL/dx there; with `mask`
 * (the input is a ReLU output) dx is kept only where x > 0, fusing that ReLU's backward pass.
 */
export function wasmDenseBackward(
  a: WasmArena,
  l: WasmDenseLayer,
  x: Ptr,
  dy: Ptr,
  n: number,
  dx: Ptr,
  mask: boolean,
  s: SparseScratch,
): void {
  const { inSize, outSize } = l;
  const k = a.k;
  const f = a.f32;
  // db[o] += sum_b dy[b, o], in b order.
  const gb = l.gb >> 2;
  for (let b = 0; b < n; b++) {
    const row = (dy >> 2) + b * outSize;
    for (let o = 0; o < outSize; o++) f[gb + o] += f[row + o];
  }
  // dW[i, :] += sum_b x[b, i] dy[b, :] over the examples where x[b, i] is not 0 (a strided gather down the batch).
  for (let i = 0; i < inSize; i++) {
    const nnz = k.gather(x + 4 * i, 4 * inSize, n, dy, 4 * outSize, s.val, s.idx, 0);
    if (nnz === 0) continue;
    const row = l.gw + 4 * i * outSize;
    k.spmv(s.val, s.idx, nnz, 0, row, row, outSize);
  }
  if (dx === 0) return;
  // dx[b, i] = W[i, :] . dy[b, :]: row dot products, so W is read in place rather than transposed every step.
  k.rowsdot(l.w, inSize, outSize, dy, n, 4 * outSize, dx, 4 * inSize);
  if (mask) {
    const xs = x >> 2;
    const ds = dx >> 2;
    for (let i = 0; i < n * inSize; i++) if (!(f[xs + i] > 0)) f[ds + i] = 0;
  }
}
