/**
 * `weft worker`: takes a cluster's jobs from Redis and runs them on a local weft pool, so one cluster worker uses
 * every core of its machine. A job is one batch of the client's tasks; all of them go to the local pool at once,
 * which batches them again for its own workers. It runs only its own module's exported functions: a job names
 * tasks, never code.
 */
import type { Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Pool } from '../pool/pool.js';
import {
  JOB_CHUNK,
  JOB_ISOLATED,
  JOB_STRIDE,
  RESULT_CRASHED,
  RESULT_OK,
  RESULT_RUN_MS,
  RESULT_STARTED_AT,
  RESULT_STATUS,
  RESULT_STRIDE,
  RESULT_THREW,
  RESULT_UNKNOWN_TASK,
  RESULT_UNSENDABLE,
  RESULT_VALUE,
  type CrashInfo,
  type RunMessage,
} from '../pool/protocol.js';
import { ResultLostError, SerializationError, TaskError, UnknownTaskError, WorkerCrashedError, toRemoteError, type RemoteError } from '../pool/errors.js';
import { toModuleUrl } from '../pool/worker/load-module.js';
import { parseConnection, parseQueueName, type ClusterConnection } from './connection.js';
import { RedisUnreachableError } from './errors.js';
import { loadClusterDeps } from './load-deps.js';
import { jobQueueName, moduleIdentity, type ModuleIdentity } from './module-identity.js';
import { announce, cancelChannel, HEARTBEAT_MS, withdraw, type WorkerRecord } from './registry.js';
import { decodeBatch, encodeResults, type EncodedResults } from './wire.js';
import { storeResultParts } from './result-parts.js';
import { BlobCache } from './blob-store.js';
import { LocalRunTimes } from './run-times.js';
import type { JobData } from './client.js';
import { UNREACHABLE_MS } from './client.js';

/** Options of {@link serveCluster} (and of `weft worker`). */
export interface ClusterWorkerOptions {
  /** The Redis URL (see `PoolOptions.connection`). */
  connection: string;
  /** The task module: the same file the clients use (its SHA-256 must match theirs). */
  module: string | URL;
  /** Local pool workers. Default: the machine's cores. */
  workers?: number;
  /** The local pool's backend. Default: `'thread'`. */
  backend?: 'thread' | 'process';
  /** The queue to serve. Default: `'weft'`. */
  queue?: string;
}

/** A running cluster worker. */
export interface ClusterWorker {
  readonly id: string;
  readonly module: ModuleIdentity;
  readonly queueName: string;
  /** Jobs run, and the large arrays fetched from Redis (each once per machine while it stays cached). */
  stats(): { jobs: number; arraysFetched: number; arrayBytesFetched: number };
  /** Finishes the jobs it has taken, hands back none it has not (BullMQ keeps them queued), then closes. */
  close(): Promise<void>;
}

/** A lost machine's jobs go back to the queue after its lock lapses: this long without renewal. */
const LOCK_MS = 5_000;
const STALLED_CHECK_MS = 2_500;
/** A job may be taken over this often (machines dying under it) before it fails. */
const MAX_STALLED = 20;
/** Jobs taken at once per local worker: enough to keep each busy while results travel. */
const JOBS_PER_WORKER = 2;

/**
 * Starts serving. Resolves once the local pool has loaded the module and the worker listens on Redis.
 * @example
 * import { serveCluster } from 'weft-pool';
 * const worker = await serveCluster({ connection: 'redis://127.0.0.1:6379', module: './tasks.js' });
 * process.once('SIGTERM', () => void worker.close());
 */
export async function serveCluster(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const connection = parseConnection(options.connection);
  const queue = parseQueueName(options.queue);
  const moduleUrl = toModuleUrl(options.module);
  const module = moduleIdentity(moduleUrl);
  const backend = options.backend ?? 'thread';
  const runTimes = new LocalRunTimes();
  const pool = new Pool({ module: moduleUrl, backend, workers: options.workers, start: 'eager', observer: runTimes });
  try {
    await pool.ready();
    const { bullmq, Redis } = await loadClusterDeps();
    return await listen(bullmq, Redis, pool, runTimes, connection, queue, module, backend);
  } catch (error) {
    await pool.destroy();
    throw error;
  }
}

