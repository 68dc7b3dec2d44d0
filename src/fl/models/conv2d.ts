/**
 * 2-D convolution, stride 1, odd square kernel, 'same' zero padding, on channel-last (HWC) images.
 *
 * Weights are stored tap-major: `W[((ky * k + kx) * inC + ic) * outC + oc]`, i.e. the (k*k*inC) x outC matrix of
 * an im2col formulation. The im2col row of an output pixel is never materialised: its non-zeros are gathered
 * straight from the input (skipping padding and the zeros ReLU and MNIST's background leave), then multiplied
 * with the weight matrix by the same sparse kernel as the dense layer. The backward pass likewise walks only the
 * non-zero output gradients of each pixel (after max-pooling, about one in eight).
 */
import { sparseRowTimesMatrix, transposedWeights } from './dense.js';
import { gradNz, inputNz, outNz } from './sparse-scratch.js';
import type { FloatArray } from './types.js';

/** Geometry of a convolution layer and where its tensors live in the parameter vector. */
export interface Conv2dShape {
  readonly height: number;
  readonly width: number;
  readonly inC: number;
  readonly outC: number;
  /** Kernel side (odd). */
  readonly k: number;
  /** Offset of W (`k * k * inC * outC` values, tap-major). */
  readonly wOff: number;
  /** Offset of b (`outC` values). */
  readonly bOff: number;
}

/**
 * Gathers the non-zero inputs under the kernel centred on (y, x) of the image at `xOff`. `inputNz.idx` gets the
 * weight-row offset (tap * inC + ic) * outC, `inputNz.src` the im2col row index tap * inC + ic.
 */
function gatherPatch(s: Conv2dShape, x: FloatArray, xOff: number, y: number, xc: number): number {
  const { height, width, inC, outC, k } = s;
  const pad = (k - 1) >> 1;
  const val = inputNz.val;
  const idx = inputNz.idx;
  const src = inputNz.src;
  let nnz = 0;
  const ky0 = Math.max(0, pad - y);
  const ky1 = Math.min(k, height + pad - y);
  const kx0 = Math.max(0, pad - xc);
  const kx1 = Math.min(k, width + pad - xc);
  for (let ky = ky0; ky < ky1; ky++) {
    const rowIn = xOff + ((y + ky - pad) * width + (xc - pad)) * inC;
    for (let kx = kx0; kx < kx1; kx++) {
      const pix = rowIn + kx * inC;
      const tap = (ky * k + kx) * inC;
      for (let ic = 0; ic < inC; ic++) {
        const v = x[pix + ic];
        if (v !== 0) {
          val[nnz] = v;
          idx[nnz] = (tap + ic) * outC;
          src[nnz] = tap + ic;
          nnz++;
        }
      }
    }
  }
  return nnz;
}

/** Forward pass over `n` images: `x` is `n * height * width * inC`, `y` gets `n * height * width * outC`. */
export function conv2dForward(s: Conv2dShape, params: FloatArray, x: FloatArray, y: FloatArray, n: number): void {
  const { height, width, inC, outC, k, wOff, bOff } = s;
  inputNz.reserve(k * k * inC);
  const inImage = height * width * inC;
  const outImage = height * width * outC;
  for (let b = 0; b < n; b++) {
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const nnz = gatherPatch(s, x, b * inImage, py, px);
        const outOff = b * outImage + (py * width + px) * outC;
        sparseRowTimesMatrix(inputNz.val, inputNz.idx, nnz, params, wOff, params, bOff, outC, y, outOff);
      }
    }
  }
}

/**
 * Backward pass. Adds dL/dW and dL/db into `grad` and, when `dx` is given, writes dL/dx (zeroed first). With
 * `dxMask`, dx is only kept where the input is non-zero: valid when the input comes out of a ReLU (and max-pool),
 * whose backward pass would zero the rest anyway.
 */
