/**
 * The ways the study runs a case's work, and how each maps onto a weft pool backend.
 * Python variants are peers: the same work in CPython, run by `bench/python/`.
 */
import { createPool, type BackendKind, type Pool } from '../pool/index.js';

/** Every variant name. */
export const VARIANT_NAMES = [
  'sequential',
  'event-loop',
  'thread',
  'process',
  'process+shm',
  'py-threading',
  'py-processes',
  'py-processes+shm',
  'torch',
  'torch-processes',
] as const;

/** How a case's work is run. */
export type VariantName = (typeof VARIANT_NAMES)[number];

/** What a variant is. */
export interface VariantInfo {
  name: VariantName;
  runtime: 'node' | 'python';
  /** Pool backend for Node variants. */
  backend?: BackendKind;
  /** True when it only makes sense with one worker (one loop, no chunks). */
  singleWorker: boolean;
  /** One line for reports. */
  description: string;
  /** True for the PyTorch peers, which also need `import torch` to work. */
  needsTorch?: boolean;
}

export const VARIANTS: Record<VariantName, VariantInfo> = {
  sequential: {
    name: 'sequential',
    runtime: 'node',
    backend: 'inline',
    singleWorker: true,
    description: 'one loop on the main thread: the baseline',
  },
  'event-loop': {
    name: 'event-loop',
    runtime: 'node',
    backend: 'inline',
    singleWorker: false,
    description: "the W chunks as concurrent async tasks on the main thread: concurrency without parallelism (Node's GIL)",
  },
  thread: {
    name: 'thread',
    runtime: 'node',
    backend: 'thread',
    singleWorker: false,
    description: 'W worker threads; arrays in SharedArrayBuffers are passed by reference',
  },
  process: {
    name: 'process',
    runtime: 'node',
    backend: 'process',
    singleWorker: false,
    description: 'W child processes; data is copied to each (V8 serialisation over IPC)',
  },
  'process+shm': {
    name: 'process+shm',
    runtime: 'node',
    backend: 'process',
    singleWorker: false,
    description: 'W child processes attached to one mapped /dev/shm segment',
  },
  'py-threading': {
    name: 'py-threading',
    runtime: 'python',
    singleWorker: false,
    description: 'CPython threading (ThreadPoolExecutor)',
  },
  'py-processes': {
    name: 'py-processes',
    runtime: 'python',
    singleWorker: false,
    description: 'CPython multiprocessing.Pool; slices pickled to workers',
  },
  'py-processes+shm': {
    name: 'py-processes+shm',
    runtime: 'python',
    singleWorker: false,
    description: 'CPython multiprocessing.Pool; workers attach to one multiprocessing.shared_memory segment',
  },
  torch: {
    name: 'torch',
    runtime: 'python',
    singleWorker: true,
    needsTorch: true,
    description: 'PyTorch, the clients one after another in one process, one thread; the mode names the BLAS',
  },
  'torch-processes': {
    name: 'torch-processes',
    runtime: 'python',
    singleWorker: false,
    needsTorch: true,
    description: 'PyTorch on a multiprocessing.Pool of one-thread processes; models pickled to and from each client',
  },
};

/** True for a known variant name. */
export function isVariantName(name: string): name is VariantName {
  return (VARIANT_NAMES as readonly string[]).includes(name);
}

/** `'thread (balanced)'`, `'sequential'`. */
export function seriesLabel(variant: VariantName, mode?: string): string {
  return mode === undefined ? variant : `${variant} (${mode})`;
}

export { siblingModule } from '../pool/sibling-module.js';

/**
 * Starts the pool a Node variant runs on and waits until every worker has loaded the module, so
 * start-up stays out of the timed section.
 */
export async function startPool<M>(variant: VariantName, module: URL, workers: number): Promise<Pool<M>> {
  const info = VARIANTS[variant];
  if (info.backend === undefined) throw new Error(`variant ${variant} does not run on a weft pool`);
  const pool = createPool<M>({
    module,
    backend: info.backend,
    workers: info.backend === 'inline' ? 1 : workers,
    start: 'eager',
  });
  await pool.ready();
  return pool;
}
