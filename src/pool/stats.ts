/** Counters and latency samples behind `pool.stats()`. */

/** A snapshot of what a pool has done. Times are in milliseconds. */
export interface PoolStats {
  backend: string;
  workers: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks sent to a worker and not yet finished. */
  running: number;
  completed: number;
  failed: number;
  /** Aborted by their signal. */
  cancelled: number;
  timedOut: number;
  /** Workers that died (crash, exit, kill, out of memory) and were replaced. */
  crashes: number;
  /** Tasks run again because their worker died while running them or before sending their result (the `retries` option). */
  retried: number;
  queueWaitMs: { p50: number; p99: number; max: number };
  runTimeMs: { p50: number; p99: number; max: number };
  perWorker: WorkerStats[];
}

export interface WorkerStats {
  name: string;
  /** Process id of a process worker. */
  pid?: number;
  tasks: number;
  /** Share of the worker's lifetime spent running tasks, 0..1. */
  busyShare: number;
  busyMs: number;
}

/** Keeps the latest samples in a fixed ring, so stats cost the same after a million tasks. */
export class SampleRing {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;

  constructor(capacity = 8192) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  summary(): { p50: number; p99: number; max: number } {
    if (this.count === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = this.values.slice(0, this.count).sort();
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] };
  }
}

function percentile(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export class StatsRecorder {
  completed = 0;
  failed = 0;
  cancelled = 0;
  timedOut = 0;
  crashes = 0;
  retried = 0;
  readonly queueWait = new SampleRing();
  readonly runTime = new SampleRing();
}