export function conv2dBackward(
  s: Conv2dShape,
  params: FloatArray,
  x: FloatArray,
  dy: FloatArray,
  grad: FloatArray,
  n: number,
  dx: FloatArray | null,
  dxMask = false,
): void {
  const { height, width, inC, outC, k, wOff, bOff } = s;
  const pad = (k - 1) >> 1;
  const patch = k * k * inC;
  inputNz.reserve(patch);
  gradNz.reserve(outC);
  const gv = gradNz.val;
  const gi = gradNz.idx;
  const inImage = height * width * inC;
  const outImage = height * width * outC;
  // dW is accumulated transposed (outC x patch) so that one output channel's updates fall in one contiguous row;
  // in the parameters' layout they would be a cache line apart each.
  const dwt = transposedGradScratch(patch * outC);
  dwt.fill(0, 0, patch * outC);
  let wt: FloatArray | null = null;
  let dcol: FloatArray | null = null;
  if (dx !== null) {
    dx.fill(0, 0, n * inImage);
    wt = transposedWeights(params, wOff, patch, outC);
    dcol = patchScratch(params, patch);
  }
  const pixels = height * width;
  const col = colScratch(params, pixels * patch);
  const ov = outNz.val;
  const oi = outNz.idx;
  outNz.reserve(pixels);
  for (let b = 0; b < n; b++) {
    const xOff = b * inImage;
    // dW^T[oc, :] += sum_p dy[p, oc] * col[p, :], over the pixels where dy[p, oc] is non-zero: the sparse-row
    // kernel with the image's im2col matrix, accumulating in registers instead of scattered read-modify-writes.
    im2col(s, x, xOff, col);
    const dyImg = b * outImage;
    for (let oc = 0; oc < outC; oc++) {
      let m = 0;
      for (let p = 0; p < pixels; p++) {
        const g = dy[dyImg + p * outC + oc];
        if (g !== 0) {
          ov[m] = g;
          oi[m] = p * patch;
          m++;
        }
      }
      if (m !== 0) sparseRowTimesMatrix(ov, oi, m, col, 0, dwt, oc * patch, patch, dwt, oc * patch);
    }
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const dyOff = b * outImage + (py * width + px) * outC;
        let m = 0;
        for (let oc = 0; oc < outC; oc++) {
          const g = dy[dyOff + oc];
          if (g !== 0) {
            gv[m] = g;
            gi[m] = oc;
            m++;
          }
        }
        // After max-pooling most output gradients are zero; a pixel with none contributes nothing.
        if (m === 0) continue;
        for (let l = 0; l < m; l++) grad[bOff + gi[l]] += gv[l];

        if (wt === null || dcol === null || dx === null) continue;

        // dx_patch = dy W^T: the sparse-row kernel over this pixel's non-zero output gradients, then a scatter of
        // the patch back onto the image (col2im).
        for (let l = 0; l < m; l++) gi[l] *= patch;
        sparseRowTimesMatrix(gv, gi, m, wt, 0, null, 0, patch, dcol, 0);
        const ky0 = Math.max(0, pad - py);
        const ky1 = Math.min(k, height + pad - py);
        const kx0 = Math.max(0, pad - px);
        const kx1 = Math.min(k, width + pad - px);
        for (let ky = ky0; ky < ky1; ky++) {
          for (let kx = kx0; kx < kx1; kx++) {
            const pix = xOff + ((py + ky - pad) * width + (px + kx - pad)) * inC;
            const tap = (ky * k + kx) * inC;
            if (dxMask) {
              for (let ic = 0; ic < inC; ic++) if (x[pix + ic] !== 0) dx[pix + ic] += dcol[tap + ic];
            } else {
              for (let ic = 0; ic < inC; ic++) dx[pix + ic] += dcol[tap + ic];
            }
          }
        }
      }
    }
  }
  for (let r = 0; r < patch; r++) {
    const row = wOff + r * outC;
    for (let oc = 0; oc < outC; oc++) grad[row + oc] += dwt[oc * patch + r];
  }
}

let dwtScratch = new Float64Array(0);

/** Per-thread float64 buffer for the transposed weight gradient (float64 so accumulation order alone fixes it). */
function transposedGradScratch(size: number): Float64Array {
  if (dwtScratch.length < size) dwtScratch = new Float64Array(size);
  return dwtScratch;
}

let patchF32 = new Float32Array(0);
let patchF64 = new Float64Array(0);

/** A reused per-thread buffer for one im2col row's gradient, of the parameters' own type. */
function patchScratch(params: FloatArray, size: number): FloatArray {
  if (params instanceof Float32Array) {
    if (patchF32.length < size) patchF32 = new Float32Array(size);
    return patchF32;
  }
  if (patchF64.length < size) patchF64 = new Float64Array(size);
  return patchF64;
}

let colF32 = new Float32Array(0);
let colF64 = new Float64Array(0);

/** A reused per-thread buffer for one image's im2col matrix, of the parameters' own type. */
function colScratch(params: FloatArray, size: number): FloatArray {
  if (params instanceof Float32Array) {
    if (colF32.length < size) colF32 = new Float32Array(size);
    return colF32;
  }
  if (colF64.length < size) colF64 = new Float64Array(size);
  return colF64;
}

/** Writes the im2col matrix of the image at `xOff` (`height * width` rows of `k * k * inC`, zero padding) into `col`. */
export function im2col(s: Conv2dShape, x: FloatArray, xOff: number, col: FloatArray): void {
  const { height, width, inC, k } = s;
  const pad = (k - 1) >> 1;
  const patch = k * k * inC;
  let row = 0;
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      for (let ky = 0; ky < k; ky++) {
        const iy = py + ky - pad;
        for (let kx = 0; kx < k; kx++) {
          const ix = px + kx - pad;
          const dst = row + (ky * k + kx) * inC;
          if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
            for (let ic = 0; ic < inC; ic++) col[dst + ic] = 0;
          } else {
            const src = xOff + (iy * width + ix) * inC;
            for (let ic = 0; ic < inC; ic++) col[dst + ic] = x[src + ic];
          }
        }
      }
      row += patch;
    }
  }
}
