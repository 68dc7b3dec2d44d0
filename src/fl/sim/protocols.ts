/**
 * The two protocols of a federated experiment, after BlazeFL: a **server handler** that lives on the main thread
 * and a **client trainer** that lives in each worker. Implement them (or take the built-ins: {@link FedServer}
 * with FedAvg, FedProx, FedAvgM or FedAdam, and the SGD client trainer) and the simulator runs the rounds on any
 * backend.
 *
 * One round: `sampleClients(round)` picks client ids; `downlinkPackage(round)` gives the payload (the global
 * parameters, in shared memory); each sampled client runs `localProcess(payload, [id])` in some worker and its
 * `uplinkPackage()` comes back through a pre-allocated shared result slot; the server `load`s every surviving
 * uplink in client-id order, then `globalUpdate(round)`; the run ends when `isStopped(round)`.
 */
import type { Dataset } from '../data/mnist.js';
import type { Model } from '../models/types.js';
import type { Rng, RngState } from '../rng.js';
import type { SimConfig } from './config.js';

/** What the server sends to every client of a round. */
export interface DownlinkPackage {
  readonly round: number;
  /** The global parameters. Clients read them (zero-copy, in shared memory) and must not write them. */
  readonly params: Float32Array;
}

/** What one client sends back after local training. */
export interface UplinkPackage {
  readonly clientId: number;
  /** The client's parameters after local training. */
  readonly params: Float32Array;
  /** Training examples the client holds: FedAvg's aggregation weight. */
  readonly numExamples: number;
  /** Mean training loss of the client's last local epoch. */
  readonly loss: number;
  /** Optimiser steps the client took. */
  readonly steps: number;
}

/** Everything a server handler's state needs to resume exactly: its rng and its tensors (e.g. momentum). */
export interface ServerState {
  readonly rng: RngState;
  readonly tensors: Readonly<Record<string, Float32Array>>;
  readonly scalars: Readonly<Record<string, number>>;
}

/** The server side of an experiment. Runs on the main thread. */
export interface ServerHandler {
  /** Ids of the clients to train in `round` (1-based). The simulator trains and loads them in ascending order. */
  sampleClients(round: number): number[];
  /** The payload of `round`. Its `params` should be the shared global array the handler was given (no copy). */
  downlinkPackage(round: number): DownlinkPackage;
  /** Receives one client's update; called for each client that finished, in client-id order. */
  load(uplink: UplinkPackage): void;
  /** Folds the loaded uplinks into the global model. Called even when no client survived the round. */
  globalUpdate(round: number): void;
  /** Whether the run ends after `round`. */
  isStopped(round: number): boolean;
  /** State for a checkpoint (copied). */
  getState(): ServerState;
  /** Restores a checkpoint's state. */
  setState(state: ServerState): void;
}

/** What the simulator gives a server handler factory. */
export interface ServerEnvironment {
  readonly config: SimConfig;
  /** The global model: shared memory every worker reads. The handler updates it in place. */
  readonly params: Float32Array;
  /** Examples per client. */
  readonly clientSizes: readonly number[];
  /** The server's own stream (client sampling), `Rng.derive(seed, SERVER_STREAM)`; checkpoint its state. */
  readonly rng: Rng;
}

/** Builds the server handler of a run. */
export type ServerFactory = (env: ServerEnvironment) => ServerHandler;

/** The client side of an experiment. One instance per worker, reused for every client that worker trains. */
export interface ClientTrainer {
  /** Trains the listed clients from `payload`. */
  localProcess(payload: DownlinkPackage, clientIds: readonly number[]): void | Promise<void>;
  /** The uplinks of the clients trained by the last `localProcess`, one per client id. */
  uplinkPackage(): UplinkPackage[];
}

/** What a worker gives a client trainer factory. */
export interface ClientEnvironment {
  readonly config: SimConfig;
  /** This worker's model instance (models keep scratch buffers, so one per worker). */
  readonly model: Model;
  /** The training set (shared memory). */
  readonly train: Dataset;
  /** Client `clientId`'s example indices into `train` (a shared view). */
  indicesOf(clientId: number): Uint32Array;
  /** Client `clientId`'s stream for `round`: `Rng.derive(seed, clientId, round)`, the same on every backend. */
  rngFor(clientId: number, round: number): Rng;
  /**
   * The shared result slot the simulator reserved for `clientId`'s update in the current call. Train in it
   * directly and return it as the uplink's `params` to avoid any copy; another array is copied into it.
   */
  uplinkBuffer(clientId: number): Float32Array;
}

/**
 * Builds a client trainer. A custom one lives in a module (so every worker can import it) that exports a
 * factory named `createClientTrainer`; pass its URL as the simulation's `trainerModule`.
 */
export type ClientTrainerFactory = (env: ClientEnvironment) => ClientTrainer;