async function listen(
  bullmq: typeof import('bullmq'),
  Redis: typeof import('ioredis').Redis,
  pool: Pool,
  runTimes: LocalRunTimes,
  connection: ClusterConnection,
  queue: string,
  module: ModuleIdentity,
  backend: string,
): Promise<ClusterWorker> {
  const id = randomUUID().slice(0, 8);
  const queueName = jobQueueName(queue, module.hash);
  const redisOptions = { ...connection.redis, connectTimeout: UNREACHABLE_MS, maxRetriesPerRequest: null };
  const redis = new Redis({ ...redisOptions, lazyConnect: true });
  const subscriber = new Redis({ ...redisOptions, lazyConnect: true });
  redis.on('error', () => {});
  subscriber.on('error', () => {});
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    throw new RedisUnreachableError(connection.shown, (error as Error).message);
  }
  const stats = pool.stats();
  const record: WorkerRecord = { id, host: hostname(), pid: process.pid, module: module.path, hash: module.hash, tasks: [...(pool.tasks() ?? [])], workers: stats.workers, backend };
  const running = new RunningJobs();
  await subscriber.subscribe(cancelChannel(connection.prefix, queue));
  subscriber.on('message', (_channel: string, text: string) => running.cancel(text));
  await announce(redis, connection.prefix, queue, record);
  const heartbeat = setInterval(() => void announce(redis, connection.prefix, queue, record).catch(() => {}), HEARTBEAT_MS);

  const blobs = new BlobCache(connection.prefix, queue);
  const worker: BullWorker = new bullmq.Worker(queueName, async (job) => {
    const data = job.data as JobData;
    const run = running.start(job.id!);
    try {
      const arrays = await blobs.fetch(redis, data.c, data.b ?? []);
      const results = await runJob(pool, runTimes, record.workers, run, decodeBatch<RunMessage>(data.d, (hash) => arrays.get(hash)!));
      await storeResultParts(redis, connection.prefix, queue, job.id!, results.parts);
      return results.text;
    } finally {
      running.end(job.id!);
    }
  }, {
    connection: redisOptions,
    prefix: connection.prefix,
    concurrency: Math.max(1, record.workers * JOBS_PER_WORKER),
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: MAX_STALLED,
  });
  worker.on('error', () => {});
  await worker.waitUntilReady();

  let jobs = 0;
  worker.on('completed', () => jobs++);
  worker.on('failed', () => jobs++);
  let closing: Promise<void> | undefined;
  return {
    id,
    module,
    queueName,
    stats: () => ({ jobs, arraysFetched: blobs.fetched, arrayBytesFetched: blobs.fetchedBytes }),
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        await withdraw(redis, connection.prefix, queue, id).catch(() => {});
        await worker.close();
        await pool.close();
        redis.disconnect();
        subscriber.disconnect();
      })()),
  };
}

/** A job on this machine: its tasks' stop switches, and the cancels that came before them. */
interface RunningJob {
  readonly controllers: Map<number, AbortController>;
  readonly cancelled: Set<number>;
}

/** How long a cancel for a job not seen yet is kept (it may still be waiting in the queue, or fetching arrays). */
const EARLY_CANCEL_MS = 10 * 60_000;

/** Jobs being run, so that a client's cancel reaches the task it names, even before the task starts. */
class RunningJobs {
  private readonly jobs = new Map<string, RunningJob>();
  /** Cancels for jobs this machine has not started (yet): job id -> task ids, and when. */
  private readonly early = new Map<string, { tasks: Set<number>; at: number }>();

  start(jobId: string): RunningJob {
    const early = this.early.get(jobId);
    this.early.delete(jobId);
    const job: RunningJob = { controllers: new Map(), cancelled: early?.tasks ?? new Set() };
    this.jobs.set(jobId, job);
    return job;
  }

  end(jobId: string): void {
    this.jobs.delete(jobId);
  }

