/** Continuous distributions drawn from an {@link Rng}: gamma (Marsaglia-Tsang) and Dirichlet. */
import type { Rng } from './rng.js';
import { FlArgumentError } from './errors.js';

/**
 * Gamma(shape, 1) deviate by Marsaglia and Tsang's squeeze method (2000). For shape < 1 it draws Gamma(shape + 1)
 * and scales by U^(1/shape), the standard boost.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new FlArgumentError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    const g = sampleGamma(rng, shape + 1);
    // 1 - u lies in (0, 1], so the power never hits 0^(1/shape) from a zero draw.
    return g * Math.pow(1 - rng.nextDouble(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.nextDouble();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Dirichlet deviate with concentrations `alpha` (one per component), written into `out` (allocated when absent).
 * If every gamma draw underflows to zero (tiny alpha), all mass goes to one uniformly chosen component, which is
 * the limit the distribution tends to.
 */
export function sampleDirichlet(rng: Rng, alpha: readonly number[] | Float64Array, out?: Float64Array): Float64Array {
  const k = alpha.length;
  const p = out ?? new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    p[i] = sampleGamma(rng, alpha[i]);
    sum += p[i];
  }
  if (sum > 0) {
    for (let i = 0; i < k; i++) p[i] /= sum;
  } else {
    p.fill(0);
    p[rng.nextInt(k)] = 1;
  }
  return p;
}
