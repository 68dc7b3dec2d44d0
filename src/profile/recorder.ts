/**
 * The telemetry recorder: a {@link PoolObserver} that keeps what a pool reports, plus the contention
 * statistics of the locks it is told to watch. Recording a task writes its numbers into typed
 * arrays (see columns.ts), and so does a message, so it is cheap enough to leave on; everything else
 * (busy/idle shares, histograms, traces) is computed once, from {@link Recorder.snapshot}.
 */
import { performance } from 'node:perf_hooks';
import type { FinishedTasks, PoolObserver, TaskRecord } from '../pool/observer.js';
import type { ContentionStats } from '../sync/stats.js';
import { MessageColumns, TaskColumns } from './columns.js';

/** A send (batch posted to a worker) or a receive (results handled) on the pool's thread. */
export interface MessageRecord {
  worker: string;
  /** Tasks in the batch, or results in the message. */
  count: number;
  /** Time spent serialising and posting (send) or settling the results (receive). */
  ms: number;
  /** When it ended (epoch ms). */
  at: number;
}

/** A task that settled without a worker's result (timeout, abort, crash, closed pool). */
export interface FailureRecord {
  id: number;
  name: string;
  worker?: string;
  error: string;
  at: number;
}

/** One worker's life and load. */
export interface WorkerSummary {
  name: string;
  startedAt: number | null;
  readyAt: number | null;
  exitedAt: number | null;
  tasks: number;
  /** Sum of the task run times on this worker. */
  busyMs: number;
  /** Time alive (ready to exit, or to the snapshot) not spent running tasks. */
  idleMs: number;
  /** busy / (busy + idle). */
  utilisation: number;
}

/** Anything with the sync primitives' `stats()` (a Mutex or Semaphore created with `{ stats: true }`). */
export interface Watchable {
  stats(): ContentionStats | null;
}

/** A watched lock's statistics at snapshot time. */
export interface LockSummary extends ContentionStats {
  name: string;
  /** Mean wait of the contended acquisitions. */
  meanWaitMs: number;
}

/** Everything a recorder saw, with the derived per-worker figures. */
export interface TelemetrySnapshot {
  /** Earliest time seen (epoch ms): the origin of traces and timelines. */
  origin: number;
  /** When the snapshot was taken (epoch ms). */
  takenAt: number;
  tasks: TaskRecord[];
  failures: FailureRecord[];
  sends: MessageRecord[];
  receives: MessageRecord[];
  workers: WorkerSummary[];
  locks: LockSummary[];
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Collects a pool's telemetry. Pass it as the pool's `observer` (one recorder may observe several pools; their
 * worker names then share lanes, so prefer one recorder per pool when names collide).
 * @example
 * const recorder = new Recorder();
 * const pool = createPool({ module, observer: recorder });
 * recorder.watchLock('table', mutex);
 * // ... run tasks ...
 * const data = recorder.snapshot();
 */
export class Recorder implements PoolObserver {
  private readonly tasks = new TaskColumns();
  private readonly failures: FailureRecord[] = [];
  private readonly sends = new MessageColumns();
  private readonly receives = new MessageColumns();
  private readonly lives = new Map<string, { startedAt: number | null; readyAt: number | null; exitedAt: number | null }>();
  private readonly locks = new Map<string, Watchable>();
  private readonly createdAt = epochNow();

  tasksFinished(batch: FinishedTasks): void {
    this.tasks.pushBatch(batch);
  }

  /** Present only with `{ failures: true }` (see the constructor). */
  taskFailed?: PoolObserver['taskFailed'];

  /**
   * @param options.failures - also record tasks that fail without a worker's result (timeouts, aborts, crashes).
   *   Off by default because the pool pays for it on every task, failing or not: with a `taskFailed` hook it wraps
   *   each task's reject in a closure, which costs about 25% on tiny tasks (bench/profile-overhead.ts).
   */
  constructor(options: { failures?: boolean } = {}) {
    if (options.failures) {
      this.taskFailed = (f) => {
        this.failures.push({ id: f.id, name: f.name, worker: f.worker, error: f.error.message, at: f.at });
      };
    }
  }

  batchSent(worker: string, tasks: number, sendMs: number, at: number): void {
    this.sends.push(worker, tasks, sendMs, at);
  }

