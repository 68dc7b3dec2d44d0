/**
 * The cluster backend: each of a pool's workers is a virtual one, a line of batches sent as BullMQ jobs to the
 * `weft worker` processes that serve the pool's module on the pool's queue. The pool around it is the same as
 * for threads and processes (batching, timeouts, aborts, stats, errors); only the transport differs. A task that
 * times out or is aborted is stopped on the machine running it (see `cancel`), without ending the virtual worker.
 */
import type { Backend, SpawnOptions, WorkerChannel, WorkerEvents } from '../pool/backends/types.js';
import { toRemoteError } from '../pool/errors.js';
import { JOB_STRIDE, type RunMessage } from '../pool/protocol.js';
import { WeftError } from '../shared/errors.js';
import { ClusterClient } from './client.js';
import { RedisUnreachableError } from './errors.js';
import type { ClusterConnection } from './connection.js';
import { moduleIdentity } from './module-identity.js';
import type { WorkerRecord } from './registry.js';
import { encodeBatch } from './wire.js';

/** How often a starting virtual worker looks for a `weft worker` that serves its module. */
const FIND_EVERY_MS = 100;
/** Workers with another module only: how long to wait for a matching one before refusing. */
const MISMATCH_GRACE_MS = 2_000;

export interface ClusterConfig {
  connection: ClusterConnection;
  queue: string;
  moduleUrl: string;
}

/** A backend over one cluster; every pool gets its own (it owns the pool's Redis connections). */
export function clusterBackend(config: ClusterConfig): Backend {
  const module = moduleIdentity(config.moduleUrl);
  const client = new ClusterClient(config.connection, config.queue, module);
  let waitingFor = 'no weft worker has announced itself yet';
  return {
    kind: 'cluster',
    transfers: false,
    // A Redis round trip costs a few hundred µs: keep about 20 ms of work in each virtual worker.
    pipelineBudgetMs: 20,
    spawn: (options, events) => spawnRemote(client, options, events, (why) => (waitingFor = why)),
    loadTimeoutReason: () => `no weft worker served ${module.path} (sha256 ${module.hash.slice(0, 16)}) on queue '${config.queue}' at ${config.connection.shown}: ${waitingFor}`,
    close: () => client.close(),
  };
}

function spawnRemote(client: ClusterClient, options: SpawnOptions, events: WorkerEvents, waiting: (why: string) => void): WorkerChannel {
  let alive = true;
  let ended = false;
  /** Task id -> the job that carries it, for cancel. */
  const jobOfTask = new Map<number, string>();
  let inFlight = 0;
  let endInfo: { code: number | null; signal: string | null; reason?: string } | undefined;

  const end = (info: { code: number | null; signal: string | null; reason?: string }): void => {
    alive = false;
    endInfo ??= info;
    // Every job's outcome reaches the pool before the exit, as with a real worker's last messages.
    if (ended || inFlight > 0) return;
    ended = true;
    setImmediate(() => events.exit(endInfo!));
  };

  void findWorker(client, waiting, () => alive).then(
    (record) => {
      if (alive) events.message({ type: 'ready', tasks: record.tasks, progress: false });
    },
    (error: unknown) => {
      if (!alive) return;
      events.message({ type: 'load-error', error: toRemoteError(error) });
      end({ code: 1, signal: null });
    },
  );

  return {
    name: options.name,
    send: (message: RunMessage) => {
      if (!alive) return;
      const data = encodeBatch(message); // throws on what V8 cannot serialise: the pool names the task
      const ids: number[] = [];
      for (let i = 0; i < message.jobs.length; i += JOB_STRIDE) ids.push(message.jobs[i] as number);
      inFlight++;
      const jobId = client.add(data, (outcome) => {
        inFlight--;
        for (const id of ids) jobOfTask.delete(id);
        if ('results' in outcome) events.message({ type: 'results', results: outcome.results });
        else end({ code: null, signal: null, reason: outcome.lost });
        if (!alive) end(endInfo!);
      });
      for (const id of ids) jobOfTask.set(id, jobId);
    },
    cancel: (taskId: number) => {
      const jobId = jobOfTask.get(taskId);
      if (jobId) void client.cancel(jobId, taskId);
    },
    terminate: () => {
      if (!alive && ended) return;
      // Jobs already out settle (their tasks were handed back or rejected by the pool); ask them to stop.
      for (const [taskId, jobId] of jobOfTask) void client.cancel(jobId, taskId);
      end({ code: null, signal: 'SIGTERM' });
    },
    setReferenced: () => {},
  };
}

/** Waits for a live worker serving this module; rejects naming both modules when only others serve the queue. */
async function findWorker(client: ClusterClient, waiting: (why: string) => void, wanted: () => boolean): Promise<WorkerRecord> {
  await client.connect();
  let othersSince: number | undefined;
  while (wanted()) {
    const workers = await client.workers().catch((error: unknown) => {
      throw error instanceof WeftError ? error : new RedisUnreachableError(client.connection.shown, (error as Error).message);
    });
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
    await new Promise((resolve) => setTimeout(resolve, FIND_EVERY_MS));
  }
  throw new Error('the worker was stopped before it found a weft worker');
}
