/**
 * The configuration of one simulated federated run: every knob of the data, model, clients, server and executor,
 * its defaults (the PyTorch anchor of issue 6: MLP, IID, 100 clients, 10 per round, 1 epoch, batch 10, lr 0.05)
 * and the checks that turn a bad value into an error naming the setting and what it accepts.
 */
import { resolveWorkers, type WorkersProblem } from '../../pool/options.js';
import { MODEL_NAMES, type ModelName } from '../models/index.js';
import { WeftError } from '../../shared/errors.js';

export const PARTITION_KINDS = ['iid', 'shards', 'dirichlet'] as const;
export type PartitionKind = (typeof PARTITION_KINDS)[number];

export const ALGORITHMS = ['fedavg', 'fedprox', 'fedavgm', 'fedadam'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

/**
 * `sequential` runs clients one after another on the calling thread (the pool's inline backend); `cluster` on
 * `weft worker --fl` processes through Redis (needs `SimulationOptions.cluster`).
 */
export const SIM_BACKENDS = ['sequential', 'thread', 'process', 'cluster'] as const;
export type SimBackend = (typeof SIM_BACKENDS)[number];

/** What a failing client does when fault injection picks it (for tests and demonstrations). */
export const FAULT_KINDS = ['throw', 'crash', 'hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Deliberate client failures: which clients fail, how, and for how many attempts. */
export interface FaultConfig {
  /** These client ids fail whenever they are sampled. */
  readonly clients: readonly number[];
  /** Additionally, each (client, round) fails with this probability, drawn from a seeded stream. Default 0. */
  readonly probability: number;
  /** `throw` an error, `crash` the worker (process.exit), or `hang` until the task timeout. Default `throw`. */
  readonly kind: FaultKind;
  /** Fail only the first this-many attempts of a (client, round), so a retry succeeds; 0 (default) = every attempt. */
  readonly attempts: number;
}

/** A complete simulation configuration. Build one with {@link resolveConfig}. */
export interface SimConfig {
  readonly model: ModelName;
  readonly partition: PartitionKind;
  /** Dirichlet concentration (partition `dirichlet` only). */
  readonly alpha: number;
  /** Shards per client (partition `shards` only). */
  readonly shardsPerClient: number;
  readonly clients: number;
  /** Share of clients sampled each round; at least one client is always sampled. */
  readonly fraction: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Client SGD learning rate. */
  readonly lr: number;
  /** Client SGD momentum (0: plain SGD). */
  readonly momentum: number;
  readonly weightDecay: number;
  readonly rounds: number;
  readonly algorithm: AlgorithmName;
  /** FedProx proximal coefficient (used when algorithm is `fedprox`). */
  readonly mu: number;
  /**
   * Server learning rate of FedAvgM and FedAdam (FedAvg and FedProx replace the model by the average). Default
   * per algorithm: 1 for FedAvgM, 0.03 for FedAdam (see {@link defaultServerLr}).
   */
  readonly serverLr: number;
  /** FedAvgM server momentum. */
  readonly serverMomentum: number;
  /** FedAdam moments and adaptivity (Reddi et al. 2021). */
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  readonly seed: number;
  readonly backend: SimBackend;
  readonly workers: number;
  /** Use only the first N training / test images (fast tests); 0 = all. */
  readonly trainLimit: number;
  readonly testLimit: number;
  /** Evaluate the global model every K rounds (and always after the last). */
  readonly evalEvery: number;
  /** Per-client task timeout in ms; 0 = none. A client that exceeds it is treated as failed. */
  readonly clientTimeoutMs: number;
  /** Extra attempts for a failed client within its round (0 = drop it at once). */
  readonly retries: number;
  readonly faults: FaultConfig;
}

export const NO_FAULTS: FaultConfig = Object.freeze({ clients: [], probability: 0, kind: 'throw', attempts: 0 });

/** The defaults: issue 6's PyTorch anchor configuration. */
export const DEFAULT_CONFIG: SimConfig = Object.freeze({
  model: 'mlp',
  partition: 'iid',
  alpha: 0.5,
  shardsPerClient: 2,
  clients: 100,
  fraction: 0.1,
  epochs: 1,
  batchSize: 10,
  lr: 0.05,
  momentum: 0,
  weightDecay: 0,
  rounds: 20,
  algorithm: 'fedavg',
  mu: 0.01,
  serverLr: 1,
  serverMomentum: 0.9,
  beta1: 0.9,
  beta2: 0.99,
  tau: 1e-3,
  seed: 0,
  backend: 'sequential',
  workers: 1,
  trainLimit: 0,
  testLimit: 0,
  evalEvery: 1,
  clientTimeoutMs: 0,
  retries: 0,
  faults: NO_FAULTS,
});

/** A setting with a value it does not accept. `setting` is the config key, e.g. `fraction`. */
export class ConfigError extends WeftError {
  constructor(
    readonly setting: string,
    readonly allowed: string,
    readonly value: unknown,
  ) {
    super('WEFT_FL_CONFIG', `${setting}: expected ${allowed}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
}

/** The same settings as {@link SimConfig}, every one optional (defaults fill the rest). */
export type SimConfigInput = Partial<Omit<SimConfig, 'faults'>> & { faults?: Partial<FaultConfig> };

function oneOf<T extends string>(setting: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) throw new ConfigError(setting, `one of ${allowed.join(', ')}`, value);
}

function integer(setting: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(setting, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`, value);
  }
}

function real(setting: string, value: number, test: (x: number) => boolean, allowed: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) throw new ConfigError(setting, allowed, value);
}

function invalidWorkers(problem: WorkersProblem, value: unknown, max: number): never {
  throw new ConfigError('workers', problem === 'range' ? `an integer from 1 to ${max}` : '1 with the sequential backend (it runs clients on the calling thread)', value);
}

/** Fills defaults and validates every setting; throws {@link ConfigError} naming the first bad one. */
export function resolveConfig(input: SimConfigInput = {}): SimConfig {
  const faults: FaultConfig = { ...NO_FAULTS, ...input.faults };
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as SimConfigInput;
  const backend = defined.backend ?? DEFAULT_CONFIG.backend;
  const algorithm = defined.algorithm ?? DEFAULT_CONFIG.algorithm;
  const config: SimConfig = {
    ...DEFAULT_CONFIG,
    serverLr: defaultServerLr(algorithm),
    workers: resolveWorkers(undefined, backend === 'sequential', invalidWorkers),
    ...defined,
    faults,
  };
  oneOf('model', config.model, MODEL_NAMES);
  oneOf('partition', config.partition, PARTITION_KINDS);
  oneOf('algorithm', config.algorithm, ALGORITHMS);
  oneOf('backend', config.backend, SIM_BACKENDS);
  real('alpha', config.alpha, (x) => x > 0, 'a positive number');
  integer('shardsPerClient', config.shardsPerClient, 1);
  integer('clients', config.clients, 1);
  real('fraction', config.fraction, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  integer('epochs', config.epochs, 1);
  integer('batchSize', config.batchSize, 1);
  real('lr', config.lr, (x) => x > 0, 'a positive number');
  real('momentum', config.momentum, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  real('weightDecay', config.weightDecay, (x) => x >= 0, 'a number >= 0');
  integer('rounds', config.rounds, 1);
  real('mu', config.mu, (x) => x >= 0, 'a number >= 0');
  real('serverLr', config.serverLr, (x) => x > 0, 'a positive number');
  real('serverMomentum', config.serverMomentum, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  real('beta1', config.beta1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  real('beta2', config.beta2, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  real('tau', config.tau, (x) => x > 0, 'a positive number');
  integer('seed', config.seed, 0, 2 ** 53 - 1);
  resolveWorkers(config.workers, config.backend === 'sequential', invalidWorkers);
  integer('trainLimit', config.trainLimit, 0);
  integer('testLimit', config.testLimit, 0);
  integer('evalEvery', config.evalEvery, 1);
  integer('clientTimeoutMs', config.clientTimeoutMs, 0, 2_147_483_647);
  integer('retries', config.retries, 0, 100);
  for (const id of faults.clients) {
    if (!Number.isInteger(id) || id < 0 || id >= config.clients) {
      throw new ConfigError('faults.clients', `client ids from 0 to ${config.clients - 1}`, id);
    }
  }
  real('faults.probability', faults.probability, (x) => x >= 0 && x <= 1, 'a probability in [0, 1]');
  oneOf('faults.kind', faults.kind, FAULT_KINDS);
  integer('faults.attempts', faults.attempts, 0);
  const faulty = faults.clients.length > 0 || faults.probability > 0;
  if (faulty && faults.kind !== 'throw' && config.backend === 'sequential') {
    throw new ConfigError('faults.kind', `'throw' with the sequential backend (a '${faults.kind}' would take the whole run down)`, faults.kind);
  }
  if (faulty && faults.kind === 'hang' && config.clientTimeoutMs === 0) {
    throw new ConfigError('clientTimeoutMs', "a timeout > 0 when injected faults 'hang' (or nothing would end them)", 0);
  }
  return Object.freeze(config);
}

/** The server learning rate used when none is given: 0.03 for FedAdam (best of 0.003, 0.01, 0.03 for the MLP on MNIST), else 1. */
export function defaultServerLr(algorithm: AlgorithmName): number {
  return algorithm === 'fedadam' ? 0.03 : 1;
}

/** Clients sampled per round: round(fraction * clients), at least 1. */
export function clientsPerRound(config: Pick<SimConfig, 'fraction' | 'clients'>): number {
  return Math.max(1, Math.min(config.clients, Math.round(config.fraction * config.clients)));
}

/**
 * The settings that decide the final parameters. A checkpoint may be resumed under a different backend, worker
 * count, output files or round count, but not if any of these differ.
 */
export function resultDeterminingSettings(config: SimConfig): Record<string, unknown> {
  const { backend: _b, workers: _w, rounds: _r, evalEvery: _e, clientTimeoutMs: _t, ...rest } = config;
  return rest;
}
