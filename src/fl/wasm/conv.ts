/**
 * 2-D convolution (stride 1, odd square kernel, 'same' zero padding, channel-last images) on the wasm kernels.
 * Same layout and semantics as `models/conv2d.ts`: W tap-major (`((ky * k + kx) * inC + ic) * outC + oc`), the
 * (k*k*inC) x outC matrix of an im2col formulation.
 */
import type { Ptr, WasmArena } from './arena.js';
import type { SparseScratch } from './dense.js';

/** Geometry of a convolution and where its tensors live in an arena. */
export interface WasmConvLayer {
  readonly height: number;
  readonly width: number;
  readonly inC: number;
  readonly outC: number;
  readonly k: number;
  readonly w: Ptr;
  readonly b: Ptr;
  readonly gw: Ptr;
  readonly gb: Ptr;
}

/** Scratch for the backward pass: `col` (pixels x patch floats), `dcol` (patch), `wt` and `gwt` (patch x outC). */
export interface ConvScratch extends SparseScratch {
  readonly col: Ptr;
  readonly dcol: Ptr;
  readonly wt: Ptr;
  readonly gwt: Ptr;
}

/** Floats in one im2col row (one output pixel's receptive field). */
export function patchSize(l: WasmConvLayer): number {
  return l.k * l.k * l.inC;
}

/**
 * Forward pass over `n` images. The im2col row of a pixel is never materialised: within one kernel row (ky) the
 * receptive field is a contiguous run of the channel-last input and pairs with contiguous weight rows, so one
 * `gather` per kernel row collects its non-zeros (ReLU outputs and MNIST's background are mostly zeros).
 */
export function wasmConvForward(a: WasmArena, l: WasmConvLayer, x: Ptr, y: Ptr, n: number, s: SparseScratch): void {
  const { height, width, inC, outC, k } = l;
  const pad = (k - 1) >> 1;
  const kern = a.k;
  const rowBytes = 4 * outC;
  for (let b = 0; b < n; b++) {
    const img = x + 4 * b * height * width * inC;
    let out = y + 4 * b * height * width * outC;
    for (let py = 0; py < height; py++) {
      const ky0 = Math.max(0, pad - py);
      const ky1 = Math.min(k, height + pad - py);
      for (let px = 0; px < width; px++) {
        const kx0 = Math.max(0, pad - px);
        const kx1 = Math.min(k, width + pad - px);
        const run = (kx1 - kx0) * inC;
        let nnz = 0;
        for (let ky = ky0; ky < ky1; ky++) {
          const src = img + 4 * ((py + ky - pad) * width + (px + kx0 - pad)) * inC;
          const wrow = l.w + rowBytes * (ky * k + kx0) * inC;
          nnz = kern.gather(src, 4, run, wrow, rowBytes, s.val, s.idx, nnz);
        }
        kern.spmv(s.val, s.idx, nnz, 0, l.b, out, outC);
        out += rowBytes;
      }
    }
  }
}

/** Writes the im2col matrix of the image at `img` (pixels x patch, zero padding) to `col`, with block copies. */
function im2col(a: WasmArena, l: WasmConvLayer, img: Ptr, col: Ptr): void {
  const { height, width, inC, k } = l;
  const pad = (k - 1) >> 1;
  const f = a.f32;
  const patch = patchSize(l);
  let row = col >> 2;
  const src0 = img >> 2;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const kx0 = Math.max(0, pad - px);
      const kx1 = Math.min(k, width + pad - px);
      for (let ky = 0; ky < k; ky++) {
        const iy = py + ky - pad;
        const dst = row + ky * k * inC;
        if (iy < 0 || iy >= height) {
          f.fill(0, dst, dst + k * inC);
          continue;
        }
        const src = src0 + (iy * width + px + kx0 - pad) * inC;
        if (k * inC >= 32) {
          if (kx0 > 0) f.fill(0, dst, dst + kx0 * inC);
          f.copyWithin(dst + kx0 * inC, src, src + (kx1 - kx0) * inC);
          if (kx1 < k) f.fill(0, dst + kx1 * inC, dst + k * inC);
        } else {
          // Short rows (the first layer's single channel): a loop beats the calls of fill and copyWithin.
          const lo = kx0 * inC;
          const hi = kx1 * inC;
          for (let j = 0; j < k * inC; j++) f[dst + j] = j >= lo && j < hi ? f[src - lo + j] : 0;
        }
      }
      row += patch;
    }
  }
}

