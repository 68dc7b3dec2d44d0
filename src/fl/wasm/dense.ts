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

/** Weight matrices larger than this are multiplied in column blocks, so each block is reused from L2 cache. */
const BLOCKED_BYTES = 512 * 1024;
/** Columns per block: one 32-wide register block of `spmv`; for the CNN's fc1 a block is 3136 x 128 bytes = 400 KB. */
const BLOCK_COLS = 32;

/** Per-example non-zero counts of the forward pass (per thread; kernels are synchronous). */
let nnzScratch = new Int32Array(64);

/** Entries of the sparse scratch lists {@link wasmDenseForward} needs for `n` rows of `inSize` inputs. */
export function denseScratchEntries(inSize: number, n: number): number {
  return n * (inSize + 1);
}

/**
 * y[b] = x[b] W + b over the non-zeros of each of the `n` rows of x (row b's list at entry b * (inSize + 1)).
 * A large W (the CNN's 3136 x 512, 6.4 MB) is walked in column blocks with every example inside, so a block is
 * read from memory once per batch rather than once per example; the sums are the same either way.
 */
export function wasmDenseForward(a: WasmArena, l: WasmDenseLayer, x: Ptr, y: Ptr, n: number, s: SparseScratch): void {
  const { inSize, outSize } = l;
  const k = a.k;
  const stride = 4 * (inSize + 1);
  if (nnzScratch.length < n) nnzScratch = new Int32Array(n);
  const nnz = nnzScratch;
  for (let b = 0; b < n; b++) {
    nnz[b] = k.gather(x + 4 * b * inSize, 4, inSize, l.w, 4 * outSize, s.val + b * stride, s.idx + b * stride, 0);
  }
  const width = inSize * outSize * 4 > BLOCKED_BYTES ? BLOCK_COLS : outSize;
  for (let o = 0; o < outSize; o += width) {
    const cols = Math.min(width, outSize - o);
    for (let b = 0; b < n; b++) {
      k.spmv(s.val + b * stride, s.idx + b * stride, nnz[b], 4 * o, l.b + 4 * o, y + 4 * (b * outSize + o), cols);
    }
  }
}

/**
 * Writes dL/dW and dL/db into the layer's gradient buffers and, when `dx` is not 0, dL/dx; with `mask`
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
  // db[o] = sum_b dy[b, o], in b order.
  const gb = l.gb >> 2;
  f.fill(0, gb, gb + outSize);
  for (let b = 0; b < n; b++) {
    const row = (dy >> 2) + b * outSize;
    for (let o = 0; o < outSize; o++) f[gb + o] += f[row + o];
  }
  // dW[i, :] = sum_b x[b, i] dy[b, :] over the examples where x[b, i] is not 0 (a strided gather down the batch).
  // Written, not accumulated, so the model need not clear 6 MB of gradient first.
  k.outer(x, inSize, n, dy, outSize, l.gw, s.val, s.idx);
  if (dx === 0) return;
  // dx[b, i] = W[i, :] . dy[b, :]: row dot products, so W is read in place rather than transposed every step.
  k.rowsdot(l.w, inSize, outSize, dy, n, 4 * outSize, dx, 4 * inSize);
  if (mask) k.relumask(x, dx, dx, n * inSize);
}
