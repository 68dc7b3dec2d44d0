/**
 * bullmq and ioredis load on first use, so that pools on threads and processes neither pay for them nor need them
 * installed.
 */
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';
import { ClusterDependencyError } from './errors.js';

export interface ClusterDeps {
  bullmq: typeof BullMQ;
  Redis: typeof IORedis.Redis;
}

let loading: Promise<ClusterDeps> | undefined;

export function loadClusterDeps(): Promise<ClusterDeps> {
  loading ??= (async () => {
    const bullmq = await import('bullmq').catch((error: unknown) => {
      throw new ClusterDependencyError('bullmq', error);
    });
    const ioredis = await import('ioredis').catch((error: unknown) => {
      throw new ClusterDependencyError('ioredis', error);
    });
    return { bullmq, Redis: ioredis.Redis };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
