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
  RESULT_OK,
  RESULT_RUN_MS,
  RESULT_STARTED_AT,
  RESULT_STATUS,
  RESULT_STRIDE,
  RESULT_THREW,
  RESULT_UNKNOWN_TASK,
  RESULT_UNSENDABLE,
  RESULT_VALUE,
  type RunMessage,
} from '../pool/protocol.js';
import { SerializationError, TaskError, UnknownTaskError, toRemoteError, type RemoteError } from '../pool/errors.js';
import { toModuleUrl } from '../pool/worker/load-module.js';
import { parseConnection, parseQueueName, type ClusterConnection } from './connection.js';
import { RedisUnreachableError } from './errors.js';
import { loadClusterDeps } from './load-deps.js';
import { jobQueueName, moduleIdentity, type ModuleIdentity } from './module-identity.js';
import { announce, cancelChannel, HEARTBEAT_MS, withdraw, type WorkerRecord } from './registry.js';
import { decodeBatch, encode } from './wire.js';
import { BlobCache } from './blob-store.js';
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
  const pool = new Pool({ module: moduleUrl, backend, workers: options.workers, start: 'eager' });
  try {
    await pool.ready();
    const { bullmq, Redis } = await loadClusterDeps();
    return await listen(bullmq, Redis, pool, connection, queue, module, backend);
  } catch (error) {
    await pool.destroy();
    throw error;
  }
}

async function listen(
  bullmq: typeof import('bullmq'),
  Redis: typeof import('ioredis').Redis,
  pool: Pool,
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
    const arrays = await blobs.fetch(redis, data.c, data.b ?? []);
    return runJob(pool, running, job.id!, decodeBatch<RunMessage>(data.d, (hash) => arrays.get(hash)!));
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

/** Jobs being run, so that a client's cancel reaches the task it names. */
class RunningJobs {
  private readonly jobs = new Map<string, Map<number, AbortController>>();

  start(jobId: string): Map<number, AbortController> {
    const controllers = new Map<number, AbortController>();
    this.jobs.set(jobId, controllers);
    return controllers;
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
    const controllers = this.jobs.get(String(message.jobId));
    if (!controllers) return;
    if (message.taskId === -1) for (const c of controllers.values()) c.abort(new Error('the client was destroyed'));
    else controllers.get(Number(message.taskId))?.abort(new Error('the client stopped it (timeout or abort)'));
  }
}

/** Runs one job's batch on the local pool; returns the encoded results message (every task has a result). */
async function runJob(pool: Pool, running: RunningJobs, jobId: string, message: RunMessage): Promise<string> {
  const jobs = message.jobs;
  const controllers = running.start(jobId);
  const jobStart = performance.now();
  const settled: Promise<unknown[]>[] = [];
  for (let i = 0; i < jobs.length; i += JOB_STRIDE) {
    const taskId = jobs[i] as number;
    const name = jobs[i + 1] as string;
    const payload = jobs[i + 2] as unknown[];
    const kind = jobs[i + 3] as number;
    // Only tasks the client can stop (timeout, signal) or long ones get a signal: it costs them their batching.
    let signal: AbortSignal | undefined;
    if ((kind & JOB_ISOLATED) !== 0) {
      const controller = new AbortController();
      controllers.set(taskId, controller);
      signal = controller.signal;
    }
    const call = (kind & JOB_CHUNK) !== 0 ? pool.map(name, payload as never, { signal }) : pool.submit(name as never, payload as never, { signal });
    settled.push(
      call.then(
        (value) => [taskId, RESULT_OK, value, 0, 0],
        (error: unknown) => [taskId, ...failure(error), 0, 0],
      ),
    );
  }
  try {
    const results = (await Promise.all(settled)).flat();
    stampRunTimes(results, jobStart, pool.stats().workers);
    return encodeResults(results);
  } finally {
    running.end(jobId);
  }
}

/**
 * Each task's run time, as the client's pipeline needs it to size batches: the job's time on this machine's
 * workers shared out over its tasks (one at a time per local worker). A task's own time from submit to settle
 * would count its wait behind the job's other tasks, and make tiny tasks look long. The start is this
 * machine's clock, for the client's statistics only.
 */
function stampRunTimes(results: unknown[], jobStart: number, localWorkers: number): void {
  const tasks = results.length / RESULT_STRIDE;
  const elapsed = performance.now() - jobStart;
  const each = Math.min(elapsed, (elapsed * Math.min(localWorkers, tasks)) / tasks);
  for (let i = 0; i < results.length; i += RESULT_STRIDE) {
    results[i + RESULT_STARTED_AT] = performance.timeOrigin + jobStart;
    results[i + RESULT_RUN_MS] = each;
  }
}

/** The results message; a value V8 cannot serialise becomes that task's RESULT_UNSENDABLE, the others still go. */
function encodeResults(results: unknown[]): string {
  try {
    return encode({ type: 'results', results });
  } catch {
    const safe = results.slice();
    for (let i = 0; i < safe.length; i += RESULT_STRIDE) {
      try {
        encode(safe[i + RESULT_VALUE]);
      } catch (error) {
        safe[i + RESULT_STATUS] = RESULT_UNSENDABLE;
        safe[i + RESULT_VALUE] = toRemoteError(error);
      }
    }
    return encode({ type: 'results', results: safe });
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
  return [RESULT_THREW, toRemoteError(error)];
}
