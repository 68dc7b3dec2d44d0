/** Picks the backend for a pool's `backend` option. */
import { inlineBackend } from './inline.js';
import { processBackend } from './process.js';
import { threadBackend } from './thread.js';
import type { Backend, BackendKind } from './types.js';

const BACKENDS: Record<BackendKind, Backend> = {
  thread: threadBackend,
  process: processBackend,
  inline: inlineBackend,
};

export function backendFor(kind: BackendKind): Backend {
  return BACKENDS[kind];
}
