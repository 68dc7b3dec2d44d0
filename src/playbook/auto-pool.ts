/**
 * `backend: 'auto'`: three pools (inline, thread, process) behind the `Pool` API. The first calls
 * of each task function are sampled on all three, then every later call goes to the one that
 * measured fastest for it. The rule is in choose.ts; `explain()` shows the figures behind it.
 */
import { performance } from 'node:perf_hooks';
import { inCompletionOrder } from '../pool/as-completed.js';
import type { LocalBackendKind as BackendKind } from '../pool/backends/types.js';
import { PoolClosedError, SerializationError } from '../pool/errors.js';
import { chunkSizeOf, taskCaller, type Executor } from '../pool/executor.js';
import { Pool } from '../pool/pool.js';
import type { PoolStats } from '../pool/stats.js';
import type { AnyFunction, CallOptions, MapOptions, TaskArgs, TaskCaller, TaskItem, TaskName, TaskResult } from '../pool/types.js';
import { resolveSampling, type AutoPoolOptions, type ResolvedSampling } from './auto-options.js';
import { choose, figuresOf, type Choice } from './choose.js';
import { explanationText, ruleText, type Explanation, type TaskExplanation } from './explain.js';
import { SAMPLED_BACKENDS, TaskSamples } from './samples.js';
import { RunTimes } from './run-times.js';
import { Turns } from './turns.js';

/** Stats of an auto pool: the three pools' counters summed, and each pool's own stats. */
export interface AutoPoolStats extends PoolStats {
  backends: Record<BackendKind, PoolStats>;
}

/**
 * A pool that picks inline, thread or process per task function by timing the user's own calls.
 * Made by `createPool({ backend: 'auto', module })`; same calls as {@link Pool}, plus `explain()`.
 * @typeParam M - the task module's type, `typeof import('./tasks.js')`.
 * @example
 * import { createPool } from 'weft-pool';
 * import type * as Primes from './tasks/primes.js';
 * await using pool = createPool<typeof Primes>({ backend: 'auto', module: new URL('./tasks/primes.ts', import.meta.url) });
 * for (let i = 0; i < 12; i++) await pool.call.countPrimes(i * 200_000, (i + 1) * 200_000);
 * console.log(pool.explain().text); // countPrimes: -> thread, with the figures measured on each backend
 */
export class AutoPool<M = Record<string, AnyFunction>> implements Executor<M> {
  /** One typed method per exported task, as on `Pool`. */
  readonly call: TaskCaller<M>;
  readonly backend = 'auto' as const;

  private readonly pools: Record<BackendKind, Pool<M>>;
  private readonly runTimes: Record<BackendKind, RunTimes>;
  private readonly sampling: ResolvedSampling;
  private readonly records = new Map<string, TaskSamples>();
  private readonly choices = new Map<string, Choice>();
  private readonly turns = new Turns();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private destroyed = false;
  private closing: Promise<void> | undefined;

  constructor(options: AutoPoolOptions) {
    this.sampling = resolveSampling(options);
    const { sampling: _sampling, backend: _backend, ...common } = options;
    const { workers } = this.sampling;
    this.runTimes = { inline: new RunTimes(options.observer), thread: new RunTimes(options.observer), process: new RunTimes(options.observer) };
    const poolFor = (backend: BackendKind, n: number): Pool<M> => new Pool<M>({ ...common, backend, workers: n, observer: this.runTimes[backend].observer });
    this.pools = { inline: poolFor('inline', 1), thread: poolFor('thread', workers), process: poolFor('process', workers) };
    this.call = this.makeCaller({});
  }

  /** Runs task `name` with `args` on the backend chosen for it (or sampling it). */
  submit<K extends TaskName<M>>(name: K, args: TaskArgs<M, K>, options?: CallOptions): Promise<TaskResult<M, K>> {
    return this.route(name, args as unknown[], options) as Promise<TaskResult<M, K>>;
  }

  /** Untyped form of `submit`: `pool.run('countPrimes', 0, 1000)`. */
  run(name: string, ...args: unknown[]): Promise<unknown> {
    return this.route(name, args, undefined);
  }

  /** Typed calls with per-call options: `pool.with({ timeout: 1000 }).call.slowTask()`. */
  with(options: CallOptions): { call: TaskCaller<M> } {
    return { call: this.makeCaller(options) };
  }

