/** Options of the auto backend, their defaults, and the checks that turn a bad one into a clear error. */
import { availableParallelism } from 'node:os';
import { InvalidOptionError } from '../pool/errors.js';
import { checkInteger, invalidWorkers, resolveWorkers, type PoolOptions } from '../pool/options.js';

/** How the auto backend samples each task function before choosing. */
export interface SamplingOptions {
  /**
   * Sampled calls per backend and task function (round-robin over inline, thread, process). Default 5.
   * A cheap task, whose sampled calls total under 20 ms, gets up to 4 times as many: its choice rests on
   * a sub-millisecond overhead, whose floor takes more tries to find on a busy machine.
   */
  rounds?: number;
  /**
   * Milliseconds of sampled calls per task function after which sampling stops as soon as every
   * backend has at least one sample, so a heavy task is not run nine times just to be measured. Default 1000.
   */
  budgetMs?: number;
  /**
   * Inline is never chosen for a task whose median call is longer than this: it would block the
   * caller's event loop for that long on every call. Default 5 ms.
   */
  inlineLimitMs?: number;
  /**
   * Processes are chosen over threads only when faster by more than this fraction (threads start
   * faster, use less memory and can share memory; a few percent is noise). Default 0.15.
   */
  processMargin?: number;
}

/** Options of `createPool({ backend: 'auto', ... })`: those of a pool, plus how to sample. */
export interface AutoPoolOptions extends Omit<PoolOptions, 'backend'> {
  backend: 'auto';
  /** Workers of the thread pool and of the process pool each (inline has 1). Default: available parallelism. */
  workers?: number;
  sampling?: SamplingOptions;
}

export interface ResolvedSampling {
  rounds: number;
  budgetMs: number;
  inlineLimitMs: number;
  processMargin: number;
  /** How many calls a parallel backend runs at once that actually run in parallel: min(workers, cores). */
  parallelism: number;
  workers: number;
}

export function resolveSampling(options: AutoPoolOptions): ResolvedSampling {
  const s = options.sampling ?? {};
  if (typeof s !== 'object' || s === null) throw new InvalidOptionError('sampling', 'expected an object');
  // Five calls per backend: the smallest overhead seen must come from a warm call, not a cold first one.
  const rounds = s.rounds ?? 5;
  checkInteger('sampling.rounds', rounds, 1, 100);
  const budgetMs = s.budgetMs ?? 1000;
  checkPositive('sampling.budgetMs', budgetMs);
  const inlineLimitMs = s.inlineLimitMs ?? 5;
  checkPositive('sampling.inlineLimitMs', inlineLimitMs);
  const processMargin = s.processMargin ?? 0.15;
  if (typeof processMargin !== 'number' || !(processMargin >= 0 && processMargin < 1)) {
    throw new InvalidOptionError('sampling.processMargin', `expected a fraction from 0 to below 1, got ${String(processMargin)}`);
  }
  const workers = resolveWorkers(options.workers, false, invalidWorkers);
  return { rounds, budgetMs, inlineLimitMs, processMargin, workers, parallelism: Math.min(workers, availableParallelism()) };
}

function checkPositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InvalidOptionError(name, `expected a positive number of milliseconds, got ${String(value)}`);
  }
}
