/** The built-in server optimisers by algorithm name. FedProx changes the clients, not the server: it uses FedAvg's. */
import type { AlgorithmName, SimConfig } from '../../config.js';
import { FedAdamOptimizer } from './fedadam.js';
import { FedAvgOptimizer } from './fedavg.js';
import { FedAvgMOptimizer } from './fedavgm.js';
import type { ServerOptimizer } from './types.js';

export { FedAdamOptimizer, FedAvgMOptimizer, FedAvgOptimizer };
export type { FedAdamOptions } from './fedadam.js';
export type { ServerOptimizer } from './types.js';

/** The server optimiser `config.algorithm` calls for, over `size` parameters. */
export function createServerOptimizer(algorithm: AlgorithmName, size: number, config: SimConfig): ServerOptimizer {
  switch (algorithm) {
    case 'fedavg':
    case 'fedprox':
      return new FedAvgOptimizer();
    case 'fedavgm':
      return new FedAvgMOptimizer(size, config.serverLr, config.serverMomentum);
    case 'fedadam':
      return new FedAdamOptimizer(size, { lr: config.serverLr, beta1: config.beta1, beta2: config.beta2, tau: config.tau });
  }
}
