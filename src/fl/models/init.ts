/** PyTorch's default initialisation of Linear and Conv2d layers, drawn from a seeded stream. */
import type { Rng } from '../rng.js';
import type { FloatArray, ParamBlock } from './types.js';

/**
 * Fills every block with uniform values in [-1/sqrt(fanIn), 1/sqrt(fanIn)), in layout order (PyTorch's
 * kaiming_uniform(a=sqrt(5)) for weights and its bias rule both reduce to this bound).
 */
export function initUniformFanIn(params: FloatArray, layout: readonly ParamBlock[], rng: Rng): void {
  for (const block of layout) {
    const bound = 1 / Math.sqrt(block.fanIn);
    const end = block.offset + block.size;
    for (let i = block.offset; i < end; i++) params[i] = (2 * rng.nextFloat() - 1) * bound;
  }
}

/** Builds a layout from (name, shape, fanIn) entries placed back to back. */
export function buildLayout(entries: readonly [string, readonly number[], number][]): ParamBlock[] {
  const layout: ParamBlock[] = [];
  let offset = 0;
  for (const [name, shape, fanIn] of entries) {
    const size = shape.reduce((a, b) => a * b, 1);
    layout.push({ name, offset, size, shape, fanIn });
    offset += size;
  }
  return layout;
}
