/**
 * A cluster pool's side of Redis: one BullMQ queue (named after the task module's hash), the queue's event
 * stream for results, and a watchdog that turns a Redis that is gone into an error within a bounded time
 * instead of a wait that never ends. Every virtual worker of the pool (see backend.ts) shares one client.
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { ClusterConnection } from './connection.js';
import { RedisUnreachableError } from './errors.js';
import { loadClusterDeps } from './load-deps.js';
import { jobQueueName, type ModuleIdentity } from './module-identity.js';
import { cancelChannel, liveWorkers, type WorkerRecord } from './registry.js';
import { BlobUploads } from './blob-store.js';
import { decode, type EncodedBatch } from './wire.js';

/** A job's data: the encoded batch, the client that stored its large arrays, and their hashes. */
export interface JobData {
  d: string;
  c: string;
  b: string[];
}

/** A job's end: the results message the worker returned, or why it will never come. */
export type JobOutcome = { results: unknown[] } | { lost: string };

/** How long Redis may be unreachable before the calls waiting on it fail; also the connect limit. */
export const UNREACHABLE_MS = 5_000;
/** How often the watchdog pings Redis and looks for results whose event was missed. */
const WATCH_MS = 1_000;
/** A job pending this long is looked up directly, in case its completion event was missed. */
const LOOKUP_AFTER_MS = 5_000;
/** How long close() waits for BullMQ to close its connections cleanly before it cuts them. */
const CLOSE_MS = 2_000;
/** Finished jobs are removed by the client once read; this is the backstop if the client dies first. */
const KEEP_FINISHED_S = 3_600;

interface Parts {
  redis: Redis;
  queue: Queue;
  events: QueueEvents;
}

interface Pending {
  settle: (outcome: JobOutcome) => void;
  sentAt: number;
}

export class ClusterClient {
  readonly queueName: string;
  private readonly id = randomUUID().slice(0, 8);
  private readonly uploads: BlobUploads;
  private nextJob = 0;
  private parts: Promise<Parts> | undefined;
  private readonly pending = new Map<string, Pending>();
  private watchdog: NodeJS.Timeout | undefined;
  private downSince: number | undefined;
  private lastError = 'no answer';
  private closed = false;

  constructor(
    readonly connection: ClusterConnection,
    readonly queue: string,
    readonly module: ModuleIdentity,
  ) {
    this.queueName = jobQueueName(queue, module.hash);
    this.uploads = new BlobUploads(connection.prefix, queue, this.id);
  }

  /** Connects once; rejects with RedisUnreachableError if Redis does not answer within UNREACHABLE_MS. */
  connect(): Promise<Parts> {
    this.parts ??= this.open();
    return this.parts;
  }

  /** The live workers on this queue (any module). */
  async workers(): Promise<WorkerRecord[]> {
    const { redis } = await this.connect();
    return liveWorkers(redis, this.connection.prefix, this.queue);
  }

