/**
 * weft: one typed executor over worker threads, child processes and inline, with shared memory
 * and the synchronisation primitives that make it safe. The FL simulator is at `weft-pool/fl`.
 */
export * from './pool/index.js';
export * from './sync/index.js';
export * from './cluster/index.js';
export {
  sharedArray,
  sharedArrayFrom,
  disposableSharedArray,
  dispose,
  placementOf,
  segmentOf,
  SharedArray,
  TYPED_ARRAYS,
  futexWait,
  futexWaitAsync,
  futexWake,
  isMapped,
  sweepStaleSegments,
  NativeUnavailableError,
  SharedArgumentError,
  SharedErrorCode,
  type BufferPath,
  type Placement,
  type SharedArrayOptions,
  type TypedArrayName,
  type TypedArrayConstructor,
  type SharedTypedArray,
} from './shared/index.js';
export * from './playbook/index.js';
// The playbook's createPool: the pool's own, plus backend: 'auto' (this explicit export wins over both star exports).
export { createPool } from './playbook/index.js';
export {
  profile,
  ProfileSession,
  Recorder,
  toTrace,
  timedLock,
  startThreadProfiler,
  summarise as summariseCpuProfile,
  type ProfileOptions,
  type ProfileResult,
  type ProfileReport,
  type TelemetrySnapshot,
  type WorkerSummary,
  type LockSummary,
  type TraceEvent,
  type TraceFile,
  type LockWait,
  type CpuProfile,
  type HotFunction,
  type ProfileSummary,
} from './profile/index.js';
