/**
 * A custom client trainer for examples/fl-custom.ts: plain local SGD, then the update (trained model minus the
 * global model) is clipped to an L2 norm of at most `CLIP`, as in differentially private FedAvg. It lives in its
 * own module because every worker imports it; it trains directly in the shared result slot, so nothing is copied.
 */
import {
  LocalTrainer,
  Sgd,
  type ClientEnvironment,
  type ClientTrainer,
  type DownlinkPackage,
  type UplinkPackage,
} from '../src/fl/index.js';

const CLIP = 1.0;

export function createClientTrainer(env: ClientEnvironment): ClientTrainer {
  const trainer = new LocalTrainer(env.model);
  let uplinks: UplinkPackage[] = [];
  return {
    localProcess(payload: DownlinkPackage, clientIds: readonly number[]): void {
      uplinks = [];
      for (const clientId of clientIds) {
        const params = env.uplinkBuffer(clientId);
        params.set(payload.params);
        const indices = env.indicesOf(clientId);
        const sgd = new Sgd({ lr: env.config.lr });
        const r = trainer.train(params, indices, env.train, { epochs: env.config.epochs, batchSize: env.config.batchSize }, sgd, env.rngFor(clientId, payload.round));
        let norm = 0;
        for (let i = 0; i < params.length; i++) norm += (params[i] - payload.params[i]) ** 2;
        const scale = Math.min(1, CLIP / Math.sqrt(norm));
        for (let i = 0; i < params.length; i++) params[i] = payload.params[i] + scale * (params[i] - payload.params[i]);
        uplinks.push({ clientId, params, numExamples: indices.length, loss: r.loss, steps: r.steps });
      }
    },
    uplinkPackage: () => uplinks,
  };
}
