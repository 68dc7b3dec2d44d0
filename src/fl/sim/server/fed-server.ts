/**
 * The built-in server handler: samples a fraction of the clients each round, averages their models weighted by
 * data size (FedAvg), and hands that average to a server optimiser (FedAvg, FedAvgM, FedAdam).
 */
import { clientsPerRound } from '../config.js';
import type { DownlinkPackage, ServerEnvironment, ServerHandler, ServerState, UplinkPackage } from '../protocols.js';
import { createServerOptimizer, type ServerOptimizer } from './optimizers/index.js';
import { sampleWithoutReplacement } from './sampling.js';
import { FlProtocolError } from '../../errors.js';

export class FedServer implements ServerHandler {
  private readonly optimizer: ServerOptimizer;
  /**
   * Weighted sum of the loaded models, in double precision. Uplinks are added in client-id order, so the sum (and
   * the final float32 rounding) is the same on every backend and worker count.
   */
  private readonly sum: Float64Array;
  private readonly average: Float32Array;
  private totalWeight = 0;
  private lastLoaded = -1;

  constructor(private readonly env: ServerEnvironment) {
    const size = env.params.length;
    this.optimizer = createServerOptimizer(env.config.algorithm, size, env.config);
    this.sum = new Float64Array(size);
    this.average = new Float32Array(size);
  }

  sampleClients(): number[] {
    return sampleWithoutReplacement(this.env.config.clients, clientsPerRound(this.env.config), this.env.rng);
  }

  downlinkPackage(round: number): DownlinkPackage {
    return { round, params: this.env.params };
  }

  load(uplink: UplinkPackage): void {
    if (uplink.clientId <= this.lastLoaded) {
      throw new FlProtocolError(`uplinks must be loaded in ascending client-id order: ${uplink.clientId} after ${this.lastLoaded}`);
    }
    if (uplink.params.length !== this.sum.length) {
      throw new FlProtocolError(`client ${uplink.clientId} sent ${uplink.params.length} parameters, the model has ${this.sum.length}`);
    }
    this.lastLoaded = uplink.clientId;
    const w = uplink.numExamples;
    const sum = this.sum;
    const p = uplink.params;
    for (let i = 0; i < sum.length; i++) sum[i] += w * p[i];
    this.totalWeight += w;
  }

  globalUpdate(): void {
    // A round where every client failed (or held no data) leaves the model as it was.
    if (this.totalWeight > 0) {
      const inv = 1 / this.totalWeight;
      for (let i = 0; i < this.sum.length; i++) this.average[i] = this.sum[i] * inv;
      this.optimizer.apply(this.env.params, this.average);
    }
    this.sum.fill(0);
    this.totalWeight = 0;
    this.lastLoaded = -1;
  }

  isStopped(round: number): boolean {
    return round >= this.env.config.rounds;
  }

  getState(): ServerState {
    return { rng: this.env.rng.getState(), tensors: this.optimizer.getState(), scalars: {} };
  }

  setState(state: ServerState): void {
    this.env.rng.setState(state.rng);
    this.optimizer.setState(state.tensors);
  }
}

/** The default {@link ServerFactory}. */
export function createFedServer(env: ServerEnvironment): ServerHandler {
  return new FedServer(env);
}
