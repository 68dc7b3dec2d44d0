/** Telemetry, traces and CPU profiles of pools: `profile(block)`, the `Recorder`, and the exporters. */
export { Recorder, type TelemetrySnapshot, type WorkerSummary, type LockSummary, type MessageRecord, type FailureRecord, type Watchable } from './recorder.js';
export { toTrace, type TraceEvent, type TraceFile } from './trace.js';
export { timedLock, type LockWait } from './locks.js';
export { summarise, merge, type CpuProfile, type HotFunction, type ProfileSummary } from './cpu/summary.js';
export { startThreadProfiler, type RunningProfiler } from './cpu/main-profiler.js';
export { ProfileSession, type ProfileOptions, type ProfileResult } from './session.js';
export { profile } from './profile.js';
export { CREATE_POOL_HOOK, installCreatePoolHook, type CreatePoolHook } from '../pool/create-pool.js';
export type { ProfileReport, Distribution } from './summary.js';
