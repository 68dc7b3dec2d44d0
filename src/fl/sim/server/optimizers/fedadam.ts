/**
 * FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization"): Adam on the server over the round's update
 * `delta = average - global`: `m = b1 m + (1 - b1) delta; v = b2 v + (1 - b2) delta^2;
 * global += lr * m / (sqrt(v) + tau)`. No bias correction, as in the paper; `tau` bounds the adaptivity.
 */
import { restoreTensor, type ServerOptimizer } from './types.js';

export interface FedAdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
}

export class FedAdamOptimizer implements ServerOptimizer {
  readonly name = 'fedadam';
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  constructor(
    size: number,
    private readonly options: FedAdamOptions,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  apply(global: Float32Array, average: Float32Array): void {
    const { lr, beta1, beta2, tau } = this.options;
    const { m, v } = this;
    for (let i = 0; i < global.length; i++) {
      const delta = average[i] - global[i];
      m[i] = beta1 * m[i] + (1 - beta1) * delta;
      v[i] = beta2 * v[i] + (1 - beta2) * delta * delta;
      global[i] += (lr * m[i]) / (Math.sqrt(v[i]) + tau);
    }
  }

  getState(): Record<string, Float32Array> {
    return { m: this.m.slice(), v: this.v.slice() };
  }

  setState(tensors: Readonly<Record<string, Float32Array>>): void {
    restoreTensor(tensors, 'm', this.m);
    restoreTensor(tensors, 'v', this.v);
  }
}
