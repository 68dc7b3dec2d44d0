/** Picks the backend for a pool's `backend` option. */
import { clusterBackend } from '../../cluster/backend.js';
import { parseConnection, parseQueueName } from '../../cluster/connection.js';
import { inlineBackend } from './inline.js';
import { processBackend } from './process.js';
import { threadBackend } from './thread.js';
import type { Backend, BackendKind, LocalBackendKind } from './types.js';

const LOCAL: Record<LocalBackendKind, Backend> = {
  thread: threadBackend,
  process: processBackend,
  inline: inlineBackend,
};

/** What a cluster backend needs beyond the kind (validated: InvalidOptionError names a bad one). */
export interface ClusterTarget {
  connection?: unknown;
  queue?: unknown;
  moduleUrl: string;
  /** The pool's loadTimeout: also how long jobs may wait with no worker serving the module. */
  loadTimeoutMs: number;
}

export function backendFor(kind: BackendKind, cluster?: ClusterTarget): Backend {
  if (kind !== 'cluster') return LOCAL[kind];
  return clusterBackend({
    connection: parseConnection(cluster?.connection),
    queue: parseQueueName(cluster?.queue),
    moduleUrl: cluster!.moduleUrl,
    noWorkerMs: cluster!.loadTimeoutMs,
  });
}
