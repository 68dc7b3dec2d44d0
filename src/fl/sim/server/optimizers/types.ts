import { FlArgumentError } from '../../../errors.js';

/** The server-side update rule applied to the round's weighted average of client models. */
export interface ServerOptimizer {
  readonly name: string;
  /**
   * Moves `global` (in place) given `average`, the data-size-weighted mean of the surviving clients' models.
   * FedAvg takes the average; FedAvgM and FedAdam treat `global - average` as a pseudo-gradient.
   */
  apply(global: Float32Array, average: Float32Array): void;
  /** Tensors to checkpoint (copies). */
  getState(): Record<string, Float32Array>;
  setState(tensors: Readonly<Record<string, Float32Array>>): void;
}

/** Copies a named tensor from a checkpoint into `into`, or throws if it is missing or the wrong length. */
export function restoreTensor(tensors: Readonly<Record<string, Float32Array>>, name: string, into: Float32Array): void {
  const saved = tensors[name];
  if (!saved || saved.length !== into.length) {
    throw new FlArgumentError(`server optimizer state '${name}': expected ${into.length} values, found ${saved ? saved.length : 'none'}`);
  }
  into.set(saved);
}
