/**
 * Where `weft worker` processes say they are alive: one Redis key each, refreshed while they run and expiring
 * soon after they stop, holding which module (path and hash) they serve and its task names. A client reads it
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

/** Writes (or refreshes) a worker's record. */
export async function announce(redis: Redis, prefix: string, queue: string, record: WorkerRecord): Promise<void> {
  await redis.set(recordKey(prefix, queue, record.id), JSON.stringify(record), 'PX', RECORD_TTL_MS);
}

export async function withdraw(redis: Redis, prefix: string, queue: string, id: string): Promise<void> {
  await redis.del(recordKey(prefix, queue, id));
}

/** Every live worker on a queue. */
export async function liveWorkers(redis: Redis, prefix: string, queue: string): Promise<WorkerRecord[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', recordKey(prefix, queue, '*'), 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.flatMap((text) => (text ? [JSON.parse(text) as WorkerRecord] : []));
}

/** The channel on which a client asks workers to stop jobs (a task timed out or was aborted). */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:weft-cancel`;
}
