/**
 * The built-in client trainer: local epochs of minibatch SGD from the global model (FedAvg), with FedProx's
 * proximal term towards the round's global model when the algorithm is `fedprox`.
 */
import { Sgd } from '../../optim/sgd.js';
import { LocalTrainer } from '../../train.js';
import type { ClientEnvironment, ClientTrainer, DownlinkPackage, UplinkPackage } from '../protocols.js';

export class SgdClientTrainer implements ClientTrainer {
  private readonly trainer: LocalTrainer;
  private uplinks: UplinkPackage[] = [];

  constructor(private readonly env: ClientEnvironment) {
    this.trainer = new LocalTrainer(env.model);
  }

  localProcess(payload: DownlinkPackage, clientIds: readonly number[]): void {
    const { config } = this.env;
    this.uplinks = [];
    for (const clientId of clientIds) {
      // Train in the shared result slot itself: the update never needs copying or serialising.
      const params = this.env.uplinkBuffer(clientId);
      params.set(payload.params);
      // A fresh optimiser per client: momentum never leaks from one client to the next.
      const sgd = new Sgd({ lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
      if (config.algorithm === 'fedprox') sgd.setProximal({ mu: config.mu, anchor: payload.params });
      const indices = this.env.indicesOf(clientId);
      const result = this.trainer.train(
        params,
        indices,
        this.env.train,
        { epochs: config.epochs, batchSize: config.batchSize },
        sgd,
        this.env.rngFor(clientId, payload.round),
      );
      this.uplinks.push({ clientId, params, numExamples: indices.length, loss: result.loss, steps: result.steps });
    }
  }

  uplinkPackage(): UplinkPackage[] {
    return this.uplinks;
  }
}

/** The default {@link ClientTrainerFactory}. */
export function createClientTrainer(env: ClientEnvironment): ClientTrainer {
  return new SgdClientTrainer(env);
}
