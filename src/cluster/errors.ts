/** Errors only a cluster pool or `weft worker` raises. */
import { WeftError } from '../shared/errors.js';

/** bullmq or ioredis is not installed (they are optional dependencies of weft). */
export class ClusterDependencyError extends WeftError {
  constructor(missing: string, cause: unknown) {
    super('WEFT_CLUSTER_DEPENDENCY', `the cluster backend needs the package '${missing}' (an optional dependency of weft-pool): npm install bullmq ioredis`, { cause });
  }
}

/** Redis could not be reached, or stopped answering, within the bounded time the cluster allows. */
export class RedisUnreachableError extends WeftError {
  readonly connection: string;
  constructor(connection: string, detail: string) {
    super('WEFT_REDIS_UNREACHABLE', `Redis at ${connection} is unreachable: ${detail}`);
    this.connection = connection;
  }
}
