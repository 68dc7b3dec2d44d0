/** The cluster backend's public part: the worker side (`weft worker` as a function) and its errors. */
export { serveCluster, type ClusterWorker, type ClusterWorkerOptions } from './serve.js';
export { ClusterDependencyError, RedisUnreachableError } from './errors.js';
