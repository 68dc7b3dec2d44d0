/** FedAvg (McMahan et al. 2017): the new global model is the weighted average of the client models. */
import type { ServerOptimizer } from './types.js';

export class FedAvgOptimizer implements ServerOptimizer {
  readonly name = 'fedavg';

  apply(global: Float32Array, average: Float32Array): void {
    global.set(average);
  }

  getState(): Record<string, Float32Array> {
    return {};
  }

  setState(): void {}
}
