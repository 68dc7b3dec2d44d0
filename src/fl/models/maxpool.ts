/** 2x2 max-pooling with stride 2 on channel-last (HWC) images of even height and width. */
import type { FloatArray } from './types.js';

/** Geometry of the pooled input. */
export interface MaxPoolShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Forward pass over `n` images. `argmax` (one entry per output value) records which input won, ties going to the
 * first in row-major order, so the backward pass is a scatter.
 */
export function maxPoolForward(s: MaxPoolShape, x: FloatArray, y: FloatArray, argmax: Int32Array, n: number): void {
  const { height, width, channels: c } = s;
  const oh = height >> 1;
  const ow = width >> 1;
  const rowStride = width * c;
  let out = 0;
  for (let b = 0; b < n; b++) {
    const img = b * height * rowStride;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const p00 = img + (2 * oy * width + 2 * ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = p00 + ch;
          let v = x[best];
          const p01 = best + c;
          const p10 = best + rowStride;
          const p11 = p10 + c;
          if (x[p01] > v) {
            best = p01;
            v = x[p01];
          }
          if (x[p10] > v) {
            best = p10;
            v = x[p10];
          }
          if (x[p11] > v) {
            best = p11;
            v = x[p11];
          }
          y[out] = v;
          argmax[out] = best;
          out++;
        }
      }
    }
  }
}

/** Backward pass: dx is zeroed (`n` input images) and each dy value added at its argmax. */
export function maxPoolBackward(
  s: MaxPoolShape,
  dy: FloatArray,
  argmax: Int32Array,
  dx: FloatArray,
  n: number,
): void {
  const outLen = n * (s.height >> 1) * (s.width >> 1) * s.channels;
  dx.fill(0, 0, n * s.height * s.width * s.channels);
  for (let i = 0; i < outLen; i++) dx[argmax[i]] += dy[i];
}
