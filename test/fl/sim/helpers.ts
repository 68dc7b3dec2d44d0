/** A small, fast configuration shared by the simulator tests: a few thousand MNIST images, few clients, 2-3 rounds. */
import type { SimConfigInput } from '../../../src/fl/sim/index.js';

export const SMALL: SimConfigInput = {
  clients: 8,
  fraction: 0.5,
  rounds: 2,
  trainLimit: 1600,
  testLimit: 500,
  seed: 7,
};

/** Path of the `weft fl` test program (the real command, registered on its own). */
export const FL_CLI = new URL('./fixtures/fl-cli.ts', import.meta.url);