/**
 * Backward pass: writes dL/dW and dL/db into the layer's gradients and, when `dx` is not 0, writes dL/dx there (with
 * `mask`, only where x is non-zero: valid when x is a ReLU (+ max-pool) output, fusing that ReLU's backward pass).
 */
export function wasmConvBackward(
  a: WasmArena,
  l: WasmConvLayer,
  x: Ptr,
  dy: Ptr,
  n: number,
  dx: Ptr,
  mask: boolean,
  s: ConvScratch,
): void {
  const { height, width, inC, outC, k } = l;
  const pad = (k - 1) >> 1;
  const kern = a.k;
  const f = a.f32;
  const patch = patchSize(l);
  const pixels = height * width;
  const inImage = pixels * inC;
  const outImage = pixels * outC;

  // db[oc] = sum over images and pixels of dy, in that order.
  const gb = l.gb >> 2;
  f.fill(0, gb, gb + outC);
  for (let p = 0, d = dy >> 2; p < n * pixels; p++, d += outC) {
    for (let oc = 0; oc < outC; oc++) f[gb + oc] += f[d + oc];
  }

  // dW^T[oc, :] += sum_p dy[p, oc] col[p, :] over the pixels where dy[p, oc] is non-zero (after max-pooling, about
  // one in eight): the sparse-row kernel against the image's im2col matrix, accumulated transposed so each output
  // channel's sum is one contiguous row.
  const gwt = s.gwt >> 2;
  f.fill(0, gwt, gwt + patch * outC);
  for (let b = 0; b < n; b++) {
    im2col(a, l, x + 4 * b * inImage, s.col);
    const dyImg = dy + 4 * b * outImage;
    for (let oc = 0; oc < outC; oc++) {
      const m = kern.gather(dyImg + 4 * oc, 4 * outC, pixels, s.col, 4 * patch, s.val, s.idx, 0);
      if (m === 0) continue;
      const row = s.gwt + 4 * oc * patch;
      kern.spmv(s.val, s.idx, m, 0, row, row, patch);
    }
  }
  const gw = l.gw >> 2;
  for (let r = 0; r < patch; r++) {
    for (let oc = 0; oc < outC; oc++) f[gw + r * outC + oc] = f[gwt + oc * patch + r];
  }
  if (dx === 0) return;

  // dx: for each pixel, dcol = dy[p, :] W^T over the non-zero dy (W^T materialised once: it is small), then
  // col2im adds dcol back onto the receptive field, one contiguous kernel row at a time.
  const w = l.w >> 2;
  const wt = s.wt >> 2;
  for (let r = 0; r < patch; r++) {
    for (let oc = 0; oc < outC; oc++) f[wt + oc * patch + r] = f[w + r * outC + oc];
  }
  f.fill(0, dx >> 2, (dx >> 2) + n * inImage);
  for (let b = 0; b < n; b++) {
    const dxImg = dx + 4 * b * inImage;
    let d = dy + 4 * b * outImage;
    for (let py = 0; py < height; py++) {
      const ky0 = Math.max(0, pad - py);
      const ky1 = Math.min(k, height + pad - py);
      for (let px = 0; px < width; px++, d += 4 * outC) {
        const m = kern.gather(d, 4, outC, s.wt, 4 * patch, s.val, s.idx, 0);
        if (m === 0) continue;
        kern.spmv(s.val, s.idx, m, 0, 0, s.dcol, patch);
        const kx0 = Math.max(0, pad - px);
        const kx1 = Math.min(k, width + pad - px);
        const run = (kx1 - kx0) * inC;
        for (let ky = ky0; ky < ky1; ky++) {
          const dst = dxImg + 4 * ((py + ky - pad) * width + (px + kx0 - pad)) * inC;
          kern.vadd(dst, s.dcol + 4 * (ky * k + kx0) * inC, run);
        }
      }
    }
  }
  if (mask) {
    const xs = x >> 2;
    const ds = dx >> 2;
    for (let i = 0; i < n * inImage; i++) if (f[xs + i] === 0) f[ds + i] = 0;
  }
}
