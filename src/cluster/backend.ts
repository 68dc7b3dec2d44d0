/**
 * The cluster backend: each of a pool's workers is a virtual one, a line of batches sent as BullMQ jobs to the
 * `weft worker` processes that serve the pool's module on the pool's queue. The pool around it is the same as
 * for threads and processes (batching, timeouts, aborts, stats, errors); only the transport differs. A machine
 * runs a job's tasks at once over its cores, so a task with a timeout or signal travels alone (concurrentLine),
 * and stopping it stops it on the machine running it (`cancel`) without ending the virtual worker.
 */
import type { Backend, SpawnOptions, WorkerChannel, WorkerEvents } from '../pool/backends/types.js';
import { toRemoteError } from '../pool/errors.js';
import { JOB_STRIDE, type RunMessage } from '../pool/protocol.js';
import { WeftError } from '../shared/errors.js';
import { ClusterClient, UNREACHABLE_MS } from './client.js';
import type { ClusterConnection } from './connection.js';
import { RedisUnreachableError } from './errors.js';
import { moduleIdentity } from './module-identity.js';
import type { WorkerRecord } from './registry.js';
import { encodeBatch } from './wire.js';

/** How often a starting virtual worker looks for a `weft worker` that serves its module. */
const FIND_EVERY_MS = 250;
/** Workers with another module only: how long to wait for a matching one before refusing. */
const MISMATCH_GRACE_MS = 2_000;

export interface ClusterConfig {
  connection: ClusterConnection;
  queue: string;
  moduleUrl: string;
  /** Jobs out with no worker serving the module for this long fail (the pool's loadTimeout). */
  noWorkerMs: number;
}

/** A backend over one cluster; every pool gets its own (it owns the pool's Redis connections). */
export function clusterBackend(config: ClusterConfig): Backend {
  const module = moduleIdentity(config.moduleUrl);
  const client = new ClusterClient(config.connection, config.queue, module, config.noWorkerMs);
  let waitingFor = 'no weft worker has announced itself yet';
  return {
    kind: 'cluster',
    transfers: false,
    // A Redis round trip costs a few hundred µs: keep about 20 ms of work in each virtual worker.
    pipelineBudgetMs: 20,
    concurrentLine: true,
    spawn: (options, events) => spawnRemote(client, options, events, (why) => (waitingFor = why)),
    loadTimeoutReason: () => `no weft worker served ${module.path} (sha256 ${module.hash.slice(0, 16)}) on queue '${config.queue}' at ${config.connection.shown}: ${waitingFor}`,
    close: () => client.close(),
  };
}

function spawnRemote(client: ClusterClient, options: SpawnOptions, events: WorkerEvents, waiting: (why: string) => void): WorkerChannel {
  let alive = true;
  /** Task id -> the job that carries it, and the job's task count. */
  const jobOfTask = new Map<number, { jobId: string; tasks: number }>();
  const jobs = new Set<string>();

  const exit = (info: { code: number | null; signal: string | null; reason?: string }): void => {
    if (!alive) return;
    alive = false;
    setImmediate(() => events.exit(info));
  };

  void findWorker(client, waiting, () => alive).then(
    (record) => {
      if (alive) events.message({ type: 'ready', tasks: record.tasks, progress: false });
    },
    (error: unknown) => {
      if (!alive) return;
      // Another module only: the pool cannot load anywhere. Redis gone: this start failed, the pool may retry.
      if ((error as Error).name === 'ModuleMismatch') events.message({ type: 'load-error', error: toRemoteError(error) });
      exit({ code: 1, signal: null, reason: (error as Error).message });
    },
  );

  return {
    name: options.name,
    send: (message: RunMessage) => {
      const batch = encodeBatch(message); // throws on what V8 cannot serialise: the pool names the task
      const ids: number[] = [];
      for (let i = 0; i < message.jobs.length; i += JOB_STRIDE) ids.push(message.jobs[i] as number);
      const jobId = client.add(batch, (outcome) => {
        jobs.delete(jobId);
        for (const id of ids) jobOfTask.delete(id);
        if (!alive) return;
        if ('results' in outcome) events.message({ type: 'results', results: outcome.results });
        else events.message({ type: 'lost', ids, reason: outcome.lost });
      });
      jobs.add(jobId);
      for (const id of ids) jobOfTask.set(id, { jobId, tasks: ids.length });
    },
    cancel: (taskId: number) => {
      const job = jobOfTask.get(taskId);
      if (job) client.cancel(job.jobId, taskId, job.tasks === 1);
    },
    terminate: () => {
      // Closing or destroying the pool: its calls are settled already; the jobs still out are taken back.
      for (const jobId of jobs) client.cancel(jobId, -1, true);
      exit({ code: null, signal: 'SIGTERM' });
    },
    setReferenced: () => {},
  };
}

/**
 * Waits for a live worker serving this module. Rejects naming both modules when only others serve the queue
 * (a ModuleMismatch), or with RedisUnreachableError once Redis has failed every try for UNREACHABLE_MS.
 */
async function findWorker(client: ClusterClient, waiting: (why: string) => void, wanted: () => boolean): Promise<WorkerRecord> {
  let othersSince: number | undefined;
  let failingSince: number | undefined;
  while (wanted()) {
    let workers: WorkerRecord[] | undefined;
    try {
      workers = await client.workers();
      failingSince = undefined;
    } catch (error) {
      failingSince ??= Date.now();
      const message = error instanceof WeftError ? error.message : new RedisUnreachableError(client.connection.shown, (error as Error).message).message;
      waiting(message);
      if (Date.now() - failingSince >= UNREACHABLE_MS) throw error instanceof WeftError ? error : new RedisUnreachableError(client.connection.shown, (error as Error).message);
    }
    if (workers) {
      const match = workers.find((w) => w.hash === client.module.hash);
      if (match) return match;
      if (workers.length > 0) {
        const other = workers[0];
        const why = `the workers there serve another module: ${other.module} (sha256 ${other.hash.slice(0, 16)}) on ${other.host}, not ${client.module.path} (sha256 ${client.module.hash.slice(0, 16)})`;
        waiting(why);
        othersSince ??= Date.now();
        if (Date.now() - othersSince >= MISMATCH_GRACE_MS) throw Object.assign(new Error(why), { name: 'ModuleMismatch' });
      } else {
        othersSince = undefined;
        waiting('no weft worker is running on that queue');
      }
    }
    await new Promise((resolve) => setTimeout(resolve, FIND_EVERY_MS));
  }
  throw new Error('the worker was stopped before it found a weft worker');
}
