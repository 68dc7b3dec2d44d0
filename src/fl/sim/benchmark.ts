/**
 * The FL case of the `weft bench` study as one function: run a few rounds on one backend and worker count and
 * report seconds per round, where the time went, and the final hash (which must match across backends).
 */
import type { ModelName } from '../models/index.js';
import type { SimBackend, SimConfigInput } from './config.js';
import { runSimulation, type StartupBreakdown } from './simulation.js';

/** Options of {@link runFlBenchmark}; unset settings take the simulator's defaults (the PyTorch anchor). */
export interface FlBenchmarkOptions {
  readonly model?: ModelName;
  readonly backend: SimBackend;
  readonly workers: number;
  readonly rounds: number;
  readonly clients?: number;
  readonly fraction?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Use only the first N training / test images; 0 = all. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Evaluate every N rounds (default: only after the last); evaluation time is not in a round's seconds. */
  readonly evalEvery?: number;
  /** Any other simulator setting. */
  readonly extra?: SimConfigInput;
}

/** Where one round's time went, in milliseconds. */
export interface RoundBreakdown {
  /** Training phase wall time: first client submitted to last client settled. */
  readonly trainMs: number;
  /** Sum of the clients' local-training time inside the workers (all workers together). */
  readonly computeMs: number;
  /** The busiest worker's compute: the floor of `trainMs` for this assignment of clients to workers. */
  readonly criticalMs: number;
  /** `trainMs - criticalMs`: messages, scheduling and load imbalance. */
  readonly dispatchMs: number;
  /** Copies of uplinks into result slots (0 with the built-in trainer, which trains in place). */
  readonly copyMs: number;
  /** Weighted averaging and the server optimiser, on the main thread. */
  readonly aggregateMs: number;
  /** Evaluating the global model (0 in rounds the benchmark's `evalEvery` skips). */
  readonly evalMs: number;
}

export interface FlBenchmarkResult {
  readonly backend: SimBackend;
  readonly workers: number;
  readonly model: ModelName;
  /** Training plus aggregation per round, in seconds (evaluation excluded: it is not part of a round's work). */
  readonly secondsPerRound: number[];
  readonly paramsHash: string;
  /** Test accuracy after the last round. */
  readonly accuracy: number;
  /** Test accuracy after each round; null for rounds that were not evaluated. */
  readonly accuracyPerRound: (number | null)[];
  readonly breakdown: {
    readonly startupMs: number;
    readonly startup: StartupBreakdown;
    readonly perRound: RoundBreakdown[];
  };
}

/**
 * Runs `rounds` rounds of FedAvg and measures them.
 * @example
 * const seq = await runFlBenchmark({ backend: 'sequential', workers: 1, rounds: 3 });
 * const thr = await runFlBenchmark({ backend: 'thread', workers: 2, rounds: 3 });
 * console.log(seq.paramsHash === thr.paramsHash, seq.secondsPerRound, thr.secondsPerRound);
 */
export async function runFlBenchmark(options: FlBenchmarkOptions): Promise<FlBenchmarkResult> {
  const config: SimConfigInput = {
    ...options.extra,
    model: options.model,
    backend: options.backend,
    workers: options.workers,
    rounds: options.rounds,
    clients: options.clients,
    fraction: options.fraction,
    epochs: options.epochs,
    batchSize: options.batchSize,
    lr: options.lr,
    seed: options.seed,
    trainLimit: options.trainLimit,
    testLimit: options.testLimit,
    evalEvery: options.evalEvery ?? options.rounds,
  };
  const result = await runSimulation({ config });
  return {
    backend: result.config.backend,
    workers: result.config.workers,
    model: result.config.model,
    secondsPerRound: result.rounds.map((r) => (r.trainMs + r.aggregateMs) / 1000),
    paramsHash: result.paramsHash,
    accuracy: result.accuracy ?? 0,
    accuracyPerRound: result.rounds.map((r) => r.accuracy),
    breakdown: {
      startupMs: result.startup.totalMs,
      startup: result.startup,
      perRound: result.rounds.map((r) => ({
        trainMs: r.trainMs,
        computeMs: r.computeMs,
        criticalMs: r.criticalMs,
        dispatchMs: r.dispatchMs,
        copyMs: r.copyMs,
        aggregateMs: r.aggregateMs,
        evalMs: r.evalMs,
      })),
    },
  };
}
