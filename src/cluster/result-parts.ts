/**
 * The large arrays of a job's results (FL's model updates), stored by the worker as binary keys of their own,
 * `<prefix>:<queue>:weft-result:<job id>:<n>`, next to the job's return value, and read and deleted by the client
 * when it reads the results. They expire if no client does (it died, or had given up on the job).
 */
import type { Redis } from 'ioredis';

/** How long parts wait for their client: it reads them within milliseconds unless it is gone. */
export const RESULT_PART_TTL_MS = 10 * 60_000;

function partKey(prefix: string, queue: string, jobId: string, index: number): string {
  return `${prefix}:${queue}:weft-result:${jobId}:${index}`;
}

/** The worker's side: stores the parts of job `jobId`'s results. */
export async function storeResultParts(redis: Redis, prefix: string, queue: string, jobId: string, parts: readonly Buffer[]): Promise<void> {
  if (parts.length === 0) return;
  const pipeline = redis.pipeline();
  parts.forEach((bytes, i) => pipeline.set(partKey(prefix, queue, jobId, i), bytes, 'PX', RESULT_PART_TTL_MS));
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}

/** The client's side: reads the `count` parts of job `jobId`'s results and deletes them; throws if one is gone. */
export async function takeResultParts(redis: Redis, prefix: string, queue: string, jobId: string, count: number): Promise<Buffer[]> {
  if (count === 0) return [];
  const keys = Array.from({ length: count }, (_, i) => partKey(prefix, queue, jobId, i));
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.getBuffer(key);
  pipeline.del(...keys);
  const replies = (await pipeline.exec()) ?? [];
  return keys.map((key, i) => {
    const [error, bytes] = replies[i] ?? [new Error('no reply')];
    if (error) throw error;
    if (!bytes) throw new Error(`the result part ${key} is no longer in Redis (it expired, or Redis was restarted)`);
    return bytes as Buffer;
  });
}
