/**
 * Where `weft worker` processes say they are alive: one Redis key each (and their ids in one set), refreshed
 * while they run and expiring soon after they stop, holding which module (path and hash) they serve and its task names. A client reads it
 * to learn the task names, and to name both modules when none of the workers serves its own.
 */
import type { Redis } from 'ioredis';

/** What a worker announces. */
export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  module: string;
  hash: string;
  tasks: string[];
  /** Local pool workers, and their backend. */
  workers: number;
  backend: string;
}

/** How often a worker refreshes its key, and how long the key outlives the last refresh. */
export const HEARTBEAT_MS = 2_000;
export const RECORD_TTL_MS = 6_000;

export function recordKey(prefix: string, queue: string, id: string): string {
  return `${prefix}:${queue}:weft-worker:${id}`;
}

/** The set of worker ids on a queue (records of those that died without withdrawing expire; see liveWorkers). */
function idsKey(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft-workers`;
}

/** Writes (or refreshes) a worker's record. */
export async function announce(redis: Redis, prefix: string, queue: string, record: WorkerRecord): Promise<void> {
  await redis.multi().set(recordKey(prefix, queue, record.id), JSON.stringify(record), 'PX', RECORD_TTL_MS).sadd(idsKey(prefix, queue), record.id).exec();
}

export async function withdraw(redis: Redis, prefix: string, queue: string, id: string): Promise<void> {
  await redis.multi().del(recordKey(prefix, queue, id)).srem(idsKey(prefix, queue), id).exec();
}

/** Every live worker on a queue; ids whose record expired are dropped from the set. */
export async function liveWorkers(redis: Redis, prefix: string, queue: string): Promise<WorkerRecord[]> {
  const ids = await redis.smembers(idsKey(prefix, queue));
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => recordKey(prefix, queue, id)));
  const gone = ids.filter((_, i) => values[i] === null);
  if (gone.length > 0) await redis.srem(idsKey(prefix, queue), ...gone);
  return values.flatMap((text) => {
    if (!text) return [];
    try {
      return [JSON.parse(text) as WorkerRecord];
    } catch {
      return []; // not a record a weft worker wrote
    }
  });
}

/** The channel on which a client asks workers to stop jobs (a task timed out or was aborted). */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft-cancel`;
}
