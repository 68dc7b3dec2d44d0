/**
 * A cluster pool's side of Redis: one BullMQ queue (named after the task module's hash), the queue's event
 * stream for results, and a watchdog that turns what would be a wait without end into an error within a bounded
 * time: a Redis that is gone, a job Redis no longer has (restarted without persistence), no worker serving the
 * module any more. Every virtual worker of the pool (see backend.ts) shares one client.
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BlobUploads } from './blob-store.js';
import type { ClusterConnection } from './connection.js';
import { RedisUnreachableError } from './errors.js';
import { loadClusterDeps } from './load-deps.js';
import { jobQueueName, type ModuleIdentity } from './module-identity.js';
import { cancelChannel, liveWorkers, type WorkerRecord } from './registry.js';
import { takeResultParts } from './result-parts.js';
import { decodeResults, resultPartCount, type EncodedBatch } from './wire.js';

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
/**
 * Entries the queue's event stream keeps (BullMQ's default is 10,000). Bursts make several events per job: fewer,
 * and a reader behind can find unread completions trimmed. Each completion event carries the job's return value (the results), so
 * this bounds what stays in Redis after the pool is gone; a result whose event was trimmed before the client read
 * it is fetched from the job itself (see LOOKUP_AFTER_MS).
 */
const EVENTS_KEPT = 5_000;

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
  /** 64 random bits: job ids and stored arrays are this client's own. */
  private readonly id = randomBytes(8).toString('hex');
  private readonly uploads: BlobUploads;
  private nextJob = 0;
  private parts: Promise<Parts> | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Jobs whose result parts are being read: the watchdog must not read (and find deleted) them a second time. */
  private readonly readingParts = new Set<string>();
  private watchdog: NodeJS.Timeout | undefined;
  private watching = false;
  private downSince: number | undefined;
  private noWorkerSince: number | undefined;
  private lastError = 'no answer';
  private closed = false;

  constructor(
    readonly connection: ClusterConnection,
    readonly queue: string,
    readonly module: ModuleIdentity,
    /** Jobs out with no worker serving the module for this long fail. */
    private readonly noWorkerMs: number,
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

  /** Adds a job holding `batch` and returns its id; `settle` is called exactly once with its outcome. */
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

  /**
   * Stops task `taskId` of job `jobId` (-1: all of them). A job that holds only what is stopped and that no
   * worker has taken yet is removed from the queue (it settles as lost; its tasks never ran); otherwise the
   * worker running it, or the one that takes it later, is told.
   */
  cancel(jobId: string, taskId: number, wholeJob: boolean): void {
    void (async () => {
      const { queue, redis } = await this.connect();
      if (wholeJob && this.pending.has(jobId) && (await queue.remove(jobId)) === 1) {
        this.finish(jobId, { lost: 'stopped before a worker took it' });
        return;
      }
      await redis.publish(cancelChannel(this.connection.prefix, this.queue), JSON.stringify({ jobId, taskId }));
    })().catch(() => {
      // Redis gone: the watchdog fails the job.
    });
  }

  /** Closes the connections, after taking back what is still out (only after destroy(): close() drains first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    if (!this.parts) return;
    const parts = await this.parts.catch(() => undefined);
    if (!parts) return;
    const left = [...this.pending.keys()];
    this.pending.clear();
    // Bounded: with Redis gone, BullMQ's close would wait for reconnections that never succeed.
    const takeBack = Promise.allSettled(
      left.map(async (jobId) => {
        const removed = await parts.queue.remove(jobId).catch(() => 0);
        if (!removed) await parts.redis.publish(cancelChannel(this.connection.prefix, this.queue), JSON.stringify({ jobId, taskId: -1 }));
      }),
    );
    await within(Promise.allSettled([takeBack, this.uploads.clear(parts.redis)]), CLOSE_MS);
    await within(Promise.allSettled([parts.events.close(), parts.queue.close()]), CLOSE_MS);
    await within(Promise.allSettled([parts.events.disconnect(), parts.queue.disconnect()]), CLOSE_MS);
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
    const prefix = this.connection.prefix;
    const queue = new bullmq.Queue(this.queueName, { connection: redis, prefix, streams: { events: { maxLen: EVENTS_KEPT } } });
    // From the stream's present end, read now: QueueEvents would start at its first read, and miss the events of
    // jobs that finish before it.
    const last = await redis.xrevrange(`${prefix}:${this.queueName}:events`, '+', '-', 'COUNT', 1).catch(() => []);
    const lastEventId = last[0]?.[0] ?? '0-0';
    const events = new bullmq.QueueEvents(this.queueName, { connection: { ...this.connection.redis, maxRetriesPerRequest: null }, prefix, lastEventId });
    queue.on('error', () => {});
    // BullMQ waits on the queue's 'closing' event once per add in flight: a burst is thousands.
    queue.setMaxListeners(0);
    events.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    events.on('completed', ({ jobId, returnvalue }) => this.finishWith(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.finish(jobId, { lost: `the job failed on the worker: ${failedReason}` }));
    try {
      await withTimeout(events.waitUntilReady(), UNREACHABLE_MS, () => this.lastError);
    } catch (error) {
      await within(Promise.allSettled([events.close(), queue.close()]), CLOSE_MS);
      redis.disconnect();
      throw new RedisUnreachableError(shown, (error as Error).message);
    }
    const parts = { redis, queue, events };
    if (!this.closed) {
      this.watchdog = setInterval(() => void this.watch(parts), WATCH_MS);
      this.watchdog.unref();
    }
    return parts;
  }

  /** Reads a completed job's results (and their stored parts), then settles it. */
  private finishWith(jobId: string, returnvalue: unknown): void {
    if (!this.pending.has(jobId)) return;
    let text = returnvalue;
    if (typeof text === 'string' && text.startsWith('"')) text = JSON.parse(text);
    if (typeof text !== 'string') {
      this.finish(jobId, { lost: `the worker's reply is not a results message (${typeof text})` });
      return;
    }
    const count = resultPartCount(text);
    const read = (parts: Buffer[]): JobOutcome => {
      try {
        return { results: decodeResults<{ type: 'results'; results: unknown[] }>(text, parts).results };
      } catch (error) {
        return { lost: `the worker's reply could not be read: ${(error as Error).message}` };
      }
    };
    if (count === 0) {
      this.finish(jobId, read([]));
      return;
    }
    if (this.readingParts.has(jobId)) return;
    this.readingParts.add(jobId);
    void this.connect()
      .then(({ redis }) => takeResultParts(redis, this.connection.prefix, this.queue, jobId, count))
      .then(
        (parts) => this.finish(jobId, read(parts)),
        (error: unknown) => this.finish(jobId, { lost: `the results' large arrays could not be read: ${(error as Error).message}` }),
      )
      .finally(() => this.readingParts.delete(jobId));
  }

  private finish(jobId: string, outcome: JobOutcome): void {
    const pending = this.pending.get(jobId);
    if (!pending) return;
    this.pending.delete(jobId);
    pending.settle(outcome);
    // Read, or given up: the job's keys go (a job still running somewhere is not removed, and expires).
    void this.parts?.then((p) => p.queue.remove(jobId)).catch(() => {});
  }

  private lose(reason: string): void {
    for (const jobId of [...this.pending.keys()]) this.finish(jobId, { lost: reason });
  }

  /**
   * Pings Redis: without an answer for UNREACHABLE_MS every pending job is lost. Looks up jobs pending long: a
   * missed result is read from the job, a job Redis no longer has is lost. With jobs out and no worker serving
   * the module for noWorkerMs, they are lost too.
   */
  private async watch(parts: Parts): Promise<void> {
    if (this.watching || (this.pending.size === 0 && this.downSince === undefined)) return;
    this.watching = true;
    try {
      await this.checkRedis(parts);
      if (this.downSince !== undefined || this.pending.size === 0) return;
      await this.checkWorkers(parts);
      await this.checkJobs(parts);
    } catch (error) {
      this.lastError = (error as Error).message;
    } finally {
      this.watching = false;
    }
  }

  private async checkRedis(parts: Parts): Promise<void> {
    try {
      await withTimeout(parts.redis.ping(), WATCH_MS, () => this.lastError);
      this.downSince = undefined;
    } catch (error) {
      this.lastError = (error as Error).message;
      const now = Date.now();
      this.downSince ??= now - WATCH_MS;
      if (now - this.downSince >= UNREACHABLE_MS) this.lose(new RedisUnreachableError(this.connection.shown, `no answer for ${now - this.downSince} ms (${this.lastError})`).message);
    }
  }

  private async checkWorkers(parts: Parts): Promise<void> {
    const serving = (await liveWorkers(parts.redis, this.connection.prefix, this.queue)).some((w) => w.hash === this.module.hash);
    const now = Date.now();
    if (serving) this.noWorkerSince = undefined;
    else if ((this.noWorkerSince ??= now) && now - this.noWorkerSince >= this.noWorkerMs) {
      this.lose(`no weft worker has served ${this.module.path} on queue '${this.queue}' for ${now - this.noWorkerSince} ms (the pool's loadTimeout)`);
      this.noWorkerSince = undefined;
    }
  }

  private async checkJobs(parts: Parts): Promise<void> {
    const now = Date.now();
    for (const [jobId, pending] of [...this.pending]) {
      if (now - pending.sentAt < LOOKUP_AFTER_MS) continue;
      const job = (await parts.queue.getJob(jobId)) as Job | undefined;
      if (!this.pending.has(jobId)) continue; // settled meanwhile
      if (!job) this.finish(jobId, { lost: 'Redis no longer has the job (was it restarted without persistence?)' });
      else if (job.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null) this.finishWith(jobId, job.returnvalue);
      else if (job.failedReason) this.finish(jobId, { lost: `the job failed on the worker: ${job.failedReason}` });
    }
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
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${detail()})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