  /** Adds a job holding `data` (an encoded run message) and returns its id; `settle` is called exactly once with its outcome. */
  add(batch: EncodedBatch, settle: (outcome: JobOutcome) => void): string {
    const jobId = `${this.id}-${this.nextJob++}`;
    // Registered before the job exists: its completion event can come back before the add is acknowledged.
    this.pending.set(jobId, { settle, sentAt: Date.now() });
    const data: JobData = { d: batch.text, c: this.id, b: [...batch.blobs.keys()] };
    void this.connect()
      .then(async ({ queue, redis }) => {
        // The arrays first: a worker can take the job the moment it is added.
        if (batch.blobs.size > 0) await this.uploads.put(redis, batch.blobs);
        return queue.add('run', data, { jobId, removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S } });
      })
      .catch((error: unknown) => this.finish(jobId, { lost: `the job could not be queued: ${(error as Error).message}` }));
    return jobId;
  }

  /** Asks the worker running `jobId` to stop task `taskId` (a timeout or an abort on this side). */
  async cancel(jobId: string, taskId: number): Promise<void> {
    try {
      const { redis } = await this.connect();
      await redis.publish(cancelChannel(this.connection.prefix, this.queue), JSON.stringify({ jobId, taskId }));
    } catch {
      // Redis gone: the watchdog fails the job.
    }
  }

  /** Jobs sent and not yet settled. */
  get pendingJobs(): number {
    return this.pending.size;
  }

  /**
   * Closes the connections. Jobs still pending (only after destroy()) are removed from the queue when no worker
   * has taken them, and asked to stop when one has; their calls were already rejected by the pool.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    if (!this.parts) return;
    const parts = await this.parts.catch(() => undefined);
    if (!parts) return;
    const left = [...this.pending.keys()];
    this.pending.clear();
    await Promise.allSettled(
      left.map(async (jobId) => {
        const removed = await parts.queue.remove(jobId).catch(() => 0);
        if (!removed) await parts.redis.publish(cancelChannel(this.connection.prefix, this.queue), JSON.stringify({ jobId, taskId: -1 }));
      }),
    );
    // Bounded: with Redis gone, BullMQ's close would wait for reconnections that never succeed.
    await within(Promise.allSettled([parts.events.close(), parts.queue.close(), this.uploads.clear(parts.redis)]), CLOSE_MS);
    await Promise.allSettled([parts.events.disconnect(), parts.queue.disconnect()]);
    parts.redis.disconnect();
  }

  private async open(): Promise<Parts> {
    const { bullmq, Redis } = await loadClusterDeps();
    const shown = this.connection.shown;
    const redis = new Redis({
      ...this.connection.redis,
      connectTimeout: UNREACHABLE_MS,
      commandTimeout: UNREACHABLE_MS,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
      lazyConnect: true,
    });
    redis.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    try {
      await withTimeout(redis.connect(), UNREACHABLE_MS, () => this.lastError);
    } catch (error) {
      redis.disconnect();
      throw new RedisUnreachableError(shown, (error as Error).message);
    }
    const options = { connection: { ...this.connection.redis, maxRetriesPerRequest: null }, prefix: this.connection.prefix };
    const queue = new bullmq.Queue(this.queueName, { connection: redis, prefix: this.connection.prefix });
    const events = new bullmq.QueueEvents(this.queueName, options);
    queue.on('error', () => {});
    // BullMQ waits on the queue's 'closing' event once per add in flight: a burst is thousands.
    queue.setMaxListeners(0);
    events.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, resultsOf(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => this.finish(jobId, { lost: `the job failed on the worker: ${failedReason}` }));
    try {
      await withTimeout(events.waitUntilReady(), UNREACHABLE_MS, () => this.lastError);
    } catch (error) {
      await Promise.allSettled([events.close(), queue.close()]);
      redis.disconnect();
      throw new RedisUnreachableError(shown, (error as Error).message);
    }
    const parts = { redis, queue, events };
    this.watchdog = setInterval(() => void this.watch(parts), WATCH_MS);
    this.watchdog.unref();
    return parts;
  }

  private finish(jobId: string, outcome: JobOutcome): void {
    const pending = this.pending.get(jobId);
    if (!pending) return;
    this.pending.delete(jobId);
    pending.settle(outcome);
    if ('results' in outcome) void this.parts?.then((p) => p.queue.remove(jobId)).catch(() => {});
  }

  /** Pings Redis; after UNREACHABLE_MS without an answer every pending job is lost. Recovers missed results. */
  private async watch(parts: Parts): Promise<void> {
    if (this.pending.size === 0 && this.downSince === undefined) return;
    const now = Date.now();
    try {
      await parts.redis.ping();
      this.downSince = undefined;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.downSince ??= now;
      if (now - this.downSince >= UNREACHABLE_MS) {
        const reason = new RedisUnreachableError(this.connection.shown, `no answer for ${now - this.downSince} ms (${this.lastError})`).message;
        for (const jobId of [...this.pending.keys()]) this.finish(jobId, { lost: reason });
      }
      return;
    }
    for (const [jobId, pending] of this.pending) {
      if (now - pending.sentAt < LOOKUP_AFTER_MS) continue;
      const job = (await parts.queue.getJob(jobId).catch(() => undefined)) as Job | undefined;
      if (job?.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null) this.finish(jobId, resultsOf(job.returnvalue));
      else if (job?.failedReason) this.finish(jobId, { lost: `the job failed on the worker: ${job.failedReason}` });
    }
  }
}

/** A job's return value as the event stream or the job hash gives it: the encoded results message. */
function resultsOf(returnvalue: unknown): JobOutcome {
  try {
    let text = returnvalue;
    if (typeof text === 'string' && text.startsWith('"')) text = JSON.parse(text);
    const message = decode<{ type: 'results'; results: unknown[] }>(text as string);
    return { results: message.results };
  } catch (error) {
    return { lost: `the worker's reply could not be read: ${(error as Error).message}` };
  }
}

/** Waits for `promise`, or `ms`, whichever ends first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function withTimeout<T>(promise: Promise<T>, ms: number, detail: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms (${detail()})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
