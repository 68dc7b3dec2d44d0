/**
 * FedAvgM (Hsu et al. 2019): server momentum over the pseudo-gradient `delta = global - average`:
 * `v = momentum * v + delta; global -= lr * v`. With momentum 0 and lr 1 it is FedAvg.
 */
import { restoreTensor, type ServerOptimizer } from './types.js';

export class FedAvgMOptimizer implements ServerOptimizer {
  readonly name = 'fedavgm';
  private readonly velocity: Float32Array;

  constructor(
    size: number,
    private readonly lr: number,
    private readonly momentum: number,
  ) {
    this.velocity = new Float32Array(size);
  }

  apply(global: Float32Array, average: Float32Array): void {
    const v = this.velocity;
    const { lr, momentum } = this;
    for (let i = 0; i < global.length; i++) {
      v[i] = momentum * v[i] + (global[i] - average[i]);
      global[i] -= lr * v[i];
    }
  }

  getState(): Record<string, Float32Array> {
    return { velocity: this.velocity.slice() };
  }

  setState(tensors: Readonly<Record<string, Float32Array>>): void {
    restoreTensor(tensors, 'velocity', this.velocity);
  }
}