  /** `{ jobId, taskId }`; a taskId of -1 stops every task of the job (the client was destroyed). */
  cancel(text: string): void {
    let message: { jobId?: unknown; taskId?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const jobId = String(message.jobId);
    const taskId = Number(message.taskId);
    const job = this.jobs.get(jobId);
    if (!job) {
      // Not here (yet): remembered, in case this machine takes the job later.
      const now = Date.now();
      for (const [id, entry] of this.early) if (now - entry.at > EARLY_CANCEL_MS) this.early.delete(id);
      const entry = this.early.get(jobId) ?? { tasks: new Set<number>(), at: now };
      entry.tasks.add(taskId);
      this.early.set(jobId, entry);
      return;
    }
    job.cancelled.add(taskId);
    const reason = new Error('the client stopped it (timeout or abort)');
    if (taskId === -1) for (const c of job.controllers.values()) c.abort(reason);
    else job.controllers.get(taskId)?.abort(reason);
  }
}

const STOPPED: RemoteError = { name: 'AbortError', message: 'the client stopped this task before it started here' };

/** Runs one job's batch on the local pool; returns the encoded results message (every task has a result). */
async function runJob(pool: Pool, runTimes: LocalRunTimes, workers: number, job: RunningJob, message: RunMessage): Promise<EncodedResults> {
  const jobs = message.jobs;
  const jobStart = performance.now();
  const settled: (unknown[] | Promise<unknown[]>)[] = [];
  for (let i = 0; i < jobs.length; i += JOB_STRIDE) {
    const taskId = jobs[i] as number;
    const name = jobs[i + 1] as string;
    const payload = jobs[i + 2] as unknown[];
    const kind = jobs[i + 3] as number;
    if (job.cancelled.has(taskId) || job.cancelled.has(-1)) {
      settled.push([taskId, RESULT_THREW, STOPPED, 0, 0]);
      continue;
    }
    // Only tasks the client can stop (timeout, signal) or long ones get a signal: it costs them their batching.
    let signal: AbortSignal | undefined;
    if ((kind & JOB_ISOLATED) !== 0) {
      const controller = new AbortController();
      job.controllers.set(taskId, controller);
      signal = controller.signal;
    }
    // A chunk runs as one local job, in order, stopping at the first item that throws: as on a thread or process.
    const call =
      (kind & JOB_CHUNK) !== 0
        ? pool.map(name, payload as never, { signal, chunkSize: Math.max(1, payload.length) })
        : pool.submit(name as never, payload as never, { signal });
    settled.push(
      call.then(
        (value) => [taskId, RESULT_OK, value, 0, 0],
        (error: unknown) => [taskId, ...failure(error), 0, 0],
      ),
    );
  }
  const results = (await Promise.all(settled)).flat();
  stampRunTimes(results, jobs, jobStart, workers, runTimes);
  return encodeResultsMessage(results);
}

/**
 * Each task's run time, as the client's pipeline needs it to size batches: how long a task of its name runs on
 * this machine's workers (see run-times.ts). A chunk, or a task whose name has not run here before, gets the
 * job's time shared out over its tasks (one at a time per local worker). The start is this machine's clock,
 * for the client's statistics only.
 */
function stampRunTimes(results: unknown[], jobs: readonly unknown[], jobStart: number, localWorkers: number, runTimes: LocalRunTimes): void {
  const tasks = results.length / RESULT_STRIDE;
  const elapsed = performance.now() - jobStart;
  const share = Math.min(elapsed, (elapsed * Math.min(localWorkers, tasks)) / tasks);
  // One result per task, in the order of the job's tasks.
  for (let i = 0, j = 0; i < results.length; i += RESULT_STRIDE, j += JOB_STRIDE) {
    const name = jobs[j + 1] as string;
    const kind = jobs[j + 3] as number;
    results[i + RESULT_STARTED_AT] = performance.timeOrigin + jobStart;
    results[i + RESULT_RUN_MS] = (kind & JOB_CHUNK) === 0 ? (runTimes.of(name) ?? share) : share;
  }
}

/** The results message; a value V8 cannot serialise becomes that task's RESULT_UNSENDABLE, the others still go. */
function encodeResultsMessage(results: unknown[]): EncodedResults {
  try {
    return encodeResults({ type: 'results', results });
  } catch {
    const safe = results.slice();
    for (let i = 0; i < safe.length; i += RESULT_STRIDE) {
      try {
        encodeResults(safe[i + RESULT_VALUE]);
      } catch (error) {
        safe[i + RESULT_STATUS] = RESULT_UNSENDABLE;
        safe[i + RESULT_VALUE] = toRemoteError(error);
      }
    }
    return encodeResults({ type: 'results', results: safe });
  }
}

/** A failed local call as [status, value] of the wire's results. */
function failure(error: unknown): [number, unknown] {
  if (error instanceof TaskError) {
    const remote: RemoteError = { name: error.remoteName, message: error.message.replace(/^task '[^']*' threw on [^:]*: [^:]*: /, ''), stack: error.remoteStack, details: error.details };
    return [RESULT_THREW, remote];
  }
  if (error instanceof UnknownTaskError) return [RESULT_UNKNOWN_TASK, [...error.available]];
  if (error instanceof SerializationError) return [RESULT_UNSENDABLE, toRemoteError(error)];
  if (error instanceof WorkerCrashedError || error instanceof ResultLostError) {
    const crash: CrashInfo = { worker: `${error.worker} on ${hostname()}`, exitCode: error.exitCode, signal: error.signal, reason: error.message };
    return [RESULT_CRASHED, crash];
  }
  return [RESULT_THREW, toRemoteError(error)];
}
