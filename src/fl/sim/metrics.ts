/** Per-round metrics of a run, and where a round's time went. */
import type { TrainedClient } from './dispatch.js';

/** One round of a run. Times are milliseconds of wall-clock time unless named otherwise. */
export interface RoundRecord {
  readonly round: number;
  /** Test accuracy of the global model after the round, in [0, 1]; null when the round was not evaluated. */
  readonly accuracy: number | null;
  /** Mean test cross-entropy of the global model after the round; null when not evaluated. */
  readonly loss: number | null;
  /** Data-size-weighted mean of the trained clients' last-epoch training losses. */
  readonly trainLoss: number;
  readonly sampled: number;
  readonly trained: number;
  /** Clients that failed every attempt and were left out of the aggregate. */
  readonly dropped: readonly number[];
  /** Failed attempts that were retried. */
  readonly retries: number;
  /** Whole round: training, aggregation, evaluation. */
  readonly seconds: number;
  /** Training phase: from submitting the first client to the last client settling. */
  readonly trainMs: number;
  readonly aggregateMs: number;
  readonly evalMs: number;
  /** Sum over clients of local-training time measured inside the workers. */
  readonly computeMs: number;
  /** Busiest worker's share of `computeMs`: the training phase can take no less. */
  readonly criticalMs: number;
  /**
   * `trainMs - criticalMs`: time the training phase spent on anything but the busiest worker's compute (messages,
   * scheduling, waiting for the slowest client: the executor's overhead plus load imbalance).
   */
  readonly dispatchMs: number;
  /** Sum of workers' first-use set-up and of uplink copies (0 for the built-in trainer). */
  readonly setupMs: number;
  readonly copyMs: number;
}

/** Per-worker compute of a round and the busiest worker's total. */
export function criticalPath(trained: readonly TrainedClient[]): number {
  const perWorker = new Map<string, number>();
  for (const c of trained) perWorker.set(c.worker, (perWorker.get(c.worker) ?? 0) + c.computeMs + c.setupMs + c.copyMs);
  let max = 0;
  for (const ms of perWorker.values()) max = Math.max(max, ms);
  return max;
}

/** Weighted mean training loss of the trained clients (0 when none trained). */
export function meanTrainLoss(trained: readonly TrainedClient[]): number {
  let sum = 0;
  let weight = 0;
  for (const c of trained) {
    sum += c.loss * c.numExamples;
    weight += c.numExamples;
  }
  return weight === 0 ? 0 : sum / weight;
}
