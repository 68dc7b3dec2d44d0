/** Rectified linear unit over flat arrays. */
import type { FloatArray } from './types.js';

/** y = max(x, 0), elementwise over `len` values; `y` may be `x`. */
export function reluForward(x: FloatArray, y: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : 0;
  }
}

/**
 * dx = dy where the ReLU's output `y` is positive, else 0; `dx` may be `dy`. Using the output rather than the input
 * as the mask lets the forward pass run in place.
 */
export function reluBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, len: number): void {
  for (let i = 0; i < len; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}
