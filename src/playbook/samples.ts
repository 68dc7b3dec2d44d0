/** What the auto backend has measured for one task function: end-to-end call times per backend. */
import type { LocalBackendKind as BackendKind } from '../pool/backends/types.js';

/** The order sampled calls take, round-robin. */
export const SAMPLED_BACKENDS: readonly BackendKind[] = ['inline', 'thread', 'process'];

/**
 * A task whose sampled calls total less than this (ms) keeps being sampled past `rounds`, up to
 * {@link CHEAP_ROUNDS_FACTOR} times as many calls per backend. Why: the choice for a cheap task rests on
 * the floor of a sub-millisecond overhead, and on a busy machine five tries can all land in noise
 * (CI once chose threads for a 1 µs task).
 */
export const CHEAP_SAMPLING_MS = 20;
export const CHEAP_ROUNDS_FACTOR = 4;

/** The most sampled calls per backend a task can take with `rounds` asked for. */
export function maxRounds(rounds: number): number {
  return rounds * CHEAP_ROUNDS_FACTOR;
}

export class TaskSamples {
  /** Submit-to-settle milliseconds of each successful sampled call, per backend. */
  readonly times: Record<BackendKind, number[]> = { inline: [], thread: [], process: [] };
  /** Milliseconds the task function itself ran (inside the worker) in those calls, same order. */
  readonly runTimes: Record<BackendKind, number[]> = { inline: [], thread: [], process: [] };
  /** Backends that cannot carry this task (its arguments or result cannot cross), with why. */
  readonly excluded: Partial<Record<BackendKind, string>> = {};
  /** Sampled calls that failed (not counted as samples). */
  failures = 0;
  /** Milliseconds spent in sampled calls so far, successful or not. */
  spentMs = 0;
  private turn = 0;

  constructor(readonly name: string) {}

  eligible(): BackendKind[] {
    return SAMPLED_BACKENDS.filter((b) => this.excluded[b] === undefined);
  }

  /** Sampled calls wanted per backend now: `rounds`, or up to {@link maxRounds} while the task is cheap. */
  roundsWanted(rounds: number): number {
    return this.spentMs < CHEAP_SAMPLING_MS ? maxRounds(rounds) : rounds;
  }

  /** The next backend to sample: round-robin, skipping excluded ones and those sampled as often as wanted. */
  nextBackend(rounds: number): BackendKind | undefined {
    const wanted = this.roundsWanted(rounds);
    for (let i = 0; i < SAMPLED_BACKENDS.length; i++) {
      const backend = SAMPLED_BACKENDS[this.turn++ % SAMPLED_BACKENDS.length];
      if (this.excluded[backend] === undefined && this.times[backend].length < wanted) return backend;
    }
    return undefined;
  }

  /** Whether every eligible backend has its `rounds` samples (a cheap task may still be taking more). */
  hasRounds(rounds: number): boolean {
    const eligible = this.eligible();
    return eligible.length > 0 && eligible.every((b) => this.times[b].length >= rounds);
  }

  /** Whether sampling can stop: every eligible backend sampled as often as wanted, or the budget is spent with one sample each, or calls keep failing. */
  complete(rounds: number, budgetMs: number): boolean {
    const eligible = this.eligible();
    if (eligible.length === 0) return true;
    const wanted = this.roundsWanted(rounds);
    if (eligible.every((b) => this.times[b].length >= wanted)) return true;
    if (this.spentMs >= budgetMs && eligible.every((b) => this.times[b].length >= 1)) return true;
    return this.failures >= rounds * SAMPLED_BACKENDS.length * 2;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