  /**
   * `fn(item)` for every item, results in input order. While the task is being sampled its items
   * go one by one (each is a sample); the rest go to the chosen pool's `map`, chunked as asked.
   */
  async map<K extends TaskName<M>>(name: K, items: Iterable<TaskItem<M, K>>, options: MapOptions = {}): Promise<TaskResult<M, K>[]> {
    const chunkSize = chunkSizeOf(options);
    const list = Array.from(items as Iterable<unknown>);
    const { chunkSize: _chunk, ...callOptions } = options;
    if (chunkSize === 1) return Promise.all(list.map((item) => this.route(name, [item], callOptions))) as Promise<TaskResult<M, K>[]>;
    // Sampled one at a time: `rounds` per backend first, then more while the task is cheap (see samples.ts).
    const first: unknown[] = [];
    for (let stage = 0; !this.choices.has(name) && first.length < list.length; stage++) {
      const wanted = this.samplesWanted(name, stage === 0);
      if (wanted === 0) {
        if (stage === 0) continue;
        break;
      }
      const head = list.slice(first.length, first.length + wanted);
      first.push(...(await Promise.all(head.map((item) => this.route(name, [item], callOptions)))));
    }
    // The items ran out before a cheap task's extra samples did: its `rounds` are enough to choose.
    const samples = this.records.get(name);
    if (samples && !this.choices.has(name) && samples.hasRounds(this.sampling.rounds)) this.decide(samples);
    const rest = list.slice(first.length);
    if (rest.length === 0) return first as TaskResult<M, K>[];
    const pool = this.pools[this.choices.get(name)?.backend ?? 'thread'];
    return (first as TaskResult<M, K>[]).concat(await this.track(pool.map(name, rest as TaskItem<M, K>[], options)));
  }

  /** `fn(item)` for every item, yielding `{ index, value }` as each finishes; stopping early aborts the rest. */
  asCompleted<K extends TaskName<M>>(
    name: K,
    items: Iterable<TaskItem<M, K>>,
    options: Omit<MapOptions, 'chunkSize'> = {},
  ): AsyncGenerator<{ index: number; value: TaskResult<M, K> }> {
    const start = (item: unknown, signal: AbortSignal): Promise<unknown> => this.route(name, [item], { ...options, signal });
    return inCompletionOrder(items as Iterable<unknown>, start, options.signal) as AsyncGenerator<{ index: number; value: TaskResult<M, K> }>;
  }

  /** Starts every worker of the three pools and resolves once all have loaded the module. */
  async ready(): Promise<void> {
    if (this.closed) throw new PoolClosedError();
    await Promise.all(SAMPLED_BACKENDS.map((b) => this.pools[b].ready()));
  }