  resultsReceived(worker: string, results: number, handleMs: number, at: number): void {
    this.receives.push(worker, results, handleMs, at);
  }

  workerStarted(worker: string, at: number): void {
    // A replacement worker reuses no name (indices grow), so a name is one life.
    this.lives.set(worker, { startedAt: at, readyAt: null, exitedAt: null });
  }

  workerReady(worker: string, at: number): void {
    this.life(worker).readyAt = at;
  }

  workerExited(worker: string, at: number): void {
    this.life(worker).exitedAt = at;
  }

  /** Reports `lock`'s contention statistics under `name` in snapshots (the lock needs `{ stats: true }`). */
  watchLock(name: string, lock: Watchable): this {
    this.locks.set(name, lock);
    return this;
  }

  /**
   * Workers started and not exited (the ones a CPU-profile flush waits for). One still starting counts: it loads
   * the profiler with its module, finds the flush request and writes its profile too, and a flush that did not
   * wait for it would remove the folder while it writes.
   */
  liveWorkers(): string[] {
    return [...this.lives].filter(([, l]) => l.exitedAt === null).map(([name]) => name);
  }

  /** Ready times of every worker seen, in order (to match worker CPU profiles to pool worker names). */
  readyTimes(): { name: string; readyAt: number }[] {
    return [...this.lives].filter(([, l]) => l.readyAt !== null).map(([name, l]) => ({ name, readyAt: l.readyAt! })).sort((a, b) => a.readyAt - b.readyAt);
  }

  /** The data so far, with per-worker busy/idle time and the watched locks' statistics read now. */
  snapshot(): TelemetrySnapshot {
    const takenAt = epochNow();
    const tasks = this.tasks.toRecords();
    let origin = this.createdAt;
    for (const t of tasks) if (t.enqueuedAt < origin) origin = t.enqueuedAt;
    for (const l of this.lives.values()) if (l.startedAt !== null && l.startedAt < origin) origin = l.startedAt;
    return {
      origin,
      takenAt,
      tasks,
      failures: [...this.failures],
      sends: this.sends.toRecords(),
      receives: this.receives.toRecords(),
      workers: this.workerSummaries(tasks, takenAt),
      locks: [...this.locks].map(([name, lock]) => lockSummary(name, lock)),
    };
  }

  private life(worker: string): { startedAt: number | null; readyAt: number | null; exitedAt: number | null } {
    let life = this.lives.get(worker);
    if (!life) this.lives.set(worker, (life = { startedAt: null, readyAt: null, exitedAt: null }));
    return life;
  }

  private workerSummaries(tasks: readonly TaskRecord[], now: number): WorkerSummary[] {
    const load = new Map<string, { tasks: number; busyMs: number; first: number }>();
    for (const t of tasks) {
      const w = load.get(t.worker) ?? { tasks: 0, busyMs: 0, first: t.startedAt };
      w.tasks++;
      w.busyMs += t.runMs;
      if (t.startedAt < w.first) w.first = t.startedAt;
      load.set(t.worker, w);
    }
    const names = new Set([...this.lives.keys(), ...load.keys()]);
    return [...names].sort(byWorkerName).map((name) => {
      const life = this.lives.get(name);
      const w = load.get(name) ?? { tasks: 0, busyMs: 0, first: now };
      const from = life?.readyAt ?? life?.startedAt ?? w.first;
      const alive = Math.max(0, (life?.exitedAt ?? now) - from);
      const idleMs = Math.max(0, alive - w.busyMs);
      const total = w.busyMs + idleMs;
      return { name, startedAt: life?.startedAt ?? null, readyAt: life?.readyAt ?? null, exitedAt: life?.exitedAt ?? null, tasks: w.tasks, busyMs: w.busyMs, idleMs, utilisation: total > 0 ? w.busyMs / total : 0 };
    });
  }
}

/** `lock`'s contention statistics now, under `name`. */
export function lockSummary(name: string, lock: Watchable): LockSummary {
  const s = lock.stats() ?? { acquisitions: 0, contended: 0, totalWaitMs: 0, worstWaitMs: 0, id: 0 };
  return { name, ...s, meanWaitMs: s.contended > 0 ? s.totalWaitMs / s.contended : 0 };
}

/** `thread-2` before `thread-10`. */
export function byWorkerName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