  /** Stops taking calls, lets every accepted one finish (sampled ones included), then closes the three pools. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
        await Promise.all(SAMPLED_BACKENDS.map((b) => this.pools[b].close()));
      })();
    }
    return this.closing;
  }

  /** Stops now: pending calls reject with `PoolClosedError`, and the three pools are destroyed. */
  async destroy(): Promise<void> {
    this.closed = true;
    this.destroyed = true;
    await Promise.all(SAMPLED_BACKENDS.map((b) => this.pools[b].destroy()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The three pools' counters summed (latency percentiles are the worst of the three), and each pool's stats. */
  stats(): AutoPoolStats {
    const backends = {} as Record<BackendKind, PoolStats>;
    for (const b of SAMPLED_BACKENDS) backends[b] = this.pools[b].stats();
    const all = SAMPLED_BACKENDS.map((b) => backends[b]);
    const sum = (key: 'workers' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timedOut' | 'crashes' | 'retried'): number =>
      all.reduce((total, s) => total + s[key], 0);
    const worst = (key: 'queueWaitMs' | 'runTimeMs') => ({
      p50: Math.max(...all.map((s) => s[key].p50)),
      p99: Math.max(...all.map((s) => s[key].p99)),
      max: Math.max(...all.map((s) => s[key].max)),
    });
    return {
      backend: 'auto',
      workers: sum('workers'),
      queued: sum('queued'),
      running: sum('running'),
      completed: sum('completed'),
      failed: sum('failed'),
      cancelled: sum('cancelled'),
      timedOut: sum('timedOut'),
      crashes: sum('crashes'),
      retried: sum('retried'),
      queueWaitMs: worst('queueWaitMs'),
      runTimeMs: worst('runTimeMs'),
      perWorker: all.flatMap((s) => s.perWorker),
      backends,
    };
  }

  /** Per task function called so far: the figures measured on each backend, the choice and the reason. */
  explain(): Explanation {
    const rule = ruleText(this.sampling);
    const tasks: TaskExplanation[] = [...this.records.values()].map((samples) => {
      const choice = this.choices.get(samples.name);
      const base = { task: samples.name, sampledMs: samples.spentMs, failures: samples.failures };
      if (choice) return { ...base, state: 'chosen', backend: choice.backend, reason: choice.reason, figures: choice.figures };
      return { ...base, state: 'sampling', reason: 'still sampling its first calls', figures: figuresOf(samples, this.sampling) };
    });
    return { rule, tasks, text: explanationText(rule, tasks) };
  }

  /** The backend chosen for a task function, or undefined while it is still being sampled. */
  chosen(name: TaskName<M>): BackendKind | undefined {
    return this.choices.get(name)?.backend;
  }

  // ---- routing ----------------------------------------------------------------------------

  private makeCaller(options: CallOptions): TaskCaller<M> {
    return taskCaller((name) => (...args) => this.route(name, args, options));
  }

  private route(name: string, args: unknown[], options: CallOptions | undefined): Promise<unknown> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const choice = this.choices.get(name);
    if (choice) return this.track(this.pools[choice.backend].submit(name as TaskName<M>, args as never, options));
    return this.track(this.sample(name, args, options));
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = (): void => void this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** How many more sampled calls this task wants (for `map`): to reach `rounds` per backend, or as many as it wants now. */
  private samplesWanted(name: string, firstRounds: boolean): number {
    const samples = this.records.get(name);
    const perBackend = firstRounds || !samples ? this.sampling.rounds : samples.roundsWanted(this.sampling.rounds);
    const eligible = samples ? samples.eligible() : SAMPLED_BACKENDS;
    return eligible.reduce((n, b) => n + Math.max(0, perBackend - (samples?.times[b].length ?? 0)), 0);
  }

  /** Runs one call as a sample, alone, timed end to end; once sampling is complete, chooses. */
  private async sample(name: string, args: unknown[], options: CallOptions | undefined): Promise<unknown> {
    let samples = this.records.get(name);
    if (!samples) this.records.set(name, (samples = new TaskSamples(name)));
    const release = await this.turns.take();
    let releaseNow = true;
    try {
      if (this.destroyed) throw new PoolClosedError('the pool was destroyed before this task finished');
      const decided = this.choices.get(name);
      const backend = decided?.backend ?? samples.nextBackend(this.sampling.rounds);
      // Sampling was completed by the calls ahead of this one: no need to hold the turn.
      if (decided || !backend) {
        release();
        releaseNow = false;
        return await this.pools[decided?.backend ?? this.decide(samples).backend].submit(name as TaskName<M>, args as never, options);
      }
      const pool = this.pools[backend];
      // Worker start-up is paid once per pool, not per call: keep it out of the timing.
      await pool.ready().catch(() => undefined);
      const runTimes = this.runTimes[backend];
      runTimes.clear(name);
      const started = performance.now();
      try {
        const value = await pool.submit(name as TaskName<M>, args as never, options);
        const elapsed = performance.now() - started;
        samples.times[backend].push(elapsed);
        samples.runTimes[backend].push(Math.min(elapsed, runTimes.take(name) ?? elapsed));
        return value;
      } catch (error) {
        samples.failures++;
        if (error instanceof SerializationError) samples.excluded[backend] = `its arguments or result cannot cross (${error.message})`;
        throw error;
      } finally {
        samples.spentMs += performance.now() - started;
        if (samples.complete(this.sampling.rounds, this.sampling.budgetMs)) this.decide(samples);
      }
    } finally {
      if (releaseNow) release();
    }
  }

  private decide(samples: TaskSamples): Choice {
    let choice = this.choices.get(samples.name);
    if (!choice) this.choices.set(samples.name, (choice = choose(samples, this.sampling)));
    return choice;
  }
}
